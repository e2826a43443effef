// A local stand-in for Shopify's Admin GraphQL API, for the discount codes the
// backend creates. Every request is parsed, validated and has its variables
// coerced against Shopify's own published Admin schema (introspection JSON,
// see shopify-schema.sh), and it can fail on demand (PUT /_standin/faults).
//
// Usage:
//   node e2e/standins/shopify-admin.mjs [--port 0] [--schema-dir DIR]
//     [--token shpat_test_token] [--shop loyalty-test.myshopify.com] [--seed N]
//     [--currency EUR] [--timezone-offset +0100] [--ignore-stdin] [--max-lifetime SECONDS] [--verbose]
//
// Prints exactly one line to stdout when ready: {"port":N}. Logs (if at all)
// to stderr. Exits on SIGTERM/SIGINT, when its stdin closes (unless
// --ignore-stdin) and after --max-lifetime seconds (default 3 hours).
// README.md beside this file lists what is modelled and what isn't.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  GraphQLError, Kind, buildClientSchema, execute, getOperationAST, getVariableValues, parse, validate,
} from 'graphql';

// ---------------------------------------------------------------- arguments
const HERE = dirname(fileURLToPath(import.meta.url));
const VERSIONS = ['2026-10', '2026-07'];

function parseArgs(argv) {
  const o = {
    port: 0,
    schemaDir: null,
    token: 'shpat_test_token',
    shop: 'loyalty-test.myshopify.com',
    seed: 1,
    currency: 'EUR',
    timezoneOffset: '+0100',
    ignoreStdin: false,
    maxLifetime: 3 * 3600,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) die(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--port': o.port = Number(val()); break;
      case '--schema-dir': o.schemaDir = val(); break;
      case '--token': o.token = val(); break;
      case '--shop': o.shop = val(); break;
      case '--seed': o.seed = Number(val()); break;
      case '--currency': o.currency = val(); break;
      case '--timezone-offset': o.timezoneOffset = val(); break;
      case '--max-lifetime': o.maxLifetime = Number(val()); break;
      case '--ignore-stdin': o.ignoreStdin = true; break;
      case '--verbose': o.verbose = true; break;
      case '-h': case '--help':
        process.stderr.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 16).join('\n') + '\n');
        process.exit(0);
        break;
      default: die(`unknown argument ${a}`);
    }
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) die('--port must be 0..65535');
  if (!Number.isFinite(o.seed)) die('--seed must be a number');
  if (!(o.maxLifetime > 0)) die('--max-lifetime must be > 0');
  return o;
}

function die(msg) {
  process.stderr.write(`shopify-admin stand-in: ${msg}\n`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => { if (opts.verbose) process.stderr.write(a.join(' ') + '\n'); };

// ---------------------------------------------------------------- schemas
const defaultDir = join(process.env.LOYALTY_CACHE || join(homedir(), '.cache', 'loyalty-widget'), 'shopify');
const schemaDir = opts.schemaDir || defaultDir;
if (!existsSync(join(schemaDir, `admin_${VERSIONS[0]}.json.gz`))) {
  // Fetch it once (npm pack of the package that ships it); quick when present.
  const r = spawnSync('bash', [join(HERE, 'shopify-schema.sh'), schemaDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) die(`no schema in ${schemaDir} and shopify-schema.sh failed`);
}

/** version -> GraphQLSchema, for every version whose file is present. */
const schemas = new Map();
for (const v of VERSIONS) {
  const file = join(schemaDir, `admin_${v}.json.gz`);
  if (!existsSync(file)) continue;
  const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
  const schema = buildClientSchema(json.data ?? json);
  tightenScalars(schema);
  schemas.set(v, schema);
}
if (schemas.size === 0) die(`no admin_*.json.gz schema in ${schemaDir}`);

/**
 * The introspection JSON carries no scalar coercion rules, so graphql-js would
 * take anything for DateTime or Decimal. Shopify refuses malformed ones; so
 * does this.
 */
function tightenScalars(schema) {
  const rules = {
    DateTime: (v) => typeof v === 'string'
      && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
    Decimal: (v) => (typeof v === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()))
      || (typeof v === 'number' && Number.isFinite(v)),
    UnsignedInt64: (v) => (typeof v === 'string' && /^\d+$/.test(v)) || (Number.isInteger(v) && v >= 0),
  };
  for (const [name, ok] of Object.entries(rules)) {
    const t = schema.getType(name);
    if (!t) continue;
    t.parseValue = (v) => {
      if (!ok(v)) throw new GraphQLError(`Could not coerce value ${JSON.stringify(v)} to ${name}`);
      return v;
    };
    t.parseLiteral = (ast) => {
      const v = ast.kind === Kind.STRING ? ast.value
        : ast.kind === Kind.INT ? (name === 'UnsignedInt64' ? ast.value : Number(ast.value))
          : ast.kind === Kind.FLOAT ? Number(ast.value) : undefined;
      if (v === undefined || !ok(v)) throw new GraphQLError(`Could not coerce value to ${name}`);
      return v;
    };
  }
}

// ---------------------------------------------------------------- state
const MAX_BODY = 1024 * 1024;
const LOG_CAP = 10000;
const FAULT_KINDS = ['500', '429', 'timeout', 'throttled', 'user_error_internal'];
const SCRIPT_KINDS = [...FAULT_KINDS, 'ok', 'drop_after_create'];
const CREATE_FIELDS = new Set(['discountCodeBasicCreate', 'discountCodeFreeShippingCreate']);
const IMPLEMENTED = {
  query: new Set(['codeDiscountNodeByCode', 'shop']),
  mutation: CREATE_FIELDS,
};
const THROTTLE_DOC = 'https://shopify.dev/api/usage/rate-limits';

let state;
function freshState() {
  return {
    discounts: [], // records, in creation order
    requests: [],
    nextNodeId: 1001,
    nextCodeId: 5001,
    faults: defaultFaults(),
    rng: mulberry32(opts.seed),
    bucket: { maximumAvailable: 2000, restoreRate: 100, level: 2000, at: Date.now() },
    clock: null, // ms since epoch when set by PUT /_standin/clock
  };
}
function defaultFaults() {
  return {
    fail_rate: 0, drop_after_create_rate: 0, kinds: [...FAULT_KINDS], retry_after: 1, timeout_ms: 30000, script: [],
  };
}
state = freshState();
const now = () => (state.clock ?? Date.now());

/** Small seeded PRNG so that random faults are reproducible with --seed. */
function mulberry32(seed) {
  let a = (seed >>> 0) || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- leaky bucket
function bucketLevel() {
  const b = state.bucket;
  const t = Date.now();
  b.level = Math.min(b.maximumAvailable, b.level + ((t - b.at) / 1000) * b.restoreRate);
  b.at = t;
  return b.level;
}
function throttleStatus() {
  const b = state.bucket;
  return { maximumAvailable: b.maximumAvailable, currentlyAvailable: Math.floor(bucketLevel()), restoreRate: b.restoreRate };
}
function costExtension(requested, actual) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus() } };
}
function throttledBody(requested) {
  return {
    errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: THROTTLE_DOC } }],
    extensions: costExtension(requested, null),
  };
}

