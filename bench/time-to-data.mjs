// Time from the loader's script start to the customer's balance on screen,
// and the main-thread time the widget costs, in headless Chromium against
// the local reference endpoint. Every run is a fresh browser context (no
// HTTP cache, no visit cache): a customer's first page view.
//
// - inline: the WooCommerce example (the widget is in view, loads on idle);
// - launcher: the plain HTML example, clicked as soon as the button is drawn.
// Main-thread time: Chromium's TaskDuration of the inline page minus that of
// the same shop without the widget, once the balance is on screen.
// Both are measured again throttled, where bytes show: 4x CPU slowdown and a
// 1.6 Mbit/s, 150 ms round-trip network (Chromium's DevTools protocol).
//
// Usage: node bench/time-to-data.mjs http://127.0.0.1:PORT [runs=15]
import puppeteer from 'puppeteer-core';
import { chromiumArgs } from '../e2e/states.mjs';

const [base, runsArg = '15'] = process.argv.slice(2);
const runs = Number(runsArg);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), min: s[0], max: s[s.length - 1] };
};

// Milliseconds from the loader's fetch start to the first frame with the balance.
async function timeToData(page, url, click) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (click) {
    await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.launcher'), { polling: 10 });
    await page.evaluate(() => document.querySelector('loyalty-widget').open());
  }
  return page.evaluate(() => new Promise((resolve) => {
    const loader = performance.getEntriesByType('resource').find((e) => e.name.includes('/widget/loyalty-widget.js'));
    const poll = () => {
      const balance = document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('[data-testid=balance]');
      if (balance && balance.textContent.trim()) {
        requestAnimationFrame(() => resolve(performance.now() - (loader ? loader.startTime : 0)));
      } else {
        requestAnimationFrame(poll);
      }
    };
    poll();
  }));
}

async function taskMs(page, url, waitForBalance) {
  await page.goto(url, { waitUntil: 'load' });
  if (waitForBalance) {
    await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot
      ?.querySelector('[data-testid=balance]')?.textContent.trim(), { polling: 50 });
  }
  await new Promise((r) => setTimeout(r, 300));
  const metrics = await page.metrics();
  return { task: metrics.TaskDuration * 1000, script: metrics.ScriptDuration * 1000 };
}

/** 4x CPU, 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip. */
async function throttle(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

async function fresh(fn, throttled = false) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1024, height: 800 });
  if (throttled) await throttle(page);
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

const inline = [];
const launcher = [];
const withWidget = [];
const without = [];
const slowInline = [];
const slowLauncher = [];
for (let i = 0; i < runs; i += 1) {
  slowInline.push(await fresh((p) => timeToData(p, `${base}/examples/woocommerce.html?customer=cust-anna`, false), true));
  slowLauncher.push(await fresh((p) => timeToData(p, `${base}/examples/plain.html?customer=cust-anna`, true), true));
  inline.push(await fresh((p) => timeToData(p, `${base}/examples/woocommerce.html?customer=cust-anna`, false)));
  launcher.push(await fresh((p) => timeToData(p, `${base}/examples/plain.html?customer=cust-anna`, true)));
  withWidget.push(await fresh((p) => taskMs(p, `${base}/examples/woocommerce.html?customer=cust-anna`, true)));
  without.push(await fresh((p) => taskMs(p, `${base}/examples/shop-none.html`, false)));
}
await browser.close();

const fmt = (s) => `${Math.round(s.median)} ms (p10 ${Math.round(s.p10)}, p90 ${Math.round(s.p90)}, min ${Math.round(s.min)}, max ${Math.round(s.max)})`;
const task = stats(withWidget.map((m) => m.task));
const taskWithout = stats(without.map((m) => m.task));
const script = stats(withWidget.map((m) => m.script));
const scriptWithout = stats(without.map((m) => m.script));
console.log(`\nTime to data and main-thread cost, headless Chromium, ${runs} fresh runs each`);
console.log('| what | figure |');
console.log('|---|---|');
console.log(`| loader start to balance on screen, inline | ${fmt(stats(inline))} |`);
console.log(`| loader start to balance on screen, launcher opened at once | ${fmt(stats(launcher))} |`);
console.log(`| throttled (4x CPU, 1.6 Mbit/s, 150 ms RTT): loader start to balance, inline | ${fmt(stats(slowInline))} |`);
console.log(`| throttled: launcher tapped at once to balance on screen | ${fmt(stats(slowLauncher))} |`);
console.log(`| main-thread task time added by the inline widget (median) | ${Math.round(task.median - taskWithout.median)} ms (${Math.round(task.median)} vs ${Math.round(taskWithout.median)} without) |`);
console.log(`| script time added by the inline widget (median) | ${Math.round(script.median - scriptWithout.median)} ms (${Math.round(script.median)} vs ${Math.round(scriptWithout.median)} without) |`);
