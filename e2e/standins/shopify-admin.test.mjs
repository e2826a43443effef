// Self-test of the Shopify Admin GraphQL stand-in, over real HTTP.
// Usage: node e2e/standins/shopify-admin.test.mjs [--schema-dir DIR]
// Prints "N passed, M failed"; exits 1 on any failure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'shopify-admin.mjs');
const TOKEN = 'shpat_selftest_token';
const extra = process.argv.slice(2);
const started = Date.now();

/** Starts the stand-in; resolves with {child, port, stdout()} once it printed its ready line. */
function start(args = []) {
  const child = spawn(process.execPath, [SCRIPT, '--port', '0', '--token', TOKEN, '--seed', '7', ...extra, ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('stand-in did not get ready in 60 s')), 60000);
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0 && !child.ready) {
        child.ready = true;
        clearTimeout(t);
        resolve({ child, port: JSON.parse(out.slice(0, nl)).port, firstLine: out.slice(0, nl), stdout: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
  });
}

const exited = (child, ms) => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
  const t = setTimeout(() => resolve(null), ms);
  child.once('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
});

const sa = await start();
const base = `http://127.0.0.1:${sa.port}`;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ok    ${name}`);
  } catch (err) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n        ')}`);
  }
}

async function post(body, { version = '2026-10', token = TOKEN, contentType = 'application/json', method = 'POST', raw } = {}) {
  const headers = {};
  if (token != null) headers['X-Shopify-Access-Token'] = token;
  if (contentType != null) headers['Content-Type'] = contentType;
  const res = await fetch(`${base}/admin/api/${version}/graphql.json`, {
    method, headers, body: method === 'GET' ? undefined : raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}
const gql = (query, variables, o) => post({ query, variables }, o);
const control = async (method, path, body) => {
  const res = await fetch(`${base}/_standin/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};
const discounts = async () => (await control('GET', 'discounts')).json;
const setFaults = (f) => control('PUT', 'faults', f);

// The documents the backend sends (README.md shows them too).
const CREATE = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;
const CREATE_SHIPPING = `mutation CreateShipping($input: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;
const FIND = `query Find($code: String!) { codeDiscountNodeByCode(code: $code) { id codeDiscount { __typename ... on DiscountCodeBasic { status endsAt asyncUsageCount } ... on DiscountCodeFreeShipping { status endsAt asyncUsageCount } } } }`;
const CREATE_FULL = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) {
    codeDiscountNode { id codeDiscount { __typename ... on DiscountCodeBasic {
      title status startsAt endsAt usageLimit appliesOncePerCustomer asyncUsageCount
      codes(first: 5) { nodes { code } }
      combinesWith { orderDiscounts productDiscounts shippingDiscounts }
      customerGets {
        value { ... on DiscountPercentage { percentage } ... on DiscountAmount { amount { amount currencyCode } appliesOnEachItem } }
        items { ... on AllDiscountItems { allItems } ... on DiscountProducts { products(first: 5) { nodes { id } } productVariants(first: 5) { nodes { id } } } }
      }
      minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount currencyCode } } }
      context { ... on DiscountCustomers { customers { id } } }
    } } }
    userErrors { field message code extraInfo }
  }
}`;

let seq = 0;
const newCode = () => `MR-T${String(++seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 7).toUpperCase()}`;
const basicInput = (over = {}) => ({
  title: 'Loyalty: €5 off',
  code: newCode(),
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2099-01-05T23:59:59Z',
  usageLimit: 1,
  appliesOncePerCustomer: true,
  context: { customers: { add: ['gid://shopify/Customer/1001'] } },
  customerGets: { value: { discountAmount: { amount: '5.00', appliesOnEachItem: false } }, items: { all: true } },
  minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: '20.00' } },
  combinesWith: { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true },
  ...over,
});
const shippingInput = (over = {}) => ({
  title: 'Loyalty: free shipping',
  code: newCode(),
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: null,
  usageLimit: 1,
  appliesOncePerCustomer: true,
  context: { customers: { add: ['gid://shopify/Customer/1001'] } },
  combinesWith: { orderDiscounts: true, productDiscounts: true, shippingDiscounts: false },
  ...over,
});
const AUTH_ERR = '[API] Invalid API key or access token (unrecognized login or wrong password)';
const GID_NODE = /^gid:\/\/shopify\/DiscountCodeNode\/\d+$/;
const assertCost = (json, requested) => {
  const c = json.extensions?.cost;
  assert.ok(c, 'extensions.cost missing');
  assert.equal(c.requestedQueryCost, requested);
  assert.equal(c.actualQueryCost, requested);
  assert.equal(c.throttleStatus.maximumAvailable, 2000);
  assert.equal(c.throttleStatus.restoreRate, 100);
  assert.ok(Number.isFinite(c.throttleStatus.currentlyAvailable) && c.throttleStatus.currentlyAvailable <= 2000);
};
const createdOk = (r) => {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.errors, undefined, r.text);
  const p = Object.values(r.json.data)[0];
  assert.deepEqual(p.userErrors, [], r.text);
  assert.match(p.codeDiscountNode.id, GID_NODE);
  return p.codeDiscountNode;
};
/** Exactly one userError with this code (and field, if given), and nothing created. */
async function refused(query, input, code, field) {
  const before = (await discounts()).length;
  const r = await gql(query, { input });
  assert.equal(r.status, 200, r.text);
  const p = Object.values(r.json.data)[0];
  assert.equal(p.codeDiscountNode, null, r.text);
  assert.ok(p.userErrors.some((e) => e.code === code && (!field || JSON.stringify(e.field) === JSON.stringify(field))),
    `expected ${code} at ${JSON.stringify(field)}: ${JSON.stringify(p.userErrors)}`);
  assert.equal((await discounts()).length, before, 'a refused create must not create anything');
  return p.userErrors;
}

console.log(`stand-in on port ${sa.port}`);

await check('ready line is exactly {"port":N}', () => {
  assert.match(sa.firstLine, /^\{"port":\d+\}$/);
  assert.ok(sa.port > 0);
});

// ---- platform refusals
await check('missing access token -> 401 with Shopify body', async () => {
  const r = await gql(FIND, { code: 'X' }, { token: null });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { errors: AUTH_ERR });
});
await check('wrong access token -> 401', async () => {
  const r = await gql(FIND, { code: 'X' }, { token: 'shpat_wrong' });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { errors: AUTH_ERR });
});
await check('unknown API version -> 404 {"errors":"Not Found"}', async () => {
  const r = await gql(FIND, { code: 'X' }, { version: '2019-01' });
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { errors: 'Not Found' });
});
await check('GET -> 405 with Allow: POST', async () => {
  const r = await post(null, { method: 'GET' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'POST');
});
await check('non-JSON content type -> 415', async () => {
  const r = await post(null, { contentType: 'text/plain', raw: JSON.stringify({ query: FIND }) });
  assert.equal(r.status, 415);
});
await check('malformed JSON -> 400', async () => {
  const r = await post(null, { raw: '{"query": "{ shop' });
  assert.equal(r.status, 400);
  assert.ok(r.json.errors);
});
await check('JSON without query -> 400', async () => {
  const r = await post({ variables: {} });
  assert.equal(r.status, 400);
});
await check('oversized body -> 413', async () => {
  const r = await post(null, { raw: JSON.stringify({ query: `{ __typename }#${'x'.repeat(1100 * 1024)}` }) });
  assert.equal(r.status, 413);
});

