// Double clicks in a real browser, with the answer to the first write lost
// after the endpoint committed it: one redemption and one club membership,
// counted in the reference endpoint's SQLite database (GET /_stats).
//
// Usage: node e2e/exactly-once.mjs http://127.0.0.1:PORT [chromium|firefox]
// (an endpoint with --demo --static dist --fault-control; it uses Dora, the
// customer the tests spend points with)
import { launch, setFaults } from './states.mjs';

const [base, browserName = 'chromium'] = process.argv.slice(2);
const db = async () => (await (await fetch(`${base}/_stats`)).json()).db;

const browser = await launch(browserName);
const context = await browser.createBrowserContext();
const page = await context.newPage();
await page.setViewport({ width: 800, height: 3000 });
let failed = 0;

/** Double-clicks the button with this text inside the widget, with the real mouse. */
async function doubleClick(text) {
  const box = await page.waitForFunction((t) => {
    const button = [...document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('button')]
      .find((b) => b.textContent.trim() === t && !b.disabled);
    if (!button) return null;
    button.scrollIntoView({ block: 'center' });
    const r = button.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  }, { timeout: 15000 }, text).then((h) => h.jsonValue());
  await page.mouse.click(box.x, box.y, { clickCount: 2 });
}

const inWidget = (selector) => page.waitForFunction(
  (s) => document.querySelector('loyalty-widget').shadowRoot.querySelector(s), { timeout: 15000 }, selector,
);

async function check(name, fn) {
  try {
    await fn();
    console.log(`  ok    ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`  FAIL  ${name}: ${err.message.split('\n')[0]}`);
  }
}

console.log(`exactly once in ${browserName}`);
await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-dora`);
await inWidget('[data-testid=balance]');

await check('a double-clicked redeem whose answer is lost redeems once', async () => {
  const before = (await db()).redemptions;
  await setFaults(base, { drop_next: 1, method: 'POST' });
  // The rewards come with the program, which may answer after the balance.
  await inWidget('[data-reward=r-shipping] button');
  await page.evaluate(() => {
    const root = document.querySelector('loyalty-widget').shadowRoot;
    root.querySelector('[data-reward=r-shipping] button').click();
  });
  await inWidget('.lw-confirm');
  await doubleClick('Yes, redeem');
  await inWidget('[data-testid=coupon-code], .lw-coupon');
  await new Promise((r) => setTimeout(r, 1500));
  const applied = (await db()).redemptions - before;
  if (applied !== 1) throw new Error(`${applied} redemptions applied`);
});

await check('a double-clicked join whose answer is lost joins once', async () => {
  const before = (await db()).club_members;
  await setFaults(base, { drop_next: 1, method: 'POST' });
  await page.evaluate(() => {
    const box = document.querySelector('loyalty-widget').shadowRoot.querySelector('input[type=checkbox]');
    box.scrollIntoView({ block: 'center' });
    box.click();
  });
  await doubleClick('Join the club');
  await page.waitForFunction(() => !document.querySelector('loyalty-widget').shadowRoot.querySelector('input[type=checkbox]'), { timeout: 15000 });
  await new Promise((r) => setTimeout(r, 1500));
  const joined = (await db()).club_members - before;
  if (joined !== 1) throw new Error(`${joined} memberships added`);
});

await check('a redeem committed but never answered says it is unconfirmed, then shows its code after a reload, once', async () => {
  const before = (await db()).redemptions;
  // Every answer to a redeem is lost after the endpoint committed it, and
  // so is every answer of the list of redemptions (which would resolve it:
  // e2e/rewards-view.mjs).
  await setFaults(base, { drop_rate: 1.0, path_prefix: '/v1/redemptions' });
  await inWidget('[data-reward=r-5eur] button');
  await page.evaluate(() => {
    const root = document.querySelector('loyalty-widget').shadowRoot;
    root.querySelector('[data-reward=r-5eur] button').click();
  });
  await inWidget('[data-reward=r-5eur] .lw-confirm');
  await doubleClick('Yes, redeem');
  await inWidget('[data-reward=r-5eur] [data-testid=unconfirmed]');
  const said = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.textContent);
  if (said.includes('No points were taken')) throw new Error('it claims no points were taken');
  if ((await db()).redemptions - before !== 1) throw new Error('the endpoint did not commit exactly one');
  // A reload in the same visit, the endpoint still unreachable: the
  // remembered key says "not confirmed yet" again (the answers are cleared
  // only after the reload: a retry of the page before it could otherwise
  // settle it first, and then there is nothing left to remember).
  await page.reload();
  await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
  await inWidget('[data-reward=r-5eur] [data-testid=unconfirmed]');
  // The endpoint answers again: the remembered key gets the code.
  await setFaults(base, {});
  await inWidget('[data-reward=r-5eur] [data-testid=coupon]');
  await new Promise((r) => setTimeout(r, 1000));
  const applied = (await db()).redemptions - before;
  if (applied !== 1) throw new Error(`${applied} redemptions applied`);
});

await setFaults(base, {});
const errors = await page.evaluate(() => window.__lw.errors);
await check('no uncaught error in the page', async () => {
  if (errors.length) throw new Error(errors.join(' | '));
});
await browser.close();
console.log(`exactly once (${browserName}): ${4 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
