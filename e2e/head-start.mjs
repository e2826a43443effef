// The head start, in real Chromium and Firefox: when the widget is needed,
// the loader asks for the glue, the wasm and the customer's three first
// answers at once, and the widget takes those answers over instead of asking
// again. Counted by the endpoint (GET /_stats) and read from the browser's
// resource timing:
// - each of /v1/customer, /v1/program, /v1/offers is asked for once per
//   first view, and before the wasm has started (inline and launcher);
// - a repeat view within the visit asks for none of them (visit cache);
// - a token function is called once, and its token is the one used;
// - a head-start answer that failed is asked for again by the widget itself.
//
// Usage: node e2e/head-start.mjs http://127.0.0.1:PORT [chromium|firefox]
// (an endpoint with --demo --static dist --fault-control)
import { checks, launch, setFaults } from './states.mjs';

const [base, browserName = 'chromium'] = process.argv.slice(2);
const browser = await launch(browserName);
const tally = checks(browser, { width: 800, height: 1200 });
const ROUTES = ['customer', 'program', 'offers'];

const reset = () => fetch(`${base}/_stats`, { method: 'DELETE' });
const counts = async () => {
  const { requests } = await (await fetch(`${base}/_stats`)).json();
  return Object.fromEntries(ROUTES.map((r) => [r, requests[`GET /v1/${r}`] ?? 0]));
};
const expectCounts = async (want, what) => {
  const got = await counts();
  for (const route of ROUTES) {
    if (got[route] !== want[route]) throw new Error(`${what}: ${JSON.stringify(got)} requests, expected ${JSON.stringify(want)}`);
  }
};
const once = { customer: 1, program: 1, offers: 1 };

const balance = (page, text) => page.waitForFunction((t) => {
  const root = document.querySelector('loyalty-widget')?.shadowRoot;
  return (root?.querySelector('[data-testid=balance]')?.textContent ?? '').includes(t)
    && root.querySelector('.lw-offer-title');
}, { timeout: 20000, polling: 50 }, text);

// Every first answer was asked for before the wasm had even started (the
// loader's `loyalty-widget:wasm-ready` mark): beside it, not by it, which is
// the only way the widget asked before the head start.
const startedBesideTheWasm = (page) => page.evaluate(() => {
  const ready = performance.getEntriesByName('loyalty-widget:wasm-ready')[0];
  if (!ready) return 'no wasm-ready mark';
  const entries = performance.getEntriesByType('resource');
  const late = ['customer', 'program', 'offers'].filter((route) => {
    const entry = entries.find((e) => e.name.includes(`/v1/${route}?`));
    return !entry || entry.startTime >= ready.startTime;
  });
  return late.length ? `asked for only once the wasm had started: ${late.join(', ')}` : '';
});

const noErrors = async (page) => {
  const errors = await page.evaluate(() => (window.__lw ? window.__lw.errors : []));
  if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
};

console.log(`head start (${browserName})`);
await tally.check('inline: the three first answers are asked for once, beside the wasm, and taken over', async (page) => {
  await reset();
  await page.goto(`${base}/examples/woocommerce.html?customer=cust-anna`);
  await balance(page, '1.250');
  await expectCounts(once, 'first view');
  const late = await startedBesideTheWasm(page);
  if (late) throw new Error(late);
  await noErrors(page);
});

await tally.check('a repeat view in the same visit asks for none of them again (visit cache)', async (page) => {
  await page.goto(`${base}/examples/woocommerce.html?customer=cust-anna`);
  await balance(page, '1.250');
  await reset();
  await page.goto(`${base}/examples/woocommerce.html?customer=cust-anna`);
  await balance(page, '1.250');
  await expectCounts({ customer: 0, program: 0, offers: 0 }, 'repeat view');
});

await tally.check('launcher: opened at once, the same three requests, once each', async (page) => {
  await reset();
  await page.goto(`${base}/examples/plain.html?customer=cust-anna`);
  await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.launcher'));
  await page.evaluate(() => LoyaltyWidget.open());
  await balance(page, '1,250');
  await expectCounts(once, 'launcher');
  const late = await startedBesideTheWasm(page);
  if (late) throw new Error(late);
});

await tally.check('a token function is called once, and the answers are asked for with its token', async (page) => {
  const token = (await (await fetch(`${base}/_demo/token?customer=cust-anna`)).json()).token;
  await page.goto(`${base}/examples/shop-none.html`);
  await reset();
  await page.evaluate((t) => {
    window.calls = 0;
    const tag = document.createElement('script');
    tag.src = '/widget/loyalty-widget.js';
    tag.onload = () => {
      LoyaltyWidget.init({
        endpoint: location.origin,
        lang: 'en',
        token: () => { window.calls += 1; return new Promise((resolve) => { setTimeout(resolve, 50, t); }); },
      }).open();
    };
    document.head.append(tag);
  }, token);
  await balance(page, '1,250');
  await expectCounts(once, 'token function');
  const calls = await page.evaluate(() => window.calls);
  if (calls !== 1) throw new Error(`the token function was called ${calls} times`);
});

await tally.check('a head-start answer that failed is asked for again by the widget, which shows the balance', async (page) => {
  await reset();
  await setFaults(base, { fail_next: 1, error_status: 503, path_prefix: '/v1/customer' });
  try {
    await page.goto(`${base}/examples/woocommerce.html?customer=cust-anna`);
    await balance(page, '1.250');
    await expectCounts({ customer: 2, program: 1, offers: 1 }, 'one failed head start');
    await noErrors(page);
  } finally {
    await setFaults(base, {});
  }
});

await browser.close();
console.log(`${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed ? 1 : 0);