// ---------------------------------------------------------------- model
const GID = {
  Customer: /^gid:\/\/shopify\/Customer\/\d+$/,
  Product: /^gid:\/\/shopify\/Product\/\d+$/,
  ProductVariant: /^gid:\/\/shopify\/ProductVariant\/\d+$/,
  Collection: /^gid:\/\/shopify\/Collection\/\d+$/,
  Segment: /^gid:\/\/shopify\/Segment\/\d+$/,
  Market: /^gid:\/\/shopify\/Market\/\d+$/,
};

const isBlank = (s) => s == null || String(s).trim() === '';
const money = (amount) => ({ amount: decimalOut(amount), currencyCode: opts.currency });
/** Shopify serialises Decimal as a string, "5.0" for 5. */
function decimalOut(v) {
  const n = Number(v);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

class UserErrors {
  constructor(root) { this.root = root; this.list = []; }
  add(path, code, message) { this.list.push({ field: [this.root, ...path], message, code, extraInfo: null }); }
}

/** Checks a DiscountCodeBasicInput / DiscountCodeFreeShippingInput the way Shopify does on create. */
function checkCommon(input, errs) {
  if (isBlank(input.title)) errs.add(['title'], 'BLANK', "Title can't be blank");
  else if (input.title.length > 255) errs.add(['title'], 'TOO_LONG', 'Title is too long (maximum is 255 characters)');

  if (isBlank(input.code)) errs.add(['code'], 'BLANK', "Code can't be blank");
  else if (input.code.length > 255) errs.add(['code'], 'TOO_LONG', 'Code is too long (maximum is 255 characters)');
  else if (/[\r\n]/.test(input.code)) errs.add(['code'], 'INVALID', "Code can't contain newline characters.");
  else if (findByCode(input.code)) errs.add(['code'], 'TAKEN', 'Code must be unique. Please try a different code.');

  if (input.startsAt == null) errs.add(['startsAt'], 'BLANK', "Starts at can't be blank");
  else if (input.endsAt != null && Date.parse(input.endsAt) < Date.parse(input.startsAt)) {
    errs.add(['endsAt'], 'END_DATE_BEFORE_START_DATE', 'Ends at needs to be after starts_at');
  }

  if (input.usageLimit != null && input.usageLimit < 1) {
    errs.add(['usageLimit'], 'GREATER_THAN', 'Usage limit must be greater than 0');
  }
  if (input.recurringCycleLimit != null && input.recurringCycleLimit < 0) {
    errs.add(['recurringCycleLimit'], 'RECURRING_CYCLE_LIMIT_NOT_A_VALID_INTEGER',
      'Recurring cycle limit must be a valid integer greater than or equal to 0');
  }

  // Buyers: `context` (or the deprecated `customerSelection`), never both.
  if (input.context != null && input.customerSelection != null) {
    errs.add(['context'], 'INVALID', 'Only one of context or customerSelection can be provided.');
  } else if (input.context == null && input.customerSelection == null) {
    errs.add(['context'], 'BLANK', "Context can't be blank");
  } else if (input.context != null) {
    const c = input.context;
    if (c.customers) checkIds(errs, ['context', 'customers'], c.customers, GID.Customer, 'Customer');
    if (c.customerSegments) checkIds(errs, ['context', 'customerSegments'], c.customerSegments, GID.Segment, 'Segment');
    if (c.markets) checkIds(errs, ['context', 'markets'], c.markets, GID.Market, 'Market');
  } else {
    const c = input.customerSelection;
    const given = ['all', 'customers', 'customerSegments'].filter((k) => c[k] != null && c[k] !== false);
    if (given.length !== 1) {
      errs.add(['customerSelection'], 'INVALID', 'Only one of all, customers or customerSegments can be selected.');
    }
    if (c.customers) checkIds(errs, ['customerSelection', 'customers'], c.customers, GID.Customer, 'Customer');
    if (c.customerSegments) checkIds(errs, ['customerSelection', 'customerSegments'], c.customerSegments, GID.Segment, 'Segment');
  }

  const m = input.minimumRequirement;
  if (m != null) {
    if (m.subtotal != null && m.quantity != null) {
      errs.add(['minimumRequirement'], 'MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT',
        'Minimum subtotal and quantity range cannot both be present');
    } else if (m.subtotal != null) {
      const v = m.subtotal.greaterThanOrEqualToSubtotal;
      if (v == null) errs.add(['minimumRequirement', 'subtotal', 'greaterThanOrEqualToSubtotal'], 'BLANK', "Minimum subtotal can't be blank");
      else if (!(Number(v) > 0)) {
        errs.add(['minimumRequirement', 'subtotal', 'greaterThanOrEqualToSubtotal'], 'GREATER_THAN', 'Minimum subtotal must be greater than 0');
      }
    } else if (m.quantity != null) {
      const v = m.quantity.greaterThanOrEqualToQuantity;
      if (v == null) errs.add(['minimumRequirement', 'quantity', 'greaterThanOrEqualToQuantity'], 'BLANK', "Minimum quantity can't be blank");
      else if (!(Number(v) > 0)) {
        errs.add(['minimumRequirement', 'quantity', 'greaterThanOrEqualToQuantity'], 'GREATER_THAN', 'Minimum quantity must be greater than 0');
      }
    }
  }
}

function checkIds(errs, path, { add, remove }, re, what, keys = ['add', 'remove']) {
  for (const [k, ids] of [[keys[0], add], [keys[1], remove]]) {
    if (ids == null) continue;
    const bad = ids.filter((id) => !re.test(String(id)));
    if (bad.length) errs.add([...path, k], 'INVALID', `${what} ids are invalid: ${bad.join(', ')}`);
  }
}

function checkCustomerGets(cg, errs) {
  if (cg == null) {
    errs.add(['customerGets'], 'BLANK', "Customer gets can't be blank");
    return;
  }
  const v = cg.value;
  if (v == null) errs.add(['customerGets', 'value'], 'BLANK', "Value can't be blank");
  else {
    const given = ['percentage', 'discountAmount', 'discountOnQuantity'].filter((k) => v[k] != null);
    if (given.length !== 1) {
      errs.add(['customerGets', 'value'], 'INVALID', 'Only one of percentage, discountAmount or discountOnQuantity can be provided.');
    } else if (given[0] === 'discountOnQuantity') {
      errs.add(['customerGets', 'value', 'discountOnQuantity'], 'INVALID', 'discountOnQuantity is only valid for Buy X get Y discounts.');
    } else if (given[0] === 'percentage') {
      if (!(v.percentage >= 0 && v.percentage <= 1)) {
        errs.add(['customerGets', 'value', 'percentage'], 'VALUE_OUTSIDE_RANGE', 'Value must be between 0.0 and 1.0');
      }
    } else {
      const a = v.discountAmount.amount;
      if (a == null) errs.add(['customerGets', 'value', 'discountAmount', 'amount'], 'BLANK', "Amount can't be blank");
      else if (!(Number(a) > 0)) errs.add(['customerGets', 'value', 'discountAmount', 'amount'], 'GREATER_THAN', 'Value must be greater than 0');
    }
  }
  const it = cg.items;
  if (it == null) errs.add(['customerGets', 'items'], 'BLANK', "Items can't be blank");
  else {
    const given = [it.all === true && 'all', it.products && 'products', it.collections && 'collections'].filter(Boolean);
    if (given.length !== 1) {
      errs.add(['customerGets', 'items'], 'INVALID', 'Exactly one of all, products or collections must be selected.');
    } else if (given[0] === 'products') {
      const p = it.products;
      checkIds(errs, ['customerGets', 'items', 'products'],
        { add: p.productsToAdd, remove: p.productsToRemove }, GID.Product, 'Product', ['productsToAdd', 'productsToRemove']);
      for (const [k, ids] of [['productVariantsToAdd', p.productVariantsToAdd], ['productVariantsToRemove', p.productVariantsToRemove]]) {
        const bad = (ids ?? []).filter((id) => !GID.ProductVariant.test(String(id)));
        if (bad.length) errs.add(['customerGets', 'items', 'products', k], 'INVALID', `Product variant ids are invalid: ${bad.join(', ')}`);
      }
      if (!(p.productsToAdd?.length) && !(p.productVariantsToAdd?.length)) {
        errs.add(['customerGets', 'items', 'products'], 'BLANK', 'Products or product variants must be selected');
      }
    } else if (given[0] === 'collections') {
      checkIds(errs, ['customerGets', 'items', 'collections'], it.collections, GID.Collection, 'Collection');
      if (!(it.collections.add?.length)) errs.add(['customerGets', 'items', 'collections'], 'BLANK', 'Collections must be selected');
    }
  }
  if (cg.appliesOnOneTimePurchase === false && cg.appliesOnSubscription === false) {
    errs.add(['customerGets'], 'APPLIES_ON_NOTHING', 'A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.');
  }
}

function checkFreeShipping(input, errs) {
  if (input.maximumShippingPrice != null && !(Number(input.maximumShippingPrice) >= 0)) {
    errs.add(['maximumShippingPrice'], 'GREATER_THAN_OR_EQUAL_TO', 'Maximum shipping price must be greater than or equal to 0');
  }
  if (input.appliesOnOneTimePurchase === false && input.appliesOnSubscription === false) {
    errs.add([], 'APPLIES_ON_NOTHING', 'A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.');
  }
  const d = input.destination;
  if (d?.all === true && d.countries != null) {
    errs.add(['destination'], 'INVALID', 'Only one of all or countries can be provided.');
  }
}

function findByCode(code) {
  const c = String(code).trim().toLowerCase();
  return state.discounts.find((d) => d.code.toLowerCase() === c) ?? null;
}

function createDiscount(kind, argName, input, ctx) {
  if (ctx.internalError) {
    return {
      codeDiscountNode: null,
      userErrors: [{ field: null, message: 'An internal error occurred. Please try again.', code: 'INTERNAL_ERROR', extraInfo: null }],
    };
  }
  const errs = new UserErrors(argName);
  checkCommon(input, errs);
  if (kind === 'DiscountCodeBasic') checkCustomerGets(input.customerGets, errs);
  else checkFreeShipping(input, errs);
  if (errs.list.length) return { codeDiscountNode: null, userErrors: errs.list };

  const n = state.nextNodeId++;
  const rec = {
    id: `gid://shopify/DiscountCodeNode/${n}`,
    code_id: `gid://shopify/DiscountRedeemCode/${state.nextCodeId++}`,
    code: input.code.trim(),
    type: kind,
    title: input.title,
    input: structuredClone(input),
    version: ctx.version,
    created_at: new Date(now()).toISOString(),
    async_usage_count: 0,
  };
  state.discounts.push(rec);
  return { codeDiscountNode: nodeObject(rec), userErrors: [] };
}

// ---- output objects (only the fields listed here are modelled; any other
// field a client selects is answered with a NOT_IMPLEMENTED_BY_STANDIN error)

function connection(items, args, what) {
  if (args.first == null && args.last == null) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  for (const k of ['first', 'last']) {
    if (args[k] != null && (args[k] < 0 || args[k] > 250)) {
      throw new GraphQLError(`The ${k} argument for ${what} must be between 0 and 250`, { extensions: { code: 'BAD_REQUEST' } });
    }
  }
  let slice = items;
  if (args.first != null) slice = slice.slice(0, args.first);
  if (args.last != null) slice = slice.slice(Math.max(0, slice.length - args.last));
  const cursor = (x) => Buffer.from(JSON.stringify({ id: x.id })).toString('base64');
  return {
    nodes: slice,
    edges: slice.map((x) => ({ cursor: cursor(x), node: x })),
    pageInfo: {
      hasNextPage: args.first != null && items.length > slice.length,
      hasPreviousPage: args.last != null && items.length > slice.length,
      startCursor: slice.length ? cursor(slice[0]) : null,
      endCursor: slice.length ? cursor(slice[slice.length - 1]) : null,
    },
  };
}

function statusOf(input) {
  const t = now();
  if (Date.parse(input.startsAt) > t) return 'SCHEDULED';
  if (input.endsAt != null && Date.parse(input.endsAt) <= t) return 'EXPIRED';
  return 'ACTIVE';
}

function contextObject(input) {
  const c = input.context;
  if (c) {
    if (c.all) return { __typename: 'DiscountBuyerSelectionAll', all: 'ALL' };
    if (c.customers) return { __typename: 'DiscountCustomers', customers: (c.customers.add ?? []).map((id) => ({ id })) };
    if (c.customerSegments) return { __typename: 'DiscountCustomerSegments', segments: (c.customerSegments.add ?? []).map((id) => ({ id })) };
    if (c.markets) {
      const markets = (c.markets.add ?? []).map((id) => ({ id }));
      return { __typename: 'DiscountMarkets', markets: (a) => connection(markets, a, 'markets'), marketsCount: markets.length };
    }
  }
  const s = input.customerSelection ?? {};
  if (s.customers) return { __typename: 'DiscountCustomers', customers: (s.customers.add ?? []).map((id) => ({ id })) };
  if (s.customerSegments) return { __typename: 'DiscountCustomerSegments', segments: (s.customerSegments.add ?? []).map((id) => ({ id })) };
  return { __typename: 'DiscountBuyerSelectionAll', all: 'ALL' };
}

function customerSelectionObject(input) {
  const ctx = contextObject(input);
  if (ctx.__typename === 'DiscountBuyerSelectionAll') return { __typename: 'DiscountCustomerAll', allCustomers: true };
  if (ctx.__typename === 'DiscountMarkets') return { __typename: 'DiscountCustomerSelectionUnknown', customerSelectionType: 'markets' };
  return ctx;
}

function minimumObject(m) {
  if (m?.subtotal) return { __typename: 'DiscountMinimumSubtotal', greaterThanOrEqualToSubtotal: money(m.subtotal.greaterThanOrEqualToSubtotal) };
  if (m?.quantity) return { __typename: 'DiscountMinimumQuantity', greaterThanOrEqualToQuantity: String(m.quantity.greaterThanOrEqualToQuantity) };
  return null;
}

function itemsObject(it) {
  if (it.products) {
    const products = (it.products.productsToAdd ?? []).map((id) => ({ id }));
    const variants = (it.products.productVariantsToAdd ?? []).map((id) => ({ id }));
    return {
      __typename: 'DiscountProducts',
      products: (a) => connection(products, a, 'products'),
      productVariants: (a) => connection(variants, a, 'productVariants'),
    };
  }
  if (it.collections) {
    const cols = (it.collections.add ?? []).map((id) => ({ id }));
    return { __typename: 'DiscountCollections', collections: (a) => connection(cols, a, 'collections') };
  }
  return { __typename: 'AllDiscountItems', allItems: true };
}

function valueObject(v) {
  if (v.percentage != null) return { __typename: 'DiscountPercentage', percentage: v.percentage };
  return { __typename: 'DiscountAmount', amount: money(v.discountAmount.amount), appliesOnEachItem: v.discountAmount.appliesOnEachItem ?? false };
}

function summaryOf(rec) {
  const i = rec.input;
  if (rec.type === 'DiscountCodeFreeShipping') return 'Free shipping on all products';
  const v = i.customerGets.value;
  const what = v.percentage != null ? `${Math.round(v.percentage * 10000) / 100}% off` : `${decimalOut(v.discountAmount.amount)} ${opts.currency} off`;
  return `${what} ${i.customerGets.items.all ? 'entire order' : 'selected items'}`;
}

function codeDiscountObject(rec) {
  const i = rec.input;
  const cw = i.combinesWith ?? {};
  const redeem = { id: rec.code_id, code: rec.code, asyncUsageCount: rec.async_usage_count, createdBy: null };
  const o = {
    __typename: rec.type,
    title: i.title,
    status: statusOf(i),
    startsAt: i.startsAt,
    endsAt: i.endsAt ?? null,
    createdAt: rec.created_at,
    updatedAt: rec.created_at,
    usageLimit: i.usageLimit ?? null,
    appliesOncePerCustomer: i.appliesOncePerCustomer ?? false,
    asyncUsageCount: rec.async_usage_count,
    recurringCycleLimit: i.recurringCycleLimit ?? (rec.type === 'DiscountCodeBasic' ? null : 1),
    tags: i.tags ?? [],
    codes: (a) => connection([redeem], a, 'codes'),
    codesCount: { count: 1, precision: 'EXACT' },
    combinesWith: {
      orderDiscounts: cw.orderDiscounts ?? false,
      productDiscounts: cw.productDiscounts ?? false,
      shippingDiscounts: cw.shippingDiscounts ?? false,
      productDiscountsWithTagsOnSameCartLine: null,
    },
    context: contextObject(i),
    customerSelection: customerSelectionObject(i),
    minimumRequirement: minimumObject(i.minimumRequirement),
    hasTimelineComment: false,
    shareableUrls: [],
    summary: summaryOf(rec),
    shortSummary: summaryOf(rec),
  };
  if (rec.type === 'DiscountCodeBasic') {
    const cg = i.customerGets;
    const productClass = !cg.items.all;
    Object.assign(o, {
      customerGets: {
        appliesOnOneTimePurchase: cg.appliesOnOneTimePurchase ?? true,
        appliesOnSubscription: cg.appliesOnSubscription ?? false,
        value: valueObject(cg.value),
        items: itemsObject(cg.items),
      },
      discountClass: productClass ? 'PRODUCT' : 'ORDER',
      discountClasses: [productClass ? 'PRODUCT' : 'ORDER'],
    });
  } else {
    const d = i.destination;
    Object.assign(o, {
      appliesOnOneTimePurchase: i.appliesOnOneTimePurchase ?? true,
      appliesOnSubscription: i.appliesOnSubscription ?? false,
      maximumShippingPrice: i.maximumShippingPrice != null ? money(i.maximumShippingPrice) : null,
      destinationSelection: d?.countries
        ? { __typename: 'DiscountCountries', countries: d.countries.add ?? [], includeRestOfWorld: d.countries.includeRestOfWorld ?? false }
        : { __typename: 'DiscountCountryAll', allCountries: true },
      discountClass: 'SHIPPING',
      discountClasses: ['SHIPPING'],
    });
  }
  return o;
}

function nodeObject(rec) {
  return { id: rec.id, codeDiscount: codeDiscountObject(rec) };
}

const rootValue = {
  discountCodeBasicCreate: (args, ctx) => createDiscount('DiscountCodeBasic', 'basicCodeDiscount', args.basicCodeDiscount, ctx),
  discountCodeFreeShippingCreate: (args, ctx) => createDiscount('DiscountCodeFreeShipping', 'freeShippingCodeDiscount', args.freeShippingCodeDiscount, ctx),
  // The shop's settings a client reads (its currency and time zone).
  shop: () => {
    const sign = opts.timezoneOffset.startsWith('-') ? -1 : 1;
    const digits = opts.timezoneOffset.replace(/^[+-]/, '');
    const minutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    return {
      name: 'Loyalty test shop',
      myshopifyDomain: opts.shop,
      currencyCode: opts.currency,
      timezoneOffset: opts.timezoneOffset,
      timezoneOffsetMinutes: minutes,
      ianaTimezone: minutes === 60 ? 'Europe/Berlin' : 'Etc/Unknown',
    };
  },
  codeDiscountNodeByCode: (args, ctx) => {
    if (ctx.internalError) throw internalServerError(ctx.requestId);
    const rec = findByCode(args.code);
    return rec ? nodeObject(rec) : null;
  },
};

function internalServerError(requestId) {
  return new GraphQLError(
    `Internal error. Looks like something went wrong on our end.\nRequest ID: ${requestId} (include this in support requests).`,
    { extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } },
  );
}

