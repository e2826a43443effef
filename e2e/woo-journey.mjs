#!/usr/bin/env node
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
//      rewards" says the code was used on that order, and the new order's points are pending.
//   5. Chromium only: screenshots of My account (the widget) and of the cart with the code applied, at
//      360 and 1280 px wide: target/woo-shots/woo-{my-account,cart}-{360,1280}.png (WOO_SHOTS=docs/screenshots
//      writes the README's copies).
//
// Set up from here, as woo-loop.mjs does: the harness (/work/shared/woocommerce/up.sh) in its own state
// folder, the shop switched to EUR; the endpoint (target/debug/loyalty-endpoint) serving the release
// build in dist/ (the widget's script is <endpoint>/widget/loyalty-widget.js) and allowing the shop's
// origin; the plugin copied into the site, activated and set up (endpoint, widget source, secret);
// WooCommerce's order webhooks registered through its REST API; a customer per browser made through
// POST /wc/v3/customers with a password. Test-only, in the harness's copy of the site
// (wp-content/mu-plugins), nothing in the plugin: the endpoint's port is allowed for webhook delivery
// (wp_safe_remote_request allows 80, 443, 8080 only); and the harness's https pretence is taken back
// for requests without HTTP auth: the harness tells WordPress every request came over https (so that
// WooCommerce takes consumer keys as Basic auth), which makes every page link its scripts and styles
// as https://127.0.0.1:PORT/..., where nothing answers, and a real browser gets a shop without its
// JavaScript (no block checkout at all). Browsers send no Authorization header, the REST calls from
// here always do: the former see plain http, as it is.
//
//   node e2e/woo-journey.mjs [chromium] [firefox]      (both by default, in that order)
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-journey), WC_HARNESS_DIR (default
// /work/shared/woocommerce), LOYALTY_BIN (default target/debug/loyalty-endpoint), JOURNEY_SHOTS=0 to
// skip the screenshots. Prints one line per check, then "N passed, M failed" and the time taken (and
// the time per browser); exits 1 on a failure. The harness, the endpoint and the browser are always
// stopped (also on an error, Ctrl-C or SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, openSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { launch } from './states.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HARNESS = process.env.WC_HARNESS_DIR || '/work/shared/woocommerce';
const STATE = process.env.WC_HARNESS_STATE || '/tmp/loyalty-woo-journey';
const BIN = process.env.LOYALTY_BIN || join(ROOT, 'target/debug/loyalty-endpoint');
const PLUGIN = join(ROOT, 'integrations/wordpress/loyalty-widget.php');
const DIST = join(ROOT, 'dist');
// Into target/ by default; WOO_SHOTS=docs/screenshots refreshes the README's copies.
const SHOTS = resolve(ROOT, process.env.WOO_SHOTS || 'target/woo-shots');
const BROWSERS = process.argv.slice(2).length ? process.argv.slice(2) : ['chromium', 'firefox'];
const harnessEnv = { ...process.env, WC_HARNESS_STATE: STATE };
const t0 = Date.now();
const say = (m) => process.stderr.write(`[woo-journey ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ processes
let upChild = null;
let harnessStarted = false;
let endpoint = null;
let browser = null;
let work = null;
function cleanup() {
	if (browser) { const b = browser; browser = null; b.process()?.kill('SIGKILL'); }
	if (endpoint && endpoint.exitCode === null && endpoint.signalCode === null) endpoint.kill('SIGTERM');
	endpoint = null;
	if (upChild && upChild.exitCode === null) upChild.kill('SIGTERM');
	if (harnessStarted) {
		harnessStarted = false;
		const r = spawnSync(join(HARNESS, 'down.sh'), process.env.WOO_KEEP_STATE ? [] : ['--purge'], { env: harnessEnv, encoding: 'utf8' });
		say(`down.sh: ${(r.stdout + r.stderr).trim().replace(/\n/g, '; ')}`);
	}
	if (work) { rmSync(work, { recursive: true, force: true }); work = null; }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { say(`${sig}: stopping`); cleanup(); process.exit(130); });

function readEnv(file) {
	const out = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z_0-9]+)='(.*)'$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

async function startHarness() {
	say(`starting WooCommerce (${HARNESS}/up.sh, state ${STATE})`);
	upChild = spawn(join(HARNESS, 'up.sh'), { env: harnessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	upChild.stdout.on('data', (d) => { out += d; });
	upChild.stderr.on('data', (d) => { out += d; });
	harnessStarted = true; // up.sh may have started MariaDB before it fails: down.sh then stops it
	const code = await new Promise((res) => upChild.once('exit', (c) => res(c)));
	upChild = null;
	if (code !== 0) {
		if (/already running/.test(out)) harnessStarted = false; // someone else's: not ours to stop
		throw new Error(`up.sh failed (${code}):\n${out}`);
	}
	return readEnv(join(STATE, 'env'));
}

async function startEndpoint(db, env, extra) {
	const portFile = join(work, 'endpoint.port');
	const logFile = join(work, 'endpoint.log');
	const log = openSync(logFile, 'w');
	endpoint = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--port-file', portFile, '--db', db, '--exit-after', '900', ...extra], {
		env: { ...process.env, LOYALTY_LOG: 'info', LOYALTY_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', log, log],
	});
	for (let i = 0; i < 300; i++) {
		if (endpoint.exitCode !== null) throw new Error(`endpoint exited: ${readFileSync(logFile, 'utf8')}`);
		if (existsSync(portFile) && readFileSync(portFile, 'utf8').trim()) {
			const base = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
			try { if ((await fetch(`${base}/readyz`)).ok) return base; } catch { /* not yet */ }
		}
		await sleep(100);
	}
	throw new Error('endpoint did not come up');
}

// ------------------------------------------------------------------ checks
let passed = 0;
let failed = 0;
async function check(name, fn) {
	try {
		await fn();
		passed += 1;
		console.log(`  ok    ${name}`);
		return true;
	} catch (err) {
		failed += 1;
		console.log(`  FAIL  ${name}: ${String(err.message).split('\n').slice(0, 4).join(' | ')}`);
		return false;
	}
}
function eq(actual, expected, what = '') {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	if (a !== e) throw new Error(`${what ? `${what}: ` : ''}expected ${e}, got ${a}`);
}
function ok(cond, what) { if (!cond) throw new Error(what); }

// ------------------------------------------------------------------ the widget in a page
const inWidget = (page, fn, arg) => page.evaluate((source, a) => {
	const root = document.querySelector('loyalty-widget')?.shadowRoot;
	if (!root) return null;
	// eslint-disable-next-line no-new-func
	return new Function('root', 'arg', `return (${source})(root, arg)`)(root, a);
}, fn.toString(), arg ?? null);
const waitInWidget = (page, selector, timeout = 20000) => page.waitForFunction(
	(sel) => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector(sel), { timeout }, selector);
const widgetText = (page, selector) => inWidget(page, (root, s) => root.querySelector(s)?.textContent.trim() ?? null, selector);
/** Waits until the widget's element's text matches (a RegExp source), returns the text. */
async function waitWidgetText(page, selector, pattern, timeout = 20000) {
	try {
		await page.waitForFunction((sel, pat) => {
			const el = document.querySelector('loyalty-widget')?.shadowRoot?.querySelector(sel);
			return el && new RegExp(pat).test(el.textContent);
		}, { timeout }, selector, pattern);
	} catch {
		throw new Error(`${selector} never matched /${pattern}/: it says ${JSON.stringify(await widgetText(page, selector))}`);
	}
	return widgetText(page, selector);
}
/**
 * My account, the widget scrolled into view (an inline widget loads when the customer comes near it).
 * `later`: the customer comes back after the widget's visit cache (30 s, sessionStorage) has aged,
 * as after a real webhook delay; within those 30 s the widget shows what it showed before, by design.
 */
async function myAccount(page, { later = false } = {}) {
	if (later) {
		await page.evaluate(() => {
			for (let i = 0; i < sessionStorage.length; i += 1) {
				const key = sessionStorage.key(i);
				if (!key.startsWith('loyalty-widget:')) continue;
				const entry = JSON.parse(sessionStorage.getItem(key));
				entry.stored_at = 0;
				sessionStorage.setItem(key, JSON.stringify(entry));
			}
		});
	}
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

// ------------------------------------------------------------------ the shop's own pages
/** The block checkout: fills what is empty, places the order; resolves to the order id from the URL. */
async function checkout(page, address) {
	await page.goto(`${SHOP}/checkout/`, { waitUntil: 'networkidle0' });
	await page.waitForSelector('#billing-first_name', { timeout: 20000 });
	await page.waitForSelector('.wc-block-components-checkout-place-order-button:not([disabled])', { timeout: 20000 });
	for (const [field, value] of Object.entries(address)) {
		const sel = `#billing-${field}`;
		for (let attempt = 0; ; attempt++) { // the checkout may re-render a field as the customer's data arrives
			const current = await page.$eval(sel, (el) => { el.scrollIntoView({ block: 'center' }); el.focus(); el.select(); return el.value; });
			if (current === value) break;
			if (attempt === 3) throw new Error(`${sel} says ${JSON.stringify(current)}, not ${JSON.stringify(value)}`);
			if (current) await page.keyboard.press('Backspace');
			await page.keyboard.type(value);
			await sleep(200);
		}
	}
	await page.$eval('#radio-control-wc-payment-method-options-cod', (el) => { if (!el.checked) el.click(); }).catch(() => {});
	// The checkout pushes the address to the Store API as it is typed, and holds the button meanwhile.
	await page.evaluate(() => document.activeElement?.blur());
	await sleep(300);
	await page.waitForFunction(() => {
		const b = document.querySelector('.wc-block-components-checkout-place-order-button');
		return b && !b.disabled && !b.classList.contains('wc-block-components-button--loading') && !document.querySelector('.wc-block-components-spinner');
	}, { timeout: 20000 });
	const posts = [];
	const onResponse = (r) => { if (/\/wc\/store\/v1\/(checkout|batch)/.test(r.url())) posts.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`); };
	page.on('response', onResponse);
	await Promise.all([
		page.waitForFunction(() => /\/order-received\/\d+/.test(location.pathname), { timeout: 30000 }),
		page.$eval('.wc-block-components-checkout-place-order-button', (b) => { b.scrollIntoView({ block: 'center' }); }).then(() => page.click('.wc-block-components-checkout-place-order-button')),
	]).catch(async (err) => {
		err.message = `${err.message}; store api: ${JSON.stringify(posts)}`;
		await page.screenshot({ path: join(tmpdir(), 'woo-journey-checkout-failed.png') }).catch(() => {});
		const notices = await page.$$eval('.wc-block-components-notice-banner, .wc-block-components-validation-error', (els) => els.map((e) => e.textContent.trim()));
		throw new Error(`no order received page (${page.url()}): ${JSON.stringify(notices)} ${err.message}`);
	});
	page.off('response', onResponse);
	await page.waitForSelector('.woocommerce-order-overview__total, .wc-block-order-confirmation-totals, .woocommerce-order', { timeout: 20000 });
	return Number(/\/order-received\/(\d+)/.exec(new URL(page.url()).pathname)[1]);
}
/** The block cart's totals: { discount, total, coupons } as shown (texts). */
async function cartTotals(page) {
	await page.waitForSelector('.wp-block-woocommerce-cart .wc-block-components-totals-footer-item', { timeout: 20000 });
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

let SHOP = '';

// ------------------------------------------------------------------ main
async function main() {
	work = mkdtempSync(join(tmpdir(), 'woo-journey-'));
	for (const f of [BIN, join(DIST, 'widget/loyalty-widget.js')]) if (!existsSync(f)) throw new Error(`${f} is missing`);
	const tHarness = Date.now();
	const wc = await startHarness();
	SHOP = wc.WC_URL;
	const harnessSeconds = (Date.now() - tHarness) / 1000;
	say(`WooCommerce ${wc.WC_VERSION} on WordPress ${wc.WP_VERSION} at ${SHOP}, up in ${harnessSeconds.toFixed(1)}s`);
	const SITE = join(STATE, 'site');
	const P50 = Number(wc.WC_PRODUCT_ID_50);

	const php = (code) => {
		const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', `define("WP_USE_THEMES", false); require "wp-load.php"; ${code}`], { cwd: SITE, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`php: ${r.status} ${r.stdout}${r.stderr}`);
		return r.stdout;
	};
	/** Runs WooCommerce's Action Scheduler queue until nothing is due (webhook deliveries among it). */
	const runQueue = () => {
		let total = 0;
		for (let i = 0; i < 10; i++) {
			const n = Number(php('echo ActionScheduler_QueueRunner::instance()->run("loyalty-woo-journey");'));
			total += n;
			if (!n) break;
		}
		return total;
	};
	const WC = `${SHOP}/wp-json/wc/v3`;
	const restAuth = { Authorization: `Basic ${Buffer.from(`${wc.WC_CONSUMER_KEY}:${wc.WC_CONSUMER_SECRET}`).toString('base64')}` };
	const rest = async (path, { method = 'GET', body } = {}) => {
		const res = await fetch(`${WC}${path}`, { method, headers: { ...restAuth, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
		const text = await res.text();
		if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
		return JSON.parse(text);
	};

	// -------------------------------------------------------------- the shop: EUR (the program's currency)
	eq((await rest('/settings/general/woocommerce_currency', { method: 'PUT', body: { value: 'EUR' } })).value, 'EUR', 'shop currency');

	// -------------------------------------------------------------- the endpoint
	const secrets = {
		LOYALTY_SECRET: randomBytes(32).toString('hex'),
		LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
		WOOCOMMERCE_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
	};
	const EP = await startEndpoint(join(work, 'loyalty.sqlite'), {
		...secrets, LOYALTY_WOO_URL: SHOP, LOYALTY_WOO_KEY: wc.WC_CONSUMER_KEY, LOYALTY_WOO_SECRET: wc.WC_CONSUMER_SECRET,
	}, ['--static', DIST, '--allow-origin', SHOP]);
	const EP_PORT = Number(new URL(EP).port);
	const WIDGET_SRC = `${EP}/widget/loyalty-widget.js`;
	say(`endpoint at ${EP}`);
	const adminApi = (path, body, key) => fetch(`${EP}/admin/v1${path}`, {
		method: 'POST', body: JSON.stringify(body),
		headers: { Authorization: `Bearer ${secrets.LOYALTY_ADMIN_KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
	});

	// -------------------------------------------------------------- test-only mu-plugin (see the top)
	const hostPort = new URL(SHOP).host;
	mkdirSync(join(SITE, 'wp-content/mu-plugins'), { recursive: true });
	writeFileSync(join(SITE, 'wp-content/mu-plugins/loyalty-woo-journey.php'), `<?php
// Written by e2e/woo-journey.mjs into the harness's copy of the site; not part of the plugin.
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

	// -------------------------------------------------------------- the plugin, its settings, the webhooks
	mkdirSync(join(SITE, 'wp-content/plugins/loyalty-widget'), { recursive: true });
	copyFileSync(PLUGIN, join(SITE, 'wp-content/plugins/loyalty-widget/loyalty-widget.php'));
	const setUp = JSON.parse(php(`
		require_once ABSPATH . "wp-admin/includes/plugin.php";
		$r = activate_plugin("loyalty-widget/loyalty-widget.php");
		update_option("loyalty_widget_endpoint", ${JSON.stringify(EP)});
		update_option("loyalty_widget_widget_src", ${JSON.stringify(WIDGET_SRC)});
		update_option("loyalty_widget_secret", ${JSON.stringify(secrets.LOYALTY_SECRET)});
		echo json_encode(array(is_wp_error($r) ? $r->get_error_message() : "active", get_option("loyalty_widget_endpoint"), get_option("loyalty_widget_widget_src"), get_option("loyalty_widget_secret") === ${JSON.stringify(secrets.LOYALTY_SECRET)}));`));
	eq(setUp, ['active', EP, WIDGET_SRC, true], 'plugin activated and set up');
	for (const topic of ['order.created', 'order.updated']) {
		const w = await rest('/webhooks', { method: 'POST', body: { name: `Loyalty ${topic}`, topic, delivery_url: `${EP}/webhooks/woocommerce`, secret: secrets.WOOCOMMERCE_WEBHOOK_SECRET, status: 'active' } });
		eq(w.status, 'active', `webhook ${topic}`);
	}
	say(`plugin active, webhooks registered (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

	const shots = process.env.JOURNEY_SHOTS !== '0';
	if (shots) mkdirSync(SHOTS, { recursive: true });
	const times = {};
	for (const name of BROWSERS) {
		const tB = Date.now();
		console.log(`${name}:`);
		await journey(name, { rest, runQueue, adminApi, adminKey: secrets.LOYALTY_ADMIN_KEY, EP, P50, shots: shots && name === 'chromium' });
		times[name] = ((Date.now() - tB) / 1000).toFixed(1);
		say(`${name}: ${times[name]}s`);
	}
	say(`harness up in ${harnessSeconds.toFixed(1)}s; per browser: ${JSON.stringify(times)}`);
	const log = php('echo file_exists(WP_DEBUG_LOG) ? file_get_contents(WP_DEBUG_LOG) : "";');
	await check('the debug log has nothing from the plugin (no PHP warning, notice or deprecation in loyalty-widget.php)', async () => {
		eq(log.split('\n').filter((l) => /loyalty-widget/.test(l)), [], 'wp-debug.log lines about the plugin');
	});
}

async function journey(name, { rest, runQueue, adminApi, adminKey, EP, P50, shots }) {
	const run = randomBytes(3).toString('hex');
	const USER = `nora${run}`;
	const PASS = `pw-${run}-nora-secret`;
	const EMAIL = `nora-${run}@example.com`;
	const customer = await rest('/customers', { method: 'POST', body: { email: EMAIL, username: USER, password: PASS, first_name: 'Nora', last_name: 'Lind' } });
	const ID = String(customer.id);
	// Typed into the checkout's empty fields (WooCommerce keeps them for the next order).
	const ADDRESS = { first_name: 'Nora', last_name: 'Lind', address_1: '1 Main St', city: 'San Francisco', postcode: '94103' };

	browser = await launch(name);
	const context = await browser.createBrowserContext();
	const page = await context.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e.message || e).slice(0, 200)));
	page.on('console', (m) => { if (m.text().includes('[loyalty-widget]')) errors.push(m.text().slice(0, 200)); });
	await page.setViewport({ width: 1280, height: 900 });
	try {
		// ---------------------------------------------------------- 1. sign in, the widget on My account
		await check(`${name}: signs in through the shop's login form (My account)`, async () => {
			await page.goto(`${SHOP}/my-account/`, { waitUntil: 'load' });
			await page.type('#username', USER);
			await page.type('#password', PASS);
			await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[name=login]')]);
			const signedIn = await page.evaluate(() => ({ body: document.body.className, nav: !!document.querySelector('.woocommerce-MyAccount-navigation') }));
			ok(/\blogged-in\b/.test(signedIn.body) && signedIn.nav, `not signed in: ${page.url()} ${signedIn.body}`);
		});
		// What a customer who has just signed up sees before the shop has told the endpoint about them
		// (the endpoint knows a customer from an order webhook or the admin API, not from a token).
		await page.goto(`${SHOP}/my-account/`, { waitUntil: 'load' });
		await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
		await waitInWidget(page, '[role=alert], [data-testid=balance]', 10000).catch(() => {});
		say(`${name}: a new customer's widget before the shop registered them: ${JSON.stringify(await inWidget(page, (root) => root.textContent.replace(/\s+/g, ' ').trim().slice(0, 160)))}`);
		await check(`${name}: the shop registers the new customer with the loyalty program (admin API PUT, as at sign-up): the welcome bonus`, async () => {
			const r = await fetch(`${EP}/admin/v1/customers/${ID}`, { method: 'PUT', headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ first_name: 'Nora', email: EMAIL }) });
			ok(r.status === 200 || r.status === 201, `PUT customer: ${r.status} ${await r.text()}`);
		});
		errors.length = 0; // the 404s of the view above
		await check(`${name}: My account shows the widget (from the endpoint) with the welcome bonus as the balance, 100 points`, async () => {
			const tag = await page.evaluate(() => {
				const w = document.querySelector('loyalty-widget');
				return w && { endpoint: w.getAttribute('endpoint'), inContent: !!w.closest('.woocommerce-MyAccount-content') };
			});
			eq(tag, { endpoint: EP, inContent: true }, 'the <loyalty-widget> in My account\'s content');
			// The widget takes its token attribute off the element once read: the page as served has it.
			const served = await page.evaluate(() => fetch('/my-account/', { credentials: 'same-origin' }).then((r) => r.text()));
			ok(/<loyalty-widget\b[^>]*\btoken="[\w-]+\.[\w-]+\.[\w-]+"/.test(served), 'no token on the <loyalty-widget> as served');
			await myAccount(page);
			eq(await waitWidgetText(page, '[data-testid=balance]', '^100\\b'), '100 points', 'balance');
		});
		if (shots) {
			await check(`${name}: screenshots of My account with the widget at 1280 and 360 px`, async () => {
				for (const width of [1280, 360]) {
					await page.setViewport({ width, height: width === 360 ? 780 : 900 });
					await myAccount(page);
					await inWidget(page, (root) => root.host.scrollIntoView({ block: 'start' }));
					await sleep(400);
					await page.screenshot({ path: join(SHOTS, `woo-my-account-${width}.png`) });
				}
				await page.setViewport({ width: 1280, height: 900 });
			});
		}

		// ---------------------------------------------------------- 2. an order through the real checkout
		let order1 = 0;
		await check(`${name}: places an order (50.00) through the shop's block checkout, cash on delivery: processing, the customer's`, async () => {
			await page.goto(`${SHOP}/?add-to-cart=${P50}`, { waitUntil: 'load' });
			order1 = await checkout(page, ADDRESS);
			const o = await rest(`/orders/${order1}`);
			eq([o.status, o.customer_id, o.total, o.payment_method, o.billing.email], ['processing', customer.id, '50.00', 'cod', EMAIL], 'order');
		});
		await check(`${name}: WooCommerce's queue delivers the webhooks; My account, reloaded: 50 points pending, the balance still 100`, async () => {
			ok(order1, 'no order');
			const ran = runQueue();
			ok(ran >= 1, `the queue ran ${ran} actions`);
			await myAccount(page, { later: true });
			eq(await waitWidgetText(page, '.lw-pending', '\\b50\\b'), '50 points pending', 'pending');
			eq(await widgetText(page, '[data-testid=balance]'), '100 points', 'balance');
		});

		// ---------------------------------------------------------- 3. points, redeem, apply to cart
		let code = '';
		await check(`${name}: the shop owner gives 500 points (admin API); the widget shows 600`, async () => {
			const r = await adminApi(`/customers/${ID}/adjustments`, { points: 500, reason: 'Thank you' }, `journey-${name}-${run}`);
			ok(r.ok, `adjustment: ${r.status} ${await r.text()}`);
			await myAccount(page, { later: true });
			eq(await waitWidgetText(page, '[data-testid=balance]', '^600\\b'), '600 points', 'balance');
		});
		await check(`${name}: redeems the 5.00 voucher (r-5eur) in the widget: the code, an "Apply to cart" link to the shop, 100 points left`, async () => {
			await page.goto(`${SHOP}/?add-to-cart=${P50}`, { waitUntil: 'load' }); // the cart meets the 20.00 minimum
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
			const coupons = await rest(`/coupons?code=${encodeURIComponent(code)}`);
			eq(coupons.map((c) => [c.discount_type, c.amount, c.minimum_amount, c.usage_limit, c.email_restrictions]), [['fixed_cart', '5.00', '20.00', 1, [EMAIL]]], 'the coupon in WooCommerce');
		});
		await check(`${name}: "Apply to cart" lands on the cart with the code applied: 5.00 off, total 45.00`, async () => {
			ok(code, 'no code');
			await Promise.all([
				page.waitForNavigation({ waitUntil: 'load' }),
				inWidget(page, (root) => root.querySelector('[data-testid=apply]').click()),
			]);
			eq(new URL(page.url()).pathname, '/cart/', 'landed on');
			await page.waitForSelector('.wc-block-components-totals-discount', { timeout: 20000 }).catch(() => {});
			const t = await cartTotals(page);
			say(`${name}: cart ${JSON.stringify(t)}`);
			eq([t.coupons.map((c) => c.toLowerCase()), t.discount, t.total], [[code.toLowerCase()], '-€5.00', '€45.00'], 'cart [codes, discount, total]');
		});
		if (shots) {
			await check(`${name}: screenshots of the cart with the code applied at 1280 and 360 px`, async () => {
				for (const width of [1280, 360]) {
					await page.setViewport({ width, height: width === 360 ? 780 : 900 });
					await page.goto(`${SHOP}/cart/`, { waitUntil: 'load' });
					await page.waitForSelector('.wc-block-components-totals-discount', { timeout: 20000 });
					if (width === 360) await page.evaluate(() => document.querySelector('.wc-block-components-totals-discount').scrollIntoView({ block: 'center' }));
					await sleep(400);
					await page.screenshot({ path: join(SHOTS, `woo-cart-${width}.png`) });
				}
				await page.setViewport({ width: 1280, height: 900 });
			});
		}

		// ---------------------------------------------------------- 4. checkout with the discount; used
		let order2 = 0;
		await check(`${name}: checks out with the code: the order's total is 45.00 with the coupon on it`, async () => {
			ok(code, 'no code');
			order2 = await checkout(page, ADDRESS);
			const o = await rest(`/orders/${order2}`);
			eq([o.status, o.customer_id, o.total, o.discount_total, o.coupon_lines.map((c) => c.code.toLowerCase())], ['processing', customer.id, '45.00', '5.00', [code.toLowerCase()]], 'order');
			const [c] = await rest(`/coupons?code=${encodeURIComponent(code)}`);
			eq(c.usage_count, 1, 'the coupon\'s usage_count');
		});
		await check(`${name}: after the queue, "Your rewards" says the code was used on order #${order2 || 'N'}; 95 points pending (50 + 45)`, async () => {
			ok(order2, 'no order');
			runQueue();
			await myAccount(page, { later: true });
			eq(await waitWidgetText(page, '.lw-pending', '\\b95\\b'), '95 points pending', 'pending');
			const items = await yourRewards(page);
			say(`${name}: your rewards ${JSON.stringify(items)}`);
			eq(items.length, 1, 'rewards listed');
			eq([items[0].text, items[0].apply], [`Used on order #${order2}`, false], '[state, apply link]');
			ok(!items[0].code || items[0].code.toLowerCase() === code.toLowerCase(), `the code shown ${items[0].code}`);
		});
		// ---------------------------------------------------------- 5. the platform decides: given back, expired
		/** One reconciler pass now (the admin API): its report, with the answer's status. */
		const reconcile = async () => {
			const r = await fetch(`${EP}/admin/v1/reconcile`, { method: 'POST', headers: { Authorization: `Bearer ${adminKey}` } });
			return { status: r.status, ...(await r.json()) };
		};
		// The endpoint learns a code's state from WooCommerce itself (the reconciler looks each code up),
		// not only from webhooks: here the cancellation's webhook is held back until after the look-up.
		await check(`${name}: the shop owner cancels order #${order2 || 'N'}: WooCommerce gives the code's use back; before any webhook, the endpoint's reconcile pass finds it on the shop: "Your rewards" shows it ready to use again, with its Apply link`, async () => {
			ok(order2, 'no order');
			const o = await rest(`/orders/${order2}`, { method: 'PUT', body: { status: 'cancelled' } });
			eq(o.status, 'cancelled', 'order status');
			const [c] = await rest(`/coupons?code=${encodeURIComponent(code)}`);
			eq(c.usage_count, 0, 'the coupon\'s usage_count after the cancellation');
			const report = await reconcile();
			eq([report.status, report.active_again, report.used, report.missing], [200, 1, 0, 0], `reconcile ${JSON.stringify(report)}`);
			await myAccount(page, { later: true });
			const items = await yourRewards(page);
			eq(items.map((i) => [i.state, i.text, i.apply]), [['mine-active', 'Ready to use', true]], 'your rewards');
		});
		await check(`${name}: the cancellation's webhook comes late: changes nothing more on the code, and the order's 45 points pending are taken back (50 left)`, async () => {
			runQueue();
			await myAccount(page, { later: true });
			eq(await waitWidgetText(page, '.lw-pending', '\\b50\\b'), '50 points pending', 'pending');
			const items = await yourRewards(page);
			eq(items.map((i) => i.state), ['mine-active'], 'your rewards');
		});
		await check(`${name}: the shop owner ends the code early (date_expires two days ago): WooCommerce refuses it at the cart ("Apply to cart"), and after a reconcile pass "Your rewards" says Expired`, async () => {
			const [c] = await rest(`/coupons?code=${encodeURIComponent(code)}`);
			const past = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10);
			eq((await rest(`/coupons/${c.id}`, { method: 'PUT', body: { date_expires: `${past}T23:59:59` } })).date_expires, `${past}T23:59:59`, 'date_expires');
			await page.goto(`${SHOP}/?add-to-cart=${P50}`, { waitUntil: 'load' });
			await page.goto(`${SHOP}/?loyalty_apply=${encodeURIComponent(code)}`, { waitUntil: 'load' });
			eq(new URL(page.url()).pathname, '/cart/', 'landed on');
			await page.waitForSelector('.wc-block-components-notice-banner, .woocommerce-error', { timeout: 20000 });
			const t = await cartTotals(page);
			say(`${name}: cart with the expired code ${JSON.stringify(t)}`);
			eq([t.coupons, t.discount], [[], null], 'cart [codes, discount]');
			ok(t.notices.some((n) => /expired/i.test(n)), `no "expired" notice: ${JSON.stringify(t.notices)}`);
			const report = await reconcile();
			eq([report.status, report.expired, report.active_again, report.used], [200, 1, 0, 0], `reconcile ${JSON.stringify(report)}`);
			await myAccount(page, { later: true });
			const items = await yourRewards(page);
			eq(items.map((i) => [i.state, i.text, i.apply]), [['mine-expired', 'Expired', false]], 'your rewards');
		});
		await check(`${name}: no page error and no widget error in the console through the journey`, async () => {
			eq(errors, [], 'errors');
		});
	} finally {
		const b = browser;
		browser = null;
		await Promise.race([b.close(), sleep(10000)]).catch(() => {});
		b.process()?.kill('SIGKILL');
	}
}

let crashed = null;
try {
	await main();
} catch (err) {
	crashed = err;
	failed += 1;
	console.log(`  FAIL  (stopped early) ${err.stack || err}`);
} finally {
	cleanup();
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
process.exit(failed || crashed ? 1 : 0);
