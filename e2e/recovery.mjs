// Offline, then online again, in real Chromium (its network emulation):
// the widget shows a clear state while offline (the network notice, or the
// cached balance with the stale notice), and recovers by itself when the
// browser is back online, without a click. A backend answering only 500s
// gets a bounded number of attempts, counted by the endpoint.
//
// Usage: node e2e/recovery.mjs http://127.0.0.1:PORT
// (an endpoint with --demo --static dist --fault-control)
import { checks, launch, setFaults } from './states.mjs';

const [base] = process.argv.slice(2);
const browser = await launch('chromium');
const tally = checks(browser, { width: 800, height: 3000 });

const widgetShows = (page, what, timeout = 20000) => page.waitForFunction((w) => {
  const root = document.querySelector('loyalty-widget')?.shadowRoot;
  const text = root?.textContent ?? '';
  const balance = root?.querySelector('[data-testid=balance]')?.textContent ?? '';
  if (w === 'balance') return balance.includes('1,250') && !root.querySelector('.lw-stale') && !root.querySelector('.lw-error');
  if (w === 'offline') return !!root?.querySelector('.lw-error') && text.includes("can't reach the rewards service");
  if (w === 'stale') return balance.includes('1,250') && !!root.querySelector('.lw-stale');
  return false;
}, { timeout, polling: 100 }, what);

/** A check on a page that shows Anna's balance first; no uncaught error after. */
const check = (name, fn) => tally.check(name, async (page) => {
  await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
  await widgetShows(page, 'balance');
  await fn(page);
  const errors = await page.evaluate(() => window.__lw.errors);
  if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
});

console.log('offline and back (chromium)');
await check('offline without cached data: the network notice, then the balance by itself once online', async (page) => {
  await page.setOfflineMode(true);
  await page.evaluate(() => { sessionStorage.clear(); LoyaltyWidget.refresh(); });
  await widgetShows(page, 'offline');
  await page.setOfflineMode(false);
  await widgetShows(page, 'balance');
});

await check('offline with cached data: the cached balance marked stale, then fresh by itself once online', async (page) => {
  await page.setOfflineMode(true);
  await page.evaluate(() => LoyaltyWidget.refresh());
  await widgetShows(page, 'stale');
  await page.setOfflineMode(false);
  await widgetShows(page, 'balance');
});

await check('a backend answering only 500s gets 3 attempts, not a storm; then it recovers on retry', async (page) => {
  await fetch(`${base}/_stats`, { method: 'DELETE' });
  await setFaults(base, { error_rate: 1, error_status: 500, path_prefix: '/v1/customer' });
  await page.evaluate(() => { sessionStorage.clear(); LoyaltyWidget.refresh(); });
  await page.waitForFunction(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-error'), { timeout: 20000 });
  await new Promise((r) => setTimeout(r, 5000));
  const stats = await (await fetch(`${base}/_stats`)).json();
  const attempts = stats.requests['GET /v1/customer'] ?? 0;
  if (attempts !== 3) throw new Error(`${attempts} requests to /v1/customer in 5 s after the error`);
  await setFaults(base, {});
  await page.evaluate(() => [...document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('.lw-error button')][0].click());
  await widgetShows(page, 'balance');
});

await setFaults(base, {});
await browser.close();
console.log(`offline and back: ${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed ? 1 : 0);