/** Resolves from plain objects; a field the stand-in has no value for is an error naming it. */
function fieldResolver(source, args, ctx, info) {
  if (source == null || !Object.hasOwn(source, info.fieldName)) {
    throw new GraphQLError(`The Shopify Admin stand-in does not model ${info.parentType.name}.${info.fieldName}`,
      { extensions: { code: 'NOT_IMPLEMENTED_BY_STANDIN' } });
  }
  const v = source[info.fieldName];
  return typeof v === 'function' ? v(args, ctx, info) : v;
}

// ---------------------------------------------------------------- errors in graphql-ruby's words
/** Rewrites graphql-js validation errors into the messages and codes Shopify (graphql-ruby) answers with. */
function shopifyValidationError(e) {
  const m = e.message;
  const base = { message: m, locations: e.locations, extensions: { code: 'validationError' } };
  let r;
  if ((r = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(m))) {
    return { ...base, message: `Field '${r[1]}' doesn't exist on type '${r[2]}'`, extensions: { code: 'undefinedField', typeName: r[2], fieldName: r[1] } };
  }
  if ((r = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./.exec(m))) {
    return { ...base, message: `Field '${r[3]}' doesn't accept argument '${r[1]}'`, extensions: { code: 'argumentNotAccepted', name: r[3], typeName: 'Field', argumentName: r[1] } };
  }
  if ((r = /^Field "(\w+)" argument "(\w+)" of type "([^"]+)" is required, but it was not provided\./.exec(m))) {
    return { ...base, message: `Field '${r[1]}' is missing required arguments: ${r[2]}`, extensions: { code: 'missingRequiredArguments', className: 'Field', name: r[1], arguments: r[2] } };
  }
  if ((r = /^Variable "\$(\w+)" of type "([^"]+)" used in position expecting type "([^"]+)"\./.exec(m))) {
    const nullOnly = r[2].replace(/!$/, '') === r[3].replace(/!$/, '');
    return {
      ...base,
      message: `${nullOnly ? 'Nullability' : 'Type'} mismatch on variable $${r[1]} and argument (${r[2]} / ${r[3]})`,
      extensions: { code: 'variableMismatch', variableName: r[1], typeName: r[2] },
    };
  }
  if ((r = /^Unknown type "(\w+)"\./.exec(m))) {
    return { ...base, message: `${r[1]} isn't a defined input type`, extensions: { code: 'variableRequiresValidType', typeName: r[1] } };
  }
  if ((r = /^Variable "\$(\w+)" is not defined/.exec(m))) {
    return { ...base, message: `Variable $${r[1]} is used but not declared`, extensions: { code: 'variableNotDefined', variableName: r[1] } };
  }
  if ((r = /^Variable "\$(\w+)" is never used/.exec(m))) {
    return { ...base, message: `Variable $${r[1]} is declared but never used`, extensions: { code: 'variableNotUsed', variableName: r[1] } };
  }
  if ((r = /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields/.exec(m))) {
    return { ...base, message: `Field must have selections (field '${r[1]}' returns ${r[2].replace(/[[\]!]/g, '')} but has no selections. Did you mean '${r[1]} { ... }'?)`, extensions: { code: 'selectionMismatch', nodeName: `field '${r[1]}'` } };
  }
  if ((r = /^Field "(\w+)" must not have a selection since type "([^"]+)" has no subfields/.exec(m))) {
    return { ...base, message: `Selections can't be made on scalars (field '${r[1]}' returns ${r[2]} but has selections [...])`, extensions: { code: 'selectionMismatch', nodeName: `field '${r[1]}'` } };
  }
  if ((r = /^Fragment cannot be spread here as objects of type "(\w+)" can never be of type "(\w+)"\./.exec(m))) {
    return { ...base, message: `Fragment on ${r[2]} can't be spread inside ${r[1]}`, extensions: { code: 'fragmentSpreadTypeMismatch' } };
  }
  if (/Expected value of type|cannot represent|is not defined by type|was not provided\.$/.test(m)) {
    return { ...base, message: `Argument has an invalid value: ${m}`, extensions: { code: 'argumentLiteralsIncompatible' } };
  }
  return base;
}