// ---- creates
let firstCode;
await check('basic create, fixed amount (the backend\'s document and variables)', async () => {
  const input = basicInput();
  firstCode = input.code;
  const r = await gql(CREATE, { input });
  createdOk(r);
  assertCost(r.json, 10);
  const d = (await discounts()).find((x) => x.code === input.code);
  assert.ok(d, 'not in /_standin/discounts');
  assert.equal(d.type, 'DiscountCodeBasic');
  assert.equal(d.version, '2026-10');
  assert.equal(d.input.customerGets.value.discountAmount.amount, '5.00');
  assert.match(d.id, GID_NODE);
});
await check('basic create answers the full selection', async () => {
  const input = basicInput();
  const r = await gql(CREATE_FULL, { input });
  const n = createdOk(r).codeDiscount;
  assert.equal(n.__typename, 'DiscountCodeBasic');
  assert.equal(n.title, input.title);
  assert.equal(n.status, 'ACTIVE');
  assert.equal(n.usageLimit, 1);
  assert.equal(n.appliesOncePerCustomer, true);
  assert.equal(n.asyncUsageCount, 0);
  assert.deepEqual(n.codes.nodes, [{ code: input.code }]);
  assert.deepEqual(n.combinesWith, { orderDiscounts: false, productDiscounts: true, shippingDiscounts: true });
  assert.deepEqual(n.customerGets.value, { amount: { amount: '5.0', currencyCode: 'EUR' }, appliesOnEachItem: false });
  assert.deepEqual(n.customerGets.items, { allItems: true });
  assert.deepEqual(n.minimumRequirement, { greaterThanOrEqualToSubtotal: { amount: '20.0', currencyCode: 'EUR' } });
  assert.deepEqual(n.context, { customers: [{ id: 'gid://shopify/Customer/1001' }] });
});
await check('basic create, percentage (0.1 = 10%)', async () => {
  const input = basicInput({ customerGets: { value: { percentage: 0.1 }, items: { all: true } }, minimumRequirement: null });
  const n = createdOk(await gql(CREATE_FULL, { input })).codeDiscount;
  assert.deepEqual(n.customerGets.value, { percentage: 0.1 });
  assert.equal(n.minimumRequirement, null);
});
await check('product discount: 100% off one product', async () => {
  const input = basicInput({
    title: 'Loyalty: free mug',
    customerGets: { value: { percentage: 1.0 }, items: { products: { productsToAdd: ['gid://shopify/Product/4242'] } } },
  });
  const n = createdOk(await gql(CREATE_FULL, { input })).codeDiscount;
  assert.deepEqual(n.customerGets.items, { products: { nodes: [{ id: 'gid://shopify/Product/4242' }] }, productVariants: { nodes: [] } });
  assert.deepEqual(n.customerGets.value, { percentage: 1 });
});
let shipCode;
await check('free-shipping create', async () => {
  const input = shippingInput();
  shipCode = input.code;
  createdOk(await gql(CREATE_SHIPPING, { input }));
  const d = (await discounts()).find((x) => x.code === input.code);
  assert.equal(d?.type, 'DiscountCodeFreeShipping');
});
await check('2026-07 is served too', async () => {
  const r = await gql(CREATE, { input: basicInput() }, { version: '2026-07' });
  createdOk(r);
  assert.equal(r.headers.get('x-shopify-api-version'), '2026-07');
});

