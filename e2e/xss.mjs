// XSS payloads in every text and URL field the endpoint sends, and in every
// configuration attribute: nothing may execute (a canary, `window.__pwned`,
// stays unset), no element may gain an event-handler attribute or become a
// script, image or frame, and only http(s) links may be rendered. Payloads
// shown at all must show as text.
//
// Usage: node e2e/xss.mjs http://127.0.0.1:PORT
// (an endpoint with --demo --static dist --fault-control; its `bodies`
// fault serves the hostile answers)
import { checks, launch, setFaults } from './states.mjs';

const [base, browserName = 'chromium'] = process.argv.slice(2);

export const PAYLOADS = [
  '<img src=x onerror="window.__pwned=\'img\'">',
  '<script>window.__pwned=\'script\'</script>',
  '"><svg onload="window.__pwned=\'svg\'">',
  "javascript:window.__pwned='js'",
  "JaVaScRiPt:window.__pwned='case'",
  "java\tscript:window.__pwned='tab'",
  " javascript:window.__pwned='space'",
  "data:text/html,<script>window.__pwned='data'</script>",
  "&#106;avascript:window.__pwned='entity'",
  "vbscript:msgbox('pwned')",
  "{{constructor.constructor('window.__pwned=1')()}}",
  "</style><script>window.__pwned='style'</script>",
];

// Fields whose values are identifiers, enums, dates or codes the contract
// checks strictly: a payload there only turns the answer into an error.
const STRICT = /^(id|.*_id|currency|state|kind|reason|type|status|lang|at|.*_at|since|until|date|valid_.*|expires.*)$/;

function poison(value, payload, key = '') {
  if (Array.isArray(value)) return value.map((v) => poison(v, payload, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, payload, k)]));
  }
  if (typeof value === 'string' && !STRICT.test(key)) return payload;
  return value;
}

const json = async (path, token) => {
  const response = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
};

const { token } = await json('/_demo/token?customer=cust-anna');
const real = {
  '/v1/program': await json('/v1/program?lang=en'),
  '/v1/customer': await json('/v1/customer?lang=en', token),
  '/v1/offers': await json('/v1/offers?lang=en', token),
  '/v1/activity': await json('/v1/activity?page=1&lang=en', token),
};

const browser = await launch(browserName);
// Tall enough that every inline widget is in view (they load when near).
const tally = checks(browser, { width: 800, height: 4000 });
/** The widget's state in the page: what ran, what was rendered. */
const inspect = (page) => page.evaluate(() => {
  const roots = [...document.querySelectorAll('loyalty-widget')].map((el) => el.shadowRoot).filter(Boolean);
  const all = roots.flatMap((root) => [...root.querySelectorAll('*')]);
  return {
    pwned: window.__pwned ?? null,
    handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
    dangerous: all.filter((el) => /^(script|img|iframe|object|embed|frame|svg|math|style|link|base|form|meta)$/i.test(el.localName)).map((el) => el.localName),
    badLinks: all.filter((el) => el.localName === 'a' && el.hasAttribute('href'))
      .map((a) => a.protocol).filter((p) => p !== 'http:' && p !== 'https:'),
    text: roots.map((root) => root.textContent).join(' '),
    errors: window.__lw.errors,
  };
});

/** A check whose function returns the problems it found (none: ok). */
const attempt = (name, fn) => tally.check(name, async (page) => {
  const problems = await fn(page);
  if (problems.length) throw new Error(problems.join('; '));
});

function verdict(state, payload) {
  const problems = [];
  if (state.pwned !== null) problems.push(`the canary was set (${state.pwned})`);
  if (state.handlers) problems.push(`${state.handlers} elements with on* attributes`);
  if (state.dangerous.length) problems.push(`elements rendered: ${state.dangerous.join(',')}`);
  if (state.badLinks.length) problems.push(`links with ${state.badLinks.join(',')}`);
  if (state.errors.length) problems.push(`uncaught: ${state.errors.join(' | ')}`);
  if (payload !== undefined && !state.text.includes(payload.trim())) problems.push('the payload is not shown as text');
  return problems;
}

console.log(`XSS payloads in ${browserName}`);
for (const payload of PAYLOADS) {
  const bodies = Object.fromEntries(Object.entries(real).map(([path, body]) => [path, JSON.stringify(poison(body, payload))]));
  await attempt(`endpoint data: ${JSON.stringify(payload)}`, async (page) => {
    await setFaults(base, { bodies });
    await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
    await page.waitForFunction(() => {
      const root = document.querySelector('loyalty-widget')?.shadowRoot;
      return root?.querySelector('[data-testid=balance]') || root?.querySelector('.lw-error');
    }, { timeout: 15000 });
    // Open the history too, and give anything injected time to fire.
    await page.evaluate(() => {
      const root = document.querySelector('loyalty-widget').shadowRoot;
      [...root.querySelectorAll('button')].find((b) => /history/i.test(b.textContent))?.click();
    });
    await new Promise((r) => setTimeout(r, 800));
    return verdict(await inspect(page), payload);
  });
}
await setFaults(base, {});

await attempt('configuration attributes: links, texts, language and theme', async (page) => {
  await page.goto(`${base}/examples/hostile-baseline.html?customer=`);
  await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.lw-guest'), { timeout: 15000 });
  const endpoint = await page.evaluate(() => document.querySelector('loyalty-widget').getAttribute('endpoint'));
  const problems = [];
  for (const payload of PAYLOADS) {
    await page.evaluate((p, e) => {
      document.querySelectorAll('loyalty-widget').forEach((el) => el.remove());
      const add = (attrs) => {
        const el = document.createElement('loyalty-widget');
        for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
        document.body.append(el);
      };
      add({ endpoint: e, lang: 'en', 'join-url': p });
      add({ endpoint: e, lang: 'en', 'signin-url': p });
      add({ endpoint: e, lang: 'en', 'token-url': p });
      add({ endpoint: e, lang: p, theme: p });
      add({ endpoint: e, lang: 'en', texts: JSON.stringify({ title: p, 'guest-pitch': p }) });
      add({ endpoint: p, lang: 'en' });
    }, payload, endpoint);
    await page.waitForFunction(() => [...document.querySelectorAll('loyalty-widget')].every((el) => el.dataset.state
      && el.dataset.state !== 'loading'), { timeout: 15000 });
    await new Promise((r) => setTimeout(r, 300));
    const state = await inspect(page);
    problems.push(...verdict(state).map((p) => `${JSON.stringify(payload)}: ${p}`));
    if (!state.text.includes(payload.trim())) problems.push(`${JSON.stringify(payload)}: the texts override is not shown as text`);
  }
  return problems;
});

await browser.close();
console.log(`XSS (${browserName}): ${tally.passed} passed, ${tally.failed} failed; ${PAYLOADS.length} payloads in every endpoint string and 6 attribute placements`);
process.exit(tally.failed ? 1 : 0);