/** Rewrites a graphql-js variable coercion error into graphql-ruby's "was provided invalid value" shape. */
function shopifyVariableError(e, varDefs, variables) {
  const m = e.message;
  let r = /^Variable "\$(\w+)" of required type "([^"]+)" was not provided\./.exec(m);
  if (r) {
    return { message: `Variable $${r[1]} of type ${r[2]} was provided invalid value`, locations: e.locations, extensions: { code: 'INVALID_VARIABLE', value: null, problems: [{ path: [], explanation: 'Expected value to not be null' }] } };
  }
  r = /^Variable "\$(\w+)" got invalid value (.*?)(?: at "([^"]+)")?; ([\s\S]*)$/.exec(m);
  if (!r) return { message: m, locations: e.locations, extensions: { code: 'INVALID_VARIABLE' } };
  const [, name, , at, detail] = r;
  const def = varDefs.find((d) => d.variable.name.value === name);
  const typeStr = def ? printTypeNode(def.type) : '?';
  let path = at ? at.split('.').slice(1).flatMap((p) => p.split(/[[\]]/).filter(Boolean)).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  let explanation = detail;
  let q;
  if ((q = /^Field "(\w+)" is not defined by type "(\w+)"\./.exec(detail))) {
    path = [...path, q[1]];
    explanation = `Field is not defined on ${q[2]}`;
  } else if ((q = /^Field "(\w+)" of required type "([^"]+)" was not provided\./.exec(detail))) {
    path = [...path, q[1]];
    explanation = 'Expected value to not be null';
  } else if ((q = /^(\w+) cannot represent (?:a )?non[- ][\w ]+ value: ([\s\S]*)$/.exec(detail))) {
    explanation = `Could not coerce value ${q[2]} to ${q[1]}`;
  } else if ((q = /^Value "?([^"]*)"? does not exist in "(\w+)" enum/.exec(detail))) {
    explanation = `Expected "${q[1]}" to be one of: ${q[2]}`;
  } else if (/^Expected non-nullable type/.test(detail)) {
    explanation = 'Expected value to not be null';
  } else if (/^Exactly one key must be specified for OneOf type "(\w+)"/.test(detail)) {
    explanation = `'${detail.match(/"(\w+)"/)[1]}' requires exactly one argument`;
  }
  const where = path.filter((p) => typeof p === 'string').at(-1);
  return {
    message: `Variable $${name} of type ${typeStr} was provided invalid value${where ? ` for ${path.join('.')}` : ''}${explanation ? ` (${explanation})` : ''}`,
    locations: e.locations,
    extensions: { code: 'INVALID_VARIABLE', value: variables?.[name] ?? null, problems: [{ path, explanation }] },
  };
}

