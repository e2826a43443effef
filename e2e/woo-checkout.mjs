#!/usr/bin/env node
// The rewards' codes our backend makes on WooCommerce work at WooCommerce's real checkout.
//
// Starts the real WordPress + WooCommerce 9.9.5 harness (/work/shared/woocommerce/up.sh) and the
// loyalty endpoint (target/debug/loyalty-endpoint) on a temp SQLite file, with the demo program
// whose free product (r-mug) is the harness's 50.00 product. A customer (alice@example.com) gets
// 5000 points and redeems all four rewards. Before the shop is set up, the endpoint is started once
// and must log its two start-up warnings (the harness shop is USD and has no shipping method); then
// the shop becomes a EUR shop in Europe/Berlin with a flat rate and a coupon-only "Free shipping",
// the endpoint is started again and must log neither. Then, against the real shop:
//   - REST v3: each coupon exists with the fields the reward implies (type, amount, usage limit 1,
//     the customer's e-mail only, minimum, free shipping, the free product, and date_expires
//     "<expires_at>T23:59:59" in the shop's time zone: the code works through the last day shown);
//   - Store API (a fresh cart each, billing e-mail set first): the totals each code gives (5 off a
//     50 cart, 10%, the 50 product free but only one of it, shipping free), the edges (minimum met at
//     exactly 20.00, refused below it; someone else's e-mail; a cart without the free product);
//   - checkout (cash on delivery): the order carries the discount, the coupon's usage_count becomes 1,
//     a second cart that applied the same code is refused at checkout (409) and a new one at apply;
//   - a replayed redeem (same Idempotency-Key) answers the same code and the shop holds one coupon.
// The harness's products are virtual and it has no shipping method: the script adds a 30.00 physical
// product, a 10.00 product, a flat rate (4.90) and a "Free shipping" method that requires a coupon
// (WooCommerce's free-shipping coupons only unlock such a method; it is switched off for one check).
//
//   node e2e/woo-checkout.mjs
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-checkout), WC_HARNESS_DIR (default
// /work/shared/woocommerce), LOYALTY_BIN (default target/debug/loyalty-endpoint). Prints one line per
// check, then "N passed, M failed" and the time taken; exits 1 on a failure. The harness and the
// endpoint are always stopped (also on an error, Ctrl-C or SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HARNESS = process.env.WC_HARNESS_DIR || '/work/shared/woocommerce';
const STATE = process.env.WC_HARNESS_STATE || '/tmp/loyalty-woo-checkout';
const BIN = process.env.LOYALTY_BIN || join(ROOT, 'target/debug/loyalty-endpoint');
const harnessEnv = { ...process.env, WC_HARNESS_STATE: STATE };
const t0 = Date.now();
const say = (m) => process.stderr.write(`[woo-checkout ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);

// ------------------------------------------------------------------ processes
let upChild = null;
let harnessStarted = false;
let endpoint = null;
let work = null;
function cleanup() {
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
		// Someone's harness already runs in this state folder: not ours to stop.
		if (/already running/.test(out)) harnessStarted = false;
		throw new Error(`up.sh failed (${code}):\n${out}`);
	}
	return readEnv(join(STATE, 'env'));
}

let endpointLog = null;
async function startEndpoint(wc, programFile, db, secrets, today, logName = 'endpoint.log') {
	const portFile = join(work, `${logName}.port`);
	endpointLog = join(work, logName);
	const log = openSync(endpointLog, 'w');
	endpoint = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--port-file', portFile, '--db', db,
		'--program', programFile, '--today', today, '--exit-after', '900'], {
		env: {
			...process.env, ...secrets, LOYALTY_WOO_URL: wc.WC_URL, LOYALTY_WOO_KEY: wc.WC_CONSUMER_KEY,
			LOYALTY_WOO_SECRET: wc.WC_CONSUMER_SECRET, LOYALTY_LOG: 'warn', LOYALTY_LOG_FORMAT: 'json',
		},
		stdio: ['ignore', log, log],
	});
	for (let i = 0; i < 200; i++) {
		if (endpoint.exitCode !== null) throw new Error(`endpoint exited: ${readFileSync(endpointLog, 'utf8')}`);
		if (existsSync(portFile) && readFileSync(portFile, 'utf8').trim()) {
			const base = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
			try { if ((await fetch(`${base}/readyz`)).ok) return base; } catch { /* not yet */ }
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('endpoint did not come up');
}
async function stopEndpoint() {
	const child = endpoint;
	endpoint = null;
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((res) => child.once('exit', res));
	child.kill('SIGTERM');
	await Promise.race([exited, new Promise((res) => setTimeout(res, 15000))]);
	if (child.exitCode === null && child.signalCode === null) throw new Error('endpoint did not stop on SIGTERM within 15 s');
}
/** The endpoint's WARN lines (JSON log lines) so far: their messages. */
function warnings(file) {
	const out = [];
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		let j = null;
		try { j = JSON.parse(line); } catch { continue; }
		if (j.level === 'WARN') out.push(String(j.message ?? j.fields?.message ?? ''));
	}
	return out;
}
// The start-up check's two findings (endpoint/src/platform/woo.rs preflight), and its failures to ask.
const CURRENCY_WARNING = /WooCommerce's currency is "USD" but the program's is "EUR"/;
const SHIPPING_WARNING = /a reward is free shipping, but no WooCommerce shipping zone has a "Free shipping" method that a coupon unlocks/;
const PREFLIGHT_ANY = /currency is|free shipping, but|could not (reach|read) WooCommerce/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

// ------------------------------------------------------------------ checks
let passed = 0;
let failed = 0;
async function check(name, fn) {
	try {
		await fn();
		passed += 1;
		console.log(`  ok    ${name}`);
	} catch (err) {
		failed += 1;
		console.log(`  FAIL  ${name}: ${String(err.message).split('\n').slice(0, 3).join(' | ')}`);
	}
}
function eq(actual, expected, what = '') {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	if (a !== e) throw new Error(`${what ? `${what}: ` : ''}expected ${e}, got ${a}`);
}
function ok(cond, what) { if (!cond) throw new Error(what); }

async function http(url, { method = 'GET', headers = {}, body } = {}) {
	const h = { ...headers };
	if (body !== undefined) h['Content-Type'] = 'application/json';
	const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	return { status: res.status, headers: res.headers, json, text };
}

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

// ------------------------------------------------------------------ main
async function main() {
	const today = new Date().toISOString().slice(0, 10);
	work = mkdtempSync(join(tmpdir(), 'woo-checkout-'));
	if (!existsSync(BIN)) throw new Error(`${BIN} is missing: cargo build -p loyalty-endpoint`);
	const wc = await startHarness();
	say(`WooCommerce ${wc.WC_VERSION} at ${wc.WC_URL}`);
	const P20 = Number(wc.WC_PRODUCT_ID);
	const P50 = Number(wc.WC_PRODUCT_ID_50);

	// The demo program, with the harness's 50.00 product as r-mug's free product.
	// The checkout's file first; when the binary is older than that file (someone is changing it),
	// the committed one.
	const programFile = join(work, 'program.toml');
	const DEMO = 'endpoint/programs/morgenrot.toml';
	const sources = [['working tree', () => readFileSync(join(ROOT, DEMO), 'utf8')],
		['HEAD', () => spawnSync('git', ['-C', ROOT, 'show', `HEAD:${DEMO}`], { encoding: 'utf8' }).stdout]];
	let problems = '';
	for (const [from, read] of sources) {
		const demo = read();
		if (!demo.includes('free_product = "1042"')) { problems += `${from}: no free_product = "1042"\n`; continue; }
		writeFileSync(programFile, demo.replace('free_product = "1042"', `free_product = "${P50}"`));
		const checked = spawnSync(BIN, ['program', 'check', programFile], { encoding: 'utf8' });
		if (checked.status === 0) { say(`program: ${DEMO} (${from}), r-mug = product ${P50}`); problems = ''; break; }
		problems += `${from}: ${checked.stdout}${checked.stderr}`;
	}
	if (problems) throw new Error(`program check:\n${problems}`);

	const secrets = {
		LOYALTY_SECRET: randomBytes(32).toString('hex'),
		LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
	};
	// -------------------------------------------------------------- the shop's REST API
	const WC = `${wc.WC_URL}/wp-json/wc/v3`;
	const restAuth = { Authorization: `Basic ${Buffer.from(`${wc.WC_CONSUMER_KEY}:${wc.WC_CONSUMER_SECRET}`).toString('base64')}` };
	const rest = (path, opts = {}) => http(`${WC}${path}`, { ...opts, headers: { ...restAuth, ...(opts.headers || {}) } });
	const mustRest = async (path, opts) => {
		const r = await rest(path, opts);
		if (r.status >= 300) throw new Error(`${opts?.method || 'GET'} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
		return r.json;
	};
	// WordPress's own settings (the time zone) take the admin's application password.
	const wpAuth = { Authorization: `Basic ${Buffer.from(`${wc.WC_ADMIN_USER}:${wc.WC_APP_PASSWORD}`).toString('base64')}` };
	const wpSettings = async (body) => {
		const r = await http(`${wc.WC_URL}/wp-json/wp/v2/settings`, { method: body ? 'POST' : 'GET', headers: wpAuth, body });
		if (r.status !== 200) throw new Error(`wp/v2/settings: ${r.status} ${r.text.slice(0, 300)}`);
		return r.json;
	};

	// -------------------------------------------------------------- start-up check, shop as the harness made it
	// USD, no shipping method: the endpoint must say both at start (a WARN line each), within ~2 s.
	await check('start-up check on the harness shop (USD, no shipping): both warnings logged', async () => {
		eq((await mustRest('/settings/general/woocommerce_currency')).value, 'USD', 'shop currency before');
		await startEndpoint(wc, programFile, join(work, 'preflight.sqlite'), secrets, today, 'endpoint-before.log');
		let found = [];
		for (let i = 0; i < 50; i++) { // up to 5 s; normally there at once
			found = warnings(endpointLog);
			if (found.some((m) => CURRENCY_WARNING.test(m)) && found.some((m) => SHIPPING_WARNING.test(m))) break;
			await sleep(100);
		}
		await stopEndpoint();
		found = warnings(join(work, 'endpoint-before.log'));
		ok(found.some((m) => CURRENCY_WARNING.test(m)), `no currency warning in ${JSON.stringify(found)}`);
		ok(found.some((m) => SHIPPING_WARNING.test(m)), `no free-shipping warning in ${JSON.stringify(found)}`);
	});

	// -------------------------------------------------------------- the shop set up as a EUR shop in Berlin
	const TZ = 'Europe/Berlin';
	await wpSettings({ timezone: TZ });
	eq((await wpSettings()).timezone, TZ, 'shop time zone');
	eq((await mustRest('/settings/general/woocommerce_currency', { method: 'PUT', body: { value: 'EUR' } })).value, 'EUR', 'shop currency');
	say(`shop: time zone ${TZ}, currency EUR`);

	// A physical product (shipping costs something) and one under the 20.00 minimum.
	const P30 = (await mustRest('/products', { method: 'POST', body: { name: 'Parcel 30', type: 'simple', regular_price: '30.00', virtual: false, sku: 'E2E-PARCEL-30' } })).id;
	const P10 = (await mustRest('/products', { method: 'POST', body: { name: 'Small 10', type: 'simple', regular_price: '10.00', virtual: true, sku: 'E2E-SMALL-10' } })).id;
	// Shipping: the harness ships nothing (virtual products, no method). Add a flat rate to the
	// "everywhere else" zone (0) unless one is there.
	const zoneMethods = await mustRest('/shipping/zones/0/methods');
	say(`zone 0 shipping methods at start: ${JSON.stringify(zoneMethods.map((m) => m.method_id))}`);
	if (!zoneMethods.some((m) => m.method_id === 'flat_rate' && m.enabled)) {
		await mustRest('/shipping/zones/0/methods', { method: 'POST', body: { method_id: 'flat_rate', settings: { title: 'Flat rate', cost: '4.90' } } });
	}
	// ... and a "Free shipping" method that requires a coupon (what a free-shipping code unlocks).
	const freeShipping = (await mustRest('/shipping/zones/0/methods', { method: 'POST', body: { method_id: 'free_shipping', settings: { title: 'Free shipping', requires: 'coupon' } } })).instance_id;

	// -------------------------------------------------------------- the endpoint, on the shop as set up
	const base = await startEndpoint(wc, programFile, join(work, 'loyalty.sqlite'), secrets, today, 'endpoint.log');
	say(`endpoint at ${base}, today ${today}`);
	await sleep(2000); // the start-up check runs beside serving
	await check('start-up check on the EUR shop with a coupon-only free shipping: no warning', async () => {
		const found = warnings(endpointLog).filter((m) => PREFLIGHT_ANY.test(m));
		eq(found, [], 'start-up warnings');
	});

	// -------------------------------------------------------------- the loyalty endpoint
	const admin = { Authorization: `Bearer ${secrets.LOYALTY_ADMIN_KEY}` };
	const CUSTOMER = '42';
	const EMAIL = 'alice@example.com';
	const token = spawnSync(BIN, ['token', '--customer', CUSTOMER, '--ttl', '3600'], { env: { ...process.env, ...secrets }, encoding: 'utf8' }).stdout.trim();
	ok(token, 'no customer token');
	const customer = { Authorization: `Bearer ${token}` };
	const run = randomBytes(4).toString('hex');
	const redeem = (reward, key) => http(`${base}/v1/redemptions`, { method: 'POST', headers: { ...customer, 'Idempotency-Key': key }, body: { reward_id: reward } });

	await check('admin: create the customer and give 5000 points', async () => {
		const c = await http(`${base}/admin/v1/customers/${CUSTOMER}`, { method: 'PUT', headers: admin, body: { first_name: 'Alice', email: EMAIL } });
		ok(c.status === 200 || c.status === 201, `PUT customer: ${c.status} ${c.text.slice(0, 200)}`);
		const a = await http(`${base}/admin/v1/customers/${CUSTOMER}/adjustments`, { method: 'POST', headers: { ...admin, 'Idempotency-Key': `adj-${run}` }, body: { points: 5000, reason: 'e2e woo checkout' } });
		ok(a.status === 200 || a.status === 201, `adjustment: ${a.status} ${a.text.slice(0, 200)}`);
		eq(a.json.points.approved, 5100, 'approved points (100 welcome + 5000)');
	});

	// What each reward must become (the demo program's values; amounts as WooCommerce returns them).
	const REWARDS = {
		'r-shipping': { days: 90, coupon: { discount_type: 'fixed_cart', amount: '0.00', free_shipping: true, product_ids: [], minimum_amount: '0.00', individual_use: true, limit_usage_to_x_items: null } },
		'r-5eur': { days: 90, coupon: { discount_type: 'fixed_cart', amount: '5.00', free_shipping: false, product_ids: [], minimum_amount: '20.00', individual_use: true, limit_usage_to_x_items: null } },
		'r-10pct': { days: 30, coupon: { discount_type: 'percent', amount: '10.00', free_shipping: false, product_ids: [], minimum_amount: '0.00', individual_use: true, limit_usage_to_x_items: null } },
		'r-mug': { days: 90, coupon: { discount_type: 'percent', amount: '100.00', free_shipping: false, product_ids: [P50], minimum_amount: '0.00', individual_use: false, limit_usage_to_x_items: 1 } },
	};
	const codes = {};
	const expires = {};
	for (const reward of Object.keys(REWARDS)) {
		await check(`redeem ${reward}: 200 active, a code, apply_url on the shop`, async () => {
			const r = await redeem(reward, `redeem-${reward}-${run}`);
			eq(r.status, 200, `status (${r.text.slice(0, 300)})`);
			eq(r.json.state, 'active', 'state');
			ok(typeof r.json.coupon?.code === 'string' && r.json.coupon.code.length > 4, `no code: ${r.text}`);
			codes[reward] = r.json.coupon.code;
			expires[reward] = r.json.coupon.expires_at;
			eq(r.json.coupon.apply_url, `${wc.WC_URL}/?loyalty_apply=${r.json.coupon.code}`, 'apply_url');
		});
	}

	// -------------------------------------------------------------- REST: the coupons as made
	const coupons = {};
	for (const [reward, want] of Object.entries(REWARDS)) {
		await check(`REST ${reward}: the coupon has the reward's fields`, async () => {
			ok(codes[reward], 'not redeemed');
			const list = await mustRest(`/coupons?code=${encodeURIComponent(codes[reward])}`);
			eq(list.length, 1, 'coupons with this code');
			const c = list[0];
			coupons[reward] = c;
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

	// -------------------------------------------------------------- Store API: carts
	const STORE = `${wc.WC_URL}/wp-json/wc/store/v1`;
	async function newCart() {
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
	const ADDRESS = { first_name: 'Alice', last_name: 'Example', address_1: '1 Main St', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US' };
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

	await check('cart: r-5eur takes 5.00 off a 50.00 cart', async () => {
		const { applied } = await cartWith([P50], codes['r-5eur']);
		applied200(applied);
		eq(totals(applied.json), { items: '5000', discount: '500', shipping: null, total: '4500' }, 'totals');
		eq([applied.json.totals.currency_code, applied.json.totals.currency_symbol], ['EUR', '€'], 'currency');
	});
	await check('cart: r-5eur on exactly 20.00 (the minimum) is accepted: 15.00', async () => {
		const { applied } = await cartWith([P20], codes['r-5eur']);
		applied200(applied);
		eq(totals(applied.json), { items: '2000', discount: '500', shipping: null, total: '1500' }, 'totals');
	});
	await check('cart: r-5eur on a 10.00 cart (under the minimum) is refused', async () => {
		const { applied } = await cartWith([P10], codes['r-5eur']);
		eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
		eq(applied.json.code, 'woocommerce_rest_cart_coupon_error', 'error code');
		ok(/minimum spend/i.test(applied.json.message), `message: ${applied.json.message}`);
	});
	await check('cart: r-10pct takes 10% off (50.00 + 20.00 -> 63.00)', async () => {
		const { applied } = await cartWith([P50, P20], codes['r-10pct']);
		applied200(applied);
		eq(totals(applied.json), { items: '7000', discount: '700', shipping: null, total: '6300' }, 'totals');
	});
	await check('cart: r-10pct with bob@example.com as billing e-mail is refused', async () => {
		const { applied } = await cartWith([P50], codes['r-10pct'], 'bob@example.com');
		eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
		ok(/valid email/i.test(applied.json.message), `message: ${applied.json.message}`);
	});
	await check('cart: r-mug makes the 50.00 product free (alone: total 0)', async () => {
		const { applied } = await cartWith([P50], codes['r-mug']);
		applied200(applied);
		eq(totals(applied.json), { items: '5000', discount: '5000', shipping: null, total: '0' }, 'totals');
	});
	await check('cart: r-mug with the 20.00 product too: only the 50.00 one is free', async () => {
		const { applied } = await cartWith([P20, P50], codes['r-mug']);
		applied200(applied);
		eq(totals(applied.json), { items: '7000', discount: '5000', shipping: null, total: '2000' }, 'totals');
	});
	await check('cart: r-mug with two of the 50.00 product: one is free', async () => {
		const cart = await newCart();
		await cart.add(P50, 2);
		await cart.email(EMAIL);
		const applied = await cart.apply(codes['r-mug']);
		applied200(applied);
		eq(totals(applied.json), { items: '10000', discount: '5000', shipping: null, total: '5000' }, 'totals');
	});
	await check('cart: r-mug without the free product in the cart is refused', async () => {
		const { applied } = await cartWith([P20], codes['r-mug']);
		eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
		ok(/not applicable/i.test(applied.json.message), `message: ${applied.json.message}`);
	});
	await check('cart: the 30.00 parcel costs 4.90 shipping (flat rate)', async () => {
		const cart = await newCart();
		await cart.add(P30);
		const c = await cart.email(EMAIL);
		eq(totals(c), { items: '3000', discount: '0', shipping: '490', total: '3490' }, 'totals');
	});
	// WooCommerce's free-shipping coupon only unlocks a "Free shipping" method that requires a coupon;
	// with the flat rate alone it applies (no error) and takes nothing off.
	await mustRest(`/shipping/zones/0/methods/${freeShipping}`, { method: 'PUT', body: { enabled: false } });
	await check('cart: r-shipping with only a flat rate: applied, but shipping still 4.90 (WooCommerce)', async () => {
		const { applied } = await cartWith([P30], codes['r-shipping']);
		applied200(applied);
		eq(applied.json.coupons.map((c) => c.code.toUpperCase()), [codes['r-shipping'].toUpperCase()], 'coupons');
		eq(totals(applied.json), { items: '3000', discount: '0', shipping: '490', total: '3490' }, 'totals');
	});
	await mustRest(`/shipping/zones/0/methods/${freeShipping}`, { method: 'PUT', body: { enabled: true } });
	let shippingCart = null;
	await check('cart: r-shipping with a coupon-only "Free shipping" method: shipping 0.00', async () => {
		const { cart, applied } = await cartWith([P30], codes['r-shipping']);
		applied200(applied);
		const rates = applied.json.shipping_rates[0].shipping_rates;
		const chosen = rates.find((r) => r.selected);
		eq(chosen?.method_id, 'free_shipping', `selected rate of ${JSON.stringify(rates.map((r) => [r.rate_id, r.price]))}`);
		eq(totals(applied.json), { items: '3000', discount: '0', shipping: '0', total: '3000' }, 'totals');
		shippingCart = cart;
	});
	await check('cart: without the code, the coupon-only free shipping is not offered', async () => {
		const cart = await newCart();
		await cart.add(P30);
		const c = await cart.email(EMAIL);
		eq(c.shipping_rates[0].shipping_rates.map((r) => r.method_id), ['flat_rate'], 'rates');
		eq(totals(c).shipping, '490', 'shipping');
	});

	// -------------------------------------------------------------- checkout and usage
	let second = null;
	await check('checkout: r-5eur on 50.00 (cod) makes an order of 45.00; usage_count 1', async () => {
		const { cart, applied } = await cartWith([P50], codes['r-5eur']);
		applied200(applied);
		const other = await cartWith([P50], codes['r-5eur']); // applied before the first order: allowed
		applied200(other.applied);
		second = other.cart;
		const out = await cart.checkout(EMAIL);
		eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
		ok(['processing', 'on-hold', 'pending'].includes(out.json.status), `order status ${out.json.status}`);
		const order = await mustRest(`/orders/${out.json.order_id}`);
		eq([order.total, order.discount_total], ['45.00', '5.00'], 'order total, discount');
		eq(order.coupon_lines.map((l) => l.code.toUpperCase()), [codes['r-5eur'].toUpperCase()], 'coupon_lines');
		const [c] = await mustRest(`/coupons?code=${encodeURIComponent(codes['r-5eur'])}`);
		eq(c.usage_count, 1, 'usage_count');
		eq(c.used_by, [EMAIL], 'used_by');
	});
	await check('checkout: a second cart that applied r-5eur before is refused (409, usage limit)', async () => {
		ok(second, 'no second cart');
		const out = await second.checkout(EMAIL);
		eq(out.status, 409, `checkout (${out.text.slice(0, 300)})`);
		ok(/usage limit/i.test(out.json.message), `message: ${out.json.message}`);
		const [c] = await mustRest(`/coupons?code=${encodeURIComponent(codes['r-5eur'])}`);
		eq(c.usage_count, 1, 'usage_count');
	});
	await check('cart: a new cart applying the used r-5eur is refused (usage limit)', async () => {
		const { applied } = await cartWith([P50], codes['r-5eur']);
		eq(applied.status, 400, `apply-coupon (${applied.text.slice(0, 200)})`);
		ok(/usage limit/i.test(applied.json.message), `message: ${applied.json.message}`);
	});
	await check('checkout: r-shipping order has shipping 0.00 and the code; usage_count 1', async () => {
		ok(shippingCart, 'no free-shipping cart');
		const out = await shippingCart.checkout(EMAIL);
		eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
		const order = await mustRest(`/orders/${out.json.order_id}`);
		eq([order.total, order.shipping_total, order.shipping_lines.map((l) => l.method_id)], ['30.00', '0.00', ['free_shipping']], 'total, shipping');
		const [c] = await mustRest(`/coupons?code=${encodeURIComponent(codes['r-shipping'])}`);
		eq(c.usage_count, 1, 'usage_count');
	});
	await check('checkout: r-mug with the 50.00 product: an order of 0.00, usage_count 1', async () => {
		const { cart, applied } = await cartWith([P50], codes['r-mug']);
		applied200(applied);
		const out = await cart.checkout(EMAIL);
		eq(out.status, 200, `checkout (${out.text.slice(0, 300)})`);
		const order = await mustRest(`/orders/${out.json.order_id}`);
		eq([order.total, order.discount_total], ['0.00', '50.00'], 'order total, discount');
		const [c] = await mustRest(`/coupons?code=${encodeURIComponent(codes['r-mug'])}`);
		eq(c.usage_count, 1, 'usage_count');
	});

	// -------------------------------------------------------------- replay
	await check('replay: the same Idempotency-Key answers the same code; the shop has one coupon', async () => {
		const r = await redeem('r-10pct', `redeem-r-10pct-${run}`);
		eq(r.status, 200, `status (${r.text.slice(0, 200)})`);
		eq(r.json.coupon?.code, codes['r-10pct'], 'code');
		const list = await mustRest(`/coupons?code=${encodeURIComponent(codes['r-10pct'])}`);
		eq(list.length, 1, 'coupons with this code');
		const all = await mustRest('/coupons?per_page=100');
		eq(all.length, 4, 'coupons in the shop');
		const mine = await http(`${base}/v1/redemptions`, { headers: customer });
		eq(mine.status, 200, 'GET /v1/redemptions');
		const items = mine.json.items ?? mine.json.redemptions ?? mine.json;
		eq(Array.isArray(items) ? items.length : -1, 4, 'redemptions listed');
	});

	// -------------------------------------------------------------- the start-up check, at the end too
	await check('the endpoint logged no start-up warning in the whole run', async () => {
		eq(warnings(endpointLog).filter((m) => PREFLIGHT_ANY.test(m)), [], 'start-up warnings');
	});
}

let crashed = null;
try {
	await main();
} catch (err) {
	crashed = err;
	failed += 1;
	console.log(`  FAIL  (stopped early) ${err.stack || err}`);
	if (endpointLog && existsSync(endpointLog)) say(`endpoint log (${endpointLog}):\n${readFileSync(endpointLog, 'utf8').slice(-3000)}`);
} finally {
	cleanup();
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
process.exit(failed || crashed ? 1 : 0);
