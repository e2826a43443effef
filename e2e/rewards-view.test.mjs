// Rewards that work at the checkout (issue #28), in a real browser at 320 px:
// what a redeem shows for each answer of POST /v1/redemptions (201 with a
// code and an "Apply to cart" link, 201 without one or with an unsafe one,
// 202 "being issued", 409 reward_not_issued with the balance refreshed), a
// lost answer resolved through GET /v1/redemptions by its Idempotency-Key,
// and the "Your rewards" list (every state, Show more, empty, loaded only
// when opened and again after a redeem); axe-core clean in each state.
//
// Answers the reference endpoint cannot be made to give on demand (202, 409,
// apply_url, a list in every state) are scripted in the browser (request
// interception); everything else is the real endpoint. The lost answer is
// also checked for real: the endpoint commits the redeem and its
// `drop_rate` fault cuts the answer.
//
// Run alone: node --test e2e/rewards-view.test.mjs (Chromium and Firefox,
// each with its own endpoint: --demo --static dist --fault-control on a free
// port; it uses Dora, the customer the tests spend points with).
// E2E_SHOTS=DIR saves a Chromium screenshot of each state there.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe } from 'node:test';
import {
  browsers, expectNoRequest, session, setFaults, settled, until, waitForText, waitInWidget,
} from './lib/fixture.mjs';
import { visit } from './lib/widget.mjs';

const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const phone = { width: 320, height: 640, isMobile: true, hasTouch: true };
const LONG = 'LONG-CODE-WITHOUT-ANY-BREAK-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const coupon = (code, extra = {}) => ({ code, expires_at: '2027-03-31', ...extra });
const redemption = (rewardId, fields) => ({
  id: `red-${Math.random().toString(36).slice(2)}`, reward_id: rewardId, points_spent: 300, ...fields,
});
const json = (status, body) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const item = (title, state, extra = {}) => ({
  id: `i-${title}-${state}`, reward_id: 'r-shipping', title, points_spent: 300, state,
  created_at: '2026-12-01T10:00:00Z', ...extra,
});

/**
 * Scripts answers in one page: `answers[route]` (`POST /v1/redemptions`,
 * `GET /v1/redemptions`, `GET /v1/customer`) is a function of the request
 * returning puppeteer's `respond` argument, `'abort'` (no answer), or
 * nothing (the real endpoint answers). `seen` lists every contract request
 * with its idempotency key.
 */
async function script(page) {
  const answers = {};
  const seen = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/v1/')) return request.continue();
    const route = `${request.method()} ${url.pathname}`;
    seen.push({ route, page: url.searchParams.get('page'), key: request.headers()['idempotency-key'] });
    const answer = answers[route]?.(request, url);
    if (answer === 'abort') return request.abort('failed');
    return answer ? request.respond(answer) : request.continue();
  });
  return { answers, seen, count: (route) => seen.filter((s) => s.route === route).length };
}

const inWidget = (page, fn, arg) => page.evaluate((source, a) => {
  const root = document.querySelector('loyalty-widget').shadowRoot;
  // eslint-disable-next-line no-new-func
  return new Function('root', 'arg', `return (${source})(root, arg)`)(root, a);
}, fn.toString(), arg);

const shows = (page, selector) => waitInWidget(page, selector);
const textOf = (page, selector) => inWidget(page, (root, sel) => root.querySelector(sel)?.textContent ?? '', selector);
const said = (page) => textOf(page, '[data-testid=live]');

/** Asks to redeem a reward and confirms. */
async function redeem(page, reward) {
  await inWidget(page, (root, r) => root.querySelector(`[data-reward=${r}] button`).click(), reward);
  await shows(page, `[data-reward=${reward}] .lw-confirm`);
  await inWidget(page, (root, r) => root.querySelector(`[data-reward=${r}] .lw-confirm button`).click(), reward);
}

async function balanceIs(page, text) {
  await waitForText(page, text, { selector: '[data-testid=balance]' });
}