/** graphql-ruby reports one error per variable, listing all its problems. */
function mergeByVariable(errors) {
  const byVar = new Map();
  const out = [];
  for (const e of errors) {
    const name = /^Variable \$(\w+)/.exec(e.message)?.[1];
    const first = name && byVar.get(name);
    if (!first || !e.extensions?.problems) {
      out.push(e);
      if (name && e.extensions?.problems) byVar.set(name, e);
      continue;
    }
    first.extensions.problems.push(...e.extensions.problems);
    const head = first.message.replace(/ was provided invalid value[\s\S]*$/, ' was provided invalid value');
    first.message = `${head} for ${first.extensions.problems.map((p) => `${p.path.join('.')} (${p.explanation})`).join(', ')}`;
  }
  return out;
}

function printTypeNode(t) {
  if (t.kind === Kind.NON_NULL_TYPE) return `${printTypeNode(t.type)}!`;
  if (t.kind === Kind.LIST_TYPE) return `[${printTypeNode(t.type)}]`;
  return t.name.value;
}

// ---------------------------------------------------------------- GraphQL pipeline
/** Root field names of the operation, following fragments at the root. */
function rootFieldNames(doc, op) {
  const frags = new Map(doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const names = [];
  const walk = (sel, seen) => {
    for (const s of sel.selections) {
      if (s.kind === Kind.FIELD) names.push(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, seen);
      else if (s.kind === Kind.FRAGMENT_SPREAD && !seen.has(s.name.value) && frags.has(s.name.value)) {
        walk(frags.get(s.name.value).selectionSet, new Set([...seen, s.name.value]));
      }
    }
  };
  walk(op.selectionSet, new Set());
  return names;
}

/** Light look at a request before the pipeline: is it a create mutation? */
function peek(body) {
  try {
    const doc = parse(body.query);
    const op = getOperationAST(doc, body.operationName ?? undefined);
    if (!op) return { create: false, fields: [] };
    const fields = rootFieldNames(doc, op);
    return { create: op.operation === 'mutation' && fields.some((f) => CREATE_FIELDS.has(f)), fields, operation: op.operation };
  } catch {
    return { create: false, fields: [] };
  }
}

/** Runs a request body through parse, validate, cost, variables and execute. Returns {status, body, outcome}. */
function runGraphQL(version, body, ctx) {
  const schema = schemas.get(version);
  const { query, variables, operationName } = body;
  if (isBlank(query)) {
    return { status: 200, body: { errors: [{ message: 'No query string was present', extensions: { code: 'MISSING_QUERY' } }] }, outcome: 'no_query' };
  }
  let doc;
  try {
    doc = parse(query);
  } catch (e) {
    const loc = e.locations?.[0];
    const tok = /found (.+?)\.?$/.exec(e.message)?.[1] ?? 'end of file';
    return {
      status: 200,
      body: { errors: [{ message: `Parse error on ${tok}${loc ? ` at [${loc.line}, ${loc.column}]` : ''}`, locations: e.locations, extensions: { code: 'PARSE_ERROR', detail: e.message } }] },
      outcome: 'parse_error',
    };
  }
  const verrs = validate(schema, doc);
  if (verrs.length) {
    return { status: 200, body: { errors: verrs.map(shopifyValidationError) }, outcome: 'validation_error' };
  }
  const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = getOperationAST(doc, operationName ?? undefined);
  if (!op) {
    const message = operationName ? `No operation named "${operationName}"` : ops.length > 1 ? 'An operation name is required' : 'No operation found';
    return { status: 200, body: { errors: [{ message, extensions: { code: 'OPERATION_NOT_FOUND' } }] }, outcome: 'operation_error' };
  }
  if (op.operation === 'subscription') {
    return { status: 200, body: { errors: [{ message: 'Subscriptions are not supported over this endpoint', extensions: { code: 'OPERATION_NOT_SUPPORTED' } }] }, outcome: 'operation_error' };
  }
  const missing = rootFieldNames(doc, op).filter((f) => !f.startsWith('__') && !IMPLEMENTED[op.operation].has(f));
  if (missing.length) {
    const parent = op.operation === 'mutation' ? 'Mutation' : 'QueryRoot';
    return {
      status: 200,
      body: { errors: [...new Set(missing)].map((f) => ({ message: `The Shopify Admin stand-in does not implement ${parent}.${f}`, extensions: { code: 'NOT_IMPLEMENTED_BY_STANDIN', field: `${parent}.${f}` } })) },
      outcome: 'not_implemented',
    };
  }
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return { status: 200, body: { errors: [{ message: 'Variables must be a JSON object', extensions: { code: 'INVALID_VARIABLE' } }] }, outcome: 'variable_error' };
  }
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
  if (coerced.errors) {
    return { status: 200, body: { errors: mergeByVariable(coerced.errors.map((e) => shopifyVariableError(e, op.variableDefinitions ?? [], variables))) }, outcome: 'variable_error' };
  }

  // Cost: 10 per mutation, 1 per query, out of a leaky bucket.
  const cost = op.operation === 'mutation' ? 10 : 1;
  if (ctx.forceThrottle || bucketLevel() < cost) {
    return { status: 200, body: throttledBody(cost), outcome: 'throttled' };
  }
  state.bucket.level -= cost;

  const result = execute({
    schema, document: doc, rootValue, contextValue: ctx, variableValues: variables ?? {}, operationName: operationName ?? undefined, fieldResolver,
  });
  if (typeof result?.then === 'function') throw new Error('unexpected async execution');
  const out = {};
  if (result.errors?.length) {
    out.errors = result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path, extensions: e.extensions && Object.keys(e.extensions).length ? e.extensions : { code: 'INTERNAL_SERVER_ERROR' } }));
  }
  out.data = result.data ?? null;
  out.extensions = costExtension(cost, cost);
  return { status: 200, body: out, outcome: result.errors?.length ? 'execution_error' : 'ok' };
}

