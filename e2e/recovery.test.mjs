// Offline, then online again, in real Chromium (its network emulation):
// the widget shows a clear state while offline (the network notice, or the
// cached balance with the stale notice), and recovers by itself when the
// browser is back online, without a click. A backend answering only 500s
// gets a bounded number of attempts, counted by the endpoint.
//
// Run alone: node --test e2e/recovery.test.mjs (Chromium; its own endpoint
// with --demo --static dist --fault-control on a free port)
import { describe } from 'node:test';
import { browsers, expectNoRequest, session, setFaults, stats, until } from './lib/fixture.mjs';

const widgetShows = (page, what) => until(page, (w) => {
  const root = document.querySelector('loyalty-widget')?.shadowRoot;
  const text = root?.textContent ?? '';
  const balance = root?.querySelector('[data-testid=balance]')?.textContent ?? '';
  if (w === 'balance') return balance.includes('1,250') && !root.querySelector('.lw-stale') && !root.querySelector('.lw-error');
  if (w === 'offline') return !!root?.querySelector('.lw-error') && text.includes("can't reach the rewards service");
  if (w === 'stale') return balance.includes('1,250') && !!root.querySelector('.lw-stale');
  return false;
}, what, `the widget to show ${what === 'balance' ? 'the fresh balance' : what === 'offline' ? 'the network notice' : 'the stale balance'}`);

for (const browserName of browsers(['chromium'])) {
  describe(`offline and back (${browserName})`, () => {
    const s = session({
      browser: browserName,
      endpoint: { name: `recovery-${browserName}`, args: ['--demo', '--static', 'dist', '--fault-control'] },
      viewport: { width: 800, height: 3000 },
    });
    /** A check on a page that shows Anna's balance first; no uncaught error after. */
    const check = (name, fn) => s.check(name, async (page, w) => {
      await page.goto(`${s.base}/examples/hostile-baseline.html?customer=cust-anna`);
      await widgetShows(page, 'balance');
      await fn(page, w);
      const errors = await page.evaluate(() => window.__lw.errors);
      if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
    });

    check('offline without cached data: the network notice, then the balance by itself once online', async (page) => {
      await page.setOfflineMode(true);
      await page.evaluate(() => { sessionStorage.clear(); LoyaltyWidget.refresh(); });
      await widgetShows(page, 'offline');
      await page.setOfflineMode(false);
      await widgetShows(page, 'balance');
    });

    check('offline with cached data: the cached balance marked stale, then fresh by itself once online', async (page) => {
      await page.setOfflineMode(true);
      await page.evaluate(() => LoyaltyWidget.refresh());
      await widgetShows(page, 'stale');
      await page.setOfflineMode(false);
      await widgetShows(page, 'balance');
    });

    check('a backend answering only 500s gets 3 attempts, not a storm; then it recovers on retry', async (page, w) => {
      await fetch(`${s.base}/_stats`, { method: 'DELETE' });
      await setFaults(s.base, { error_rate: 1, error_status: 500, path_prefix: '/v1/customer' });
      try {
        await page.evaluate(() => { sessionStorage.clear(); LoyaltyWidget.refresh(); });
        await until(page, () => !!document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-error'), null, 'the error notice');
        // No event announces that no further attempt comes: 5 s watched
        // (failing at the first request beyond the three).
        const attempted = (await stats(s.base)).requests['GET /v1/customer'] ?? 0;
        if (attempted !== 3) throw new Error(`${attempted} requests to /v1/customer when the error showed`);
        await expectNoRequest(w, /\/v1\/customer\?/, 5000, 'a 4th request to /v1/customer within 5 s of the error');
        const attempts = (await stats(s.base)).requests['GET /v1/customer'] ?? 0;
        if (attempts !== 3) throw new Error(`${attempts} requests to /v1/customer in 5 s after the error`);
      } finally {
        await setFaults(s.base, {});
      }
      await page.evaluate(() => [...document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('.lw-error button')][0].click());
      await widgetShows(page, 'balance');
    });
  });
}
