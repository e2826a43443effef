// The widget against a hand-written vanilla-JS element (bench/vanilla/), side
// by side in one run, in headless Chromium against the local reference
// endpoint. Every round opens a fresh browser context per page (no HTTP
// cache, no visit cache), and the pages take turns, so a busy moment of the
// machine hits both alike. The pages are the same shop page with either
// embed (bench/vanilla/bench-*.html).
//
// Per page: the first frame with the balance on screen and the first frame
// with the whole first screen (balance, tier progress, referral link,
// offers), in ms from navigation; then, in the same context, a repeat view
// (the second page view of the visit). Both normal and throttled (4x CPU,
// 1.6 Mbit/s, 150 ms round trip: Chromium's DevTools protocol). Then the
// main-thread time and the memory each embed adds to the page without one
// (JS heap after a forced GC plus WebAssembly memory), and the timeline of
// the widget's critical path under throttling (median start and end).
//
// Usage: node bench/baseline.mjs http://127.0.0.1:PORT [runs=15]
import puppeteer from 'puppeteer-core';
import { chromiumArgs } from '../e2e/states.mjs';
import { PROBE, stats, throttle } from './probe.mjs';

const [base, runsArg = '15'] = process.argv.slice(2);
const runs = Number(runsArg);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });
const customer = '?customer=cust-anna';
const PAGES = {
  widget: `${base}/examples/bench-widget.html${customer}`,
  vanilla: `${base}/examples/bench-vanilla.html${customer}`,
  launcher: `${base}/examples/bench-launcher.html${customer}`,
  none: `${base}/examples/bench-none.html`,
};

async function fresh(fn, throttled) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1024, height: 800 });
  await page.evaluateOnNewDocument(PROBE);
  const cdp = await page.createCDPSession();
  if (throttled) await throttle(cdp);
  try {
    return await fn(page, cdp);
  } finally {
    await context.close();
  }
}

const done = (page) => page.waitForFunction(() => window.__bench && window.__bench.complete, { polling: 50, timeout: 60_000 });

// One view: navigation to the frame with the balance, and with everything.
async function view(page, url, launcher) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (launcher) {
    await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.launcher'), { polling: 10 });
    await page.evaluate(() => document.querySelector('loyalty-widget').open());
  }
  await done(page);
  return page.evaluate(() => ({ balance: window.__bench.balance, complete: window.__bench.complete }));
}

// A first view and then a repeat view of the same page in the same context.
const views = (url, launcher) => async (page) => {
  const first = await view(page, url, launcher);
  await new Promise((r) => setTimeout(r, 500));
  const repeat = await view(page, url, launcher);
  return { first, repeat };
};

// The widget's critical path under throttling: when each request started
// and ended, from navigation.
const timeline = async (page) => {
  const first = await view(page, PAGES.widget, false);
  const entries = await page.evaluate(() => [
    ...performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd })),
    ...performance.getEntriesByType('mark').map((e) => ({ name: e.name, start: e.startTime, end: e.startTime })),
  ]);
  const pick = (re) => entries.find((e) => re.test(e.name));
  const parts = {
    'loader (loyalty-widget.js)': pick(/\/widget\/loyalty-widget\.js/),
    'glue (loyalty-widget-web-*.js)': pick(/loyalty-widget-web-[^/]*\.js/),
    'wasm (loyalty-widget-web-*_bg.wasm)': pick(/_bg\.wasm/),
    'GET /v1/customer': pick(/\/v1\/customer/),
    'GET /v1/program': pick(/\/v1\/program/),
    'GET /v1/offers': pick(/\/v1\/offers/),
    'wasm compiled and started (mark)': pick(/^loyalty-widget:wasm-ready$/),
  };
  return { parts, balance: first.balance, complete: first.complete };
};

// Main-thread time and memory once the first screen is complete.
async function cost(page, cdp, url) {
  await page.goto(url, { waitUntil: 'load' });
  if (url !== PAGES.none) await done(page);
  await new Promise((r) => setTimeout(r, 300));
  const metrics = await page.metrics();
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__bench.memories.reduce((sum, m) => sum + m.buffer.byteLength, 0));
  return { task: metrics.TaskDuration * 1000, heap: heap.usedSize, wasm };
}