// ---------------------------------------------------------------- faults
function takeFault(isCreate) {
  const f = state.faults;
  if (f.script.length) return f.script.shift();
  if (f.fail_rate > 0 && f.kinds.length && state.rng() < f.fail_rate) {
    return f.kinds[Math.floor(state.rng() * f.kinds.length)];
  }
  if (isCreate && f.drop_after_create_rate > 0 && state.rng() < f.drop_after_create_rate) return 'drop_after_create';
  return 'ok';
}

function setFaults(body) {
  const f = defaultFaults();
  const bad = (m) => { throw new Error(m); };
  if (body == null || typeof body !== 'object' || Array.isArray(body)) bad('body must be a JSON object');
  for (const k of Object.keys(body)) if (!(k in f) && k !== 'seed') bad(`unknown key ${k}`);
  for (const k of ['fail_rate', 'drop_after_create_rate']) {
    if (body[k] != null) {
      if (typeof body[k] !== 'number' || body[k] < 0 || body[k] > 1) bad(`${k} must be a number in 0..1`);
      f[k] = body[k];
    }
  }
  for (const k of ['retry_after', 'timeout_ms']) {
    if (body[k] != null) {
      if (typeof body[k] !== 'number' || body[k] < 0) bad(`${k} must be a number >= 0`);
      f[k] = body[k];
    }
  }
  if (body.kinds != null) {
    if (!Array.isArray(body.kinds) || body.kinds.some((k) => !FAULT_KINDS.includes(k))) bad(`kinds must be a list of ${FAULT_KINDS.join(', ')}`);
    f.kinds = [...body.kinds];
  }
  if (body.script != null) {
    if (!Array.isArray(body.script) || body.script.some((k) => !SCRIPT_KINDS.includes(k))) bad(`script must be a list of ${SCRIPT_KINDS.join(', ')}`);
    f.script = [...body.script];
  }
  if (body.seed != null && !Number.isFinite(body.seed)) bad('seed must be a number');
  state.faults = f;
  state.rng = mulberry32(body.seed ?? opts.seed);
}

