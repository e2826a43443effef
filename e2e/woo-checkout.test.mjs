// The rewards' codes our backend makes on WooCommerce work at WooCommerce's real checkout.
//
// Starts the real WordPress + WooCommerce 9.9.5 shop (../shared/woocommerce/up.sh, e2e/lib/woo.mjs)
// and the loyalty endpoint (target/debug/loyalty-endpoint, e2e/lib/fixture.mjs) with the demo
// program whose free product (r-mug) is the shop's 50.00 product. A customer (alice@example.com)
// gets 5000 points and redeems all four rewards. Before the shop is set up, the endpoint is started
// once and must log its two start-up warnings (the harness shop is USD and has no shipping method);
// then the shop becomes a EUR shop in Europe/Berlin with a flat rate and a coupon-only "Free
// shipping", the endpoint is started again and must log neither. Then, against the real shop:
//   - REST v3: each coupon exists with the fields the reward implies (type, amount, usage limit 1,
//     the customer's e-mail only, minimum, free shipping, the free product, and date_expires
//     "<expires_at>T23:59:59" in the shop's time zone: the code works through the last day shown);
//   - Store API (a fresh cart each, billing e-mail set first): the totals each code gives (5 off a
//     50 cart, 10%, the 50 product free but only one of it, shipping free), the edges (minimum met at
//     exactly 20.00, refused below it; someone else's e-mail; a cart without the free product);
//   - checkout (cash on delivery): the order carries the discount, the coupon's usage_count becomes 1,
//     a second cart that applied the same code is refused at checkout (409) and a new one at apply;
//   - a replayed redeem (same Idempotency-Key) answers the same code and the shop holds one coupon.
// The harness's products are virtual and it has no shipping method: the suite adds a 30.00 physical
// product, a 10.00 product, a flat rate (4.90) and a "Free shipping" method that requires a coupon
// (WooCommerce's free-shipping coupons only unlock such a method; it is switched off for one check).
//
//   node --test e2e/woo-checkout.test.mjs
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-checkout-<checkout>), WC_HARNESS_DIR (default
// ../shared/woocommerce), WOO_KEEP_STATE=1 keeps the shop's state folder. The shop and the endpoints
// are always stopped (also on an error, Ctrl-C or SIGTERM).
import { before, describe } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ENDPOINT_BIN } from './lib/fixture.mjs';
import { ROOT, checker, eq, http, logLines, ok, startWooEndpoint, useShop, waitFor, workDir } from './lib/woo.mjs';

const SUITE = 'woo-checkout';
const BIN = ENDPOINT_BIN;

/** The endpoint's WARN lines so far: their messages. */
function warnings(file) {
  return logLines(file).filter((j) => j.level === 'WARN').map((j) => String(j.message ?? j.fields?.message ?? ''));
}
/** The endpoint's "platform call" lines so far, for one operation. */
function platformCalls(file, operation) {
  return logLines(file).map((j) => ({ ...j, ...(j.fields || {}) }))
    .filter((j) => j.message === 'platform call' && j.operation === operation);
}
// The start-up check's two findings (endpoint/src/platform/woo.rs preflight), and its failures to ask.
const CURRENCY_WARNING = /WooCommerce's currency is "USD" but the program's is "EUR"/;
const SHIPPING_WARNING = /a reward is free shipping, but no WooCommerce shipping zone has a "Free shipping" method that a coupon unlocks/;
const PREFLIGHT_ANY = /currency is|free shipping, but|could not (reach|read) WooCommerce/;

