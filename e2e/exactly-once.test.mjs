// Double clicks in a real browser, with the answer to the first write lost
// after the endpoint committed it: one redemption and one club membership,
// counted in the reference endpoint's SQLite database (GET /_stats).
//
// Run alone: node --test e2e/exactly-once.test.mjs (Chromium and Firefox,
// each with its own endpoint: --demo --static dist --fault-control on a
// free port; it uses Dora, the customer the tests spend points with). The
// checks run in order on one page, as a customer would.
import { after, before, describe, it } from 'node:test';
import {
  browsers, diagnose, launchBrowser, setFaults, startEndpoint, stats, until, waitForIdle, waitInWidget, watchPage,
} from './lib/fixture.mjs';

for (const browserName of browsers()) {
  describe(`exactly once (${browserName})`, () => {
    let endpoint;
    let browser;
    let page;
    let w;
    const db = async () => (await stats(endpoint.url)).db;
    before(async () => {
      endpoint = await startEndpoint({ name: `once-${browserName}`, args: ['--demo', '--static', 'dist', '--fault-control'] });
      browser = await launchBrowser(browserName);
      const context = await browser.createBrowserContext();
      page = await context.newPage();
      await page.setViewport({ width: 800, height: 3000 });
      w = watchPage(null, page, { label: `exactly-once-${browserName}` });
      await diagnose(page, async () => {
        await page.goto(`${endpoint.url}/examples/hostile-baseline.html?customer=cust-dora`);
        await waitInWidget(page, '[data-testid=balance]');
      });
    });
    after(async () => {
      await browser?.close().catch(() => {});
      await endpoint?.stop();
    });
    const check = (name, fn) => it(name, { timeout: 180000 }, () => diagnose(page, async () => {
      try {
        await fn();
      } finally {
        await setFaults(endpoint.url, {});
      }
    }));

    /** Double-clicks the button with this text inside the widget, with the real mouse. */
    async function doubleClick(text) {
      const box = await until(page, (label) => {
        const button = [...document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('button')]
          .find((b) => b.textContent.trim() === label && !b.disabled);
        if (!button) return null;
        button.scrollIntoView({ block: 'center' });
        const r = button.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }, text, `the button "${text}"`);
      await page.mouse.click(box.x, box.y, { clickCount: 2 });
    }

    check('a double-clicked redeem whose answer is lost redeems once', async () => {
      const before = (await db()).redemptions;
      await setFaults(endpoint.url, { drop_next: 1, method: 'POST' });
      // The rewards come with the program, which may answer after the balance.
      await waitInWidget(page, '[data-reward=r-shipping] button');
      await page.evaluate(() => {
        const root = document.querySelector('loyalty-widget').shadowRoot;
        root.querySelector('[data-reward=r-shipping] button').click();
      });
      await waitInWidget(page, '.lw-confirm');
      await doubleClick('Yes, redeem');
      await waitInWidget(page, '[data-testid=coupon-code], .lw-coupon');
      // Every request the clicks caused has its answer (or lost it).
      await waitForIdle(w);
      const applied = (await db()).redemptions - before;
      if (applied !== 1) throw new Error(`${applied} redemptions applied`);
    });

    check('a double-clicked join whose answer is lost joins once', async () => {
      const before = (await db()).club_members;
      await setFaults(endpoint.url, { drop_next: 1, method: 'POST' });
      await page.evaluate(() => {
        const box = document.querySelector('loyalty-widget').shadowRoot.querySelector('input[type=checkbox]');
        box.scrollIntoView({ block: 'center' });
        box.click();
      });
      await doubleClick('Join the club');
      await until(page, () => !document.querySelector('loyalty-widget').shadowRoot.querySelector('input[type=checkbox]'), null, 'the consent box to go (joined)');
      await waitForIdle(w);
      const joined = (await db()).club_members - before;
      if (joined !== 1) throw new Error(`${joined} memberships added`);
    });

    check('a redeem committed but never answered says it is unconfirmed, then shows its code after a reload, once', async () => {
      const before = (await db()).redemptions;
      // Every answer to a redeem is lost after the endpoint committed it, and
      // so is every answer of the list of redemptions (which would resolve it:
      // e2e/rewards-view.test.mjs).
      await setFaults(endpoint.url, { drop_rate: 1.0, path_prefix: '/v1/redemptions' });
      await waitInWidget(page, '[data-reward=r-5eur] button');
      await page.evaluate(() => {
        const root = document.querySelector('loyalty-widget').shadowRoot;
        root.querySelector('[data-reward=r-5eur] button').click();
      });
      await waitInWidget(page, '[data-reward=r-5eur] .lw-confirm');
      await doubleClick('Yes, redeem');
      await waitInWidget(page, '[data-reward=r-5eur] [data-testid=unconfirmed]');
      const said = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.textContent);
      if (said.includes('No points were taken')) throw new Error('it claims no points were taken');
      if ((await db()).redemptions - before !== 1) throw new Error('the endpoint did not commit exactly one');
      // A reload in the same visit, the endpoint still unreachable: the
      // remembered key says "not confirmed yet" again (the answers are cleared
      // only after the reload: a retry of the page before it could otherwise
      // settle it first, and then there is nothing left to remember).
      await page.reload();
      await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
      await waitInWidget(page, '[data-reward=r-5eur] [data-testid=unconfirmed]');
      // The endpoint answers again: the remembered key gets the code.
      await setFaults(endpoint.url, {});
      await waitInWidget(page, '[data-reward=r-5eur] [data-testid=coupon]');
      await waitForIdle(w);
      const applied = (await db()).redemptions - before;
      if (applied !== 1) throw new Error(`${applied} redemptions applied`);
    });

    check('no uncaught error in the page', async () => {
      const errors = await page.evaluate(() => window.__lw.errors);
      if (errors.length) throw new Error(errors.join(' | '));
    });
  });
}