// ---- duplicates and lookups
await check('duplicate code (other case) -> TAKEN', async () => {
  const errs = await refused(CREATE, basicInput({ code: firstCode.toLowerCase() }), 'TAKEN', ['basicCodeDiscount', 'code']);
  assert.equal(errs.find((e) => e.code === 'TAKEN').message, 'Code must be unique. Please try a different code.');
});
await check('duplicate code across types -> TAKEN under freeShippingCodeDiscount', async () => {
  await refused(CREATE_SHIPPING, shippingInput({ code: ` ${firstCode.toLowerCase()}` }), 'TAKEN', ['freeShippingCodeDiscount', 'code']);
});
await check('codeDiscountNodeByCode finds a code case-insensitively', async () => {
  const r = await gql(FIND, { code: firstCode.toLowerCase() });
  assert.equal(r.status, 200);
  const n = r.json.data.codeDiscountNodeByCode;
  assert.match(n.id, GID_NODE);
  assert.deepEqual(n.codeDiscount, { __typename: 'DiscountCodeBasic', status: 'ACTIVE', endsAt: '2099-01-05T23:59:59Z', asyncUsageCount: 0 });
  assertCost(r.json, 1);
  const s = await gql(FIND, { code: shipCode });
  assert.equal(s.json.data.codeDiscountNodeByCode.codeDiscount.__typename, 'DiscountCodeFreeShipping');
  assert.equal(s.json.data.codeDiscountNodeByCode.codeDiscount.endsAt, null);
});
await check('codeDiscountNodeByCode of an unknown code -> null', async () => {
  const r = await gql(FIND, { code: 'NO-SUCH-CODE' });
  assert.deepEqual(r.json.data, { codeDiscountNodeByCode: null });
});
await check('status follows startsAt/endsAt (SCHEDULED, EXPIRED)', async () => {
  const a = basicInput({ startsAt: '2098-01-01T00:00:00Z' });
  const b = basicInput({ startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-02-01T00:00:00Z' });
  createdOk(await gql(CREATE, { input: a }));
  createdOk(await gql(CREATE, { input: b }));
  assert.equal((await gql(FIND, { code: a.code })).json.data.codeDiscountNodeByCode.codeDiscount.status, 'SCHEDULED');
  assert.equal((await gql(FIND, { code: b.code })).json.data.codeDiscountNodeByCode.codeDiscount.status, 'EXPIRED');
});

// ---- schema validation
await check('unknown field -> 200, errors only, undefinedField', async () => {
  const r = await gql('query Find($code: String!) { codeDiscountNodeByCode(code: $code) { id nonsense } }', { code: firstCode });
  assert.equal(r.status, 200);
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors[0].message, "Field 'nonsense' doesn't exist on type 'DiscountCodeNode'");
  assert.equal(r.json.errors[0].extensions.code, 'undefinedField');
  assert.ok(r.json.errors[0].locations?.[0]?.line);
});
await check('variable of the wrong type -> INVALID_VARIABLE, nothing created', async () => {
  const before = (await discounts()).length;
  const r = await gql(CREATE, { input: basicInput({ usageLimit: 'one' }) });
  assert.equal(r.status, 200);
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors[0].extensions.code, 'INVALID_VARIABLE');
  assert.deepEqual(r.json.errors[0].extensions.problems[0].path, ['usageLimit']);
  assert.match(r.json.errors[0].message, /^Variable \$input of type DiscountCodeBasicInput! was provided invalid value for usageLimit/);
  assert.equal((await discounts()).length, before);
});
await check('unknown input field -> INVALID_VARIABLE naming it', async () => {
  const r = await gql(CREATE, { input: basicInput({ customerId: 'gid://shopify/Customer/1' }) });
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors[0].extensions.code, 'INVALID_VARIABLE');
  assert.deepEqual(r.json.errors[0].extensions.problems[0], { path: ['customerId'], explanation: 'Field is not defined on DiscountCodeBasicInput' });
});
await check('variable type that does not match the argument -> variableMismatch', async () => {
  const r = await gql('query Find($code: Int!) { codeDiscountNodeByCode(code: $code) { id } }', { code: 1 });
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors[0].extensions.code, 'variableMismatch');
});
await check('malformed DateTime / Decimal are refused', async () => {
  const r = await gql(CREATE, { input: basicInput({ startsAt: 'next tuesday' }) });
  assert.equal(r.json.errors?.[0]?.extensions.code, 'INVALID_VARIABLE');
  const s = await gql(CREATE, { input: basicInput({ customerGets: { value: { discountAmount: { amount: 'five' } }, items: { all: true } } }) });
  assert.equal(s.json.errors?.[0]?.extensions.code, 'INVALID_VARIABLE');
});
await check('context is @oneOf: two keys -> INVALID_VARIABLE', async () => {
  const r = await gql(CREATE, { input: basicInput({ context: { all: 'ALL', customers: { add: ['gid://shopify/Customer/1'] } } }) });
  assert.equal(r.json.errors?.[0]?.extensions.code, 'INVALID_VARIABLE');
});
await check('syntax error -> errors only', async () => {
  const r = await gql('mutation { discountCodeBasicCreate(', {});
  assert.equal(r.status, 200);
  assert.equal(r.json.data, undefined);
  assert.match(r.json.errors[0].message, /^Parse error/);
});
await check('valid but unimplemented operation -> error naming it', async () => {
  const r = await gql('{ orders(first: 1) { nodes { id } } }');
  assert.equal(r.status, 200);
  assert.equal(r.json.errors[0].extensions.code, 'NOT_IMPLEMENTED_BY_STANDIN');
  assert.match(r.json.errors[0].message, /QueryRoot\.orders/);
});
await check('the shop answers its currency and time zone', async () => {
  const r = await gql('{ shop { currencyCode timezoneOffset timezoneOffsetMinutes } }');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json.data.shop, { currencyCode: 'EUR', timezoneOffset: '+0100', timezoneOffsetMinutes: 60 });
});
await check('unmodelled field of a modelled type -> error naming it', async () => {
  const r = await gql('query($c: String!) { codeDiscountNodeByCode(code: $c) { id events(first: 1) { nodes { id } } } }', { c: firstCode });
  assert.match(r.json.errors?.[0]?.message ?? '', /does not model DiscountCodeNode\.events/);
});
await check('connection without first/last is refused like Shopify', async () => {
  const r = await gql('query($c: String!) { codeDiscountNodeByCode(code: $c) { codeDiscount { ... on DiscountCodeBasic { codes { nodes { code } } } } } }', { c: firstCode });
  assert.match(r.json.errors?.[0]?.message ?? '', /you must provide one of first or last/);
});