// ---------------------------------------------------------------- HTTP
const pending = new Set(); // sockets held open by the timeout fault

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req, limit) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let over = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? { over: true } : { text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => resolve({ error: true }));
  });
}

function redactHeaders(h) {
  const out = { ...h };
  if ('x-shopify-access-token' in out) {
    out['x-shopify-access-token'] = out['x-shopify-access-token'] === opts.token ? '[redacted: valid]' : '[redacted: invalid]';
  }
  return out;
}

async function platform(req, res, version) {
  const requestId = randomUUID();
  const entry = {
    at: new Date().toISOString(), method: req.method, path: req.url, version, headers: redactHeaders(req.headers), body: null, outcome: null, status: null, fault: null, request_id: requestId,
  };
  state.requests.push(entry);
  if (state.requests.length > LOG_CAP) state.requests.shift();
  const headers = { 'X-Request-Id': requestId, 'X-Shopify-API-Version': version };
  const finish = (status, body, outcome, extra = {}) => {
    entry.status = status;
    entry.outcome = outcome;
    send(res, status, body, { ...headers, ...extra });
    log(`${req.method} ${req.url} -> ${status} ${outcome}`);
  };

  if (!schemas.has(version)) {
    await readBody(req, MAX_BODY);
    return finish(404, { errors: 'Not Found' }, 'unknown_version');
  }
  if (req.method !== 'POST') {
    await readBody(req, MAX_BODY);
    return finish(405, { errors: 'Method Not Allowed' }, 'method_not_allowed', { Allow: 'POST' });
  }
  if (req.headers['x-shopify-access-token'] !== opts.token) {
    await readBody(req, MAX_BODY);
    return finish(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }, 'unauthorized');
  }
  const ctype = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (ctype !== 'application/json') {
    await readBody(req, MAX_BODY);
    return finish(415, { errors: 'Unsupported Media Type: the body must be application/json' }, 'unsupported_media_type');
  }
  const raw = await readBody(req, MAX_BODY);
  if (raw.error) return undefined;
  if (raw.over) return finish(413, { errors: 'Request body too large' }, 'too_large', { Connection: 'close' });
  entry.body = raw.text;
  let body;
  try {
    body = JSON.parse(raw.text);
  } catch {
    return finish(400, { errors: { query: 'Required parameter missing or invalid' } }, 'malformed_json');
  }
  entry.body = body;
  if (body == null || typeof body !== 'object' || Array.isArray(body) || typeof body.query !== 'string') {
    return finish(400, { errors: { query: 'Required parameter missing or invalid' } }, 'missing_query');
  }

  const look = peek(body);
  entry.operations = look.fields;
  const fault = takeFault(look.create);
  entry.fault = fault === 'ok' ? null : fault;
  const f = state.faults;
  switch (fault) {
    case '500':
      return finish(500, { errors: 'Internal Server Error' }, 'fault_500');
    case '429':
      return finish(429, { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, 'fault_429',
        { 'Retry-After': Number(f.retry_after).toFixed(1) });
    case 'timeout': {
      entry.outcome = 'fault_timeout';
      const sock = req.socket;
      pending.add(sock);
      const t = setTimeout(() => { pending.delete(sock); sock.destroy(); }, f.timeout_ms);
      sock.on('close', () => { clearTimeout(t); pending.delete(sock); });
      return undefined;
    }
    case 'throttled':
      return finish(200, throttledBody(look.operation === 'mutation' ? 10 : 1), 'fault_throttled');
    default:
  }
  const ctx = { version, requestId, internalError: fault === 'user_error_internal' };
  let r;
  try {
    r = runGraphQL(version, body, ctx);
  } catch (e) {
    process.stderr.write(`shopify-admin stand-in: ${e.stack}\n`);
    return finish(500, { errors: 'Internal Server Error' }, 'standin_bug');
  }
  if (fault === 'drop_after_create') {
    entry.status = null;
    entry.outcome = `dropped_after_${r.outcome}`;
    req.socket.destroy();
    return undefined;
  }
  return finish(r.status, r.body, fault === 'user_error_internal' ? `fault_user_error_internal` : r.outcome);
}

