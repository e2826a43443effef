// A customer's whole journey in a real browser on a real WordPress 6.9 + WooCommerce 9.9.5 shop
// (issue #40), in Chromium and in Firefox (one customer each, same shop):
//
//   1. signs in through the shop's own login form (My account) and sees the widget there, inside
//      Twenty Twenty-Five, with the welcome bonus as their balance (read from the widget's shadow DOM);
//   2. places an order through the shop's real checkout (WooCommerce's block checkout, cash on
//      delivery); WooCommerce's queue delivers the order webhooks; My account shows the points pending;
//   3. gets points from the shop owner (admin adjustment), redeems the 5.00 voucher (r-5eur, minimum
//      20.00) in the widget, sees the code, clicks "Apply to cart" (the plugin's /?loyalty_apply=CODE)
//      and lands on the cart with the discount shown;
//   4. checks out with the discount (the total 5.00 less), the queue runs, and the widget's "Your
//      rewards" says the code was used on that order, and the new order's points are pending;
//   5. the platform decides: the order cancelled gives the code back (found by the reconciler before
//      any webhook), the code ended early is refused at the cart and shown as expired.
//   Chromium only: screenshots of My account (the widget) and of the cart with the code applied, at
//   360 and 1280 px wide: target/woo-shots/woo-{my-account,cart}-{360,1280}.png (WOO_SHOTS=docs/screenshots
//   writes the README's copies; JOURNEY_SHOTS=0 leaves them out).
//
// Set up here, as woo-loop does: the shop (e2e/lib/woo.mjs) in its own state folder, switched to EUR;
// the endpoint (e2e/lib/fixture.mjs) serving the release build in dist/ (the widget's script is
// <endpoint>/widget/loyalty-widget.js) and allowing the shop's origin; the plugin copied into the site,
// activated and set up (endpoint, widget source, secret); WooCommerce's order webhooks registered
// through its REST API; a customer per browser made through POST /wc/v3/customers with a password.
// Test-only, in the harness's copy of the site (wp-content/mu-plugins), nothing in the plugin: the
// endpoint's port is allowed for webhook delivery (wp_safe_remote_request allows 80, 443, 8080 only);
// and the harness's https pretence is taken back for requests without HTTP auth: the harness tells
// WordPress every request came over https (so that WooCommerce takes consumer keys as Basic auth),
// which makes every page link its scripts and styles as https://127.0.0.1:PORT/..., where nothing
// answers, and a real browser gets a shop without its JavaScript (no block checkout at all). Browsers
// send no Authorization header, the REST calls from here always do: the former see plain http, as it is.
//
//   node --test e2e/woo-journey.test.mjs                      (Chromium, then Firefox)
//   E2E_BROWSERS=firefox node --test e2e/woo-journey.test.mjs (one of them)
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-journey-<checkout>), WC_HARNESS_DIR (default
// ../shared/woocommerce). Every wait is on a condition (an element or a text in the widget's shadow
// root, a page, a Store API request answered); a failing check prints what the page showed (a
// screenshot under target/test-run/e2e-failures/, console lines, the last requests). The shop, the
// endpoint and the browser are always stopped (also on an error, Ctrl-C or SIGTERM).
import { after, before, describe } from 'node:test';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  bounded, browsers, diagnose, launchBrowser, needDist, settled, until, waitForIdle, waitForRequest, waitInWidget, watchPage,
} from './lib/fixture.mjs';
import { DIST, PLUGIN, ROOT, WAIT, checker, eq, ok, startWooEndpoint, useShop } from './lib/woo.mjs';
import { ageVisitCache } from './lib/widget.mjs';

const SUITE = 'woo-journey';
// Into target/ by default; WOO_SHOTS=docs/screenshots refreshes the README's copies.
const SHOTS = resolve(ROOT, process.env.WOO_SHOTS || 'target/woo-shots');
const SHOTS_ON = process.env.JOURNEY_SHOTS !== '0';
/** The Store API, and the requests that push the customer's address to it. */
const STORE_API = /\/wc\/store\/v1\//;
const ADDRESS_PUSH = (e) => e.method === 'POST' && /\/wc\/store\/v1\/(batch|cart\/update-customer)/.test(e.url);

