#!/usr/bin/env node
// Self-test of woo-coupons.mjs over real HTTP: auth, validation, create, lookup, duplicates, every
// fault kind, the script queue, seeded randomness, the control routes, and the ways it stops.
// Prints "N passed, M failed" and exits non-zero when a check failed.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'woo-coupons.mjs');
const KEY = 'ck_' + '1'.repeat(40);
const SECRET = 'cs_' + '2'.repeat(40);
const AUTH = 'Basic ' + Buffer.from(`${KEY}:${SECRET}`).toString('base64');
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
	if (ok) {
		passed++;
		console.log(`  ok   ${name}`);
	} else {
		failed++;
		console.log(`  FAIL ${name}${detail ? ` -- ${detail}` : ''}`);
	}
}
const eq = (name, actual, expected) => check(name, JSON.stringify(actual) === JSON.stringify(expected), `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);

function start(args = []) {
	const child = spawn(process.execPath, [SCRIPT, '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stderr.on('data', (d) => (stderr += d));
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	const ready = new Promise((resolve, reject) => {
		child.stdout.on('data', (d) => (stdout += d));
		createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l).port));
		child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
	});
	return { child, ready, exited, out: () => stdout, err: () => stderr };
}
const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), ms))]);

let base;
async function req(method, path, { body, raw, auth = AUTH, ctype = 'application/json' } = {}) {
	const headers = {};
	if (auth) headers.Authorization = auth;
	if (body !== undefined || raw !== undefined) headers['Content-Type'] = ctype;
	const t = Date.now();
	try {
		const res = await fetch(base + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
		const text = await res.text();
		let json = null;
		try {
			json = JSON.parse(text);
		} catch { /* not JSON */ }
		return { status: res.status, json, headers: res.headers, ms: Date.now() - t };
	} catch (e) {
		return { status: 'network-error', error: String(e.cause?.code || e.cause?.message || e.message), ms: Date.now() - t };
	}
}
const create = (body, opts = {}) => req('POST', '/wp-json/wc/v3/coupons', { body, ...opts });
const faults = (f) => req('PUT', '/_standin/faults', { body: f, auth: null });
const standinCoupons = async () => (await req('GET', '/_standin/coupons', { auth: null })).json;

async function main() {
	const t0 = Date.now();
	const s = start(['--key', KEY, '--secret', SECRET, '--seed', '7']);
	const port = await s.ready;
	base = `http://127.0.0.1:${port}`;
	check('prints {"port":N} when ready', Number.isInteger(port) && port > 0);

	console.log('== auth');
	let r = await req('GET', '/wp-json/wc/v3/coupons', { auth: null });
	eq('no auth, GET list -> 401 woocommerce_rest_cannot_view', [r.status, r.json?.code, r.json?.message], [401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.']);
	r = await create({ code: 'NOAUTH', amount: '1' }, { auth: null });
	eq('no auth, POST -> 401 woocommerce_rest_cannot_create', [r.status, r.json?.code], [401, 'woocommerce_rest_cannot_create']);
	r = await create({ code: 'BADSECRET', amount: '1' }, { auth: 'Basic ' + Buffer.from(`${KEY}:cs_${'9'.repeat(40)}`).toString('base64') });
	eq('wrong secret -> 401 woocommerce_rest_authentication_error', [r.status, r.json?.code, r.json?.message, r.json?.data], [401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.', { status: 401 }]);
	r = await create({ code: 'BADKEY', amount: '1' }, { auth: 'Basic ' + Buffer.from(`ck_${'9'.repeat(40)}:${SECRET}`).toString('base64') });
	eq('unknown key -> 401 cannot_create', [r.status, r.json?.code], [401, 'woocommerce_rest_cannot_create']);
	r = await req('GET', `/wp-json/wc/v3/coupons?consumer_key=${KEY}&consumer_secret=${SECRET}`, { auth: null });
	eq('consumer_key/consumer_secret query parameters accepted', r.status, 200);

	console.log('== validation');
	r = await create({ code: 'V1', amount: 10 });
	eq('amount as number -> rest_invalid_param', [r.status, r.json?.code, r.json?.message, r.json?.data?.params], [400, 'rest_invalid_param', 'Invalid parameter(s): amount', { amount: 'amount is not of type string.' }]);
	eq('... with details', r.json?.data?.details?.amount, { code: 'rest_invalid_type', message: 'amount is not of type string.', data: { param: 'amount' } });
	r = await create({ code: 'V1', amount: 10 }, { auth: null });
	eq('validation comes before the permission check', [r.status, r.json?.code], [400, 'rest_invalid_param']);
	const param = async (body) => (await create({ code: 'V2', amount: '1', ...body })).json?.data?.params;
	eq('bad discount_type', await param({ discount_type: 'bogus' }), { discount_type: 'discount_type is not one of percent, fixed_cart, and fixed_product.' });
	eq('usage_limit as string', await param({ usage_limit: 'abc' }), { usage_limit: 'usage_limit is not of type integer.' });
	eq('usage_limit_per_user as string', await param({ usage_limit_per_user: 'x' }), { usage_limit_per_user: 'usage_limit_per_user is not of type integer.' });
	eq('email_restrictions [1]', await param({ email_restrictions: [1] }), { email_restrictions: 'email_restrictions[0] is not of type string.' });
	eq('email_restrictions object', await param({ email_restrictions: { a: 'x@example.com' } }), { email_restrictions: 'email_restrictions is not of type array.' });
	eq('product_ids ["x"]', await param({ product_ids: ['x'] }), { product_ids: 'product_ids[0] is not of type integer.' });
	eq('free_shipping "yes"', await param({ free_shipping: 'yes' }), { free_shipping: 'free_shipping is not of type boolean.' });
	eq('individual_use 2', await param({ individual_use: 2 }), { individual_use: 'individual_use is not of type boolean.' });
	eq('date_expires as number', await param({ date_expires: 5 }), { date_expires: 'date_expires is not of type null,string.' });
	eq('minimum_amount as number', await param({ minimum_amount: 5 }), { minimum_amount: 'minimum_amount is not of type string.' });
	r = await create({ usage_limit: 'x', code: 'V3', discount_type: 'bogus', amount: 10 });
	eq('several errors, in schema order', r.json?.message, 'Invalid parameter(s): amount, discount_type, usage_limit');
	r = await create({ amount: '1' });
	eq('missing code', [r.status, r.json?.code, r.json?.data?.params], [400, 'rest_missing_callback_param', ['code']]);
	r = await create({ code: '  ', amount: '1' });
	eq('blank code', [r.status, r.json?.code], [400, 'woocommerce_rest_empty_coupon_code']);
	r = await create({ code: 'V4', amount: '-1' });
	eq('negative amount', [r.status, r.json?.code, r.json?.message], [400, 'coupon_invalid_amount', 'Invalid discount amount']);
	r = await create({ code: 'V5', amount: '1', discount_type: null });
	eq('discount_type null', [r.status, r.json?.code], [400, 'coupon_invalid_discount_type']);
	r = await req('POST', '/wp-json/wc/v3/coupons', { raw: '{"code":' });
	eq('invalid JSON', [r.status, r.json?.code], [400, 'rest_invalid_json']);
	eq('nothing was created by refused requests', (await standinCoupons()).length, 0);

	console.log('== create, lookup, duplicate');
	const body = { code: 'Loyal-ABC', discount_type: 'percent', amount: '10', usage_limit: 1, usage_limit_per_user: 1, email_restrictions: ['Alice@Example.com'], product_ids: [10, 11], free_shipping: false, individual_use: true, date_expires: '2030-01-01T00:00:00', minimum_amount: '5' };
	r = await create(body);
	eq('201', r.status, 201);
	const c = r.json || {};
	check('id is an integer', Number.isInteger(c.id));
	eq('echo', [c.code, c.amount, c.discount_type, c.usage_limit, c.usage_limit_per_user, c.usage_count, c.used_by, c.email_restrictions, c.product_ids, c.free_shipping, c.individual_use, c.date_expires, c.date_expires_gmt, c.minimum_amount, c.maximum_amount, c.status],
		['Loyal-ABC', '10.00', 'percent', 1, 1, 0, [], ['alice@example.com'], [10, 11], false, true, '2030-01-01T00:00:00', '2030-01-01T00:00:00', '5.00', '0.00', 'publish']);
	check('date_created is a site-local date string', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(c.date_created) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(c.date_created_gmt));
	eq('the real answer\'s field list', Object.keys(c), ['id', 'code', 'amount', 'status', 'date_created', 'date_created_gmt', 'date_modified', 'date_modified_gmt', 'discount_type', 'description', 'date_expires', 'date_expires_gmt', 'usage_count', 'individual_use', 'product_ids', 'excluded_product_ids', 'usage_limit', 'usage_limit_per_user', 'limit_usage_to_x_items', 'free_shipping', 'product_categories', 'excluded_product_categories', 'exclude_sale_items', 'minimum_amount', 'maximum_amount', 'email_restrictions', 'used_by', 'meta_data', '_links']);
	r = await create({ code: 'OFFSET', amount: '1', date_expires: '2030-01-01T10:00:00+02:00', email_restrictions: ['bad', 'b@example.com'] });
	eq('date with offset is stored in UTC; an unusable email leaves a JSON object', [r.json?.date_expires, r.json?.email_restrictions], ['2030-01-01T08:00:00', { 1: 'b@example.com' }]);
	r = await req('GET', '/wp-json/wc/v3/coupons?code=loyal-abc');
	eq('lookup by code, other case', [r.status, r.json?.length, r.json?.[0]?.id, r.headers.get('x-wp-total')], [200, 1, c.id, '1']);
	r = await req('GET', '/wp-json/wc/v3/coupons?code=loyal');
	eq('lookup is exact, not a prefix match', r.json, []);
	r = await req('GET', `/wp-json/wc/v3/coupons/${c.id}`);
	eq('GET by id', [r.status, r.json?.code], [200, 'Loyal-ABC']);
	r = await req('GET', '/wp-json/wc/v3/coupons/999999');
	eq('GET unknown id', [r.status, r.json?.code], [404, 'woocommerce_rest_shop_coupon_invalid_id']);
	r = await create({ code: ' LOYAL-abc ', amount: '5' });
	eq('duplicate in other case', [r.status, r.json?.code, r.json?.message], [400, 'woocommerce_rest_coupon_code_already_exists', 'The coupon code already exists']);
	const list = await standinCoupons();
	eq('/_standin/coupons has each coupon with the body as received', [list.length, list[0]?.received], [2, body]);
	const log = (await req('GET', '/_standin/requests', { auth: null })).json;
	check('/_standin/requests logs every platform request', Array.isArray(log) && log.length >= 25 && log.every((e) => e.method && e.path && 'auth' in e));
	check('... without the secret', !JSON.stringify(log).includes(SECRET) && !JSON.stringify(log).includes(Buffer.from(`${KEY}:${SECRET}`).toString('base64')));

	console.log('== faults');
	r = await faults({ script: ['500', '429', 'timeout', 'drop_after_create', 'ok'], retry_after: 3, timeout_ms: 400 });
	eq('PUT /_standin/faults', r.status, 200);
	r = await create({ code: 'F-500', amount: '1' });
	eq('script 500 -> WordPress critical error JSON', [r.status, r.json?.code, r.json?.data, r.json?.additional_errors], [500, 'internal_server_error', { status: 500 }, []]);
	r = await create({ code: 'F-429', amount: '1' });
	eq('script 429 -> Retry-After', [r.status, r.headers?.get('retry-after')], [429, '3']);
	r = await create({ code: 'F-TIMEOUT', amount: '1' });
	check('script timeout -> socket closed after timeout_ms, no answer', r.status === 'network-error' && r.ms >= 350 && r.ms < 3000, JSON.stringify(r));
	r = await create({ code: 'F-DROP', amount: '1' });
	check('script drop_after_create -> no answer', r.status === 'network-error', JSON.stringify(r));
	r = await create({ code: 'F-OK', amount: '1' });
	eq('script ok -> 201', r.status, 201);
	r = await create({ code: 'F-AFTER', amount: '1' });
	eq('script consumed, then normal', r.status, 201);
	const codes = (await standinCoupons()).map((x) => x.code);
	check('500/429/timeout did not act, drop_after_create did', !codes.includes('F-500') && !codes.includes('F-429') && !codes.includes('F-TIMEOUT') && codes.includes('F-DROP'), codes.join(','));
	r = await req('GET', '/wp-json/wc/v3/coupons?code=f-drop');
	eq('the dropped coupon exists for a lookup', r.json?.length, 1);
	r = await create({ code: 'f-drop', amount: '1' });
	eq('... and a retry of it is a duplicate', r.json?.code, 'woocommerce_rest_coupon_code_already_exists');
	r = await faults({ script: ['500'] });
	r = await req('GET', '/wp-json/wc/v3/coupons?code=F-OK');
	eq('faults apply to lookups too', r.status, 500);
	r = await faults({ fail_rate: 1, kinds: ['429'] });
	const many = await Promise.all([1, 2, 3].map((i) => create({ code: `R-${i}`, amount: '1' })));
	eq('fail_rate 1 -> every request fails', many.map((x) => x.status), [429, 429, 429]);
	r = await faults({ drop_after_create_rate: 1 });
	r = await create({ code: 'R-DROP', amount: '1' });
	check('drop_after_create_rate 1 -> created, not answered', r.status === 'network-error' && (await standinCoupons()).some((x) => x.code === 'R-DROP'));
	const pattern = async () => {
		await faults({ fail_rate: 0.5, kinds: ['500', '429'], seed: 42 });
		const out = [];
		for (let i = 0; i < 12; i++) out.push((await req('GET', '/wp-json/wc/v3/coupons?code=x')).status);
		return out;
	};
	const p1 = await pattern();
	const p2 = await pattern();
	check('seeded random faults repeat', JSON.stringify(p1) === JSON.stringify(p2) && p1.some((x) => x !== 200) && p1.some((x) => x === 200), `${p1} / ${p2}`);
	r = await faults({ fail_rate: 2 });
	eq('bad fault config refused', r.status, 400);
	r = await faults({ script: ['explode'] });
	eq('unknown script entry refused', r.status, 400);
	r = await faults({});
	r = await req('POST', '/_standin/reset', { auth: null });
	eq('reset', [r.status, (await standinCoupons()).length, (await req('GET', '/_standin/requests', { auth: null })).json.length], [200, 0, 0]);
	r = await create({ code: 'Loyal-ABC', amount: '1' });
	eq('after reset the code is free again', r.status, 201);

	console.log('== stopping');
	r = await faults({ script: ['timeout'], timeout_ms: 60000 });
	const pending = create({ code: 'HELD', amount: '1' });
	await new Promise((res) => setTimeout(res, 100));
	s.child.kill('SIGTERM');
	const e1 = await within(s.exited, 3000);
	check('SIGTERM stops it, even with a request held open', e1 !== 'timeout' && e1.code === 0, JSON.stringify(e1));
	await pending;
	eq('stdout held exactly one line', s.out().trim().split('\n').length, 1);
	const s2 = start();
	await s2.ready;
	s2.child.stdin.end();
	const e2 = await within(s2.exited, 3000);
	check('closing stdin stops it', e2 !== 'timeout' && e2.code === 0, JSON.stringify(e2));
	const s3 = start();
	await s3.ready;
	s3.child.kill('SIGINT');
	const e3 = await within(s3.exited, 3000);
	check('SIGINT stops it', e3 !== 'timeout' && e3.code === 0, JSON.stringify(e3));
	const s5 = start(['--ignore-stdin', '--max-lifetime', '1']);
	await s5.ready;
	s5.child.stdin.end();
	const e5a = await within(s5.exited, 400);
	const e5 = await within(s5.exited, 3000);
	check('--ignore-stdin keeps it up when stdin closes; --max-lifetime stops it', e5a === 'timeout' && e5 !== 'timeout' && e5.code === 0, JSON.stringify([e5a, e5]));
	const s4 = start(['--key', 'nope']);
	s4.ready.catch(() => {});
	const e4 = await within(s4.exited, 3000);
	check('a bad --key is refused', e4 !== 'timeout' && e4.code === 2);
	console.log(`(${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

try {
	await main();
} catch (e) {
	failed++;
	console.log(`  FAIL unexpected: ${e.stack || e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
