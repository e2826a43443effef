// What the real-WooCommerce suites (e2e/woo-*.test.mjs) share: the shop (a
// real WordPress 6.9 + WooCommerce 9.9.5 from ../shared/woocommerce/up.sh,
// each suite in its own state folder, always stopped and purged after), the
// loyalty endpoint pointed at it (e2e/lib/fixture.mjs's startEndpoint with
// the shop's REST key), REST and PHP access to the shop, and checks that say
// what the shop and the endpoint last did when they fail.
//
// Inside a describe():
//
//   const shop = useShop('woo-checkout');     // before: up.sh; after: down.sh --purge
//   const check = checker(() => shop.context(endpoint));
//   check('a name', async () => { ... });     // an it() with that context on failure
//
// Env: WC_HARNESS_DIR (default ../shared/woocommerce beside the clone, as
// scripts/test.sh), WC_HARNESS_STATE (default /tmp/loyalty-<suite>),
// WOO_KEEP_STATE=1 (down.sh without --purge, to read the shop's logs after).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import { ROOT, RUN_DIR, WAIT, bounded, pollUntil, startEndpoint } from './fixture.mjs';

export { ROOT, RUN_DIR, WAIT };
export const HARNESS_DIR = process.env.WC_HARNESS_DIR || resolve(ROOT, '../shared/woocommerce');
export const PLUGIN = join(ROOT, 'integrations/wordpress/loyalty-widget.php');
export const DIST = join(ROOT, 'dist');
/** How long up.sh may take (about 6 s here, 15 s on a first run; more on a busy machine). */
const UP_TIMEOUT = 300000;

/** A line logger for the suite: `[suite 12.3s] message` on stderr. */
export function logger(suite) {
  const t0 = Date.now();
  return (message) => process.stderr.write(`[${suite} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
}

/** The NAME='value' (or NAME=value) lines of a file written by up.sh (env, pids). */
export function readEnv(file) {
  const out = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_0-9]+)=(?:'(.*)'|(.*))$/.exec(line);
    if (m) out[m[1]] = m[2] ?? m[3];
  }
  return out;
}

// ---------------------------------------------------------------- assertions
// As the suites have always compared: JSON texts, so that key order, null and
// a missing value are told apart exactly as before the move to node:test.

/** Throws unless JSON.stringify(actual) === JSON.stringify(expected). */
export function eq(actual, expected, what = '') {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what ? `${what}: ` : ''}expected ${e}, got ${a}`);
}
/** Throws `what` unless cond. */
export function ok(cond, what) { if (!cond) throw new Error(what); }

/**
 * Polls `probe` (sync or async) until it returns a truthy value, which it
 * returns; after `timeout` ms, fails saying what it waited for (and what
 * `last()` says it saw, when given). For conditions outside a page: a log
 * line written, a coupon made, a lock held.
 */
export const waitFor = (probe, { every = 100, ...rest } = {}) => pollUntil(probe, { every, retryErrors: true, ...rest });

// ---------------------------------------------------------------- HTTP
/** One request: { status, headers, json (or null), text }. A body is sent as JSON. */
export async function http(url, { method = 'GET', headers = {}, body } = {}) {
  const h = { ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}
export const basic = (user, password) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

// ---------------------------------------------------------------- the shop
const running = new Set();
function downSync(shop) {
  if (!running.has(shop)) return '';
  running.delete(shop);
  const r = spawnSync(join(HARNESS_DIR, 'down.sh'), process.env.WOO_KEEP_STATE ? [] : ['--purge'],
    { env: shop.harnessEnv, encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().replace(/\n/g, '; ');
}
// Whatever ends the suite (an error, Ctrl-C, the runner's SIGTERM), the shop
// goes with it: a leftover shop is ~460 MB of disk and two servers.
process.on('exit', () => { for (const shop of [...running]) downSync(shop); });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const shop of [...running]) process.stderr.write(`${signal}: ${downSync(shop)}\n`);
    process.exit(130);
  });
}

/**
 * Starts a fresh shop for `suite` (up.sh in its own state folder) and
 * resolves to it: `env` (WC_URL, keys, product ids, ...), `url`, `state`,
 * `site`, `php(code)`, `runQueue()`, `rest(path, opts)` (REST v3 with the
 * shop's key: the JSON, throws on a status >= 300), `restRaw`, `wp(path,
 * opts)` (WordPress's REST API with the admin's application password),
 * `lastRequests(n)`, `context()` and `stop()`.
 */