// ------------------------------------------------------------------ the widget in a page
const inWidget = (page, fn, arg) => page.evaluate((source, a) => {
  const root = document.querySelector('loyalty-widget')?.shadowRoot;
  if (!root) return null;
  // eslint-disable-next-line no-new-func
  return new Function('root', 'arg', `return (${source})(root, arg)`)(root, a);
}, fn.toString(), arg ?? null);
const widgetText = (page, selector) => inWidget(page, (root, sel) => root.querySelector(sel)?.textContent.trim() ?? null, selector);
/** Waits until the widget's element's text matches (a RegExp source), returns the text. */
async function waitWidgetText(page, selector, pattern) {
  try {
    await until(page, ([sel, pat]) => {
      const el = document.querySelector('loyalty-widget')?.shadowRoot?.querySelector(sel);
      return !!el && new RegExp(pat).test(el.textContent);
    }, [selector, pattern], `${selector} to match /${pattern}/`);
  } catch {
    throw new Error(`${selector} never matched /${pattern}/: it says ${JSON.stringify(await widgetText(page, selector))}`);
  }
  return widgetText(page, selector);
}

describe('woo-journey: a customer\'s whole journey on a real WooCommerce shop, in a real browser', { timeout: 1800000 }, () => {
  const shop = useShop(SUITE);
  const s = {};
  let SHOP = '';

  /**
   * My account, the widget scrolled into view (an inline widget loads when the customer comes near it).
   * `later`: the customer comes back after the widget's visit cache (30 s, sessionStorage) has aged,
   * as after a real webhook delay; within those 30 s the widget shows what it showed before, by design.
   */
  async function myAccount(page, { later = false } = {}) {
    if (later) await ageVisitCache(page);
    await page.goto(`${SHOP}/my-account/`, { waitUntil: 'load' });
    await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
    await waitInWidget(page, '[data-testid=balance]');
  }

  /** Opens "Your rewards" in the widget: each item's state, code, state text and whether it has an Apply link. */
  async function yourRewards(page) {
    await waitInWidget(page, '[aria-controls=lw-mine]');
    await inWidget(page, (root) => root.querySelector('[aria-controls=lw-mine]').click());
    await waitInWidget(page, '[data-testid=mine-item]');
    return inWidget(page, (root) => [...root.querySelectorAll('[data-testid=mine-item]')].map((li) => ({
      state: li.dataset.state, code: li.querySelector('[data-testid=coupon-code]')?.textContent.trim() ?? li.textContent.match(/[A-Z0-9]{2,}-[A-Z0-9-]+/)?.[0] ?? null,
      text: li.querySelector('[data-testid=mine-state]')?.textContent.trim(), apply: !!li.querySelector('[data-testid=apply]'),
    })));
  }

  // ---------------------------------------------------------------- the shop's own pages
  /** The block checkout: fills what is empty, places the order; resolves to the order id from the URL. */
  async function checkout(page, watcher, address) {
    await page.goto(`${SHOP}/checkout/`, { waitUntil: 'load' });
    // The block checkout has its cart (the cart data store resolved), and nothing of the Store API in flight.
    await until(page, () => {
      const cart = window.wp?.data?.select?.('wc/store/cart');
      return !!cart && cart.hasFinishedResolution('getCartData');
    }, null, 'the block checkout\'s cart data');
    await page.waitForSelector('#billing-first_name', { timeout: WAIT });
    await waitForIdle(watcher, { match: STORE_API });
    await page.waitForSelector('.wc-block-components-checkout-place-order-button:not([disabled])', { timeout: WAIT });
    for (let attempt = 0; ; attempt++) {
      const wrong = [];
      for (const [field, value] of Object.entries(address)) {
        const current = await page.$eval(`#billing-${field}`, (el) => el.value);
        if (current !== value) wrong.push({ field, value, current });
      }
      if (!wrong.length) break;
      if (attempt === 3) throw new Error(wrong.map((w) => `#billing-${w.field} says ${JSON.stringify(w.current)}, not ${JSON.stringify(w.value)}`).join('; '));
      for (const { field, value } of wrong) {
        const current = await page.$eval(`#billing-${field}`, (el) => { el.scrollIntoView({ block: 'center' }); el.focus(); el.select(); return el.value; });
        if (current) await page.keyboard.press('Backspace');
        await page.keyboard.type(value);
      }
      // The checkout pushes what was typed to the Store API (debounced, or at once when the field
      // loses focus) and may re-render the fields with the answer: wait for that push to be
      // answered, then look at the fields again (the checkout may have re-rendered one meanwhile).
      const since = watcher.seen.length;
      await page.evaluate(() => document.activeElement?.blur());
      await waitForRequest(watcher, ADDRESS_PUSH, { since, answered: true });
      await waitForIdle(watcher, { match: STORE_API });
    }
    await page.$eval('#radio-control-wc-payment-method-options-cod', (el) => { if (!el.checked) el.click(); }).catch(() => {});
    // The checkout holds the button while it pushes the address: nothing in flight, the button free.
    await page.evaluate(() => document.activeElement?.blur());
    await waitForIdle(watcher, { match: STORE_API });
    await until(page, () => {
      const b = document.querySelector('.wc-block-components-checkout-place-order-button');
      return !!b && !b.disabled && !b.classList.contains('wc-block-components-button--loading') && !document.querySelector('.wc-block-components-spinner');
    }, null, 'the place-order button to be free');
    const from = watcher.seen.length;
    await Promise.all([
      until(page, () => /\/order-received\/\d+/.test(location.pathname), null, 'the order received page', 30000),
      page.$eval('.wc-block-components-checkout-place-order-button', (b) => { b.scrollIntoView({ block: 'center' }); }).then(() => page.click('.wc-block-components-checkout-place-order-button')),
    ]).catch(async (err) => {
      const posts = watcher.seen.slice(from).filter((e) => /\/wc\/store\/v1\/(checkout|batch)/.test(e.url)).map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`);
      const notices = await page.$$eval('.wc-block-components-notice-banner, .wc-block-components-validation-error', (els) => els.map((e) => e.textContent.trim())).catch(() => []);
      throw new Error(`no order received page (${page.url()}): ${JSON.stringify(notices)} ${err.message}; store api: ${JSON.stringify(posts)}`);
    });
    await page.waitForSelector('.woocommerce-order-overview__total, .wc-block-order-confirmation-totals, .woocommerce-order', { timeout: WAIT });
    return Number(/\/order-received\/(\d+)/.exec(new URL(page.url()).pathname)[1]);
  }
  /** The block cart's totals: { discount, total, coupons } as shown (texts). */
  async function cartTotals(page) {
    await page.waitForSelector('.wp-block-woocommerce-cart .wc-block-components-totals-footer-item', { timeout: WAIT });
    return page.evaluate(() => {
      const value = (sel) => document.querySelector(sel)?.querySelector('.wc-block-components-totals-item__value')?.textContent.trim() ?? null;
      return {
        discount: value('.wc-block-components-totals-discount'),
        total: value('.wc-block-components-totals-footer-item'),
        coupons: [...document.querySelectorAll('.wc-block-components-totals-discount .wc-block-components-chip__text')].map((e) => e.textContent.trim()),
        notices: [...document.querySelectorAll('.wc-block-components-notice-banner, .woocommerce-message, .woocommerce-error')].map((e) => e.textContent.trim()),
      };
    });
  }

  before(async () => {
    needDist('woo');
    SHOP = shop.url;
    s.P50 = Number(shop.env.WC_PRODUCT_ID_50);
    // ------------------------------------------------------------ the shop: EUR (the program's currency)
    eq((await shop.rest('/settings/general/woocommerce_currency', { method: 'PUT', body: { value: 'EUR' } })).value, 'EUR', 'shop currency');

    // ------------------------------------------------------------ the endpoint
    s.secrets = {
      LOYALTY_SECRET: randomBytes(32).toString('hex'),
      LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
      WOOCOMMERCE_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    };
    s.endpoint = await startWooEndpoint(shop, { name: `${SUITE}-endpoint`, env: s.secrets, args: ['--static', DIST, '--allow-origin', SHOP] });
    s.EP = s.endpoint.url;
    const EP_PORT = Number(new URL(s.EP).port);
    const WIDGET_SRC = `${s.EP}/widget/loyalty-widget.js`;
    shop.say(`endpoint at ${s.EP}`);

    // ------------------------------------------------------------ test-only mu-plugin (see the top)
    const hostPort = new URL(SHOP).host;
    mkdirSync(join(shop.site, 'wp-content/mu-plugins'), { recursive: true });
    writeFileSync(join(shop.site, 'wp-content/mu-plugins/loyalty-woo-journey.php'), `<?php
// Written by e2e/woo-journey.test.mjs into the harness's copy of the site; not part of the plugin.
// wp_safe_remote_request() allows ports 80, 443 and 8080 only: the test endpoint's port too.
add_filter( 'http_allowed_safe_ports', function ( $ports ) { $ports[] = ${EP_PORT}; return $ports; } );
// The harness says every web request came over https (wp-config.php); a browser (no HTTP auth) is on
// plain http: pages must link their scripts and styles as http://, or the browser gets none of them.
if ( PHP_SAPI !== 'cli' && empty( $_SERVER['HTTP_AUTHORIZATION'] ) && empty( $_SERVER['PHP_AUTH_USER'] ) ) {
	unset( $_SERVER['HTTPS'] );
	ob_start( function ( $html ) {
		return str_replace( array( 'https://${hostPort}', 'https:\\\\/\\\\/${hostPort}' ), array( 'http://${hostPort}', 'http:\\\\/\\\\/${hostPort}' ), $html );
	} );
}
`);

    // ------------------------------------------------------------ the plugin, its settings, the webhooks
    mkdirSync(join(shop.site, 'wp-content/plugins/loyalty-widget'), { recursive: true });
    copyFileSync(PLUGIN, join(shop.site, 'wp-content/plugins/loyalty-widget/loyalty-widget.php'));
    const setUp = JSON.parse(shop.php(`
      require_once ABSPATH . "wp-admin/includes/plugin.php";
      $r = activate_plugin("loyalty-widget/loyalty-widget.php");
      update_option("loyalty_widget_endpoint", ${JSON.stringify(s.EP)});
      update_option("loyalty_widget_widget_src", ${JSON.stringify(WIDGET_SRC)});
      update_option("loyalty_widget_secret", ${JSON.stringify(s.secrets.LOYALTY_SECRET)});
      echo json_encode(array(is_wp_error($r) ? $r->get_error_message() : "active", get_option("loyalty_widget_endpoint"), get_option("loyalty_widget_widget_src"), get_option("loyalty_widget_secret") === ${JSON.stringify(s.secrets.LOYALTY_SECRET)}));`));
    eq(setUp, ['active', s.EP, WIDGET_SRC, true], 'plugin activated and set up');
    for (const topic of ['order.created', 'order.updated']) {
      const w = await shop.rest('/webhooks', { method: 'POST', body: { name: `Loyalty ${topic}`, topic, delivery_url: `${s.EP}/webhooks/woocommerce`, secret: s.secrets.WOOCOMMERCE_WEBHOOK_SECRET, status: 'active' } });
      eq(w.status, 'active', `webhook ${topic}`);
    }
    shop.say('plugin active, webhooks registered');
    if (SHOTS_ON) mkdirSync(SHOTS, { recursive: true });
  }, { timeout: 120000 });

  const adminApi = (path, body, key) => fetch(`${s.EP}/admin/v1${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${s.secrets.LOYALTY_ADMIN_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
  });
  /** One reconciler pass now (the admin API): its report, with the answer's status. */
  const reconcile = async () => {
    const r = await fetch(`${s.EP}/admin/v1/reconcile`, { method: 'POST', headers: { Authorization: `Bearer ${s.secrets.LOYALTY_ADMIN_KEY}` } });
    return { status: r.status, ...(await r.json()) };
  };

  for (const name of browsers()) {
    describe(name, () => {
      const shots = SHOTS_ON && name === 'chromium';
      const run = randomBytes(3).toString('hex');
      const USER = `nora${run}`;
      const PASS = `pw-${run}-nora-secret`;
      const EMAIL = `nora-${run}@example.com`;
      // Typed into the checkout's empty fields (WooCommerce keeps them for the next order).
      const ADDRESS = { first_name: 'Nora', last_name: 'Lind', address_1: '1 Main St', city: 'San Francisco', postcode: '94103' };
      const b = {}; // this browser's customer, page, watcher
      const errors = [];
      let started = 0;

      before(async () => {
        started = Date.now();
        b.customer = await shop.rest('/customers', { method: 'POST', body: { email: EMAIL, username: USER, password: PASS, first_name: 'Nora', last_name: 'Lind' } });
        b.ID = String(b.customer.id);
        b.browser = await launchBrowser(name);
        const context = await b.browser.createBrowserContext();
        b.page = await context.newPage();
        b.watcher = watchPage(null, b.page, { label: `${SUITE}-${name}` });
        b.page.on('pageerror', (e) => errors.push(String(e.message || e).slice(0, 200)));
        b.page.on('console', (m) => { if (m.text().includes('[loyalty-widget]')) errors.push(m.text().slice(0, 200)); });
        await b.page.setViewport({ width: 1280, height: 900 });
      }, { timeout: 120000 });
      after(async () => {
        if (b.browser) {
          await bounded(b.browser.close(), 10000, 'the browser to close').catch(() => {});
          b.browser.process()?.kill('SIGKILL');
        }
        shop.say(`${name}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
      });
      // A check on this browser's page: when it fails, what the page showed (a screenshot, the
      // console, the last requests) and what the shop and the endpoint last did.
      const baseCheck = checker(() => shop.context(s.endpoint), { timeout: 180000 });
      const check = (title, fn) => baseCheck(title, () => {
        if (b.watcher) b.watcher.label = `${SUITE}-${name}-${title}`;
        return diagnose(b.page, () => fn(b.page));
      });

      // ---------------------------------------------------------- 1. sign in, the widget on My account
      check('signs in through the shop\'s login form (My account)', async (page) => {
        await page.goto(`${SHOP}/my-account/`, { waitUntil: 'load' });
        await page.type('#username', USER);
        await page.type('#password', PASS);
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[name=login]')]);
        const signedIn = await page.evaluate(() => ({ body: document.body.className, nav: !!document.querySelector('.woocommerce-MyAccount-navigation') }));
        ok(/\blogged-in\b/.test(signedIn.body) && signedIn.nav, `not signed in: ${page.url()} ${signedIn.body}`);
      });
      check('the shop registers the new customer with the loyalty program (admin API PUT, as at sign-up): the welcome bonus', async (page) => {
        // What a customer who has just signed up sees before the shop has told the endpoint about them
        // (the endpoint knows a customer from an order webhook or the admin API, not from a token).
        await page.goto(`${SHOP}/my-account/`, { waitUntil: 'load' });
        await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
        await waitInWidget(page, '[role=alert], [data-testid=balance]', { timeout: 10000 }).catch(() => {});
        shop.say(`${name}: a new customer's widget before the shop registered them: ${JSON.stringify(await inWidget(page, (root) => root.textContent.replace(/\s+/g, ' ').trim().slice(0, 160)))}`);
        const r = await fetch(`${s.EP}/admin/v1/customers/${b.ID}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.secrets.LOYALTY_ADMIN_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ first_name: 'Nora', email: EMAIL }) });
        ok(r.status === 200 || r.status === 201, `PUT customer: ${r.status} ${await r.text()}`);
      });
      check('My account shows the widget (from the endpoint) with the welcome bonus as the balance, 100 points', async (page) => {
        errors.length = 0; // the 404s of the view before the customer was registered
        const tag = await page.evaluate(() => {
          const w = document.querySelector('loyalty-widget');
          return w && { endpoint: w.getAttribute('endpoint'), inContent: !!w.closest('.woocommerce-MyAccount-content') };
        });
        eq(tag, { endpoint: s.EP, inContent: true }, 'the <loyalty-widget> in My account\'s content');
        // The widget takes its token attribute off the element once read: the page as served has it.
        const served = await page.evaluate(() => fetch('/my-account/', { credentials: 'same-origin' }).then((r) => r.text()));
        ok(/<loyalty-widget\b[^>]*\btoken="[\w-]+\.[\w-]+\.[\w-]+"/.test(served), 'no token on the <loyalty-widget> as served');
        await myAccount(page);
        eq(await waitWidgetText(page, '[data-testid=balance]', '^100\\b'), '100 points', 'balance');
      });
      if (shots) {
        check('screenshots of My account with the widget at 1280 and 360 px', async (page) => {
          for (const width of [1280, 360]) {
            await page.setViewport({ width, height: width === 360 ? 780 : 900 });
            await myAccount(page);
            await inWidget(page, (root) => root.host.scrollIntoView({ block: 'start' }));
            await settled(page);
            await page.screenshot({ path: join(SHOTS, `woo-my-account-${width}.png`) });
          }
          await page.setViewport({ width: 1280, height: 900 });
        });
      }

      // ---------------------------------------------------------- 2. an order through the real checkout
      let order1 = 0;
      check('places an order (50.00) through the shop\'s block checkout, cash on delivery: processing, the customer\'s', async (page) => {
        await page.goto(`${SHOP}/?add-to-cart=${s.P50}`, { waitUntil: 'load' });
        order1 = await checkout(page, b.watcher, ADDRESS);
        const o = await shop.rest(`/orders/${order1}`);
        eq([o.status, o.customer_id, o.total, o.payment_method, o.billing.email], ['processing', b.customer.id, '50.00', 'cod', EMAIL], 'order');
      });
      check('WooCommerce\'s queue delivers the webhooks; My account, reloaded: 50 points pending, the balance still 100', async (page) => {
        ok(order1, 'no order');
        const ran = await shop.runQueue();
        ok(ran >= 1, `the queue ran ${ran} actions`);
        await myAccount(page, { later: true });
        eq(await waitWidgetText(page, '.lw-pending', '\\b50\\b'), '50 points pending', 'pending');
        eq(await widgetText(page, '[data-testid=balance]'), '100 points', 'balance');
      });

      // ---------------------------------------------------------- 3. points, redeem, apply to cart
      let code = '';
      check('the shop owner gives 500 points (admin API); the widget shows 600', async (page) => {
        const r = await adminApi(`/customers/${b.ID}/adjustments`, { points: 500, reason: 'Thank you' }, `journey-${name}-${run}`);
        ok(r.ok, `adjustment: ${r.status} ${await r.text()}`);
        await myAccount(page, { later: true });
        eq(await waitWidgetText(page, '[data-testid=balance]', '^600\\b'), '600 points', 'balance');
      });
      check('redeems the 5.00 voucher (r-5eur) in the widget: the code, an "Apply to cart" link to the shop, 100 points left', async (page) => {
        await page.goto(`${SHOP}/?add-to-cart=${s.P50}`, { waitUntil: 'load' }); // the cart meets the 20.00 minimum
        await myAccount(page);
        await waitInWidget(page, '[data-reward=r-5eur] button');
        await inWidget(page, (root) => root.querySelector('[data-reward=r-5eur] button').click());
        await waitInWidget(page, '[data-reward=r-5eur] .lw-confirm');
        await inWidget(page, (root) => root.querySelector('[data-reward=r-5eur] .lw-confirm button').click());
        await waitInWidget(page, '[data-testid=coupon-code]');
        code = await widgetText(page, '[data-testid=coupon-code]');
        ok(/^[A-Za-z0-9_-]{4,64}$/.test(code), `code ${JSON.stringify(code)}`);
        const href = await inWidget(page, (root) => root.querySelector('[data-testid=apply]')?.getAttribute('href'));
        eq(href, `${SHOP}/?loyalty_apply=${code}`, 'Apply to cart link');
        eq(await waitWidgetText(page, '[data-testid=balance]', '^100\\b'), '100 points', 'balance');
        const coupons = await shop.rest(`/coupons?code=${encodeURIComponent(code)}`);
        eq(coupons.map((c) => [c.discount_type, c.amount, c.minimum_amount, c.usage_limit, c.email_restrictions]), [['fixed_cart', '5.00', '20.00', 1, [EMAIL]]], 'the coupon in WooCommerce');
      });
      check('"Apply to cart" lands on the cart with the code applied: 5.00 off, total 45.00', async (page) => {
        ok(code, 'no code');
        await Promise.all([
          page.waitForNavigation({ waitUntil: 'load' }),
          inWidget(page, (root) => root.querySelector('[data-testid=apply]').click()),
        ]);
        eq(new URL(page.url()).pathname, '/cart/', 'landed on');
        await page.waitForSelector('.wc-block-components-totals-discount', { timeout: WAIT }).catch(() => {});
        const t = await cartTotals(page);
        shop.say(`${name}: cart ${JSON.stringify(t)}`);
        eq([t.coupons.map((c) => c.toLowerCase()), t.discount, t.total], [[code.toLowerCase()], '-€5.00', '€45.00'], 'cart [codes, discount, total]');
      });
      if (shots) {
        check('screenshots of the cart with the code applied at 1280 and 360 px', async (page) => {
          for (const width of [1280, 360]) {
            await page.setViewport({ width, height: width === 360 ? 780 : 900 });
            await page.goto(`${SHOP}/cart/`, { waitUntil: 'load' });
            await page.waitForSelector('.wc-block-components-totals-discount', { timeout: WAIT });
            if (width === 360) await page.evaluate(() => document.querySelector('.wc-block-components-totals-discount').scrollIntoView({ block: 'center' }));
            await settled(page);
            await page.screenshot({ path: join(SHOTS, `woo-cart-${width}.png`) });
          }
          await page.setViewport({ width: 1280, height: 900 });
        });
      }

      // ---------------------------------------------------------- 4. checkout with the discount; used
      let order2 = 0;
      check('checks out with the code: the order\'s total is 45.00 with the coupon on it', async (page) => {
        ok(code, 'no code');
        order2 = await checkout(page, b.watcher, ADDRESS);
        const o = await shop.rest(`/orders/${order2}`);
        eq([o.status, o.customer_id, o.total, o.discount_total, o.coupon_lines.map((c) => c.code.toLowerCase())], ['processing', b.customer.id, '45.00', '5.00', [code.toLowerCase()]], 'order');
        const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(code)}`);
        eq(c.usage_count, 1, 'the coupon\'s usage_count');
      });
      check('after the queue, "Your rewards" says the code was used on that order; 95 points pending (50 + 45)', async (page) => {
        ok(order2, 'no order');
        await shop.runQueue();
        await myAccount(page, { later: true });
        eq(await waitWidgetText(page, '.lw-pending', '\\b95\\b'), '95 points pending', 'pending');
        const items = await yourRewards(page);
        shop.say(`${name}: your rewards ${JSON.stringify(items)}`);
        eq(items.length, 1, 'rewards listed');
        eq([items[0].text, items[0].apply], [`Used on order #${order2}`, false], '[state, apply link]');
        ok(!items[0].code || items[0].code.toLowerCase() === code.toLowerCase(), `the code shown ${items[0].code}`);
      });
      // ---------------------------------------------------------- 5. the platform decides: given back, expired
      // The endpoint learns a code's state from WooCommerce itself (the reconciler looks each code up),
      // not only from webhooks: here the cancellation's webhook is held back until after the look-up.
      check('the shop owner cancels that order: WooCommerce gives the code\'s use back; before any webhook, the endpoint\'s reconcile pass finds it on the shop: "Your rewards" shows it ready to use again, with its Apply link', async (page) => {
        ok(order2, 'no order');
        const o = await shop.rest(`/orders/${order2}`, { method: 'PUT', body: { status: 'cancelled' } });
        eq(o.status, 'cancelled', 'order status');
        const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(code)}`);
        eq(c.usage_count, 0, 'the coupon\'s usage_count after the cancellation');
        const report = await reconcile();
        eq([report.status, report.active_again, report.used, report.missing], [200, 1, 0, 0], `reconcile ${JSON.stringify(report)}`);
        await myAccount(page, { later: true });
        const items = await yourRewards(page);
        eq(items.map((i) => [i.state, i.text, i.apply]), [['mine-active', 'Ready to use', true]], 'your rewards');
      });
      check('the cancellation\'s webhook comes late: changes nothing more on the code, and the order\'s 45 points pending are taken back (50 left)', async (page) => {
        await shop.runQueue();
        await myAccount(page, { later: true });
        eq(await waitWidgetText(page, '.lw-pending', '\\b50\\b'), '50 points pending', 'pending');
        const items = await yourRewards(page);
        eq(items.map((i) => i.state), ['mine-active'], 'your rewards');
      });
      check('the shop owner ends the code early (date_expires two days ago): WooCommerce refuses it at the cart ("Apply to cart"), and after a reconcile pass "Your rewards" says Expired', async (page) => {
        const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(code)}`);
        const past = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10);
        eq((await shop.rest(`/coupons/${c.id}`, { method: 'PUT', body: { date_expires: `${past}T23:59:59` } })).date_expires, `${past}T23:59:59`, 'date_expires');
        await page.goto(`${SHOP}/?add-to-cart=${s.P50}`, { waitUntil: 'load' });
        await page.goto(`${SHOP}/?loyalty_apply=${encodeURIComponent(code)}`, { waitUntil: 'load' });
        eq(new URL(page.url()).pathname, '/cart/', 'landed on');
        await page.waitForSelector('.wc-block-components-notice-banner, .woocommerce-error', { timeout: WAIT });
        const t = await cartTotals(page);
        shop.say(`${name}: cart with the expired code ${JSON.stringify(t)}`);
        eq([t.coupons, t.discount], [[], null], 'cart [codes, discount]');
        ok(t.notices.some((n) => /expired/i.test(n)), `no "expired" notice: ${JSON.stringify(t.notices)}`);
        const report = await reconcile();
        eq([report.status, report.expired, report.active_again, report.used], [200, 1, 0, 0], `reconcile ${JSON.stringify(report)}`);
        await myAccount(page, { later: true });
        const items = await yourRewards(page);
        eq(items.map((i) => [i.state, i.text, i.apply]), [['mine-expired', 'Expired', false]], 'your rewards');
      });
      check('no page error and no widget error in the console through the journey', async () => {
        eq(errors, [], 'errors');
      });
    });
  }

  const check = checker(() => shop.context(s.endpoint));
  check('the debug log has nothing from the plugin (no PHP warning, notice or deprecation in loyalty-widget.php)', async () => {
    const log = await shop.phpAsync('echo file_exists(WP_DEBUG_LOG) ? file_get_contents(WP_DEBUG_LOG) : "";');
    eq(log.split('\n').filter((l) => /loyalty-widget/.test(l)), [], 'wp-debug.log lines about the plugin');
  });
});
