// What bench/baseline.mjs and bench/compare.mjs share: the probe every
// page runs before its own scripts, the medians, and the throttling.

// Records the first frame with the balance and the first with the whole
// first screen (balance, tier progress, referral link, offers), and keeps
// every WebAssembly memory the page creates (to read its size).
export const PROBE = () => {
  const probe = (window.__bench = { memories: [] });
  const keep = (result) => {
    const instance = result && (result.instance || result);
    const memory = instance && instance.exports && instance.exports.memory;
    if (memory) probe.memories.push(memory);
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
  const root = () => (document.querySelector('loyalty-widget') || document.querySelector('vanilla-loyalty'))?.shadowRoot;
  const has = (r, selector) => r && [...r.querySelectorAll(selector)].some((e) => e.textContent.trim() || e.value);
  const frame = () => {
    const r = root();
    if (!probe.balance && has(r, '[data-testid=balance]')) probe.balance = performance.now();
    const complete = has(r, '[data-testid=balance]')
      && (has(r, '[data-testid=tier]') || has(r, 'progress'))
      && (has(r, '#lw-referral-title') || has(r, 'input'))
      && (has(r, '.lw-offer-title') || has(r, '[data-testid=offers] li'));
    if (!probe.complete && complete) probe.complete = performance.now();
    if (!probe.complete) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

export const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
};

/** 4x CPU, 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip. */
export async function throttle(cdp) {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