/** The UTC time (YYYY-MM-DDTHH:MM:SS) of a wall-clock time in a time zone. */
function zonedToUtc(local, timeZone) {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const wall = (ms) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`);
  };
  const want = Date.parse(`${local}Z`);
  let guess = want;
  for (let i = 0; i < 3; i++) guess += want - wall(guess); // offset at that instant (DST included)
  return new Date(guess).toISOString().slice(0, 19);
}
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

const TZ = 'Europe/Berlin';
const CUSTOMER = '42';
const EMAIL = 'alice@example.com';
const ADDRESS = { first_name: 'Alice', last_name: 'Example', address_1: '1 Main St', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US' };
// What each reward must become (the demo program's values; amounts as WooCommerce returns them).
// r-mug's product is the shop's 50.00 product, known once the shop is up.
const REWARDS = (P50) => ({
  'r-shipping': { days: 90, coupon: { discount_type: 'fixed_cart', amount: '0.00', free_shipping: true, product_ids: [], minimum_amount: '0.00', individual_use: true, limit_usage_to_x_items: null } },
  'r-5eur': { days: 90, coupon: { discount_type: 'fixed_cart', amount: '5.00', free_shipping: false, product_ids: [], minimum_amount: '20.00', individual_use: true, limit_usage_to_x_items: null } },
  'r-10pct': { days: 30, coupon: { discount_type: 'percent', amount: '10.00', free_shipping: false, product_ids: [], minimum_amount: '0.00', individual_use: true, limit_usage_to_x_items: null } },
  'r-mug': { days: 90, coupon: { discount_type: 'percent', amount: '100.00', free_shipping: false, product_ids: [P50], minimum_amount: '0.00', individual_use: false, limit_usage_to_x_items: 1 } },
});

describe('woo-checkout: the codes the endpoint makes work at WooCommerce\'s real checkout', { timeout: 900000 }, () => {
  const shop = useShop(SUITE);
  const s = {}; // what the hooks set up for the checks
  const check = checker(() => shop.context(s.endpoint, s.preflight));
  const today = new Date().toISOString().slice(0, 10);

  before(() => {
    s.work = workDir(SUITE);
    s.P20 = Number(shop.env.WC_PRODUCT_ID);
    s.P50 = Number(shop.env.WC_PRODUCT_ID_50);
    // The demo program, with the shop's 50.00 product as r-mug's free product. The checkout's file
    // first; when the binary is older than that file (someone is changing it), the committed one.
    s.programFile = join(s.work, 'program.toml');
    const DEMO = 'endpoint/programs/morgenrot.toml';
    const sources = [['working tree', () => readFileSync(join(ROOT, DEMO), 'utf8')],
      ['HEAD', () => spawnSync('git', ['-C', ROOT, 'show', `HEAD:${DEMO}`], { encoding: 'utf8' }).stdout]];
    let problems = '';
    for (const [from, read] of sources) {
      const demo = read();
      if (!demo.includes('free_product = "1042"')) { problems += `${from}: no free_product = "1042"\n`; continue; }
      writeFileSync(s.programFile, demo.replace('free_product = "1042"', `free_product = "${s.P50}"`));
      const checked = spawnSync(BIN, ['program', 'check', s.programFile], { encoding: 'utf8' });
      if (checked.status === 0) { shop.say(`program: ${DEMO} (${from}), r-mug = product ${s.P50}`); problems = ''; break; }
      problems += `${from}: ${checked.stdout}${checked.stderr}`;
    }
    if (problems) throw new Error(`program check:\n${problems}`);
    s.secrets = {
      LOYALTY_SECRET: randomBytes(32).toString('hex'),
      LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
    };
  });
  const endpoint = (name) => startWooEndpoint(shop, {
    name: `${SUITE}-${name}`, env: s.secrets, today, args: ['--program', s.programFile],
  });

  // ------------------------------------------------------------ start-up check, shop as the harness made it
  // USD, no shipping method: the endpoint must say both at start (a WARN line each).
  check('start-up check on the harness shop (USD, no shipping): both warnings logged', async () => {
    eq((await shop.rest('/settings/general/woocommerce_currency')).value, 'USD', 'shop currency before');
    s.preflight = await endpoint('before');
    const both = () => {
      const found = warnings(s.preflight.log);
      return found.some((m) => CURRENCY_WARNING.test(m)) && found.some((m) => SHIPPING_WARNING.test(m));
    };
    // Normally there at once; the assertions below say what was missing.
    await waitFor(both, { what: 'both start-up warnings in the log' }).catch(() => {});
    await s.preflight.stop();
    const found = warnings(s.preflight.log);
    ok(found.some((m) => CURRENCY_WARNING.test(m)), `no currency warning in ${JSON.stringify(found)}`);
    ok(found.some((m) => SHIPPING_WARNING.test(m)), `no free-shipping warning in ${JSON.stringify(found)}`);
  });

  describe('the shop as a EUR shop in Europe/Berlin with a flat rate and a coupon-only "Free shipping"', () => {
    const WC = {};
    before(async () => {
      // WordPress's own settings (the time zone) take the admin's application password.
      const wpSettings = async (body) => {
        const r = await shop.wp('/settings', { method: body ? 'POST' : 'GET', body });
        if (r.status !== 200) throw new Error(`wp/v2/settings: ${r.status} ${r.text.slice(0, 300)}`);
        return r.json;
      };
      await wpSettings({ timezone: TZ });
      eq((await wpSettings()).timezone, TZ, 'shop time zone');
      eq((await shop.rest('/settings/general/woocommerce_currency', { method: 'PUT', body: { value: 'EUR' } })).value, 'EUR', 'shop currency');
      shop.say(`shop: time zone ${TZ}, currency EUR`);
      // A physical product (shipping costs something) and one under the 20.00 minimum.
      WC.P30 = (await shop.rest('/products', { method: 'POST', body: { name: 'Parcel 30', type: 'simple', regular_price: '30.00', virtual: false, sku: 'E2E-PARCEL-30' } })).id;
      WC.P10 = (await shop.rest('/products', { method: 'POST', body: { name: 'Small 10', type: 'simple', regular_price: '10.00', virtual: true, sku: 'E2E-SMALL-10' } })).id;
      // Shipping: the harness ships nothing (virtual products, no method). Add a flat rate to the
      // "everywhere else" zone (0) unless one is there.
      const zoneMethods = await shop.rest('/shipping/zones/0/methods');
      shop.say(`zone 0 shipping methods at start: ${JSON.stringify(zoneMethods.map((m) => m.method_id))}`);
      if (!zoneMethods.some((m) => m.method_id === 'flat_rate' && m.enabled)) {
        await shop.rest('/shipping/zones/0/methods', { method: 'POST', body: { method_id: 'flat_rate', settings: { title: 'Flat rate', cost: '4.90' } } });
      }
      // ... and a "Free shipping" method that requires a coupon (what a free-shipping code unlocks).
      WC.freeShipping = (await shop.rest('/shipping/zones/0/methods', { method: 'POST', body: { method_id: 'free_shipping', settings: { title: 'Free shipping', requires: 'coupon' } } })).instance_id;
      // The zones the start-up check will read the methods of: 0 and every other one.
      WC.otherZones = (await shop.rest('/shipping/zones')).filter((z) => z.id !== 0).length;

      // -------------------------------------------------------- the endpoint, on the shop as set up
      s.endpoint = await endpoint('endpoint');
      s.base = s.endpoint.url;
      shop.say(`endpoint at ${s.base}, today ${today}`);
      const token = spawnSync(BIN, ['token', '--customer', CUSTOMER, '--ttl', '3600'], { env: { ...process.env, ...s.secrets }, encoding: 'utf8' }).stdout.trim();
      ok(token, 'no customer token');
      s.admin = { Authorization: `Bearer ${s.secrets.LOYALTY_ADMIN_KEY}` };
      s.customer = { Authorization: `Bearer ${token}` };
      s.run = randomBytes(4).toString('hex');
    }, { timeout: 120000 });
    const redeem = (reward, key) => http(`${s.base}/v1/redemptions`, { method: 'POST', headers: { ...s.customer, 'Idempotency-Key': key }, body: { reward_id: reward } });

    check('start-up check on the EUR shop with a coupon-only free shipping: no warning', async () => {
      // The start-up check runs beside serving: it has finished once it has logged its calls to the
      // shop (the currency; the zones and each zone's methods). Its findings follow in the same step;
      // the last check of the suite looks at the whole log again.
      const shipping = 2 + WC.otherZones;
      await waitFor(() => platformCalls(s.endpoint.log, 'read_shop').length >= 1 && platformCalls(s.endpoint.log, 'read_shipping').length >= shipping, {
        what: `the start-up check's calls to the shop (read_shop 1, read_shipping ${shipping}) in the endpoint's log`,
        last: () => JSON.stringify([platformCalls(s.endpoint.log, 'read_shop').length, platformCalls(s.endpoint.log, 'read_shipping').length]),
      });
      const found = warnings(s.endpoint.log).filter((m) => PREFLIGHT_ANY.test(m));
      eq(found, [], 'start-up warnings');
    });

    // ---------------------------------------------------------- the loyalty endpoint
    check('admin: create the customer and give 5000 points', async () => {
      const c = await http(`${s.base}/admin/v1/customers/${CUSTOMER}`, { method: 'PUT', headers: s.admin, body: { first_name: 'Alice', email: EMAIL } });
      ok(c.status === 200 || c.status === 201, `PUT customer: ${c.status} ${c.text.slice(0, 200)}`);
      const a = await http(`${s.base}/admin/v1/customers/${CUSTOMER}/adjustments`, { method: 'POST', headers: { ...s.admin, 'Idempotency-Key': `adj-${s.run}` }, body: { points: 5000, reason: 'e2e woo checkout' } });
      ok(a.status === 200 || a.status === 201, `adjustment: ${a.status} ${a.text.slice(0, 200)}`);
      eq(a.json.points.approved, 5100, 'approved points (100 welcome + 5000)');
    });

    const codes = {};
    const expires = {};
    const rewardIds = Object.keys(REWARDS(0));
    for (const reward of rewardIds) {
      check(`redeem ${reward}: 200 active, a code, apply_url on the shop`, async () => {
        const r = await redeem(reward, `redeem-${reward}-${s.run}`);
        eq(r.status, 200, `status (${r.text.slice(0, 300)})`);
        eq(r.json.state, 'active', 'state');
        ok(typeof r.json.coupon?.code === 'string' && r.json.coupon.code.length > 4, `no code: ${r.text}`);
        codes[reward] = r.json.coupon.code;
        expires[reward] = r.json.coupon.expires_at;
        eq(r.json.coupon.apply_url, `${shop.url}/?loyalty_apply=${r.json.coupon.code}`, 'apply_url');
      });
    }

    // ---------------------------------------------------------- REST: the coupons as made
    for (const reward of rewardIds) {
      check(`REST ${reward}: the coupon has the reward's fields`, async () => {
        const want = REWARDS(s.P50)[reward];
        ok(codes[reward], 'not redeemed');
        const list = await shop.rest(`/coupons?code=${encodeURIComponent(codes[reward])}`);
        eq(list.length, 1, 'coupons with this code');
        const c = list[0];
        eq(c.code.toUpperCase(), codes[reward].toUpperCase(), 'code');
        for (const [field, value] of Object.entries(want.coupon)) eq(c[field], value, field);
        eq(c.usage_limit, 1, 'usage_limit');
        eq(c.usage_limit_per_user, 1, 'usage_limit_per_user');
        eq(c.usage_count, 0, 'usage_count');
        eq(c.email_restrictions, [EMAIL], 'email_restrictions');
        eq(c.status, 'publish', 'status');
        // The last valid day the customer is told, and the coupon ends at its end in the shop's
        // time zone (Berlin): 23:59:59 local, 21:59:59 or 22:59:59 UTC.
        const last = expires[reward];
        ok(last >= addDays(today, want.days - 1) && last <= addDays(today, want.days), `expires_at ${last} is not ${want.days} days from ${today}`);
        eq(c.date_expires, `${last}T23:59:59`, `date_expires (shop time, ${TZ})`);
        eq(c.date_expires_gmt, zonedToUtc(`${last}T23:59:59`, TZ), 'date_expires_gmt');
      });
    }

    // ---------------------------------------------------------- Store API: carts
    async function newCart() {
      const STORE = `${shop.url}/wp-json/wc/store/v1`;
      const r = await fetch(`${STORE}/cart`);
      await r.text();
      const cartToken = r.headers.get('cart-token');
      ok(cartToken, 'no Cart-Token from GET /cart');
      const post = (path, body) => http(`${STORE}${path}`, { method: 'POST', headers: { 'Cart-Token': cartToken }, body });
      return {
        post,
        async add(id, quantity = 1) {
          const a = await post('/cart/add-item', { id, quantity });
          eq(a.status, 201, `add-item ${id} (${a.text.slice(0, 200)})`);
          return a.json;
        },
        async email(email) {
          const u = await post('/cart/update-customer', { billing_address: { email, ...ADDRESS }, shipping_address: ADDRESS });
          eq(u.status, 200, `update-customer (${u.text.slice(0, 200)})`);
          return u.json;
        },
        apply: (code) => post('/cart/apply-coupon', { code }),
        checkout: (email) => post('/checkout', { billing_address: { ...ADDRESS, email }, shipping_address: ADDRESS, payment_method: 'cod' }),
      };
    }
    // total_shipping is null in a cart that needs no shipping (the harness's virtual products).
    const totals = (cart) => {
      const t = cart.totals;
      return { items: t.total_items, discount: t.total_discount, shipping: t.total_shipping, total: t.total_price };
    };
    /** A fresh cart with these products, alice's e-mail, the code applied: the apply answer. */
    async function cartWith(products, code, email = EMAIL) {
      const cart = await newCart();
      for (const p of products) await cart.add(p);
      await cart.email(email);
      return { cart, applied: await cart.apply(code) };
    }
    const applied200 = (r) => eq(r.status, 200, `apply-coupon (${r.text.slice(0, 300)})`);

    check('cart: r-5eur takes 5.00 off a 50.00 cart', async () => {
      const { applied } = await cartWith([s.P50], codes['r-5eur']);
      applied200(applied);
      eq(totals(applied.json), { items: '5000', discount: '500', shipping: null, total: '4500' }, 'totals');
      eq([applied.json.totals.currency_code, applied.json.totals.currency_symbol], ['EUR', '€'], 'currency');
    });
    check('cart: r-5eur on exactly 20.00 (the minimum) is accepted: 15.00', async () => {
      const { applied } = await cartWith([s.P20], codes['r-5eur']);
      applied200(applied);
      eq(totals(applied.json), { items: '2000', discount: '500', shipping: null, total: '1500' }, 'totals');
    });
    check('cart: r-5eur on a 10.00 cart (under the minimum) is refused', async () => {
      const { applied } = await cartWith([WC.P10], codes['r-5eur']);
      eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
      eq(applied.json.code, 'woocommerce_rest_cart_coupon_error', 'error code');
      ok(/minimum spend/i.test(applied.json.message), `message: ${applied.json.message}`);
    });
    check('cart: r-10pct takes 10% off (50.00 + 20.00 -> 63.00)', async () => {
      const { applied } = await cartWith([s.P50, s.P20], codes['r-10pct']);
      applied200(applied);
      eq(totals(applied.json), { items: '7000', discount: '700', shipping: null, total: '6300' }, 'totals');
    });
    check('cart: r-10pct with bob@example.com as billing e-mail is refused', async () => {
      const { applied } = await cartWith([s.P50], codes['r-10pct'], 'bob@example.com');
      eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
      ok(/valid email/i.test(applied.json.message), `message: ${applied.json.message}`);
    });
    check('cart: r-mug makes the 50.00 product free (alone: total 0)', async () => {
      const { applied } = await cartWith([s.P50], codes['r-mug']);
      applied200(applied);
      eq(totals(applied.json), { items: '5000', discount: '5000', shipping: null, total: '0' }, 'totals');
    });
    check('cart: r-mug with the 20.00 product too: only the 50.00 one is free', async () => {
      const { applied } = await cartWith([s.P20, s.P50], codes['r-mug']);
      applied200(applied);
      eq(totals(applied.json), { items: '7000', discount: '5000', shipping: null, total: '2000' }, 'totals');
    });
    check('cart: r-mug with two of the 50.00 product: one is free', async () => {
      const cart = await newCart();
      await cart.add(s.P50, 2);
      await cart.email(EMAIL);
      const applied = await cart.apply(codes['r-mug']);
      applied200(applied);
      eq(totals(applied.json), { items: '10000', discount: '5000', shipping: null, total: '5000' }, 'totals');
    });
    check('cart: r-mug without the free product in the cart is refused', async () => {
      const { applied } = await cartWith([s.P20], codes['r-mug']);
      eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
      ok(/not applicable/i.test(applied.json.message), `message: ${applied.json.message}`);
    });
    check('cart: the 30.00 parcel costs 4.90 shipping (flat rate)', async () => {
      const cart = await newCart();
      await cart.add(WC.P30);
      const c = await cart.email(EMAIL);
      eq(totals(c), { items: '3000', discount: '0', shipping: '490', total: '3490' }, 'totals');
    });
    // WooCommerce's free-shipping coupon only unlocks a "Free shipping" method that requires a coupon;
    // with the flat rate alone it applies (no error) and takes nothing off.
    check('cart: r-shipping with only a flat rate: applied, but shipping still 4.90 (WooCommerce)', async () => {
      await shop.rest(`/shipping/zones/0/methods/${WC.freeShipping}`, { method: 'PUT', body: { enabled: false } });
      try {
        const { applied } = await cartWith([WC.P30], codes['r-shipping']);
        applied200(applied);
        eq(applied.json.coupons.map((c) => c.code.toUpperCase()), [codes['r-shipping'].toUpperCase()], 'coupons');
        eq(totals(applied.json), { items: '3000', discount: '0', shipping: '490', total: '3490' }, 'totals');
      } finally {
        await shop.rest(`/shipping/zones/0/methods/${WC.freeShipping}`, { method: 'PUT', body: { enabled: true } });
      }
    });
    let shippingCart = null;
    check('cart: r-shipping with a coupon-only "Free shipping" method: shipping 0.00', async () => {
      const { cart, applied } = await cartWith([WC.P30], codes['r-shipping']);
      applied200(applied);
      const rates = applied.json.shipping_rates[0].shipping_rates;
      const chosen = rates.find((r) => r.selected);
      eq(chosen?.method_id, 'free_shipping', `selected rate of ${JSON.stringify(rates.map((r) => [r.rate_id, r.price]))}`);
      eq(totals(applied.json), { items: '3000', discount: '0', shipping: '0', total: '3000' }, 'totals');
      shippingCart = cart;
    });
    check('cart: without the code, the coupon-only free shipping is not offered', async () => {
      const cart = await newCart();
      await cart.add(WC.P30);
      const c = await cart.email(EMAIL);
      eq(c.shipping_rates[0].shipping_rates.map((r) => r.method_id), ['flat_rate'], 'rates');
      eq(totals(c).shipping, '490', 'shipping');
    });

    // ---------------------------------------------------------- checkout and usage
    let second = null;
    check('checkout: r-5eur on 50.00 (cod) makes an order of 45.00; usage_count 1', async () => {
      const { cart, applied } = await cartWith([s.P50], codes['r-5eur']);
      applied200(applied);
      const other = await cartWith([s.P50], codes['r-5eur']); // applied before the first order: allowed
      applied200(other.applied);
      second = other.cart;
      const out = await cart.checkout(EMAIL);
      eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
      ok(['processing', 'on-hold', 'pending'].includes(out.json.status), `order status ${out.json.status}`);
      const order = await shop.rest(`/orders/${out.json.order_id}`);
      eq([order.total, order.discount_total], ['45.00', '5.00'], 'order total, discount');
      eq(order.coupon_lines.map((l) => l.code.toUpperCase()), [codes['r-5eur'].toUpperCase()], 'coupon_lines');
      const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(codes['r-5eur'])}`);
      eq(c.usage_count, 1, 'usage_count');
      eq(c.used_by, [EMAIL], 'used_by');
    });
    check('checkout: a second cart that applied r-5eur before is refused (409, usage limit)', async () => {
      ok(second, 'no second cart');
      const out = await second.checkout(EMAIL);
      eq(out.status, 409, `checkout (${out.text.slice(0, 300)})`);
      ok(/usage limit/i.test(out.json.message), `message: ${out.json.message}`);
      const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(codes['r-5eur'])}`);
      eq(c.usage_count, 1, 'usage_count');
    });
    check('cart: a new cart applying the used r-5eur is refused (usage limit)', async () => {
      const { applied } = await cartWith([s.P50], codes['r-5eur']);
      eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
      ok(/usage limit/i.test(applied.json.message), `message: ${applied.json.message}`);
    });
    check('checkout: r-shipping order has shipping 0.00 and the code; usage_count 1', async () => {
      ok(shippingCart, 'no free-shipping cart');
      const out = await shippingCart.checkout(EMAIL);
      eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
      const order = await shop.rest(`/orders/${out.json.order_id}`);
      eq([order.total, order.shipping_total, order.shipping_lines.map((l) => l.method_id)], ['30.00', '0.00', ['free_shipping']], 'total, shipping');
      const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(codes['r-shipping'])}`);
      eq(c.usage_count, 1, 'usage_count');
    });
    check('checkout: r-mug with the 50.00 product: an order of 0.00, usage_count 1', async () => {
      const { cart, applied } = await cartWith([s.P50], codes['r-mug']);
      applied200(applied);
      const out = await cart.checkout(EMAIL);
      eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
      const order = await shop.rest(`/orders/${out.json.order_id}`);
      eq([order.total, order.discount_total], ['0.00', '50.00'], 'order total, discount');
      const [c] = await shop.rest(`/coupons?code=${encodeURIComponent(codes['r-mug'])}`);
      eq(c.usage_count, 1, 'usage_count');
    });

    // ---------------------------------------------------------- replay
    check('replay: the same Idempotency-Key answers the same code; the shop has one coupon', async () => {
      const r = await redeem('r-10pct', `redeem-r-10pct-${s.run}`);
      eq(r.status, 200, `status (${r.text.slice(0, 200)})`);
      eq(r.json.coupon?.code, codes['r-10pct'], 'code');
      const list = await shop.rest(`/coupons?code=${encodeURIComponent(codes['r-10pct'])}`);
      eq(list.length, 1, 'coupons with this code');
      const all = await shop.rest('/coupons?per_page=100');
      eq(all.length, 4, 'coupons in the shop');
      const mine = await http(`${s.base}/v1/redemptions`, { headers: s.customer });
      eq(mine.status, 200, 'GET /v1/redemptions');
      const items = mine.json.items ?? mine.json.redemptions ?? mine.json;
      eq(Array.isArray(items) ? items.length : -1, 4, 'redemptions listed');
    });

    // ---------------------------------------------------------- the start-up check, at the end too
    check('the endpoint logged no start-up warning in the whole run', async () => {
      eq(warnings(s.endpoint.log).filter((m) => PREFLIGHT_ANY.test(m)), [], 'start-up warnings');
    });
  });
});
