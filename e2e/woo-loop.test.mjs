// The whole loop on a real WordPress 6.9 + WooCommerce 9.9.5 (issue #40, parts 2 and 3):
//
//   1. the plugin (integrations/wordpress/loyalty-widget.php) in real WordPress: installed and activated
//      through wp-admin with WP_DEBUG and WP_DEBUG_LOG on, the debug log stays empty for the whole run;
//      its settings page under WooCommerce -> Settings -> Loyalty (nonce, manage_woocommerce, sanitized
//      through the options API; the secret never printed back); a signed-in customer's "My account"
//      carries the widget with an HS256 token the plugin minted, which the endpoint accepts for that
//      WordPress user id; the [loyalty_widget] shortcode in a page; a guest gets the guest view (no token);
//      constants in wp-config.php win over the settings page.
//   2. WooCommerce's own order webhooks (order.created, order.updated) registered through its REST API,
//      delivered by its Action Scheduler (the harness has WP-cron off: the queue is run from here with
//      php + wp-load.php, ActionScheduler_QueueRunner::instance()->run()), signed with the endpoint's
//      WOOCOMMERCE_WEBHOOK_SECRET: an order paid (processing) by the signed-in customer earns pending
//      points, completed changes nothing and they count after the program's pending_days, a refund and a
//      cancellation take them back, a tampered body or a wrong secret is refused (401) and changes
//      nothing, a redelivery (WooCommerce's own, and the same body re-POSTed) changes nothing.
//
// Test-only pieces in the harness's own copy of the site (wp-content/mu-plugins), nothing in the plugin:
// WordPress's wp_safe_remote_request() only allows ports 80, 443 and 8080 (and the site's own port on
// the site's host), so the endpoint's port is added to `http_allowed_safe_ports`; every webhook delivery
// and ping is written to a file (the exact body, headers, answer) for the checks.
//
//   node --test e2e/woo-loop.test.mjs
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-loop-<checkout>), WC_HARNESS_DIR (default ../shared/woocommerce).
// The shop and the endpoints are always stopped (also on an error, Ctrl-C or SIGTERM).
import { after, before, describe } from 'node:test';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { startEndpoint } from './lib/fixture.mjs';
import { PLUGIN, checker, eq, ok, startWooEndpoint, useShop, waitFor, workDir } from './lib/woo.mjs';

const SUITE = 'woo-loop';