// ---- business rules
const CG = (value, items = { all: true }) => ({ value, items });
await check('blank title -> BLANK', () => refused(CREATE, basicInput({ title: '  ' }), 'BLANK', ['basicCodeDiscount', 'title']));
await check('blank code -> BLANK', () => refused(CREATE, basicInput({ code: '' }), 'BLANK', ['basicCodeDiscount', 'code']));
await check('missing startsAt -> BLANK', () => refused(CREATE, basicInput({ startsAt: undefined }), 'BLANK', ['basicCodeDiscount', 'startsAt']));
await check('missing customerGets -> error', () => refused(CREATE, basicInput({ customerGets: undefined }), 'BLANK', ['basicCodeDiscount', 'customerGets']));
await check('percentage 1.5 -> VALUE_OUTSIDE_RANGE', () => refused(CREATE, basicInput({ customerGets: CG({ percentage: 1.5 }) }), 'VALUE_OUTSIDE_RANGE', ['basicCodeDiscount', 'customerGets', 'value', 'percentage']));
await check('percentage -0.1 -> VALUE_OUTSIDE_RANGE', () => refused(CREATE, basicInput({ customerGets: CG({ percentage: -0.1 }) }), 'VALUE_OUTSIDE_RANGE'));
await check('amount 0 -> GREATER_THAN', () => refused(CREATE, basicInput({ customerGets: CG({ discountAmount: { amount: '0.00', appliesOnEachItem: false } }) }), 'GREATER_THAN', ['basicCodeDiscount', 'customerGets', 'value', 'discountAmount', 'amount']));
await check('endsAt before startsAt -> END_DATE_BEFORE_START_DATE', () => refused(CREATE, basicInput({ startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' }), 'END_DATE_BEFORE_START_DATE', ['basicCodeDiscount', 'endsAt']));
await check('context and customerSelection together -> error', () => refused(CREATE, basicInput({ customerSelection: { all: true } }), 'INVALID', ['basicCodeDiscount', 'context']));
await check('malformed customer id -> INVALID', () => refused(CREATE, basicInput({ context: { customers: { add: ['1001'] } } }), 'INVALID', ['basicCodeDiscount', 'context', 'customers', 'add']));
await check('malformed product id -> INVALID', () => refused(CREATE, basicInput({ customerGets: CG({ percentage: 1 }, { products: { productsToAdd: ['gid://shopify/ProductVariant/1'] } }) }), 'INVALID', ['basicCodeDiscount', 'customerGets', 'items', 'products', 'productsToAdd']));
await check('malformed variant id -> INVALID', () => refused(CREATE, basicInput({ customerGets: CG({ percentage: 1 }, { products: { productVariantsToAdd: ['gid://shopify/Product/1'] } }) }), 'INVALID', ['basicCodeDiscount', 'customerGets', 'items', 'products', 'productVariantsToAdd']));
await check('usageLimit 0 -> GREATER_THAN', () => refused(CREATE, basicInput({ usageLimit: 0 }), 'GREATER_THAN', ['basicCodeDiscount', 'usageLimit']));
await check('free shipping: blank title -> BLANK under freeShippingCodeDiscount', () => refused(CREATE_SHIPPING, shippingInput({ title: '' }), 'BLANK', ['freeShippingCodeDiscount', 'title']));

// ---- faults
async function createUnder(fault, input = basicInput()) {
  await setFaults({ script: [fault] });
  const before = (await discounts()).length;
  let r;
  let error;
  const t0 = Date.now();
  try { r = await gql(CREATE, { input }); } catch (e) { error = e; }
  const after = await discounts();
  return { r, error, ms: Date.now() - t0, created: after.length - before, input, after };
}
await check('fault 500 -> HTTP 500, nothing created', async () => {
  const { r, created } = await createUnder('500');
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { errors: 'Internal Server Error' });
  assert.equal(created, 0);
});
await check('fault 429 -> HTTP 429 with Retry-After, nothing created', async () => {
  await setFaults({ script: ['429'], retry_after: 3 });
  const before = (await discounts()).length;
  const r = await gql(CREATE, { input: basicInput() });
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '3.0');
  assert.equal(typeof r.json.errors, 'string');
  assert.equal((await discounts()).length, before);
});
await check('fault timeout -> held open, then the socket is destroyed, nothing created', async () => {
  await setFaults({ script: ['timeout'], timeout_ms: 500 });
  const before = (await discounts()).length;
  const t0 = Date.now();
  let error;
  try { await gql(CREATE, { input: basicInput() }); } catch (e) { error = e; }
  assert.ok(error, 'expected the request to fail');
  assert.ok(Date.now() - t0 >= 450, `failed after ${Date.now() - t0} ms, before timeout_ms`);
  assert.equal((await discounts()).length, before);
});
await check('fault throttled -> 200 THROTTLED with cost, nothing created', async () => {
  const { r, created } = await createUnder('throttled');
  assert.equal(r.status, 200);
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors[0].message, 'Throttled');
  assert.equal(r.json.errors[0].extensions.code, 'THROTTLED');
  assert.ok(r.json.errors[0].extensions.documentation);
  assert.equal(r.json.extensions.cost.actualQueryCost, null);
  assert.equal(created, 0);
});
await check('fault user_error_internal -> userErrors INTERNAL_ERROR, nothing created', async () => {
  const { r, created } = await createUnder('user_error_internal');
  assert.equal(r.status, 200);
  const p = r.json.data.discountCodeBasicCreate;
  assert.equal(p.codeDiscountNode, null);
  assert.equal(p.userErrors[0].code, 'INTERNAL_ERROR');
  assert.equal(created, 0);
});
await check('fault drop_after_create -> no answer, but the discount exists', async () => {
  const { error, created, input, after } = await createUnder('drop_after_create');
  assert.ok(error, 'expected the request to fail');
  assert.equal(created, 1);
  assert.ok(after.some((d) => d.code === input.code));
  // and a retry of the same code is refused as TAKEN, the way Shopify would
  await refused(CREATE, { ...input }, 'TAKEN', ['basicCodeDiscount', 'code']);
});
await check('script queue is consumed in order, one per request, then normal', async () => {
  await setFaults({ script: ['500', 'ok', '429', 'user_error_internal'] });
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    const r = await gql(CREATE, { input: basicInput() });
    statuses.push(r.status === 200 && r.json.data?.discountCodeBasicCreate?.userErrors?.[0]?.code === 'INTERNAL_ERROR' ? 'internal' : r.status);
  }
  assert.deepEqual(statuses, [500, 200, 429, 'internal', 200]);
  assert.deepEqual((await control('GET', 'faults')).json.script, []);
});
await check('unknown fault kind is refused', async () => {
  assert.equal((await setFaults({ script: ['explode'] })).status, 400);
  assert.equal((await setFaults({ fail_rate: 2 })).status, 400);
});
await check('random faults are reproducible with a seed', async () => {
  const run = async () => {
    await setFaults({ fail_rate: 0.5, kinds: ['500', '429'], seed: 42 });
    const out = [];
    for (let i = 0; i < 24; i++) out.push((await gql(FIND, { code: 'X' })).status);
    return out;
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.includes(200) && a.includes(500) && a.includes(429), a.join(','));
});
await check('drop_after_create_rate applies to creates only', async () => {
  await setFaults({ drop_after_create_rate: 1 });
  assert.equal((await gql(FIND, { code: 'X' })).status, 200);
  const before = (await discounts()).length;
  let error;
  try { await gql(CREATE, { input: basicInput() }); } catch (e) { error = e; }
  assert.ok(error);
  assert.equal((await discounts()).length, before + 1);
  await setFaults({});
});