async function control(req, res, path) {
  const json = async () => {
    const raw = await readBody(req, MAX_BODY);
    if (raw.over || raw.error) throw new Error('body too large');
    return raw.text.trim() === '' ? {} : JSON.parse(raw.text);
  };
  const route = `${req.method} ${path}`;
  try {
    switch (route) {
      case 'GET /_standin/discounts':
        return send(res, 200, state.discounts.map((d) => ({
          id: d.id, code: d.code, type: d.type, title: d.title, input: d.input, version: d.version, created_at: d.created_at, async_usage_count: d.async_usage_count,
        })));
      case 'GET /_standin/requests':
        return send(res, 200, state.requests);
      case 'POST /_standin/reset':
        state = freshState();
        return send(res, 200, { ok: true });
      case 'GET /_standin/faults':
        return send(res, 200, state.faults);
      case 'PUT /_standin/faults':
        setFaults(await json());
        return send(res, 200, state.faults);
      case 'GET /_standin/throttle':
        return send(res, 200, throttleStatus());
      case 'PUT /_standin/throttle': {
        const b = await json();
        bucketLevel();
        for (const k of ['maximumAvailable', 'restoreRate', 'currentlyAvailable']) {
          if (b[k] != null && !(typeof b[k] === 'number' && b[k] >= 0)) throw new Error(`${k} must be a number >= 0`);
        }
        if (b.maximumAvailable != null) state.bucket.maximumAvailable = b.maximumAvailable;
        if (b.restoreRate != null) state.bucket.restoreRate = b.restoreRate;
        state.bucket.level = Math.min(state.bucket.maximumAvailable, b.currentlyAvailable ?? state.bucket.level);
        return send(res, 200, throttleStatus());
      }
      case 'PUT /_standin/clock': {
        const b = await json();
        if (b.now != null && Number.isNaN(Date.parse(b.now))) throw new Error('now must be an ISO-8601 date-time or null');
        state.clock = b.now == null ? null : Date.parse(b.now);
        return send(res, 200, { now: new Date(now()).toISOString() });
      }
      case 'POST /_standin/redeem': {
        const b = await json();
        const rec = b.code != null ? findByCode(b.code) : null;
        if (!rec) return send(res, 404, { error: 'no such code' });
        const limit = rec.input.usageLimit;
        if (limit != null && rec.async_usage_count >= limit) return send(res, 409, { error: 'usage limit reached', async_usage_count: rec.async_usage_count });
        rec.async_usage_count += 1;
        return send(res, 200, { code: rec.code, async_usage_count: rec.async_usage_count });
      }
      case 'GET /_standin/info':
        return send(res, 200, { shop: opts.shop, versions: [...schemas.keys()], currency: opts.currency, schema_dir: schemaDir });
      default:
        await readBody(req, MAX_BODY);
        return send(res, 404, { error: `no control route ${route}` });
    }
  } catch (e) {
    return send(res, 400, { error: String(e.message ?? e) });
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const m = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
  const p = m ? platform(req, res, m[1]) : url.pathname.startsWith('/_standin/') ? control(req, res, url.pathname) : (async () => {
    await readBody(req, MAX_BODY);
    send(res, 404, { errors: 'Not Found' });
  })();
  p.catch((e) => {
    process.stderr.write(`shopify-admin stand-in: ${e.stack}\n`);
    if (!res.headersSent) send(res, 500, { errors: 'Internal Server Error' });
  });
});
server.requestTimeout = 0; // the timeout fault holds requests longer than Node's default

function shutdown() {
  for (const s of pending) s.destroy();
  server.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (!opts.ignoreStdin) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
setTimeout(shutdown, opts.maxLifetime * 1000).unref();

server.listen(opts.port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