async function noUncaught(page) {
  const errors = await page.evaluate(() => window.__lw?.errors ?? []);
  if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
}

for (const browserName of browsers()) {
  describe(`rewards at the checkout (${browserName})`, () => {
    const env = session({
      browser: browserName,
      endpoint: { name: `rewards-${browserName}`, args: ['--demo', '--static', 'dist', '--fault-control'] },
      viewport: phone,
    });
    let realSummary;
    let listServed;
    let APPLY;
    before(async () => {
      const { token } = await (await fetch(`${env.base}/_demo/token?customer=cust-dora`)).json();
      const auth = { headers: { authorization: `Bearer ${token}` } };
      realSummary = await (await fetch(`${env.base}/v1/customer?lang=en`, auth)).json();
      listServed = (await fetch(`${env.base}/v1/redemptions?page=1&lang=en`, auth)).status === 200;
      APPLY = `${env.base}/?customer=cust-dora&lang=en&applied=SHIP-APPLY-7Q2`;
    });
    // The list of every state (its apply link points at this endpoint's shop).
    const list = () => [
      item('Free shipping', 'active', { coupon: coupon('SHIP-READY', { apply_url: APPLY }) }),
      item('5 € voucher', 'used', { coupon: coupon('FIVE-USED'), used_order: '1234' }),
      item('10 % off', 'expired', { coupon: coupon(LONG) }),
      item('Free shipping', 'pending'),
      item('5 € voucher', 'released'),
    ];
    const balance = (approved) => ({ ...realSummary.points, approved });
    const { check } = env;
    const browser = { pages: () => env.browser.pages() };

    /** Dora's dashboard, in English, with the console's widget lines collected. */
    async function open(page, lang = 'en') {
      const lines = [];
      page.on('console', (message) => {
        if (message.text().includes('[loyalty-widget]')) lines.push(message.text());
      });
      await visit(page, `${env.base}/?customer=cust-dora&lang=${lang}`);
      await waitInWidget(page, '[data-testid=balance]');
      await waitInWidget(page, '[data-reward=r-shipping] button');
      return lines;
    }

    /** axe-core (WCAG A/AA) over the page and no horizontal overflow; a screenshot. */
    async function audit(page, name, focus = '[data-reward=r-shipping]') {
      await settled(page);
      const overflow = await inWidget(page, (root) => {
        const lw = root.querySelector('.lw');
        return lw.scrollWidth - lw.clientWidth;
      });
      if (overflow > 0) throw new Error(`the widget overflows by ${overflow} px at 320 px`);
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      }));
      if (result.violations.length) {
        throw new Error(`axe: ${result.violations.map((v) => `${v.id} ${JSON.stringify(v.nodes[0]?.target)}`).join('; ')}`);
      }
      if (shots && browserName === 'chromium') {
        // The part of the widget the state is about, at the top of the phone's screen.
        await inWidget(page, (root, sel) => {
          const el = root.querySelector(sel);
          el.scrollIntoView({ block: 'start' });
          window.scrollBy(0, -12);
        }, focus);
        await settled(page);
        await page.screenshot({ path: `${shots}/${name}.png` });
      }
    }

    /** A redeem whose every answer is lost; the list answers with `found(key)`. */
    async function lostThenListed(page, found) {
      const sc = await script(page);
      sc.answers['POST /v1/redemptions'] = () => 'abort';
      sc.answers['GET /v1/redemptions'] = (request, url) => {
        const key = sc.seen.find((r) => r.route === 'POST /v1/redemptions')?.key;
        return json(200, { items: found(key, url), page: 1, has_more: false });
      };
      const lines = await open(page);
      await redeem(page, 'r-shipping');
      return { s: sc, lines };
    }

    check('201 active with apply_url: the code, a copy button, "Apply to cart" with its href, navigating this tab', async (page, w) => {
      const s = await script(page);
      s.answers['POST /v1/redemptions'] = () => json(201, redemption('r-shipping', {
        state: 'active', coupon: coupon('SHIP-APPLY-7Q2', { apply_url: APPLY }), points: balance(8700),
      }));
      await open(page);
      await redeem(page, 'r-shipping');
      await shows(page, '[data-reward=r-shipping] [data-testid=apply]');
      const link = await inWidget(page, (root) => {
        const a = root.querySelector('[data-reward=r-shipping] [data-testid=apply]');
        return { href: a.getAttribute('href'), target: a.getAttribute('target'), text: a.textContent.trim(), label: a.getAttribute('aria-label') };
      });
      if (link.href !== APPLY) throw new Error(`href ${link.href}`);
      if (link.target) throw new Error(`target ${link.target}: it must navigate this tab`);
      if (link.text !== 'Apply to cart' || !link.label.includes('SHIP-APPLY-7Q2')) throw new Error(`named ${link.text} / ${link.label}`);
      if (!(await textOf(page, '[data-reward=r-shipping] [data-testid=coupon-code]')).includes('SHIP-APPLY-7Q2')) throw new Error('no code');
      if (!(await textOf(page, '[data-reward=r-shipping] [data-testid=coupon]')).includes('Copy')) throw new Error('no copy button');
      await balanceIs(page, '8,700');
      await waitForText(page, 'Redeemed!', { selector: '[data-testid=live]' });
      await audit(page, 'active-apply');
      await noUncaught(page);
      const pages = (await browser.pages()).length;
      await Promise.all([
        page.waitForNavigation({ timeout: 15000 }),
        inWidget(page, (root) => root.querySelector('[data-reward=r-shipping] [data-testid=apply]').click()),
      ]);
      if (page.url() !== APPLY) throw new Error(`navigated to ${page.url()}`);
      if ((await browser.pages()).length !== pages) throw new Error('it opened another tab');
    });

    check('201 active without apply_url, or with an unsafe one: the code and its copy button, no apply action', async (page, w) => {
      const s = await script(page);
      // The first redeem is free shipping, the second the voucher (Firefox's
      // WebDriver BiDi does not hand out request bodies).
      let posts = 0;
      s.answers['POST /v1/redemptions'] = () => {
        posts += 1;
        const reward = posts === 1 ? 'r-shipping' : 'r-5eur';
        return json(201, redemption(reward, {
          state: 'active',
          coupon: reward === 'r-shipping' ? coupon('SHIP-NOLINK') : coupon('FIVE-JS', { apply_url: 'javascript:alert(1)' }),
          points: balance(8700),
        }));
      };
      await open(page);
      await redeem(page, 'r-shipping');
      await shows(page, '[data-reward=r-shipping] [data-testid=coupon]');
      await redeem(page, 'r-5eur');
      await shows(page, '[data-reward=r-5eur] [data-testid=coupon]');
      const links = await inWidget(page, (root) => root.querySelectorAll('[data-testid=apply]').length);
      if (links) throw new Error(`${links} apply links`);
      for (const [reward, code] of [['r-shipping', 'SHIP-NOLINK'], ['r-5eur', 'FIVE-JS']]) {
        const text = await textOf(page, `[data-reward=${reward}] [data-testid=coupon]`);
        if (!text.includes(code) || !text.includes('Copy')) throw new Error(`${reward}: ${text}`);
      }
      if ((await inWidget(page, (root) => root.innerHTML)).includes('javascript:')) throw new Error('the unsafe link reached the page');
      await audit(page, 'active-no-apply');
      await noUncaught(page);
    });

    check('202 pending: "being issued", no code, the reserved balance, announced', async (page, w) => {
      const s = await script(page);
      s.answers['POST /v1/redemptions'] = () => json(202, redemption('r-shipping', { state: 'pending', points: balance(8700) }));
      await open(page);
      await redeem(page, 'r-shipping');
      await shows(page, '[data-reward=r-shipping] [data-testid=issuing]');
      const text = await textOf(page, '[data-reward=r-shipping] [data-testid=issuing]');
      if (!/being issued.*Your rewards.*reserved/s.test(text)) throw new Error(text);
      if (await inWidget(page, (root) => !!root.querySelector('[data-reward=r-shipping] [data-testid=coupon-code]'))) throw new Error('a code is shown');
      await balanceIs(page, '8,700');
      await waitForText(page, 'being issued', { selector: '[data-testid=live]' });
      const disabled = await inWidget(page, (root) => root.querySelector('[data-reward=r-shipping] .lw-row button').disabled);
      if (!disabled) throw new Error('the reward can be redeemed again while its code is being issued');
      await audit(page, 'pending');
      await noUncaught(page);
    });

    check('409 reward_not_issued: "points are back", the balance reloaded, one console line, announced', async (page, w) => {
      const s = await script(page);
      s.answers['POST /v1/redemptions'] = () => json(409, { error: { code: 'reward_not_issued', message: 'the platform refused' } });
      const lines = await open(page);
      const before = s.count('GET /v1/customer');
      // The balance the endpoint gives after the release (not the one on screen).
      s.answers['GET /v1/customer'] = () => json(200, { ...realSummary, points: balance(9001) });
      await redeem(page, 'r-shipping');
      await shows(page, '[data-reward=r-shipping] [data-testid=not-issued]');
      const text = await textOf(page, '[data-reward=r-shipping] [data-testid=not-issued]');
      if (text !== 'This reward could not be issued right now. Your points are back.') throw new Error(text);
      await balanceIs(page, '9,001');
      if (s.count('GET /v1/customer') <= before) throw new Error('the balance was not asked for again');
      const failures = lines.filter((l) => l.includes('redeem'));
      if (failures.length !== 1) throw new Error(`${failures.length} console lines: ${failures.join(' | ')}`);
      if (!(await said(page)).includes('Your points are back')) throw new Error(`announced: ${await said(page)}`);
      const enabled = await inWidget(page, (root) => !root.querySelector('[data-reward=r-shipping] .lw-row button').disabled);
      if (!enabled) throw new Error('the customer cannot try again');
      await audit(page, 'released');
      await noUncaught(page);
    });

    /** A redeem whose every answer is lost; the list answers with `found(key)`. */
    async function lostThenListed(page, found) {
      const s = await script(page);
      s.answers['POST /v1/redemptions'] = () => 'abort';
      s.answers['GET /v1/redemptions'] = (request, url) => {
        const key = s.seen.find((r) => r.route === 'POST /v1/redemptions')?.key;
        return json(200, { items: found(key, url), page: 1, has_more: false });
      };
      const lines = await open(page);
      await redeem(page, 'r-shipping');
      return { s, lines };
    }

    check('lost answers, the list has the key as active: the code (resolved, not "unconfirmed")', async (page, w) => {
      const { s } = await lostThenListed(page, (key) => [
        item('Free shipping', 'active', { idempotency_key: 'someone-else', coupon: coupon('OTHER') }),
        item('Free shipping', 'active', { idempotency_key: key, coupon: coupon('SHIP-FOUND', { apply_url: APPLY }) }),
      ]);
      s.answers['GET /v1/customer'] = () => json(200, { ...realSummary, points: balance(8700) });
      await shows(page, '[data-reward=r-shipping] [data-testid=coupon]');
      const code = await textOf(page, '[data-reward=r-shipping] [data-testid=coupon-code]');
      if (code !== 'SHIP-FOUND') throw new Error(`code ${code}`);
      const keys = new Set(s.seen.filter((r) => r.route === 'POST /v1/redemptions').map((r) => r.key));
      if (keys.size !== 1) throw new Error(`${keys.size} keys sent`);
      if (!s.seen.some((r) => r.route === 'GET /v1/redemptions' && r.page === '1')) throw new Error('page 1 not asked');
      await balanceIs(page, '8,700');
      await noUncaught(page);
    });

    check('lost answers, the list has the key as pending: "being issued"', async (page, w) => {
      await lostThenListed(page, (key) => [item('Free shipping', 'pending', { idempotency_key: key })]);
      await shows(page, '[data-reward=r-shipping] [data-testid=issuing]');
      await noUncaught(page);
    });

    check('lost answers, the list has the key as released: "points are back", balance reloaded', async (page, w) => {
      const { s } = await lostThenListed(page, (key) => [item('Free shipping', 'released', { idempotency_key: key })]);
      s.answers['GET /v1/customer'] = () => json(200, { ...realSummary, points: balance(9002) });
      await shows(page, '[data-reward=r-shipping] [data-testid=not-issued]');
      await balanceIs(page, '9,002');
      await noUncaught(page);
    });

    check('lost answers, the key is not in the list: it did not happen; trying again sends the same key', async (page, w) => {
      const { s, lines } = await lostThenListed(page, () => [item('Free shipping', 'active', { idempotency_key: 'older', coupon: coupon('OLD') })]);
      await waitForText(page, 'No points were taken', { selector: '[data-reward=r-shipping]' });
      if (!lines.some((l) => l.includes('never received'))) throw new Error(`console: ${lines.join(' | ')}`);
      await audit(page, 'lost-not-applied');
      const first = s.seen.find((r) => r.route === 'POST /v1/redemptions').key;
      s.answers['POST /v1/redemptions'] = () => json(201, redemption('r-shipping', { state: 'active', coupon: coupon('SHIP-2ND'), points: balance(8700) }));
      await redeem(page, 'r-shipping');
      await shows(page, '[data-reward=r-shipping] [data-testid=coupon]');
      const last = s.seen.filter((r) => r.route === 'POST /v1/redemptions').at(-1).key;
      if (last !== first) throw new Error('the retry used a new key');
      await noUncaught(page);
    });

    {
      check('for real: the endpoint commits, the answer is cut, the list gives the code; one redemption', async (page, w) => {
        if (!listServed) throw new Error('the endpoint does not serve GET /v1/redemptions');
        const db = async () => (await (await fetch(`${env.base}/_stats`)).json()).db;
        const before = (await db()).redemptions;
        await setFaults(env.base, { drop_rate: 1.0, method: 'POST', path_prefix: '/v1/redemptions' });
        try {
          await open(page);
          await redeem(page, 'r-shipping');
          await shows(page, '[data-reward=r-shipping] [data-testid=coupon]');
        } finally {
          await setFaults(env.base, {});
        }
        const applied = (await db()).redemptions - before;
        if (applied !== 1) throw new Error(`${applied} redemptions applied`);
        await noUncaught(page);
      });
    }


    check('Your rewards: loaded only when opened; every state as text; codes, one apply action; Show more', async (page, w) => {
      const s = await script(page);
      s.answers['GET /v1/redemptions'] = (request, url) => (url.searchParams.get('page') === '2'
        ? json(200, { items: [item('Gift', 'used', { coupon: coupon('GIFT-OLD') })], page: 2, has_more: false })
        : json(200, { items: list(), page: 1, has_more: true }));
      await open(page);
      await shows(page, '[data-testid=offers] li');
      // Nothing announces that a request will not come: 1 s watched (failing
      // at once on a request for the list).
      await expectNoRequest(w, (r) => r.method === 'GET' && /\/v1\/redemptions\?/.test(r.url), 1000, 'the list was asked for before it was opened');
      if (s.count('GET /v1/redemptions')) throw new Error('the list was asked for before it was opened');
      const button = await inWidget(page, (root) => {
        const b = [...root.querySelectorAll('button')].find((x) => x.textContent.trim() === 'Show your rewards');
        b.click();
        return b.getAttribute('aria-expanded');
      });
      if (button !== 'false') throw new Error(`aria-expanded was ${button}`);
      await shows(page, '[data-testid=mine-item]');
      const states = await inWidget(page, (root) => [...root.querySelectorAll('[data-testid=mine-state]')].map((e) => e.textContent));
      const want = ['Ready to use', 'Used on order #1234', 'Expired', 'Being issued', 'Not issued, points back'];
      if (JSON.stringify(states) !== JSON.stringify(want)) throw new Error(`states ${JSON.stringify(states)}`);
      const codes = await inWidget(page, (root) => [...root.querySelectorAll('[data-testid=mine] [data-testid=coupon-code]')].map((e) => e.textContent));
      if (codes.join() !== `SHIP-READY,FIVE-USED,${LONG}`) throw new Error(`codes ${codes}`);
      const apply = await inWidget(page, (root) => [...root.querySelectorAll('[data-testid=mine] [data-testid=apply]')].map((a) => a.getAttribute('href')));
      if (apply.length !== 1 || apply[0] !== APPLY) throw new Error(`apply links ${apply}`);
      const heading = await inWidget(page, (root) => root.querySelector('#lw-mine-title')?.tagName);
      if (heading !== 'H3') throw new Error(`heading ${heading}`);
      const named = await inWidget(page, (root) => [...root.querySelectorAll('#lw-mine button')].every((b) => (b.getAttribute('aria-label') || b.textContent).trim()));
      if (!named) throw new Error('a button without a name');
      await audit(page, 'your-rewards', '#lw-mine-title');
      await inWidget(page, (root) => [...root.querySelectorAll('#lw-mine button')].find((x) => x.textContent.trim() === 'Show more rewards').click());
      await until(page, () => document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('[data-testid=mine-item]').length === 6, null, 'six of your rewards');
      const more = await inWidget(page, (root) => [...root.querySelectorAll('#lw-mine button')].some((x) => x.textContent.trim() === 'Show more rewards'));
      if (more) throw new Error('"Show more rewards" after the last page');
      await noUncaught(page);
    });

    check('Your rewards: the empty state; asked again after a redeem', async (page, w) => {
      const s = await script(page);
      s.answers['GET /v1/redemptions'] = () => json(200, { items: [], page: 1, has_more: false });
      await open(page);
      await inWidget(page, (root) => [...root.querySelectorAll('button')].find((x) => x.textContent.trim() === 'Show your rewards').click());
      await shows(page, '[data-testid=mine-empty]');
      const empty = await textOf(page, '[data-testid=mine-empty]');
      if (empty !== "You haven't redeemed any rewards yet.") throw new Error(empty);
      await audit(page, 'your-rewards-empty', '#lw-mine-title');
      s.answers['POST /v1/redemptions'] = () => json(201, redemption('r-shipping', { state: 'active', coupon: coupon('SHIP-NEW'), points: balance(8700) }));
      s.answers['GET /v1/redemptions'] = () => json(200, { items: [item('Free shipping', 'active', { coupon: coupon('SHIP-NEW') })], page: 1, has_more: false });
      await redeem(page, 'r-shipping');
      await shows(page, '[data-testid=mine] [data-testid=mine-item]');
      if (s.count('GET /v1/redemptions') !== 2) throw new Error(`${s.count('GET /v1/redemptions')} list requests`);
      await noUncaught(page);
    });

    check('Your rewards in German: heading, button and states', async (page, w) => {
      const s = await script(page);
      s.answers['GET /v1/redemptions'] = () => json(200, { items: list(), page: 1, has_more: false });
      await open(page, 'de');
      await inWidget(page, (root) => [...root.querySelectorAll('button')].find((x) => x.textContent.trim() === 'Deine Prämien anzeigen').click());
      await shows(page, '[data-testid=mine-item]');
      const text = await textOf(page, '#lw-mine');
      for (const want of ['Bereit zum Einlösen', 'Verwendet bei Bestellung #1234', 'Abgelaufen', 'Wird ausgestellt', 'Nicht ausgestellt, Punkte zurück', 'Im Warenkorb einlösen']) {
        if (!text.includes(want)) throw new Error(`no "${want}"`);
      }
      await audit(page, 'your-rewards-de', '#lw-mine-title');
    });

    check('the launcher panel has Your rewards too', async (page, w) => {
      await page.goto(`${env.base}/examples/shop-launcher.html`, { waitUntil: 'load' });
      await shows(page, '.launcher');
      await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').click());
      await shows(page, '#lw-mine-title');
    });
  });
}