export async function startShop(suite, { say = logger(suite) } = {}) {
  const upSh = join(HARNESS_DIR, 'up.sh');
  if (!existsSync(upSh)) {
    throw new Error(`the real WooCommerce is not here: ${upSh} is missing (../shared/woocommerce beside this clone, or WC_HARNESS_DIR)`);
  }
  // This checkout's own state folder: two checkouts' test runs can share a machine.
  const checkout = createHash('sha1').update(ROOT).digest('hex').slice(0, 8);
  const state = process.env.WC_HARNESS_STATE || `/tmp/loyalty-${suite}-${checkout}`;
  const harnessEnv = { ...process.env, WC_HARNESS_STATE: state };
  const shop = { suite, state, harnessEnv, site: join(state, 'site') };
  say(`starting WooCommerce (${upSh}, state ${state})`);
  const t0 = Date.now();
  const up = spawn(upSh, { env: harnessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout.on('data', (d) => { out += d; });
  up.stderr.on('data', (d) => { out += d; });
  shop.endpoints = new Set();
  running.add(shop); // up.sh may have started MariaDB before it fails: down.sh then stops it
  const code = await bounded(new Promise((res) => { up.once('exit', (c, s) => res(c ?? s)); }), UP_TIMEOUT, 'up.sh')
    .catch((err) => { up.kill('SIGTERM'); throw err; });
  if (code !== 0) {
    // Someone else's shop already runs in this state folder: not ours to stop.
    if (/already running/.test(out)) running.delete(shop);
    else say(`down.sh: ${downSync(shop)}`);
    throw new Error(`up.sh failed (${code}):\n${out.slice(-3000)}`);
  }
  shop.env = readEnv(join(state, 'env'));
  shop.url = shop.env.WC_URL;
  shop.upSeconds = (Date.now() - t0) / 1000;
  say(`WooCommerce ${shop.env.WC_VERSION} on WordPress ${shop.env.WP_VERSION} at ${shop.url}, up in ${shop.upSeconds.toFixed(1)}s`);

  const restAuth = basic(shop.env.WC_CONSUMER_KEY, shop.env.WC_CONSUMER_SECRET);
  shop.restAuth = restAuth;
  shop.wpAuth = basic(shop.env.WC_ADMIN_USER, shop.env.WC_APP_PASSWORD);
  shop.restRaw = (path, opts = {}) => http(`${shop.url}/wp-json/wc/v3${path}`, { ...opts, headers: { ...restAuth, ...(opts.headers || {}) } });
  shop.rest = async (path, opts = {}) => {
    const r = await shop.restRaw(path, opts);
    if (r.status >= 300) throw new Error(`${opts.method || 'GET'} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
  };
  shop.wp = (path, opts = {}) => http(`${shop.url}/wp-json/wp/v2${path}`, { ...opts, headers: { ...shop.wpAuth, ...(opts.headers || {}) } });
  // PHP in the site (wp-load.php), as WP-CLI would: its stdout; throws on a non-zero exit.
  const phpArgs = (phpCode) => ['-d', 'display_errors=stderr', '-r', `define("WP_USE_THEMES", false); require "wp-load.php"; ${phpCode}`];
  shop.php = (phpCode) => {
    const r = spawnSync('php', phpArgs(phpCode), { cwd: shop.site, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`php: ${r.status} ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  // The same without blocking the event loop: while PHP runs (seconds, when it delivers webhooks),
  // the endpoint closes kept-alive connections idle for 5 s; a blocked loop would not see that and
  // fetch would send the next request into a closed socket ("fetch failed").
  shop.phpAsync = (phpCode) => new Promise((res, rej) => {
    const child = spawn('php', phpArgs(phpCode), { cwd: shop.site, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.once('error', rej);
    child.once('close', (status) => (status === 0 ? res(stdout) : rej(new Error(`php: ${status} ${stdout}${stderr}`))));
  });
  // WooCommerce's Action Scheduler queue (webhook deliveries among it), run
  // until nothing is due: the harness has WP-cron off. How many actions ran.
  shop.runQueue = async () => {
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const n = Number(await shop.phpAsync(`echo ActionScheduler_QueueRunner::instance()->run("loyalty-${suite}");`));
      total += n;
      if (!n) break;
    }
    return total;
  };
  shop.pids = () => readEnv(join(state, 'pids'));
  /** The shop's last `n` requests as its web server logged them. */
  shop.lastRequests = (n = 15) => {
    try {
      return readFileSync(join(state, 'web.log'), 'utf8').split('\n').filter((l) => /\[\d{3}\]: /.test(l)).slice(-n);
    } catch { return []; }
  };
  /** What a failing check prints: the shop's last requests, its debug log's tail, the endpoint's log tail. */
  shop.context = (...endpoints) => {
    const lines = [`the shop's last requests (${join(state, 'web.log')}):`, ...shop.lastRequests().map((l) => `  ${l}`)];
    const debug = join(state, 'wp-debug.log');
    if (existsSync(debug)) {
      const tail = readFileSync(debug, 'utf8').trim().split('\n').filter(Boolean).slice(-5);
      if (tail.length) lines.push('wp-debug.log:', ...tail.map((l) => `  ${l.slice(0, 300)}`));
    }
    for (const e of endpoints.filter(Boolean)) {
      try {
        lines.push(`endpoint log (${e.log}):`, ...readFileSync(e.log, 'utf8').trim().split('\n').slice(-12).map((l) => `  ${l.slice(0, 400)}`));
      } catch { /* none */ }
    }
    return lines.join('\n');
  };
  shop.stop = async () => {
    for (const endpoint of [...shop.endpoints]) await endpoint.stop().catch(() => {});
    shop.endpoints.clear();
    const said = downSync(shop);
    if (said) say(`down.sh: ${said}`);
  };
  return shop;
}

/**
 * Inside a describe(): a fresh shop before its tests (the object is filled
 * in then), down.sh --purge after them.
 */
export function useShop(suite, { say = logger(suite) } = {}) {
  const live = { say };
  before(async () => { Object.assign(live, await startShop(suite, { say })); }, { timeout: UP_TIMEOUT + 10000 });
  after(async () => { await live.stop?.(); }, { timeout: 60000 });
  return live;
}

/**
 * The loyalty endpoint on the shop: the shop's REST key as its WooCommerce
 * connection, JSON log lines (`logLevel`), `env` added (the secrets). The
 * fixture's startEndpoint otherwise (free port, target/test-run/<name>.*,
 * stops by itself); `today: null` leaves the day unpinned. Stopped with the
 * shop after the suite (or earlier with its `stop()`).
 */
export async function startWooEndpoint(shop, { name, env = {}, args = [], today = null, db, logLevel = 'info', exitAfter = 900 }) {
  const endpoint = await startEndpoint({
    name, args, today, db, exitAfter,
    env: {
      LOYALTY_WOO_URL: shop.url, LOYALTY_WOO_KEY: shop.env.WC_CONSUMER_KEY, LOYALTY_WOO_SECRET: shop.env.WC_CONSUMER_SECRET,
      LOYALTY_LOG: logLevel, LOYALTY_LOG_FORMAT: 'json', ...env,
    },
  });
  shop.endpoints.add(endpoint);
  const stop = endpoint.stop.bind(endpoint);
  endpoint.stop = async () => { shop.endpoints.delete(endpoint); await stop(); };
  return endpoint;
}

/** The endpoint's JSON log lines so far (parsed; other lines skipped). */
export function logLines(file) {
  const out = [];
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return out; }
  for (const line of text.split('\n')) {
    try { out.push(JSON.parse(line)); } catch { /* not JSON */ }
  }
  return out;
}

/**
 * A check: an it() (bounded by `timeout`) whose failure carries `context()`
 * (what the shop and the endpoint last did; for a page, what it showed).
 */
export function checker(context, { timeout = 120000 } = {}) {
  return (name, fn, options = {}) => it(name, { timeout: options.timeout ?? timeout }, async (t) => {
    try {
      return await fn(t);
    } catch (err) {
      let more = '';
      try { more = await context(); } catch (e) { more = `(no context: ${e.message})`; }
      if (err instanceof Error && err.cause) err.message = `${err.message} (${err.cause.code ?? ''} ${err.cause.message ?? err.cause})`;
      if (more && err instanceof Error) err.message = `${err.message}\n--- what the shop and the endpoint last did ---\n${more}`;
      throw err;
    }
  });
}

/** A fresh folder for a suite's own files: target/test-run/<suite>/. */
export function workDir(suite) {
  const dir = join(RUN_DIR, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
