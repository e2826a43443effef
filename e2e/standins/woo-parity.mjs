#!/usr/bin/env node
// Keeps the WooCommerce coupons stand-in honest: starts the real WordPress + WooCommerce harness
// (/work/shared/woocommerce/up.sh, or $WC_HARNESS_DIR/up.sh) and woo-coupons.mjs with the same REST
// keys, sends both the same requests, and compares status, error code, the top-level fields and their
// JSON types (and, where the input fixes them, the values). Prints a table, exits non-zero on a
// difference, and always stops the WooCommerce it started (down.sh).
//
//   node e2e/standins/woo-parity.mjs        # WC_HARNESS_STATE defaults to /tmp/loyalty-woo
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const HARNESS = process.env.WC_HARNESS_DIR || '/work/shared/woocommerce';
const STATE = process.env.WC_HARNESS_STATE || '/tmp/loyalty-woo';
const env = { ...process.env, WC_HARNESS_STATE: STATE };
const t0 = Date.now();
const say = (m) => process.stderr.write(`[woo-parity ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);

let standin = null;
let harnessUp = false;
function cleanup() {
	if (standin && standin.exitCode === null) {
		standin.stdin.end();
		standin.kill('SIGTERM');
	}
	if (harnessUp) {
		harnessUp = false;
		const r = spawnSync(join(HARNESS, 'down.sh'), process.env.WOO_KEEP_STATE ? [] : ['--purge'], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		say(`down.sh: ${(r.stdout + r.stderr).trim().replace(/\n/g, '; ')}`);
	}
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

function readEnv(file) {
	const out = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z_0-9]+)='(.*)'$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

async function startStandin(key, secret) {
	const child = spawn(process.execPath, [join(HERE, 'woo-coupons.mjs'), '--port', '0', '--key', key, '--secret', secret], { stdio: ['pipe', 'pipe', 'inherit'] });
	const line = await new Promise((resolve, reject) => {
		const rl = createInterface({ input: child.stdout });
		rl.once('line', resolve);
		child.once('exit', (c) => reject(new Error(`stand-in exited (${c}) before it was ready`)));
	});
	return { child, port: JSON.parse(line).port };
}

// ------------------------------------------------------------------ requests
async function call(base, { method = 'GET', path, body, auth, raw, ctype = 'application/json' }) {
	const headers = {};
	if (auth) headers.Authorization = 'Basic ' + Buffer.from(auth).toString('base64');
	if (body !== undefined || raw !== undefined) headers['Content-Type'] = ctype;
	const res = await fetch(base + path, { method, headers, body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined, redirect: 'manual' });
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = { unparsable: text.slice(0, 120) };
	}
	return { status: res.status, json, total: res.headers.get('x-wp-total') };
}

const jtype = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** "field:type" for each top-level field (for a list: of its first element, prefixed by its length). */
function shape(j) {
	if (Array.isArray(j)) return `[${j.length}] ` + (j.length ? shape(j[0]) : '');
	if (jtype(j) !== 'object') return jtype(j);
	return Object.keys(j).sort().map((k) => `${k}:${jtype(j[k])}`).join(' ');
}
const VALUE_FIELDS = ['code', 'amount', 'discount_type', 'status', 'date_expires', 'date_expires_gmt', 'usage_count', 'usage_limit', 'usage_limit_per_user',
	'individual_use', 'free_shipping', 'product_ids', 'email_restrictions', 'minimum_amount', 'maximum_amount', 'used_by', 'message', 'data'];
function values(j) {
	const one = (o) => (jtype(o) === 'object' ? Object.fromEntries(VALUE_FIELDS.filter((k) => k in o).map((k) => [k, o[k]])) : o);
	return JSON.stringify(Array.isArray(j) ? j.map(one) : one(j));
}

function cases(ctx) {
	const { AUTH, BAD, product, run } = ctx;
	const C = (s) => `PAR-${run}-${s}`;
	const post = (name, body, more = {}) => ({ name, req: { method: 'POST', path: '/wp-json/wc/v3/coupons', body, auth: AUTH, ...more } });
	const get = (name, path, more = {}) => ({ name, req: { method: 'GET', path, auth: AUTH, ...more } });
	return [
		post('valid fixed_cart', { code: C('Fixed'), discount_type: 'fixed_cart', amount: '10', usage_limit: 1, usage_limit_per_user: 1, email_restrictions: ['Alice@Example.com'], date_expires: '2030-01-01T00:00:00' }),
		post('valid percent', { code: C('Pct'), discount_type: 'percent', amount: '15', usage_limit: 1, email_restrictions: ['alice@example.com'], date_expires: '2030-06-30T12:30:00+02:00', individual_use: true }),
		post('valid free_shipping', { code: C('Ship'), discount_type: 'fixed_cart', amount: '0', free_shipping: true, usage_limit: 1, email_restrictions: ['bob@example.com'], date_expires: '2030-01-01' }),
		post('valid product coupon', { code: C('Prod'), discount_type: 'fixed_product', amount: '5.555', product_ids: [product], usage_limit: 1, minimum_amount: '20', email_restrictions: ['carol@example.com'] }),
		post('numeric strings coerced', { code: C('Coerce'), amount: '3', usage_limit: '2', free_shipping: 'true', individual_use: 1, product_ids: `${product}` }),
		post('nulls reset to defaults', { code: C('Nulls'), amount: '1', usage_limit: null, free_shipping: null, email_restrictions: null, date_expires: null }),
		post('unusable email dropped (object)', { code: C('Mail'), amount: '1', email_restrictions: ['not-an-email', 'Dan@Example.com'] }),
		post('date_expires epoch string', { code: C('Epoch'), amount: '1', date_expires: '1893456000' }),
		post('date_expires_gmt alone ignored', { code: C('Gmt'), amount: '1', date_expires_gmt: '2030-01-01T10:00:00' }),
		post('unparsable date -> null', { code: C('BadDate'), amount: '1', date_expires: 'not a date' }),
		post('percent above 100', { code: C('Pct150'), amount: '150', discount_type: 'percent' }),
		post('code trimmed, tags stripped', { code: `  <b>${C('Trim')}</b> `, amount: '1' }),
		post('missing auth', { code: C('NoAuth'), amount: '10' }, { auth: undefined }),
		get('missing auth (GET list)', `/wp-json/wc/v3/coupons?code=${C('Fixed')}`, { auth: undefined }),
		post('wrong secret', { code: C('BadSecret'), amount: '10' }, { auth: BAD }),
		get('wrong secret (GET)', '/wp-json/wc/v3/coupons', { auth: BAD }),
		post('unknown key', { code: C('UnknownKey'), amount: '10' }, { auth: 'ck_' + '0'.repeat(40) + ':cs_' + '0'.repeat(40) }),
		post('validation before auth', { code: C('NoAuthBad'), amount: 10 }, { auth: undefined }),
		post('amount as a number', { code: C('Num'), discount_type: 'percent', amount: 10 }),
		post('bad discount_type', { code: C('Type'), discount_type: 'bogus', amount: '10' }),
		post('discount_type null', { code: C('TypeNull'), discount_type: null, amount: '10' }),
		post('usage_limit as string', { code: C('Limit'), amount: '10', usage_limit: 'one' }),
		post('usage_limit 1.5', { code: C('Limit15'), amount: '10', usage_limit: 1.5 }),
		post('usage_limit_per_user as string', { code: C('PerUser'), amount: '10', usage_limit_per_user: 'x' }),
		post('email_restrictions [1]', { code: C('MailNum'), amount: '10', email_restrictions: [1] }),
		post('product_ids ["x"]', { code: C('ProdStr'), amount: '10', product_ids: ['x'] }),
		post('free_shipping "yes"', { code: C('ShipYes'), amount: '10', free_shipping: 'yes' }),
		post('individual_use 2', { code: C('Indiv2'), amount: '10', individual_use: 2 }),
		post('date_expires as number', { code: C('DateNum'), amount: '10', date_expires: 1893456000 }),
		post('minimum_amount as number', { code: C('Min'), amount: '10', minimum_amount: 5 }),
		post('several errors at once', { usage_limit: 'x', code: C('Many'), discount_type: 'bogus', amount: 10 }),
		post('code as a number', { code: 12345, amount: '10' }),
		post('missing code', { amount: '10' }),
		post('empty code', { code: '   ', amount: '10' }),
		post('negative amount', { code: C('Neg'), amount: '-5' }),
		post('invalid JSON', undefined, { raw: '{"code": nope' }),
		post('duplicate code in other case', { code: C('Fixed').toLowerCase(), discount_type: 'fixed_cart', amount: '10' }),
		post('duplicate code with spaces', { code: ` ${C('Pct').toUpperCase()} `, amount: '10' }),
		get('lookup by code, other case', `/wp-json/wc/v3/coupons?code=${encodeURIComponent(C('Fixed').toUpperCase())}`),
		get('lookup by code, padded', `/wp-json/wc/v3/coupons?code=${encodeURIComponent(' ' + C('Pct') + ' ')}`),
		get('lookup by code prefix', `/wp-json/wc/v3/coupons?code=${encodeURIComponent(C('Fix'))}`),
		get('lookup unknown code', `/wp-json/wc/v3/coupons?code=${C('Nope')}`),
		{ name: 'get by id', req: { method: 'GET', pathFrom: 'first', auth: AUTH } },
		get('get unknown id', '/wp-json/wc/v3/coupons/987654'),
		get('get non-numeric id', '/wp-json/wc/v3/coupons/abc'),
		{ name: 'DELETE collection (no route)', req: { method: 'DELETE', path: '/wp-json/wc/v3/coupons', auth: AUTH } },
	];
}

async function main() {
	say(`starting WooCommerce (${HARNESS}/up.sh, WC_HARNESS_STATE=${STATE})`);
	harnessUp = true; // down.sh is harmless if up.sh failed half-way
	const up = spawnSync(join(HARNESS, 'up.sh'), { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
	if (up.status !== 0) throw new Error(`up.sh failed (${up.status}): ${up.stderr.trim().split('\n').slice(-5).join(' | ')}`);
	const wc = readEnv(join(STATE, 'env'));
	say(`WooCommerce ${wc.WC_VERSION} on WordPress ${wc.WP_VERSION} at ${wc.WC_URL}`);
	const s = await startStandin(wc.WC_CONSUMER_KEY, wc.WC_CONSUMER_SECRET);
	standin = s.child;
	const sides = { real: wc.WC_URL, standin: `http://127.0.0.1:${s.port}` };
	const ctx = {
		AUTH: `${wc.WC_CONSUMER_KEY}:${wc.WC_CONSUMER_SECRET}`,
		BAD: `${wc.WC_CONSUMER_KEY}:cs_${'0'.repeat(40)}`,
		product: Number(wc.WC_PRODUCT_ID),
		run: Date.now().toString(36).toUpperCase(),
	};
	const firstId = {};
	const rows = [];
	let diffs = 0;
	for (const c of cases(ctx)) {
		const out = {};
		for (const [side, base] of Object.entries(sides)) {
			const req = { ...c.req };
			if (req.pathFrom) req.path = `/wp-json/wc/v3/coupons/${firstId[side]}`;
			out[side] = await call(base, req);
			if (firstId[side] === undefined && out[side].status === 201) firstId[side] = out[side].json.id;
		}
		const a = out.real;
		const b = out.standin;
		const why = [];
		if (a.status !== b.status) why.push(`status ${a.status} vs ${b.status}`);
		if (a.json?.code !== b.json?.code && (typeof a.json?.code === 'string' || typeof b.json?.code === 'string')) why.push(`code ${a.json?.code} vs ${b.json?.code}`);
		const sa = shape(a.json);
		const sb = shape(b.json);
		if (sa !== sb) why.push(`fields/types differ:\n      real:    ${sa}\n      standin: ${sb}`);
		const va = values(a.json);
		const vb = values(b.json);
		if (va !== vb) why.push(`values differ:\n      real:    ${va}\n      standin: ${vb}`);
		if (a.total !== b.total) why.push(`X-WP-Total ${a.total} vs ${b.total}`);
		const ok = why.length === 0;
		if (!ok) diffs++;
		const brief = (r) => `${r.status} ${typeof r.json?.code === 'string' ? r.json.code : Array.isArray(r.json) ? `[${r.json.length}]` : ''}`.trim();
		rows.push([ok ? 'same' : 'DIFF', c.name, brief(a), brief(b), why.join('; ')]);
	}
	const w = [4, Math.max(...rows.map((r) => r[1].length)), Math.max(...rows.map((r) => r[2].length)), Math.max(...rows.map((r) => r[3].length))];
	console.log(`${'    '.padEnd(w[0])}  ${'request'.padEnd(w[1])}  ${'real WooCommerce'.padEnd(w[2])}  stand-in`);
	for (const r of rows) {
		console.log(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
		if (r[4]) console.log(`      ${r[4]}`);
	}
	console.log(`${rows.length - diffs} same, ${diffs} different (WooCommerce ${wc.WC_VERSION}, ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
	return diffs === 0;
}

let ok = false;
try {
	ok = await main();
} catch (e) {
	console.error(`woo-parity: ${e.stack || e}`);
} finally {
	cleanup();
}
process.exit(ok ? 0 : 1);
