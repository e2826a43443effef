#!/usr/bin/env node
// WooCommerce 9.9.5 REST v3 coupons stand-in (POST/GET /wp-json/wc/v3/coupons, GET .../coupons/{id}),
// with the real platform's auth, validation, error shapes and answer shapes (checked against a real
// WordPress 6.9 + WooCommerce 9.9.5 by woo-parity.mjs), plus control routes under /_standin/ and
// scripted or seeded-random faults for the exactly-once suite.
//
//   node e2e/standins/woo-coupons.mjs [--port 0] [--key ck_<40 hex>] [--secret cs_<40 hex>] [--seed N]
//                                     [--ignore-stdin] [--max-lifetime 10800]
//
// Listens on 127.0.0.1, prints one line {"port":N} on stdout when ready, logs to stderr only, and
// exits on SIGTERM/SIGINT, when its stdin closes (unless --ignore-stdin) and after --max-lifetime
// seconds. See README.md beside this file.
import http from 'node:http';

// ---------------------------------------------------------------- options
function parseArgs(argv) {
	const opts = { port: 0, key: 'ck_' + 'a'.repeat(40), secret: 'cs_' + 'b'.repeat(40), seed: 1, ignoreStdin: false, maxLifetime: 10800 };
	for (let i = 0; i < argv.length; i++) {
		const [name, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => (inline !== undefined ? inline : argv[++i]);
		switch (name) {
			case '--port': opts.port = Number(value()); break;
			case '--key': opts.key = String(value()); break;
			case '--secret': opts.secret = String(value()); break;
			case '--seed': opts.seed = Number(value()); break;
			case '--ignore-stdin': opts.ignoreStdin = true; break;
			case '--max-lifetime': opts.maxLifetime = Number(value()); break;
			default: fail(`unknown argument ${argv[i]}`);
		}
	}
	if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) fail('--port must be 0..65535');
	if (!/^ck_[0-9a-f]{40}$/.test(opts.key)) fail('--key must be ck_ + 40 hex digits');
	if (!/^cs_[0-9a-f]{40}$/.test(opts.secret)) fail('--secret must be cs_ + 40 hex digits');
	if (!Number.isFinite(opts.seed)) fail('--seed must be a number');
	if (!(opts.maxLifetime > 0)) fail('--max-lifetime must be a positive number of seconds');
	return opts;
}
function fail(msg) {
	process.stderr.write(`woo-coupons: ${msg}\n`);
	process.exit(2);
}
const log = (msg) => process.stderr.write(`[woo-coupons] ${msg}\n`);
const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- seeded random (mulberry32)
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// ---------------------------------------------------------------- state
const FAULT_KINDS = ['500', '429', 'timeout', 'drop_after_create', 'ok'];
const defaultFaults = () => ({ fail_rate: 0, drop_after_create_rate: 0, kinds: ['500', '429', 'timeout'], retry_after: 1, timeout_ms: 30000, script: [] });
let state;
function reset() {
	state = { coupons: [], requests: [], nextId: 100, seq: 0, faults: defaultFaults(), random: rng(opts.seed) };
}
reset();
const held = new Set(); // timers of requests held open by a timeout fault