const results = { normal: { widget: [], vanilla: [], launcher: [] }, throttled: { widget: [], vanilla: [], launcher: [] } };
const costs = { widget: [], vanilla: [], none: [] };
const timelines = { normal: [], throttled: [] };
for (let i = 0; i < runs; i += 1) {
  for (const mode of ['normal', 'throttled']) {
    const throttled = mode === 'throttled';
    results[mode].widget.push(await fresh(views(PAGES.widget, false), throttled));
    results[mode].vanilla.push(await fresh(views(PAGES.vanilla, false), throttled));
    results[mode].launcher.push(await fresh(views(PAGES.launcher, true), throttled));
  }
  timelines.normal.push(await fresh(timeline, false));
  timelines.throttled.push(await fresh(timeline, true));
  for (const which of ['widget', 'vanilla', 'none']) {
    costs[which].push(await fresh((page, cdp) => cost(page, cdp, PAGES[which]), false));
  }
}
await browser.close();

const ms = (x) => `${Math.round(x)}`;
const cell = (xs) => { const s = stats(xs); return `${ms(s.median)} (${ms(s.p10)}–${ms(s.p90)})`; };
const ratio = (a, b) => `${(stats(a).median / stats(b).median).toFixed(2)}x`;
console.log(`\nThe widget against the vanilla-JS baseline, headless Chromium, ${runs} fresh contexts each, interleaved`);
console.log('ms from navigation, median (p10–p90)');
console.log('| view | figure | widget | vanilla baseline | ratio | launcher (opened at once) |');
console.log('|---|---|---|---|---|---|');
for (const mode of ['normal', 'throttled']) {
  for (const when of ['first', 'repeat']) {
    for (const what of ['balance', 'complete']) {
      const get = (who) => results[mode][who].map((r) => r[when][what]);
      const label = what === 'balance' ? 'balance visible' : 'first screen complete';
      console.log(`| ${mode} ${when} view | ${label} | ${cell(get('widget'))} | ${cell(get('vanilla'))} | ${ratio(get('widget'), get('vanilla'))} | ${cell(get('launcher'))} |`);
    }
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const med = (xs) => stats(xs).median;
const none = { task: med(costs.none.map((c) => c.task)), heap: med(costs.none.map((c) => c.heap)) };
console.log('\nWhat each embed adds to the same page without one (median, normal view)');
console.log('| embed | main-thread task time | JS heap after GC | WebAssembly memory | memory added |');
console.log('|---|---|---|---|---|');
for (const which of ['widget', 'vanilla']) {
  const task = med(costs[which].map((c) => c.task)) - none.task;
  const heap = med(costs[which].map((c) => c.heap)) - none.heap;
  const wasm = med(costs[which].map((c) => c.wasm));
  console.log(`| ${which} | ${ms(task)} ms | ${kb(heap)} | ${kb(wasm)} | ${kb(heap + wasm)} |`);
}

console.log('\nThe widget\'s critical path, first view (median ms from navigation)');
console.log('| step | normal start | normal end | throttled start | throttled end |');
console.log('|---|---|---|---|---|');
const when = (list, name, key) => {
  const got = list.map((t) => t.parts[name]).filter(Boolean);
  return got.length ? ms(med(got.map((p) => p[key]))) : 'not asked';
};
for (const name of Object.keys(timelines.normal[0].parts)) {
  const cells = ['normal', 'throttled'].flatMap((m) => [when(timelines[m], name, 'start'), when(timelines[m], name, 'end')]);
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
for (const [label, key] of [['balance on screen', 'balance'], ['first screen complete', 'complete']]) {
  console.log(`| ${label} | | ${ms(med(timelines.normal.map((t) => t[key])))} | | ${ms(med(timelines.throttled.map((t) => t[key])))} |`);
}
