// Before and after, side by side in one run: the widget from two builds
// (each served by its own reference endpoint) and the vanilla-JS baseline,
// first views and repeat views (the second page view in the same context),
// normal and throttled. Every round opens a fresh Chromium
// context per page and the pages take turns (their order flips each round),
// so a busy moment of the machine hits all three alike.
//
// Usage: node bench/compare.mjs BEFORE_URL AFTER_URL [rounds=30] [throttled rounds=12]
// (scripts/bench-compare.sh builds both and serves them)
import puppeteer from 'puppeteer-core';
import { chromiumArgs } from '../e2e/states.mjs';
import { PROBE, stats, throttle } from './probe.mjs';

const [before, after, roundsArg = '30', throttledArg = '12'] = process.argv.slice(2);
const customer = '?customer=cust-anna';
const PAGES = {
  before: `${before}/examples/bench-widget.html${customer}`,
  after: `${after}/examples/bench-widget.html${customer}`,
  vanilla: `${after}/examples/bench-vanilla.html${customer}`,
};
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });

const view = async (page, url) => {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.__bench && window.__bench.complete, { polling: 50, timeout: 60_000 });
  return page.evaluate(() => ({ balance: window.__bench.balance, complete: window.__bench.complete }));
};

async function views(url, throttled) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 1024, height: 800 });
    await page.evaluateOnNewDocument(PROBE);
    if (throttled) await throttle(await page.createCDPSession());
    const first = await view(page, url);
    await new Promise((resolve) => { setTimeout(resolve, 500); });
    return { first, repeat: await view(page, url) };
  } finally {
    await context.close();
  }
}

const results = {};
for (const [mode, rounds] of [['normal', Number(roundsArg)], ['throttled', Number(throttledArg)]]) {
  results[mode] = { before: [], after: [], vanilla: [] };
  for (let i = 0; i < rounds; i += 1) {
    const order = i % 2 ? ['vanilla', 'after', 'before'] : ['before', 'after', 'vanilla'];
    for (const who of order) results[mode][who].push(await views(PAGES[who], mode === 'throttled'));
  }
}
await browser.close();

const med = (xs) => stats(xs).median;
const ms = (x) => Math.round(x).toLocaleString('en');
console.log('\nms from navigation (median), before and after against the vanilla baseline');
console.log('| view | figure | before | after | vanilla | ratio before → after |');
console.log('|---|---|---|---|---|---|');
for (const mode of Object.keys(results)) {
  for (const when of ['first', 'repeat']) {
    for (const what of ['balance', 'complete']) {
      const get = (who) => med(results[mode][who].map((r) => r[when][what]));
      const [b, a, v] = [get('before'), get('after'), get('vanilla')];
      const label = what === 'balance' ? 'balance visible' : 'first screen complete';
      console.log(`| ${mode} ${when} view (${results[mode].before.length} rounds) | ${label} | ${ms(b)} | ${ms(a)} | ${ms(v)} | ${(b / v).toFixed(2)}x → ${(a / v).toFixed(2)}x |`);
    }
  }
}