// ---------------------------------------------------------------- WordPress-ish helpers
const pad = (n, w = 2) => String(n).padStart(w, '0');
/** "YYYY-MM-DDTHH:MM:SS" of a Date, in UTC (the site's timezone is UTC, like the harness). */
const wpDate = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** PHP is_numeric on a JSON value. */
function isNumeric(v) {
	if (typeof v === 'number') return Number.isFinite(v);
	if (typeof v !== 'string') return false;
	return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v);
}
/** wp_parse_list: a scalar becomes a list split on commas and whitespace. */
function parseList(v) {
	if (Array.isArray(v)) return v;
	const s = v === true ? '1' : v === false ? '' : String(v);
	return s.split(/[\s,]+/).filter((x) => x !== '');
}
const isList = (v) => Array.isArray(v) || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isInteger = (v) => typeof v !== 'boolean' && isNumeric(v) && Math.round(Number(v)) === Number(v);
const isBoolean = (v) => typeof v === 'boolean' || (typeof v === 'string' && ['false', 'true', '0', '1'].includes(v.toLowerCase())) || v === 0 || v === 1;
const toBool = (v) => (typeof v === 'string' ? !['false', '0', ''].includes(v.toLowerCase()) : Boolean(v));
const absint = (v) => Math.abs(Math.trunc(Number(v)) || 0);
/** wc_format_decimal(v, 2) for display: non-numeric -> "0.00". */
function decimal2(v) {
	if (!isNumeric(v)) return '0.00';
	const n = Number(v);
	return (Math.sign(n) * Math.round(Math.abs(n) * 100 + 1e-9) / 100).toFixed(2);
}
/** sanitize_email as WordPress does it ('' when unusable). */
function sanitizeEmail(email) {
	if (email.length < 6) return '';
	const at = email.indexOf('@', 1);
	if (at < 0) return '';
	let local = email.slice(0, at).replace(/[^a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]/g, '');
	if (local === '') return '';
	let domain = email.slice(at + 1).replace(/\.{2,}/g, '').replace(/^[\s\0\x0B.]+|[\s\0\x0B.]+$/g, '');
	if (domain === '') return '';
	const subs = domain.split('.');
	if (subs.length < 2) return '';
	const out = [];
	for (let sub of subs) {
		sub = sub.replace(/^[\s\0\x0B-]+|[\s\0\x0B-]+$/g, '').replace(/[^a-z0-9-]+/gi, '');
		if (sub !== '') out.push(sub);
	}
	if (out.length < 2) return '';
	return `${local}@${out.join('.')}`;
}
const decodeEntities = (s) => s.replace(/&(amp|lt|gt|quot|#0?39|apos);/g, (m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#039': "'", '#39': "'", apos: "'" })[e]);
/** wc_format_coupon_code: entities decoded, tags stripped, trimmed; the case is kept. */
const formatCode = (s) => decodeEntities(String(s)).replace(/<[^>]*>?/g, '').trim();
/** sanitize_text_field, as applied to ?code= */
const sanitizeText = (s) => String(s).replace(/<[^>]*>?/g, '').replace(/[\r\n\t ]+/g, ' ').trim();
/** A coupon's date_expires as WooCommerce's setter reads it: epoch seconds or null. */
function parseDate(v) {
	if (typeof v !== 'string' || v.trim() === '') return null;
	const s = v.trim();
	if (/^-?\d+$/.test(s)) return Number(s);
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
	if (!m) return null; // WordPress's strtotime() knows more forms ("tomorrow", ...); the stand-in does not.
	let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) / 1000;
	if (m[7] && m[7].toUpperCase() !== 'Z') {
		const o = m[7].replace(':', '');
		t -= (o[0] === '-' ? -1 : 1) * (Number(o.slice(1, 3)) * 3600 + Number(o.slice(3, 5)) * 60);
	}
	return Number.isFinite(t) ? t : null;
}

// ---------------------------------------------------------------- schema (writable props, in WooCommerce's order)
const DISCOUNT_TYPES = ['percent', 'fixed_cart', 'fixed_product'];
const SCHEMA = [
	['code', 'string'], ['amount', 'string'], ['status', 'string'], ['discount_type', 'enum'], ['description', 'string'],
	['date_expires', 'date'], ['date_expires_gmt', 'date'], ['individual_use', 'boolean'], ['product_ids', 'int[]'],
	['excluded_product_ids', 'int[]'], ['usage_limit', 'integer'], ['usage_limit_per_user', 'integer'],
	['limit_usage_to_x_items', 'integer'], ['free_shipping', 'boolean'], ['product_categories', 'int[]'],
	['excluded_product_categories', 'int[]'], ['exclude_sale_items', 'boolean'], ['minimum_amount', 'string'],
	['maximum_amount', 'string'], ['email_restrictions', 'string[]'], ['meta_data', 'object[]'],
];
/** rest_validate_value_from_schema: null when fine, else [param, code, message]. */
function validate(name, kind, v) {
	const bad = (t, param = name) => [name, 'rest_invalid_type', `${param} is not of type ${t}.`, param];
	switch (kind) {
		case 'string': return typeof v === 'string' ? null : bad('string');
		case 'integer': return isInteger(v) ? null : bad('integer');
		case 'boolean': return isBoolean(v) ? null : bad('boolean');
		case 'date': return typeof v === 'string' ? null : bad('null,string');
		case 'enum':
			if (typeof v !== 'string') return bad('string');
			return DISCOUNT_TYPES.includes(v) ? null : [name, 'rest_not_in_enum', `${name} is not one of percent, fixed_cart, and fixed_product.`, null];
		default: {
			if (!isList(v)) return bad('array');
			const items = parseList(v);
			for (let i = 0; i < items.length; i++) {
				const p = `${name}[${i}]`;
				if (kind === 'int[]' && !isInteger(items[i])) return bad('integer', p);
				if (kind === 'string[]' && typeof items[i] !== 'string') return bad('string', p);
				if (kind === 'object[]' && typeOf(items[i]) !== 'object') return bad('object', p);
			}
			return null;
		}
	}
}

// ---------------------------------------------------------------- answers
function send(res, status, body, headers = {}) {
	if (res.destroyed || res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
	res.end(text);
}
const wpError = (status, code, message, data = {}) => ({ status, body: { code, message, data: { status, ...data } } });

function couponView(c, base) {
	const r = { ...c.record };
	r._links = {
		self: [{ href: `${base}/wp-json/wc/v3/coupons/${c.id}`, targetHints: { allow: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] } }],
		collection: [{ href: `${base}/wp-json/wc/v3/coupons` }],
	};
	return r;
}

/** The create handler, after validation and the permission check. */
function createCoupon(params) {
	if (params.code === undefined || params.code === null || String(params.code).trim() === '') {
		return wpError(400, 'woocommerce_rest_empty_coupon_code', 'The coupon code cannot be empty.');
	}
	// rest_sanitize_value_from_schema turns a JSON null into the type's empty value.
	const p = {};
	for (const [name, kind] of SCHEMA) {
		if (!(name in params)) continue;
		let v = params[name];
		if (v === null) v = { string: '', enum: '', integer: 0, boolean: false, date: null }[kind] ?? [];
		p[name] = v;
	}
	const code = formatCode(p.code);
	if (state.coupons.some((c) => c.record.code.toLowerCase() === code.toLowerCase())) {
		return wpError(400, 'woocommerce_rest_coupon_code_already_exists', 'The coupon code already exists');
	}
	const now = wpDate(new Date());
	const rec = {
		id: 0, code, amount: 0, status: 'publish', date_created: now, date_created_gmt: now, date_modified: now, date_modified_gmt: now,
		discount_type: 'fixed_cart', description: '', date_expires: null, date_expires_gmt: null, usage_count: 0, individual_use: false,
		product_ids: [], excluded_product_ids: [], usage_limit: null, usage_limit_per_user: null, limit_usage_to_x_items: null,
		free_shipping: false, product_categories: [], excluded_product_categories: [], exclude_sale_items: false,
		minimum_amount: '0.00', maximum_amount: '0.00', email_restrictions: [], used_by: [], meta_data: [],
	};
	for (const [name] of SCHEMA) {
		if (!(name in p) || p[name] === null) continue;
		const v = p[name];
		switch (name) {
			case 'code': case 'date_expires_gmt': break; // date_expires_gmt: WooCommerce has no setter for it, it is ignored
			case 'amount': {
				const n = isNumeric(v) ? Number(v) : 0;
				if (n < 0) return wpError(400, 'coupon_invalid_amount', 'Invalid discount amount');
				rec.amount = n;
				break;
			}
			case 'status': rec.status = v; break;
			case 'discount_type':
				if (!DISCOUNT_TYPES.includes(v)) return wpError(400, 'coupon_invalid_discount_type', 'Invalid discount type');
				rec.discount_type = v;
				break;
			case 'description': rec.description = v.replace(/<script[\s\S]*?<\/script>/gi, ''); break;
			case 'date_expires': {
				const t = parseDate(v);
				rec.date_expires = rec.date_expires_gmt = t === null ? null : wpDate(new Date(t * 1000));
				break;
			}
			case 'usage_limit': case 'usage_limit_per_user': case 'limit_usage_to_x_items':
				rec[name] = absint(v) || null;
				break;
			case 'individual_use': case 'free_shipping': case 'exclude_sale_items': rec[name] = toBool(v); break;
			case 'product_ids': case 'excluded_product_ids': case 'product_categories': case 'excluded_product_categories':
				rec[name] = [...new Set(parseList(v).map(absint))].filter((x) => x > 0);
				break;
			case 'minimum_amount': case 'maximum_amount': rec[name] = decimal2(v); break;
			case 'email_restrictions': {
				// strtolower + sanitize_email + array_filter: dropped entries keep the others' PHP keys, so
				// WooCommerce answers with a JSON object ({"1":"b@example.com"}) when a non-last entry was unusable.
				const kept = parseList(v).map((e, i) => [String(i), sanitizeEmail(String(e).toLowerCase())]).filter(([, e]) => e !== '');
				const sequential = kept.every(([k], i) => k === String(i));
				rec.email_restrictions = sequential ? kept.map(([, e]) => e) : Object.fromEntries(kept);
				break;
			}
			case 'meta_data':
				for (const m of parseList(v)) if (m && typeof m === 'object' && 'key' in m) rec.meta_data.push({ id: 0, key: String(m.key), value: m.value });
				break;
		}
	}
	// Read back from the database, WooCommerce drops a percent amount above 100 (the setter refuses it).
	if (rec.discount_type === 'percent' && rec.amount > 100) rec.amount = 0;
	rec.amount = decimal2(rec.amount);
	rec.id = state.nextId++;
	rec.meta_data.forEach((m, i) => (m.id = rec.id * 10 + i));
	return { status: 201, record: rec };
}

// ---------------------------------------------------------------- platform request handling
function authOf(req, url) {
	let key = null;
	let secret = null;
	const h = req.headers.authorization || '';
	const m = /^Basic\s+(.+)$/i.exec(h);
	if (m) {
		const raw = Buffer.from(m[1], 'base64').toString('utf8');
		const i = raw.indexOf(':');
		key = i < 0 ? raw : raw.slice(0, i);
		secret = i < 0 ? '' : raw.slice(i + 1);
	} else if (url.searchParams.has('consumer_key')) {
		key = url.searchParams.get('consumer_key');
		secret = url.searchParams.get('consumer_secret') ?? '';
	}
	if (key === null) return { auth: 'none', key: null };
	if (key !== opts.key) return { auth: 'unknown_key', key };
	return { auth: secret === opts.secret ? 'ok' : 'bad_secret', key };
}

/** -> { status, body, headers } or { status, record } for a creation */
function platform(req, url, raw, auth) {
	const base = `http://${req.headers.host || '127.0.0.1'}`;
	// 1. rest_authentication_errors: only a known key with a wrong secret is an error this early.
	if (auth.auth === 'bad_secret') return wpError(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
	// 2. route
	const path = url.pathname.replace(/\/+$/, '');
	const item = /^\/wp-json\/wc\/v3\/coupons\/(\d+)$/.exec(path);
	const isList = path === '/wp-json/wc/v3/coupons';
	const noRoute = wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
	if (!(isList && (req.method === 'GET' || req.method === 'POST')) && !(item && req.method === 'GET')) return noRoute;
	if (req.method === 'GET') {
		if (auth.auth !== 'ok') return wpError(401, 'woocommerce_rest_cannot_view', item ? 'Sorry, you cannot view this resource.' : 'Sorry, you cannot list resources.');
		if (item) {
			const c = state.coupons.find((x) => x.id === Number(item[1]));
			return c ? { status: 200, body: couponView(c, base) } : wpError(404, 'woocommerce_rest_shop_coupon_invalid_id', 'Invalid ID.');
		}
		const code = sanitizeText(url.searchParams.get('code') ?? '');
		let found = [...state.coupons].reverse(); // newest first, as WordPress orders by date
		if (code !== '') found = found.filter((c) => c.record.code.toLowerCase() === code.toLowerCase());
		const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page')) || 10));
		const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
		const total = found.length;
		const body = found.slice((page - 1) * perPage, page * perPage).map((c) => couponView(c, base));
		return { status: 200, body, headers: { 'X-WP-Total': String(total), 'X-WP-TotalPages': String(Math.ceil(total / perPage)) } };
	}
	// POST: body params, then required, then validation, then permission, then the handler.
	let params = {};
	const ctype = String(req.headers['content-type'] || '').toLowerCase();
	if (ctype.includes('application/json')) {
		if (raw.trim() !== '') {
			try {
				params = JSON.parse(raw);
			} catch {
				return wpError(400, 'rest_invalid_json', 'Invalid JSON body passed.', { json_error_code: 4, json_error_message: 'Syntax error' });
			}
		}
		if (typeOf(params) !== 'object') params = {};
	} else if (ctype.includes('application/x-www-form-urlencoded')) {
		params = Object.fromEntries(new URLSearchParams(raw));
	}
	if (params.code === undefined || params.code === null) {
		return wpError(400, 'rest_missing_callback_param', 'Missing parameter(s): code', { params: ['code'] });
	}
	const errors = [];
	for (const [name, kind] of SCHEMA) {
		if (params[name] === undefined || params[name] === null) continue;
		const e = validate(name, kind, params[name]);
		if (e) errors.push(e);
	}
	if (errors.length) {
		const p = {};
		const details = {};
		for (const [name, code, message, param] of errors) {
			p[name] = message;
			details[name] = { code, message, data: param === null ? null : { param } };
		}
		return wpError(400, 'rest_invalid_param', `Invalid parameter(s): ${errors.map((e) => e[0]).join(', ')}`, { params: p, details });
	}
	if (auth.auth !== 'ok') return wpError(401, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.');
	const out = createCoupon(params);
	if (out.status !== 201) return out;
	const c = { id: out.record.id, record: out.record, received: params, raw };
	state.coupons.push(c);
	return { status: 201, body: couponView(c, base), headers: { Location: `${base}/wp-json/wc/v3/coupons/${c.id}` }, created: c };
}

function nextFault(isCreate) {
	const f = state.faults;
	if (f.script.length) return f.script.shift();
	const r = state.random();
	if (r < f.fail_rate && f.kinds.length) return f.kinds[Math.floor(state.random() * f.kinds.length)];
	if (isCreate && state.random() < f.drop_after_create_rate) return 'drop_after_create';
	return 'ok';
}

const CRITICAL = '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>';

function handlePlatform(req, res, url, raw) {
	const auth = authOf(req, url);
	const isCreate = req.method === 'POST' && url.pathname.replace(/\/+$/, '') === '/wp-json/wc/v3/coupons';
	const fault = nextFault(isCreate);
	let body = raw;
	try {
		const j = JSON.parse(raw);
		body = j;
	} catch { /* keep the text */ }
	const entry = { seq: ++state.seq, at: new Date().toISOString(), method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), key: auth.key, auth: auth.auth, body, fault, status: null };
	if (entry.query.consumer_secret) entry.query.consumer_secret = '[hidden]';
	state.requests.push(entry);
	log(`${req.method} ${url.pathname}${url.search ? '?…' : ''} auth=${auth.auth} fault=${fault}`);
	switch (fault) {
		case '500':
			entry.status = 500;
			return send(res, 500, { code: 'internal_server_error', message: CRITICAL, data: { status: 500 }, additional_errors: [] });
		case '429':
			entry.status = 429;
			return send(res, 429, { code: 'too_many_requests', message: 'Too many requests.', data: { status: 429 } }, { 'Retry-After': String(state.faults.retry_after) });
		case 'timeout': {
			entry.status = 'timeout';
			const t = setTimeout(() => { held.delete(t); req.socket.destroy(); }, state.faults.timeout_ms);
			held.add(t);
			req.socket.once('close', () => { clearTimeout(t); held.delete(t); });
			return;
		}
	}
	const out = platform(req, url, raw, auth);
	entry.status = out.status;
	if (fault === 'drop_after_create') {
		entry.status = 'dropped';
		req.socket.destroy();
		return;
	}
	send(res, out.status, out.body, out.headers);
}

// ---------------------------------------------------------------- control routes
function handleControl(req, res, url, raw) {
	const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
	switch (route) {
		case 'GET /_standin/coupons':
			return send(res, 200, state.coupons.map((c) => ({ id: c.id, code: c.record.code, received: c.received, coupon: c.record })));
		case 'GET /_standin/requests':
			return send(res, 200, state.requests);
		case 'POST /_standin/reset':
			for (const t of held) clearTimeout(t);
			held.clear();
			reset();
			return send(res, 200, { ok: true });
		case 'GET /_standin/faults':
			return send(res, 200, state.faults);
		case 'PUT /_standin/faults': {
			let b;
			try {
				b = JSON.parse(raw || '{}');
			} catch {
				return send(res, 400, { error: 'body is not JSON' });
			}
			if (typeOf(b) !== 'object') return send(res, 400, { error: 'body must be an object' });
			const f = defaultFaults();
			const rate = (k) => {
				if (b[k] === undefined) return;
				if (typeof b[k] !== 'number' || !(b[k] >= 0 && b[k] <= 1)) throw new Error(`${k} must be a number in [0,1]`);
				f[k] = b[k];
			};
			try {
				rate('fail_rate');
				rate('drop_after_create_rate');
				for (const k of ['retry_after', 'timeout_ms']) {
					if (b[k] === undefined) continue;
					if (!Number.isInteger(b[k]) || b[k] < 0) throw new Error(`${k} must be a non-negative integer`);
					f[k] = b[k];
				}
				if (b.kinds !== undefined) {
					if (!Array.isArray(b.kinds) || b.kinds.some((k) => !['500', '429', 'timeout'].includes(k))) throw new Error('kinds: a list of "500", "429", "timeout"');
					f.kinds = [...b.kinds];
				}
				if (b.script !== undefined) {
					if (!Array.isArray(b.script) || b.script.some((k) => !FAULT_KINDS.includes(k))) throw new Error(`script: a list of ${FAULT_KINDS.join(', ')}`);
					f.script = [...b.script];
				}
				if (b.seed !== undefined) {
					if (!Number.isFinite(b.seed)) throw new Error('seed must be a number');
					state.random = rng(b.seed);
				}
			} catch (e) {
				return send(res, 400, { error: e.message });
			}
			state.faults = f;
			return send(res, 200, f);
		}
		default:
			return send(res, 404, { error: `no control route ${route}` });
	}
}

// ---------------------------------------------------------------- server
const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		let url;
		try {
			url = new URL(req.url, 'http://127.0.0.1');
		} catch {
			return send(res, 400, { error: 'bad url' });
		}
		try {
			if (url.pathname.startsWith('/_standin/')) return handleControl(req, res, url, raw);
			if (url.pathname.startsWith('/wp-json/')) return handlePlatform(req, res, url, raw);
			send(res, 404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
		} catch (e) {
			log(`error: ${e.stack}`);
			send(res, 500, { code: 'internal_server_error', message: CRITICAL, data: { status: 500 }, additional_errors: [] });
		}
	});
});
const sockets = new Set();
server.on('connection', (s) => {
	sockets.add(s);
	s.on('close', () => sockets.delete(s));
});

let stopping = false;
function shutdown(why) {
	if (stopping) return;
	stopping = true;
	log(`stopping (${why})`);
	for (const t of held) clearTimeout(t);
	server.close();
	for (const s of sockets) s.destroy();
	setImmediate(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (!opts.ignoreStdin) {
	process.stdin.on('end', () => shutdown('stdin closed'));
	process.stdin.on('error', () => shutdown('stdin error'));
	process.stdin.resume();
}
setTimeout(() => shutdown(`--max-lifetime ${opts.maxLifetime}s`), opts.maxLifetime * 1000).unref();

server.listen(opts.port, '127.0.0.1', () => {
	const { port } = server.address();
	process.stdout.write(JSON.stringify({ port }) + '\n');
	log(`listening on 127.0.0.1:${port} (key ${opts.key.slice(0, 7)}…, seed ${opts.seed})`);
});