/** A browser: a cookie jar over fetch, redirects not followed. */
class Browser {
  constructor(base) { this.base = base; this.jar = new Map(); }
  cookie() { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  async req(path, { method = 'GET', headers = {}, form, json } = {}) {
    const h = { ...headers };
    if (this.jar.size) h.Cookie = this.cookie();
    let body;
    if (form) { h['Content-Type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(form).toString(); }
    if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
    const res = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, { method, headers: h, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (expired || value === '' || value === 'deleted') this.jar.delete(name); else this.jar.set(name, value);
    }
    const text = await res.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { /* HTML */ }
    return { status: res.status, headers: res.headers, text, json: parsed };
  }
  async login(user, password) {
    await this.req('/wp-login.php'); // the test cookie
    const r = await this.req('/wp-login.php', { method: 'POST', form: { log: user, pwd: password, 'wp-submit': 'Log In', testcookie: '1' } });
    ok(r.status === 302 && [...this.jar.keys()].some((k) => k.startsWith('wordpress_logged_in_')), `login ${user}: ${r.status}`);
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
/** The claims of an HS256 token whose signature matches `secret` (throws otherwise). */
function verifyJwt(token, secret) {
  const parts = token.split('.');
  eq(parts.length, 3, 'token parts');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
  eq(header, { alg: 'HS256', typ: 'JWT' }, 'token header');
  const mac = b64url(createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest());
  eq(parts[2], mac, 'token signature (HS256 with the secret)');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString());
}
/** The <loyalty-widget ...> elements of a page, as attribute maps. */
function widgets(html) {
  return [...html.matchAll(/<loyalty-widget\b([^>]*)>/g)].map((m) => Object.fromEntries(
    [...m[1].matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2].replace(/&amp;/g, '&').replace(/&#0?38;/g, '&')])));
}
const sign = (secret, body) => createHmac('sha256', secret).update(body).digest('base64');
const SETTINGS = '/wp-admin/admin.php?page=wc-settings&tab=loyalty';

describe('woo-loop: the plugin in real WordPress and WooCommerce\'s own order webhooks', { timeout: 900000 }, () => {
  const shop = useShop(SUITE);
  const s = {};
  const check = checker(() => shop.context(s.endpoint));
  const run = randomBytes(3).toString('hex');
  const deliveries = () => (existsSync(s.DELIVERIES) ? readFileSync(s.DELIVERIES, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const debugLog = () => (existsSync(s.DEBUG_LOG) ? readFileSync(s.DEBUG_LOG, 'utf8') : '');
  const option = (name) => shop.phpAsync(`echo get_option(${JSON.stringify(name)}, "");`);
  const settingsForm = async (browser) => {
    const page = await browser.req(SETTINGS);
    const nonce = /name="_wpnonce" value="([^"]+)"/.exec(page.text)?.[1];
    return { page, nonce };
  };

  before(async () => {
    s.work = workDir(SUITE);
    s.SITE = shop.site;
    s.DEBUG_LOG = join(shop.state, 'wp-debug.log');
    s.DELIVERIES = join(s.work, 'deliveries.jsonl');
    s.P20 = Number(shop.env.WC_PRODUCT_ID);
    s.P50 = Number(shop.env.WC_PRODUCT_ID_50);

    // ------------------------------------------------------------ the endpoint
    s.secrets = {
      LOYALTY_SECRET: randomBytes(24).toString('hex'),
      LOYALTY_ADMIN_KEY: randomBytes(24).toString('hex'),
      WOOCOMMERCE_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    };
    s.endpoint = await startWooEndpoint(shop, { name: `${SUITE}-endpoint`, env: s.secrets, exitAfter: 600 });
    s.EP = s.endpoint.url;
    s.EP_PORT = Number(new URL(s.EP).port);
    s.WIDGET_SRC = `${s.EP}/widget/loyalty-widget.js`;
    shop.say(`endpoint at ${s.EP}`);

    // ------------------------------------------------------------ test-only mu-plugin in the harness's site
    mkdirSync(join(s.SITE, 'wp-content/mu-plugins'), { recursive: true });
    writeFileSync(join(s.SITE, 'wp-content/mu-plugins/loyalty-woo-loop.php'), `<?php
// Written by e2e/woo-loop.test.mjs into the harness's copy of the site; not part of the plugin.
// wp_safe_remote_request() allows ports 80, 443 and 8080 only: the test endpoint's port too.
add_filter( 'http_allowed_safe_ports', function ( $ports ) { $ports[] = ${s.EP_PORT}; return $ports; } );
// Every webhook delivery and ping as sent and answered, for the checks.
function loyalty_woo_loop_record( $record ) {
	file_put_contents( ${JSON.stringify(s.DELIVERIES)}, wp_json_encode( $record ) . "\\n", FILE_APPEND | LOCK_EX );
}
add_action( 'woocommerce_webhook_delivery', function ( $args, $response, $duration, $arg, $id ) {
	loyalty_woo_loop_record( array(
		'webhook' => (int) $id, 'arg' => $arg, 'headers' => $args['headers'], 'body' => $args['body'],
		'code' => is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response ),
		'answer' => is_wp_error( $response ) ? '' : wp_remote_retrieve_body( $response ),
	) );
}, 10, 5 );
add_action( 'http_api_debug', function ( $response, $context, $class, $args, $url ) {
	if ( isset( $args['body'] ) && is_string( $args['body'] ) && 0 === strpos( $args['body'], 'webhook_id=' ) ) {
		loyalty_woo_loop_record( array(
			'ping' => $args['body'], 'headers' => isset( $args['headers'] ) ? $args['headers'] : array(),
			'code' => is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response ),
		) );
	}
}, 10, 5 );
`);
    // ------------------------------------------------------------ 1. the plugin into the real site
    mkdirSync(join(s.SITE, 'wp-content/plugins/loyalty-widget'), { recursive: true });
    copyFileSync(PLUGIN, join(s.SITE, 'wp-content/plugins/loyalty-widget/loyalty-widget.php'));
    // A site that has asked WordPress.org for updates lately (as every live site has): otherwise each
    // wp-admin page asks again, offline here, and WordPress logs "wp_version_check(): An unexpected error
    // occurred" warnings into the debug log that have nothing to do with the plugin.
    shop.php(`
      require_once ABSPATH . "wp-admin/includes/plugin.php";
      $p = new stdClass; $p->last_checked = time(); $p->response = array(); $p->no_update = array(); $p->translations = array();
      $p->checked = array_map(function ($d) { return $d["Version"]; }, get_plugins());
      set_site_transient("update_plugins", $p);
      $t = new stdClass; $t->last_checked = time(); $t->response = array(); $t->no_update = array(); $t->translations = array();
      $t->checked = array_map(function ($th) { return $th->get("Version"); }, wp_get_themes());
      set_site_transient("update_themes", $t);
      $c = new stdClass; $c->last_checked = time(); $c->updates = array(); $c->version_checked = get_bloginfo("version"); $c->translations = array();
      set_site_transient("update_core", $c);`);

    writeFileSync(s.DEBUG_LOG, ''); // what up.sh's install wrote (WooCommerce's own notices) is not ours
    s.wpConfig = readFileSync(join(s.SITE, 'wp-config.php'), 'utf8');
    s.admin = new Browser(shop.url);
    await s.admin.login(shop.env.WC_ADMIN_USER, shop.env.WC_ADMIN_PASSWORD);
    // WooCommerce sends the first wp-admin visit after its installation to its setup screen (once).
    const first = await s.admin.req('/wp-admin/');
    shop.say(`first wp-admin visit: ${first.status} ${first.headers.get('location') || ''}`);
  }, { timeout: 120000 });

  after(() => {
    if (s.DELIVERIES) shop.say(`pings seen in the run: ${JSON.stringify([...new Set(deliveries().filter((d) => d.ping).map((d) => `${d.code} ${'X-WC-Webhook-Signature' in (d.headers || {}) ? 'signed' : 'unsigned'}`))])}`);
  });

  check('the harness runs with WP_DEBUG and WP_DEBUG_LOG on', async () => {
    ok(/define\( 'WP_DEBUG', true \)/.test(s.wpConfig), 'WP_DEBUG');
    ok(/define\( 'WP_DEBUG_LOG', '[^']+' \)/.test(s.wpConfig), 'WP_DEBUG_LOG');
    eq(await shop.phpAsync('echo WP_DEBUG ? "on" : "off", " ", WP_DEBUG_LOG;'), `on ${s.DEBUG_LOG}`, 'in WordPress');
  });
  check('installed: wp-admin lists it; activated through its "Activate" link', async () => {
    const list = await s.admin.req('/wp-admin/plugins.php');
    eq(list.status, 200, 'plugins.php');
    const link = /href="(plugins\.php\?action=activate&amp;plugin=loyalty-widget%2Floyalty-widget\.php[^"]*)"/.exec(list.text);
    ok(link, 'no Activate link for loyalty-widget');
    const r = await s.admin.req(`/wp-admin/${link[1].replace(/&amp;/g, '&')}`);
    eq([r.status, /activate=true/.test(r.headers.get('location') || '')], [302, true], 'activation redirect');
    eq(JSON.parse(await shop.phpAsync('echo json_encode(get_option("active_plugins"));')).includes('loyalty-widget/loyalty-widget.php'), true, 'active_plugins');
    const listed = await s.admin.req('/wp-admin/plugins.php');
    ok(/page=wc-settings&(amp;|#038;)tab=loyalty/.test(listed.text), 'no Settings link beside Deactivate');
    eq(debugLog(), '', 'wp-debug.log after activation');
  });

  // -------------------------------------------------------------- settings page
  check('settings: WooCommerce -> Settings shows a Loyalty tab with the three fields; the secret is empty', async () => {
    const { page, nonce } = await settingsForm(s.admin);
    eq(page.status, 200, 'settings page');
    ok(/<a href="[^"]*page=wc-settings&amp;tab=loyalty" class="nav-tab[^"]*">Loyalty</.test(page.text), 'no Loyalty tab among WooCommerce settings tabs');
    for (const f of ['loyalty_widget_endpoint', 'loyalty_widget_widget_src', 'loyalty_widget_secret']) ok(page.text.includes(`name="${f}"`), `no field ${f}`);
    ok(nonce, 'no nonce in the form');
  });
  check('settings: the owner saves endpoint, widget URL and secret (nonce); stored through the options API', async () => {
    const { nonce } = await settingsForm(s.admin);
    const r = await s.admin.req(SETTINGS, { method: 'POST', form: { _wpnonce: nonce, _wp_http_referer: SETTINGS, save: 'Save changes', loyalty_widget_endpoint: s.EP, loyalty_widget_widget_src: s.WIDGET_SRC, loyalty_widget_secret: s.secrets.LOYALTY_SECRET } });
    ok([200, 302].includes(r.status), `save: ${r.status}`);
    eq([await option('loyalty_widget_endpoint'), await option('loyalty_widget_widget_src'), await option('loyalty_widget_secret')], [s.EP, s.WIDGET_SRC, s.secrets.LOYALTY_SECRET], 'options');
    const { page } = await settingsForm(s.admin);
    ok(!page.text.includes(s.secrets.LOYALTY_SECRET), 'the secret is printed back into the page');
    ok(page.text.includes(`value="${s.EP}"`), 'the endpoint is not shown');
  });
  check('settings: an empty secret keeps it; invalid values are refused with a message and leave the options as they were', async () => {
    const { nonce } = await settingsForm(s.admin);
    const r = await s.admin.req(SETTINGS, { method: 'POST', form: { _wpnonce: nonce, save: 'Save changes', loyalty_widget_endpoint: 'javascript:alert(1)', loyalty_widget_widget_src: 'http://cdn.example.com/w.js', loyalty_widget_secret: '' } });
    ok([200, 302].includes(r.status), `save: ${r.status}`);
    ok(/is not an https address/.test(r.text), 'no message for the refused address');
    eq([await option('loyalty_widget_endpoint'), await option('loyalty_widget_widget_src'), await option('loyalty_widget_secret')], [s.EP, s.WIDGET_SRC, s.secrets.LOYALTY_SECRET], 'options');
    const short = await s.admin.req(SETTINGS, { method: 'POST', form: { _wpnonce: nonce, save: 'Save changes', loyalty_widget_secret: 'too-short' } });
    ok(/The secret was not changed/.test(short.text), 'no message for the short secret');
    eq(await option('loyalty_widget_secret'), s.secrets.LOYALTY_SECRET, 'secret');
    // update_option() from any code goes through the same sanitizing.
    eq(await shop.phpAsync('update_option("loyalty_widget_endpoint", "ftp://x.example"); echo get_option("loyalty_widget_endpoint");'), s.EP, 'update_option with a bad URL');
  });
  check('settings: without the nonce, or with a forged one, nothing is saved', async () => {
    for (const form of [{ save: 'Save changes', loyalty_widget_endpoint: 'https://evil.example' }, { _wpnonce: 'abcdef0123', save: 'Save changes', loyalty_widget_endpoint: 'https://evil.example' }]) {
      const r = await s.admin.req(SETTINGS, { method: 'POST', form });
      eq(r.status, 403, `POST ${form._wpnonce ? 'forged' : 'no'} nonce`);
    }
    eq(await option('loyalty_widget_endpoint'), s.EP, 'endpoint option');
  });
  check('settings: a signed-in customer (no manage_woocommerce) with a valid nonce of their own saves nothing (403)', async () => {
    const c = await shop.rest('/customers', { method: 'POST', body: { email: `eve-${run}@example.com`, username: `eve${run}`, password: `pw-${run}-eve-secret`, first_name: 'Eve' } });
    const eve = new Browser(shop.url);
    await eve.login(`eve${run}`, `pw-${run}-eve-secret`);
    // The nonce WordPress would give Eve's session for that action (made here, in PHP, from her cookie).
    const [name, value] = [...eve.jar].find(([k]) => k.startsWith('wordpress_logged_in_'));
    const nonce = await shop.phpAsync(`$_COOKIE[${JSON.stringify(name)}] = urldecode(${JSON.stringify(value)}); wp_set_current_user(${c.id}); echo wp_create_nonce("woocommerce-settings");`);
    const r = await eve.req(SETTINGS, { method: 'POST', form: { _wpnonce: nonce, save: 'Save changes', loyalty_widget_endpoint: 'https://evil.example' } });
    eq([r.status, /Sorry, you are not allowed to change these settings\./.test(r.text)], [403, true], 'save as a customer: refused by the capability check (not for the nonce)');
    eq(await option('loyalty_widget_endpoint'), s.EP, 'endpoint option');
  });

  // -------------------------------------------------------------- webhooks through WooCommerce's REST API
  const hooks = {};
  check('webhooks: order.created and order.updated registered through POST /wc/v3/webhooks (active, the endpoint\'s secret)', async () => {
    for (const topic of ['order.created', 'order.updated']) {
      const w = await shop.rest('/webhooks', { method: 'POST', body: { name: `Loyalty ${topic}`, topic, delivery_url: `${s.EP}/webhooks/woocommerce`, secret: s.secrets.WOOCOMMERCE_WEBHOOK_SECRET, status: 'active' } });
      eq([w.topic, w.status, w.delivery_url], [topic, 'active', `${s.EP}/webhooks/woocommerce`], topic);
      hooks[topic] = w.id;
    }
    // One more with a wrong secret: what it delivers must be refused.
    hooks.wrong = (await shop.rest('/webhooks', { method: 'POST', body: { name: 'Loyalty, wrong secret', topic: 'order.updated', delivery_url: `${s.EP}/webhooks/woocommerce`, secret: 'not-the-endpoint-secret-0123456789', status: 'active' } })).id;
    const pings = deliveries().filter((d) => d.ping);
    shop.say(`WooCommerce's pings on creating the webhooks: ${JSON.stringify(pings.map((p) => [p.ping, p.code, Object.keys(p.headers)]))}`);
  });

  describe('the customer, signed in, pays orders: WooCommerce delivers, the endpoint counts', () => {
    const USER = `mira${run}`;
    const PASS = `pw-${run}-mira-secret`;
    const EMAIL = `mira-${run}@example.com`;
    const ADDR = { first_name: 'Mira', last_name: 'Vogel', address_1: '1 Main St', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US' };
    let storeNonce = '';
    const store = async (path, json) => {
      if (!storeNonce) storeNonce = (await s.shopper.req('/wp-json/wc/store/v1/cart')).headers.get('nonce');
      return s.shopper.req(`/wp-json/wc/store/v1${path}`, { method: 'POST', headers: { Nonce: storeNonce }, json });
    };
    /** Places and pays (cash on delivery: processing) an order of one product as the signed-in customer. */
    const placeOrder = async (product) => {
      const add = await store('/cart/add-item', { id: product, quantity: 1 });
      eq(add.status, 201, `add-item ${add.text.slice(0, 200)}`);
      const out = await store('/checkout', { billing_address: { ...ADDR, email: EMAIL }, shipping_address: ADDR, payment_method: 'cod' });
      eq([out.status, out.json?.status, String(out.json?.customer_id)], [200, 'processing', s.MIRA], `checkout ${out.text.slice(0, 200)}`);
      return out.json.order_id;
    };
    const tokenFor = (sub, secret = s.secrets.LOYALTY_SECRET) => {
      const now = Math.floor(Date.now() / 1000);
      const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
      const body = b64url(JSON.stringify({ sub, iat: now, exp: now + 600 }));
      return `${head}.${body}.${b64url(createHmac('sha256', secret).update(`${head}.${body}`).digest())}`;
    };
    const customerView = async (token = tokenFor(s.MIRA)) => {
      const r = await fetch(`${s.EP}/v1/customer`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: r.status, json: await r.json() };
    };
    const points = async () => (await customerView()).json.points;

    before(async () => {
      const mira = await shop.rest('/customers', { method: 'POST', body: { email: EMAIL, username: USER, password: PASS, first_name: 'Mira' } });
      s.MIRA = String(mira.id);
      s.shopper = new Browser(shop.url);
      await s.shopper.login(USER, PASS);
    });

    let orderA = 0;
    let paidDelivery = null;
    let pendingUntil = '';
    check('an order placed and paid (processing) by the signed-in customer: WooCommerce delivers, the customer has 50 pending points', async () => {
      const before = deliveries().length;
      orderA = await placeOrder(s.P50);
      const ran = await shop.runQueue();
      const mine = deliveries().slice(before).filter((d) => !d.ping && d.arg === orderA);
      shop.say(`queue ran ${ran} actions; deliveries for order ${orderA}: ${JSON.stringify(mine.map((d) => [d.headers['X-WC-Webhook-Topic'], d.webhook, d.code, d.answer.slice(0, 90)]))}`);
      const good = mine.filter((d) => d.webhook !== hooks.wrong);
      eq(good.map((d) => d.code).sort(), [200, 200], 'order.created and order.updated delivered, answered 200');
      paidDelivery = good.find((d) => JSON.parse(d.answer).applied);
      ok(paidDelivery, 'no delivery recorded the order');
      eq(JSON.parse(paidDelivery.body).status, 'processing', 'status in the body');
      eq(good.filter((d) => JSON.parse(d.answer).applied).length, 1, 'recorded once');
      pendingUntil = JSON.parse(paidDelivery.answer).orders[0].pending_until;
      const p = await points();
      eq([p.pending, p.approved], [50, 100], 'pending (50.00 at Bronze 1 point per unit), approved (the welcome bonus)');
    });
    check('a webhook with a wrong secret, delivered by WooCommerce: refused 401', async () => {
      const wrong = deliveries().filter((d) => d.webhook === hooks.wrong);
      ok(wrong.length >= 1, 'nothing delivered');
      eq([...new Set(wrong.map((d) => d.code))], [401], 'answers');
      await shop.rest(`/webhooks/${hooks.wrong}?force=true`, { method: 'DELETE' });
    });

    // ------------------------------------------------------------ My account, shortcode, guest view
    describe('My account, the shortcode, a guest', () => {
      before(async () => {
        const made = await shop.wp('/pages', { method: 'POST', body: { title: 'Loyalty club', status: 'publish', content: '<!-- wp:shortcode -->[loyalty_widget mode="launcher"]<!-- /wp:shortcode -->' } });
        ok(made.status === 201, `page: ${made.status} ${made.text.slice(0, 200)}`);
        s.CLUB = new URL(made.json.link).pathname;
      });
      check('My account (signed in): the widget with the endpoint, the widget script and an HS256 token for the WordPress user id', async () => {
        const r = await s.shopper.req('/my-account/');
        eq(r.status, 200, 'my-account');
        const [w, more] = widgets(r.text);
        ok(w && !more, `expected one <loyalty-widget>, got ${widgets(r.text).length}`);
        eq(w.endpoint, s.EP, 'endpoint attribute');
        ok(r.text.includes(`<script async src="${s.WIDGET_SRC}"></script>`), 'no script tag with the widget source');
        const claims = verifyJwt(w.token, s.secrets.LOYALTY_SECRET);
        eq([claims.sub, claims.exp - claims.iat], [s.MIRA, 900], 'sub, lifetime');
        ok(Math.abs(claims.iat - Date.now() / 1000) < 60, 'iat is now');
        const seen = await customerView(w.token);
        eq([seen.status, seen.json.first_name, seen.json.points?.pending], [200, 'Mira', 50], 'GET /v1/customer with it');
      });
      check('the token of a signed-in user without orders: accepted by the endpoint, which signs them up on first look (a member with the welcome bonus, not an error); a tampered one: 401', async () => {
        const other = await shop.rest('/customers', { method: 'POST', body: { email: `ben-${run}@example.com`, username: `ben${run}`, password: PASS, first_name: 'Ben' } });
        const ben = new Browser(shop.url);
        await ben.login(`ben${run}`, PASS);
        const [w] = widgets((await ben.req('/my-account/')).text);
        eq(verifyJwt(w.token, s.secrets.LOYALTY_SECRET).sub, String(other.id), 'sub');
        const seen = await customerView(w.token);
        eq([seen.status, seen.json.state, seen.json.first_name ?? null, seen.json.points?.approved], [200, 'member', null, 100], 'GET /v1/customer');
        const [h, p, sig] = w.token.split('.');
        const forged = `${h}.${b64url(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), sub: s.MIRA }))}.${sig}`;
        eq((await customerView(forged)).status, 401, 'forged sub');
      });
      check('the [loyalty_widget] shortcode in a page: a token for the signed-in customer, the launcher mode', async () => {
        const r = await s.shopper.req(s.CLUB);
        eq(r.status, 200, s.CLUB);
        const [w] = widgets(r.text);
        ok(w, 'no widget');
        eq([w.mode, verifyJwt(w.token, s.secrets.LOYALTY_SECRET).sub], ['launcher', s.MIRA], 'mode, sub');
      });
      check('a guest: the guest view (the widget without a token, a sign-in link); My account shows the login form', async () => {
        const guest = new Browser(shop.url);
        const [w] = widgets((await guest.req(s.CLUB)).text);
        ok(w, 'no widget for a guest');
        eq([w.token, w.endpoint, new URL(w['signin-url']).pathname], [undefined, s.EP, '/my-account/'], 'token, endpoint, signin-url');
        const account = await guest.req('/my-account/');
        eq([account.status, widgets(account.text).length, /name="username"/.test(account.text)], [200, 0, true], 'guest my-account');
      });
    });

    // ------------------------------------------------------------ completed, refunds, cancellation
    const lastFor = (order, from) => deliveries().slice(from).filter((d) => !d.ping && d.arg === order);
    describe('completed, refunded, cancelled', () => {
      check('the order marked completed: delivered, changes nothing (the points stay pending for the return window)', async () => {
        const from = deliveries().length;
        await shop.rest(`/orders/${orderA}`, { method: 'PUT', body: { status: 'completed' } });
        await shop.runQueue();
        const got = lastFor(orderA, from);
        eq(got.map((d) => [JSON.parse(d.body).status, d.code, JSON.parse(d.answer).applied]), [['completed', 200, false]], 'deliveries');
        eq(JSON.parse(got[0].answer).orders[0].pending_until, pendingUntil, 'pending_until');
        const p = await points();
        eq([p.pending, p.approved], [50, 100], 'points');
      });
      let orderB = 0;
      check('a second order (20.00) paid: 20 more pending; a partial refund (REST, 5.00) takes back 5', async () => {
        orderB = await placeOrder(s.P20);
        await shop.runQueue();
        eq((await points()).pending, 70, 'pending after the order');
        const from = deliveries().length;
        const refund = await shop.rest(`/orders/${orderB}/refunds`, { method: 'POST', body: { amount: '5.00', reason: 'one cup broken', api_refund: false } });
        ok(refund.id, 'no refund id');
        await shop.runQueue();
        const got = lastFor(orderB, from);
        shop.say(`deliveries after the partial refund: ${JSON.stringify(got.map((d) => [d.headers['X-WC-Webhook-Topic'], JSON.parse(d.body).status, JSON.parse(d.body).refunds, d.code]))}`);
        eq(got.map((d) => d.code), [200], 'one delivery (order.updated), 200');
        eq((await points()).pending, 65, 'pending after the partial refund');
      });
      check('the rest refunded (REST, 15.00: WooCommerce sets the order refunded): the order\'s points are all back', async () => {
        const from = deliveries().length;
        await shop.rest(`/orders/${orderB}/refunds`, { method: 'POST', body: { amount: '15.00', api_refund: false } });
        await shop.runQueue();
        const got = lastFor(orderB, from);
        eq(got.map((d) => [JSON.parse(d.body).status, d.code]), [['refunded', 200]], 'deliveries');
        eq((await points()).pending, 50, 'pending');
      });
      check('a third order (20.00) paid, then cancelled (REST): the points are back', async () => {
        const orderC = await placeOrder(s.P20);
        await shop.runQueue();
        eq((await points()).pending, 70, 'pending after the order');
        const from = deliveries().length;
        await shop.rest(`/orders/${orderC}`, { method: 'PUT', body: { status: 'cancelled' } });
        await shop.runQueue();
        eq(lastFor(orderC, from).map((d) => [JSON.parse(d.body).status, d.code, JSON.parse(d.answer).applied]), [['cancelled', 200, true]], 'deliveries');
        eq((await points()).pending, 50, 'pending');
      });
    });

    // ------------------------------------------------------------ forged, tampered, redelivered
    describe('forged, tampered, redelivered', () => {
      const deliver = (body, signature, topic = 'order.updated') => fetch(`${s.EP}/webhooks/woocommerce`, {
        method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-WC-Webhook-Topic': topic, 'X-WC-Webhook-Signature': signature, 'X-WC-Webhook-Source': `${shop.url}/` },
      });
      const ledger = async () => JSON.stringify([await points(), (await (await fetch(`${s.EP}/v1/activity?lang=en`, { headers: { Authorization: `Bearer ${tokenFor(s.MIRA)}` } })).json())]);
      check('the paid delivery re-POSTed with its real signature: 200, nothing changes', async () => {
        ok(paidDelivery, 'no paid delivery recorded');
        const before = await ledger();
        const sig = paidDelivery.headers['X-WC-Webhook-Signature'];
        eq(sig, sign(s.secrets.WOOCOMMERCE_WEBHOOK_SECRET, paidDelivery.body), 'WooCommerce signed the raw body with the secret');
        const r = await deliver(paidDelivery.body, sig, paidDelivery.headers['X-WC-Webhook-Topic']);
        const out = await r.json();
        eq([r.status, out.applied, out.orders?.[0]?.replayed], [200, false, true], 'answer');
        eq(await ledger(), before, 'points and history');
      });
      check('a tampered body (total 5000.00) with the real signature, and a body signed with a wrong secret: 401, nothing changes', async () => {
        ok(paidDelivery, 'no paid delivery recorded');
        const before = await ledger();
        const tampered = paidDelivery.body.replace(/"total":"50\.00"/, '"total":"5000.00"').replace(/"id":\d+/, '"id":999999');
        ok(tampered !== paidDelivery.body, 'nothing tampered');
        const r1 = await deliver(tampered, paidDelivery.headers['X-WC-Webhook-Signature']);
        const r2 = await deliver(tampered, sign('a-wrong-secret-a-wrong-secret-0000', tampered));
        const r3 = await deliver(paidDelivery.body, '');
        eq([r1.status, r2.status, r3.status], [401, 401, 401], 'answers');
        eq(await ledger(), before, 'points and history');
      });
      check('WooCommerce\'s own redelivery (its woocommerce_deliver_webhook_async action run again): 200, nothing changes', async () => {
        const before = await ledger();
        const from = deliveries().length;
        await shop.phpAsync(`do_action("woocommerce_deliver_webhook_async", ${hooks['order.updated']}, ${orderA});`);
        const got = deliveries().slice(from).filter((d) => !d.ping);
        eq(got.map((d) => [d.arg, d.code, JSON.parse(d.answer).applied]), [[orderA, 200, false]], 'deliveries');
        eq(await ledger(), before, 'points and history');
      });
    });

    // ------------------------------------------------------------ constants in wp-config.php win
    /** The widget My account shows the signed-in customer, once its endpoint attribute is `endpoint`. */
    const myAccountWith = (endpoint, why) => waitFor(async () => {
      const [w] = widgets((await s.shopper.req('/my-account/')).text);
      return w?.endpoint === endpoint ? w : null;
    }, { what: `My account to show the endpoint ${endpoint} (${why}; PHP's built-in server keeps compiled files in opcache and looks at their time stamps every 2 s)`, every: 200 });
    check('constants in wp-config.php win over the settings page (token, endpoint, the fields read-only and not saved)', async () => {
      const SECRET2 = randomBytes(24).toString('hex');
      const LOCAL_EP = `http://localhost:${s.EP_PORT}`;
      const withConstants = s.wpConfig.replace("require_once ABSPATH . 'wp-settings.php';",
        `define( 'LOYALTY_SECRET', '${SECRET2}' );\ndefine( 'LOYALTY_ENDPOINT', '${LOCAL_EP}' );\nrequire_once ABSPATH . 'wp-settings.php';`);
      ok(withConstants !== s.wpConfig, 'wp-config.php has no wp-settings.php line');
      writeFileSync(join(s.SITE, 'wp-config.php'), withConstants);
      try {
        // Served with the new wp-config.php: the page shows the constant's endpoint.
        await myAccountWith(LOCAL_EP, 'the constants written');
        const [w] = widgets((await s.shopper.req('/my-account/')).text);
        eq(w.endpoint, LOCAL_EP, 'endpoint attribute');
        eq(verifyJwt(w.token, SECRET2).sub, s.MIRA, 'token signed with the constant');
        eq((await customerView(w.token)).status, 401, 'the endpoint (other secret) refuses it');
        const { page, nonce } = await settingsForm(s.admin);
        ok(/Set in wp-config\.php \(LOYALTY_ENDPOINT\)/.test(page.text) && /Set in wp-config\.php \(LOYALTY_SECRET\)/.test(page.text), 'no note on the fixed fields');
        ok(/name="loyalty_widget_endpoint"[^>]*disabled/.test(page.text.replace(/\s+/g, ' ')), 'endpoint field not read-only');
        ok(!page.text.includes(SECRET2), 'the constant secret is printed');
        await s.admin.req(SETTINGS, { method: 'POST', form: { _wpnonce: nonce, save: 'Save changes', loyalty_widget_endpoint: 'https://other.example', loyalty_widget_secret: 'x'.repeat(40) } });
        eq([await option('loyalty_widget_endpoint'), await option('loyalty_widget_secret')], [s.EP, s.secrets.LOYALTY_SECRET], 'options untouched');
      } finally {
        writeFileSync(join(s.SITE, 'wp-config.php'), s.wpConfig);
        // Served with the restored file again (the assertions below say so if it never is).
        await myAccountWith(s.EP, 'wp-config.php restored').catch(() => {});
      }
      const [w] = widgets((await s.shopper.req('/my-account/')).text);
      eq([w.endpoint, verifyJwt(w.token, s.secrets.LOYALTY_SECRET).sub], [s.EP, s.MIRA], 'back to the settings page\'s values');
    });

    // ------------------------------------------------------------ the return window: pending_days
    check('the program\'s pending_days: the 50 points of the completed order count from pending_until on, not before', async () => {
      await s.endpoint.stop();
      const day = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
      const seen = [];
      for (const today of [day(pendingUntil, -1), pendingUntil]) {
        // The same database, the day pinned; no shop connection needed for reading the balance.
        const e = await startEndpoint({
          name: `${SUITE}-endpoint-${today}`, db: s.endpoint.db, today, exitAfter: 600,
          env: { LOYALTY_SECRET: s.secrets.LOYALTY_SECRET, LOYALTY_ADMIN_KEY: s.secrets.LOYALTY_ADMIN_KEY, LOYALTY_LOG: 'info', LOYALTY_LOG_FORMAT: 'json' },
        });
        try {
          const r = await fetch(`${e.url}/v1/customer`, { headers: { Authorization: `Bearer ${tokenFor(s.MIRA)}` } });
          const p = (await r.json()).points;
          seen.push([today, p.pending, p.approved]);
        } finally {
          await e.stop();
        }
      }
      eq(seen, [[day(pendingUntil, -1), 50, 100], [pendingUntil, 0, 150]], '[day, pending, approved]');
    });
  });

  check('the debug log stayed empty (no PHP warning, notice or deprecation) through activation, settings, pages and queue runs', async () => {
    eq(debugLog(), '', 'wp-debug.log');
    eq(existsSync(join(shop.state, 'php-error.log')) ? readFileSync(join(shop.state, 'php-error.log'), 'utf8') : '', '', 'php-error.log');
  });
});