// ---- throttling
await check('leaky bucket: 200 mutations drain 2000 points, the next is THROTTLED', async () => {
  await control('POST', 'reset');
  await control('PUT', 'throttle', { restoreRate: 0 });
  let last;
  for (let i = 0; i < 200; i++) {
    last = await gql(CREATE, { input: basicInput() });
    assert.equal(last.json.errors, undefined, `request ${i}: ${last.text}`);
  }
  assert.equal(last.json.extensions.cost.throttleStatus.currentlyAvailable, 0);
  const r = await gql(CREATE, { input: basicInput() });
  assert.equal(r.status, 200);
  assert.equal(r.json.errors[0].extensions.code, 'THROTTLED');
  assert.equal(r.json.extensions.cost.requestedQueryCost, 10);
  assert.equal((await discounts()).length, 200);
});
await check('leaky bucket restores at restoreRate', async () => {
  await control('PUT', 'throttle', { restoreRate: 100, currentlyAvailable: 5 });
  assert.equal((await gql(CREATE, { input: basicInput() })).json.errors?.[0]?.extensions.code, 'THROTTLED');
  assert.ok((await gql(FIND, { code: 'X' })).json.data, 'a query (cost 1) still fits');
  await new Promise((r) => setTimeout(r, 150));
  const ok = await gql(CREATE, { input: basicInput() });
  assert.equal(ok.json.errors, undefined, ok.text);
});

