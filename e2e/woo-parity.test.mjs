// Keeps the WooCommerce coupons stand-in (e2e/standins/woo-coupons.mjs) honest: starts the real
// WordPress + WooCommerce shop (../shared/woocommerce/up.sh, e2e/lib/woo.mjs) and the stand-in with the
// same REST keys, sends both the same requests, and compares status, error code, the top-level fields
// and their JSON types (and, where the input fixes them, the values). One test per request; the shop
// is always stopped and purged after (down.sh --purge).
//
//   node --test e2e/woo-parity.test.mjs      # WC_HARNESS_STATE defaults to /tmp/loyalty-woo-parity-<checkout>
import { after, before, describe } from 'node:test';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ROOT, bounded } from './lib/fixture.mjs';
import { checker, useShop } from './lib/woo.mjs';

const SUITE = 'woo-parity';
const STANDIN = join(ROOT, 'e2e/standins/woo-coupons.mjs');

/** The stand-in on a free port (it prints {"port":N} when ready). */
async function startStandin(key, secret) {
  const child = spawn(process.execPath, [STANDIN, '--port', '0', '--key', key, '--secret', secret], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await bounded(new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (c) => reject(new Error(`stand-in exited (${c}) before it was ready`)));
  }), 20000, 'the stand-in to print its port');
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

/** What differs between the real shop's answer `a` and the stand-in's `b` (nothing: []). */
function differences(a, b) {
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
  return why;
}
const brief = (r) => `${r.status} ${typeof r.json?.code === 'string' ? r.json.code : Array.isArray(r.json) ? `[${r.json.length}]` : ''}`.trim();

// The requests' names are known before the shop is up (the requests themselves need its keys).
const NAMES = cases({ AUTH: '', BAD: '', product: 0, run: '' }).map((c) => c.name);

describe('woo-parity: the WooCommerce coupons stand-in answers as the real WooCommerce 9.9.5 does', { timeout: 600000 }, () => {
  const shop = useShop(SUITE);
  const s = { firstId: {}, rows: [] };
  const check = checker(() => shop.context(), { timeout: 60000 });

  before(async () => {
    const standin = await startStandin(shop.env.WC_CONSUMER_KEY, shop.env.WC_CONSUMER_SECRET);
    s.standin = standin.child;
    s.sides = { real: shop.url, standin: `http://127.0.0.1:${standin.port}` };
    s.cases = cases({
      AUTH: `${shop.env.WC_CONSUMER_KEY}:${shop.env.WC_CONSUMER_SECRET}`,
      BAD: `${shop.env.WC_CONSUMER_KEY}:cs_${'0'.repeat(40)}`,
      product: Number(shop.env.WC_PRODUCT_ID),
      run: Date.now().toString(36).toUpperCase(),
    });
    if (JSON.stringify(s.cases.map((c) => c.name)) !== JSON.stringify(NAMES)) throw new Error('the requests are not the ones named');
  }, { timeout: 60000 });
  after(() => {
    if (s.standin && s.standin.exitCode === null) {
      s.standin.stdin.end();
      s.standin.kill('SIGTERM');
    }
    const same = s.rows.filter((r) => r[0] === 'same').length;
    shop.say(`${same} same, ${s.rows.length - same} different of ${NAMES.length} (WooCommerce ${shop.env?.WC_VERSION})`);
  });

  NAMES.forEach((name, i) => {
    check(name, async (t) => {
      const c = s.cases[i];
      const out = {};
      for (const [side, base] of Object.entries(s.sides)) {
        const req = { ...c.req };
        if (req.pathFrom) req.path = `/wp-json/wc/v3/coupons/${s.firstId[side]}`;
        out[side] = await call(base, req);
        if (s.firstId[side] === undefined && out[side].status === 201) s.firstId[side] = out[side].json.id;
      }
      const why = differences(out.real, out.standin);
      s.rows.push([why.length ? 'DIFF' : 'same', name]);
      t.diagnostic(`real WooCommerce ${brief(out.real)}, stand-in ${brief(out.standin)}`);
      if (why.length) throw new Error(`the stand-in differs from the real WooCommerce: ${why.join('; ')}`);
    });
  });
});