// ---- control routes
await check('/_standin/requests logs requests without the token', async () => {
  const { json } = await control('GET', 'requests');
  assert.ok(json.length > 0);
  const text = JSON.stringify(json);
  assert.ok(!text.includes(TOKEN), 'token value leaked into the log');
  const e = json.at(-1);
  assert.equal(e.method, 'POST');
  assert.equal(e.version, '2026-10');
  assert.equal(typeof e.body.query, 'string');
  assert.ok(e.outcome);
});
await check('/_standin/reset forgets discounts, log and faults', async () => {
  await setFaults({ script: ['500'] });
  await control('POST', 'reset');
  assert.deepEqual(await discounts(), []);
  assert.deepEqual((await control('GET', 'requests')).json, []);
  assert.equal((await gql(FIND, { code: firstCode })).json.data.codeDiscountNodeByCode, null);
});

// ---- lifetime
await check('exits by itself when stdin closes', async () => {
  sa.child.stdin.end();
  const r = await exited(sa.child, 5000);
  assert.ok(r, 'still running 5 s after stdin closed');
  assert.equal(r.code, 0);
  assert.equal(sa.stdout().trim().split('\n').length, 1, 'stdout must hold only the ready line');
});
await check('exits on SIGTERM', async () => {
  const other = await start();
  other.child.kill('SIGTERM');
  const r = await exited(other.child, 5000);
  assert.ok(r, 'still running 5 s after SIGTERM');
});

console.log(`${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
if (sa.child.exitCode === null) sa.child.kill();
process.exit(failed ? 1 : 0);
