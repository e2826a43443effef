// The shared fixture of the browser end-to-end suites (e2e/*.test.mjs, run
// by Node's own test runner: `node --test e2e/embed.test.mjs`). Each suite
// starts what it needs through it:
//
// - startEndpoint: the reference endpoint on a port the system hands out
//   (--addr 127.0.0.1:0 --port-file), over a fresh SQLite file under
//   target/test-run/, stopping by itself (--exit-after) and when the suite
//   ends; ready once its port is known and /livez answers;
// - launchBrowser / browsers: Debian's Chromium or Firefox ESR, headless,
//   both unless E2E_BROWSERS (or --browser NAME) names one;
// - watchPage / withPage / diagnose: the console lines and the last requests
//   of a page, printed with a screenshot's path when a test fails;
// - waits on conditions, never on time: an element in a widget's shadow
//   root, a text, an event, a request seen, no request in flight, the
//   widget's animations done. Each is bounded by a timeout that fails the
//   test and says what it waited for.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RUN_DIR = join(ROOT, 'target/test-run');
export const FAILURES_DIR = join(RUN_DIR, 'e2e-failures');
export const ENDPOINT_BIN = join(ROOT, 'target/debug/loyalty-endpoint');
/** The day the demo's figures (pending, expiring points) are for. */
export const TEST_DAY = '2026-11-30';
/** How long one condition may take before the test fails. */
export const WAIT = Number(process.env.E2E_WAIT_MS || 20000);

const children = new Set();
// Whatever happens to the suite, its endpoints do not outlive it (they
// also stop by themselves after --exit-after).
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/** Throws the message a developer needs when the release build is missing. */
export function needDist(step = 'embed') {
  if (!existsSync(join(ROOT, 'dist/index.html')) || !existsSync(join(ROOT, 'dist/widget/loyalty-widget.js'))) {
    throw new Error(`dist/ has no release build: run \`bash scripts/build.sh\` (or \`bash scripts/test.sh ${step}\`, which builds what it needs)`);
  }
}

function needEndpointBinary() {
  if (!existsSync(ENDPOINT_BIN)) {
    throw new Error(`${ENDPOINT_BIN} is missing: run \`cargo build -p loyalty-endpoint\` (or \`bash scripts/test.sh STEP\`, which builds it)`);
  }
}

/**
 * Starts target/debug/loyalty-endpoint on a free loopback port over a fresh
 * SQLite file target/test-run/<name>.sqlite (log beside it), with the ledger's
 * day pinned to TEST_DAY (`today: null`: not pinned; a suite that pins its
 * own day passes it in `args`). `args` are passed on (--demo, --static dist,
 * --fault-control, ...); `env` adds to the environment (secrets); `db` an
 * existing database file to keep; `exitAfter` seconds until it stops by
 * itself. The object has `url`, `pid`, `log`, `db`. Resolves
 * once the port file is written and /livez answers; `stop()` ends it by its
 * pid. When `args` include `--static dist`, dist/ must hold the build.
 */
export async function startEndpoint({ args = [], name, env = {}, exitAfter = 900, today = TEST_DAY, db } = {}) {
  if (!name) throw new Error('startEndpoint needs a name (its SQLite file and log under target/test-run/)');
  needEndpointBinary();
  const staticAt = args.indexOf('--static');
  if (staticAt >= 0 && args[staticAt + 1] === 'dist') needDist();
  mkdirSync(RUN_DIR, { recursive: true });
  const database = db ?? join(RUN_DIR, `${name}.sqlite`);
  if (!db) for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  const portFile = join(RUN_DIR, `${name}.port`);
  const logFile = join(RUN_DIR, `${name}.log`);
  rmSync(portFile, { force: true });
  const log = openSync(logFile, 'w');
  const dayArgs = today ? ['--today', today] : [];
  const child = spawn(ENDPOINT_BIN, ['serve', '--addr', '127.0.0.1:0', '--port-file', portFile,
    '--exit-after', String(exitAfter), '--db', database, ...dayArgs, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', log],
  });
  children.add(child);
  const exited = new Promise((resolveExit) => { child.once('exit', (code, signal) => resolveExit({ code, signal })); });
  exited.then(() => children.delete(child));
  // Its standard output goes to the log too (after the readiness line).
  child.stdout.on('data', (chunk) => { try { writeSync(log, chunk); } catch { /* closed */ } });
  child.once('close', () => closeSync(log));
  const logTail = () => {
    try { return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n'); } catch { return ''; }
  };
  // Ready: the endpoint prints "listening on http://..." once it listens
  // (and has written its port file), or it exits.
  const listening = new Promise((resolveListening, reject) => {
    let out = '';
    const look = (chunk) => {
      out += chunk.toString('utf8');
      if (!/listening on http:\/\//.test(out)) return;
      child.stdout.off('data', look);
      resolveListening();
    };
    child.stdout.on('data', look);
    exited.then(({ code, signal }) => reject(new Error(
      `the endpoint ${name} exited (${signal ?? code}) before it listened:\n${out}${logTail()}`)));
  });
  try {
    await bounded(listening, WAIT, `the endpoint ${name} to listen (log: ${logFile})`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const port = readFileSync(portFile, 'utf8').trim();
  if (!/^\d+$/.test(port)) throw new Error(`the endpoint ${name} wrote "${port}" into ${portFile}`);
  const url = `http://127.0.0.1:${port}`;
  const live = await fetch(`${url}/livez`).catch((err) => ({ ok: false, status: err.message }));
  if (!live.ok) {
    child.kill('SIGKILL');
    throw new Error(`the endpoint ${name} at ${url} does not answer /livez (${live.status}):\n${logTail()}`);
  }
  return {
    url,
    pid: child.pid,
    log: logFile,
    db: database,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), timeout(15000).then(() => false)]);
      if (!stopped) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * A loopback port the system hands out as free, for a server that cannot
 * be told port 0 (trunk serve must know its port before it builds). It is
 * closed again when this resolves, so another process could take it first:
 * the server then fails to listen, and says so.
 */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Sets the faults of an endpoint started with --fault-control (`{}`: none). */
export async function setFaults(base, faults) {
  const answer = await fetch(`${base}/_faults`, { method: 'PUT', body: JSON.stringify(faults) });
  if (!answer.ok) throw new Error(`the endpoint refused the faults: ${answer.status} ${await answer.text()}`);
  return answer;
}

// ---------------------------------------------------------------- browsers

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
export const BROWSERS = ['chromium', 'firefox'];

/**
 * The browsers a suite runs in: both, unless E2E_BROWSERS=chromium|firefox
 * (comma-separated) or `--browser NAME` / `--browser=NAME` after the file.
 * `only` limits it to the browsers a suite supports.
 */
export function browsers(only = BROWSERS) {
  const argv = process.argv.slice(2);
  let wanted = process.env.E2E_BROWSERS;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--browser') wanted = argv[i + 1];
    else if (argv[i].startsWith('--browser=')) wanted = argv[i].slice('--browser='.length);
  }
  const names = wanted ? wanted.split(',').map((s) => s.trim()).filter(Boolean) : BROWSERS;
  for (const name of names) if (!BROWSERS.includes(name)) throw new Error(`unknown browser ${name}: chromium or firefox`);
  return names.filter((name) => only.includes(name));
}

/** Debian's Chromium or Firefox ESR, headless (Firefox over WebDriver BiDi). */
export async function launchBrowser(name) {
  const { default: puppeteer } = await import('puppeteer-core');
  if (name === 'firefox') {
    const executablePath = process.env.FIREFOX || '/usr/bin/firefox-esr';
    if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run \`bash scripts/setup.sh\``);
    return puppeteer.launch({ browser: 'firefox', executablePath, headless: true });
  }
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run \`bash scripts/setup.sh\``);
  return puppeteer.launch({ executablePath, headless: true, args: chromiumArgs });
}

/**
 * Inside a describe(): starts the endpoint (when `endpoint` is given:
 * startEndpoint's options) and the browser before its tests, stops both
 * after. Returns a live object: `base` (the endpoint's URL), `endpoint`,
 * `browser`, `browserName`, and `check(name, fn, options)`: a test whose
 * `fn(page, watcher, t)` gets a fresh browser context's page (`viewport`),
 * watched, with the page's state printed when it fails.
 */
export function session({ browser: browserName = 'chromium', endpoint, viewport = { width: 1024, height: 800 } } = {}) {
  const live = { browserName, browser: null, endpoint: null, base: null };
  before(async () => {
    if (endpoint) {
      live.endpoint = await startEndpoint(endpoint);
      live.base = live.endpoint.url;
    }
    live.browser = await launchBrowser(browserName);
  });
  after(async () => {
    await live.browser?.close().catch(() => {});
    await live.endpoint?.stop();
  });
  live.check = (name, fn, options = {}) => it(name, { timeout: options.timeout ?? 180000 },
    (t) => withPage(t, live.browser, fn, { viewport: options.viewport ?? viewport, label: `${name} (${browserName})` }));
  return live;
}

// ------------------------------------------------------------ diagnostics

const watchers = new WeakMap();
const KEEP = 20;

/**
 * Records a page's console lines, uncaught errors and its last requests
 * and answers, and which requests are still in flight. With a test context
 * `t`, a failing test prints them (and a screenshot's path) when it ends;
 * withPage and diagnose print them with the error itself.
 */
export function watchPage(t, page, { label } = {}) {
  const watcher = {
    label: label ?? t?.name ?? 'page',
    console: [],
    requests: [],
    seen: [],
    inflight: new Map(),
    listeners: new Set(),
    reported: false,
  };
  const note = (line) => {
    watcher.requests.push(line);
    if (watcher.requests.length > KEEP) watcher.requests.shift();
  };
  const changed = () => { for (const listener of watcher.listeners) listener(); };
  const tracked = (request) => /^https?:/.test(request.url());
  page.on('console', (message) => {
    watcher.console.push(`${message.type()}: ${message.text()}`);
    if (watcher.console.length > 200) watcher.console.shift();
    changed();
  });
  page.on('pageerror', (err) => {
    watcher.console.push(`uncaught: ${err?.message ?? err}`);
    changed();
  });
  page.on('request', (request) => {
    if (!tracked(request)) return;
    const entry = { method: request.method(), url: request.url(), status: null, done: false };
    watcher.seen.push(entry);
    watcher.inflight.set(request, entry);
    note(`-> ${entry.method} ${entry.url}`);
    changed();
  });
  const finish = (request, outcome) => {
    const entry = watcher.inflight.get(request);
    if (!entry) return;
    watcher.inflight.delete(request);
    entry.done = true;
    entry.status = outcome;
    note(`<- ${outcome} ${entry.method} ${entry.url}`);
    changed();
  };
  page.on('requestfinished', (request) => finish(request, request.response()?.status() ?? 'finished'));
  page.on('requestfailed', (request) => finish(request, `failed (${request.failure()?.errorText ?? 'no answer'})`));
  page.on('close', () => {
    for (const request of [...watcher.inflight.keys()]) finish(request, 'page closed');
  });
  watchers.set(page, watcher);
  if (t && typeof t.after === 'function') {
    t.after(async () => {
      // context.passed is only in newer Node versions; withPage and
      // diagnose report the failure themselves.
      if (t.passed === false && !watcher.reported) console.error(await explain(page, watcher));
    });
  }
  return watcher;
}

/** The watcher of a page (watchPage), or null. */
export const watcherOf = (page) => watchers.get(page) ?? null;

const safeName = (text) => text.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'page';

/** What the page showed: a screenshot's path, the widget's text, console lines, last requests. */
export async function explain(page, watcher = watcherOf(page)) {
  const lines = [];
  if (watcher) watcher.reported = true;
  const label = watcher?.label ?? 'page';
  try {
    mkdirSync(FAILURES_DIR, { recursive: true });
    const path = join(FAILURES_DIR, `${safeName(label)}.png`);
    await bounded(page.screenshot({ path, fullPage: false }), 10000, 'the screenshot');
    lines.push(`screenshot: ${path}`);
  } catch (err) {
    lines.push(`screenshot: none (${err.message.split('\n')[0]})`);
  }
  try {
    const shown = await bounded(page.evaluate(() => ({
      url: location.href,
      widgets: [...document.querySelectorAll('*')].filter((el) => el.localName.startsWith('loyalty-widget'))
        .map((el) => `<${el.localName}${el.id ? `#${el.id}` : ''}> ${(el.shadowRoot?.textContent ?? '(no shadow root)').replace(/\s+/g, ' ').trim().slice(0, 400)}`),
    })), 5000, 'the page state');
    lines.push(`page: ${shown.url}`);
    for (const widget of shown.widgets) lines.push(`widget: ${widget}`);
  } catch (err) {
    lines.push(`page: unreadable (${err.message.split('\n')[0]})`);
  }
  if (watcher) {
    lines.push(`console (${watcher.console.length} lines):`);
    for (const line of watcher.console.slice(-30)) lines.push(`  ${line}`);
    lines.push(`last ${watcher.requests.length} requests and answers:`);
    for (const line of watcher.requests) lines.push(`  ${line}`);
    if (watcher.inflight.size) lines.push(`still in flight: ${[...watcher.inflight.values()].map((e) => `${e.method} ${e.url}`).join(', ')}`);
  }
  return lines.join('\n');
}

/** Runs fn; when it throws, the error carries what the page showed. */
export async function diagnose(page, fn) {
  try {
    return await fn();
  } catch (err) {
    const shown = await explain(page).catch((e) => `(nothing to show: ${e.message})`);
    if (err instanceof Error) {
      const said = err.message;
      err.message = `${said}\n--- what the page showed ---\n${shown}`;
      // (The runner prints the stack, which some libraries have already
      // written out with the message it had.)
      if (typeof err.stack === 'string') {
        err.stack = said && err.stack.includes(said) ? err.stack.replace(said, err.message) : `${err.message}\n${err.stack}`;
      }
      throw err;
    }
    throw new Error(`${String(err)}\n--- what the page showed ---\n${shown}`);
  }
}

/**
 * A fresh browser context and page (no cache, no storage) for one test,
 * watched; fn(page, watcher, t). The context is closed after.
 */
export async function withPage(t, browser, fn, { viewport = { width: 1024, height: 800 }, label } = {}) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    if (viewport) await page.setViewport(viewport);
    const watcher = watchPage(null, page, { label: label ?? t?.name });
    return await diagnose(page, () => fn(page, watcher, t));
  } finally {
    await context.close().catch(() => {});
  }
}

// ------------------------------------------------------------------ waits

function timeout(ms) {
  return new Promise((resolveTimeout) => { setTimeout(resolveTimeout, ms).unref(); });
}

/** A promise, or an error naming what it waited for after `ms`. */
export async function bounded(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until fn (evaluated in the page, with arg) returns a truthy value,
 * and returns that value.
 */
export async function until(page, fn, arg = null, what = 'a condition in the page', ms = WAIT) {
  try {
    const handle = await page.waitForFunction(fn, { timeout: ms, polling: 50 }, arg);
    return await handle.jsonValue();
  } catch (err) {
    if (err.name === 'TimeoutError' || /timeout|timed out|exceeded/i.test(err.message)) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    throw err;
  }
}

/**
 * Asks `probe()` (async, node side) again every `every` ms until it returns
 * a truthy value, which it returns; for a condition nothing announces (a
 * server that starts listening without a word). Fails after `ms`, saying
 * what `last()` reports then. With `retryErrors`, a probe that throws is
 * asked again (its last error is in the failure); without, it fails at once.
 */
export async function pollUntil(probe, {
  every = 250, timeout: ms = WAIT, what = 'a condition', retryErrors = false, last = null,
} = {}) {
  const deadline = Date.now() + ms;
  let error = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      error = null;
    } catch (err) {
      if (!retryErrors) throw err;
      error = err;
    }
    if (Date.now() > deadline) {
      const seen = last ? `; last seen: ${await Promise.resolve().then(last).catch((e) => e.message)}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${error ? ` (last error: ${error.message})` : ''}${seen}`);
    }
    await new Promise((resolvePoll) => { setTimeout(resolvePoll, every); });
  }
}

/** Waits for `selector` in the shadow root of the widget `host` (first match of that selector). */
export function waitInWidget(page, selector, { host = 'loyalty-widget', timeout: ms = WAIT, what } = {}) {
  return until(page, ([h, s]) => !!document.querySelector(h)?.shadowRoot?.querySelector(s),
    [host, selector], what ?? `${selector} in <${host}>`, ms);
}

/** Waits for `selector` in the widget's shadow root to have text, and returns it (trimmed). */
export function widgetText(page, selector, { host = 'loyalty-widget', timeout: ms = WAIT, what } = {}, label = what) {
  return until(page, ([h, s]) => {
    const el = document.querySelector(h)?.shadowRoot?.querySelector(s);
    const text = el?.textContent.trim();
    return text || null;
  }, [host, selector], label ?? `text in ${selector} of <${host}>`, ms);
}

/** Waits until the widget's shadow root (or `selector` in it) shows `text`. */
export function waitForText(page, text, { host = 'loyalty-widget', selector = null, timeout: ms = WAIT } = {}) {
  return until(page, ([h, s, want]) => {
    const root = document.querySelector(h)?.shadowRoot;
    const el = s ? root?.querySelector(s) : root;
    return !!el && el.textContent.includes(want);
  }, [host, selector, text], `"${text}" in ${selector ?? `<${host}>`}`, ms);
}

/**
 * Waits for a loyalty-widget:<name> event recorded by the example pages'
 * guard (examples/assets/guard.js, window.__lw.events), after `since`
 * earlier ones; returns it.
 */
export function waitForEvent(page, name, { since = 0, timeout: ms = WAIT } = {}) {
  return until(page, ([n, s]) => (window.__lw?.events ?? []).slice(s).find((e) => e.name === n) ?? null,
    [name, since], `the loyalty-widget:${name} event`, ms);
}

/** Waits for a console line of the page matching `pattern` (the watcher's record). */
export function waitForConsole(watcher, pattern, { timeout: ms = WAIT } = {}) {
  return waitOnWatcher(watcher, () => watcher.console.find((line) => pattern.test(line)), `a console line matching ${pattern}`, ms);
}

/**
 * Waits until the page has sent a request matching `match` (a RegExp on the
 * URL, or a function of {method, url}), counting from request number
 * `since` of the watcher's record; returns it. `answered`: and its answer
 * came (or it failed).
 */
export function waitForRequest(watcher, match, { since = 0, answered = false, timeout: ms = WAIT } = {}) {
  const test = typeof match === 'function' ? match : (entry) => match.test(entry.url);
  return waitOnWatcher(watcher, () => watcher.seen.slice(since).find((entry) => test(entry) && (!answered || entry.done)),
    `a request ${match}${answered ? ' and its answer' : ''}`, ms);
}

/** Waits until none of the page's requests (matching `match`, when given) is in flight. */
export function waitForIdle(watcher, { match = null, timeout: ms = WAIT } = {}) {
  const test = match ? (entry) => match.test(entry.url) : () => true;
  return waitOnWatcher(watcher, () => ![...watcher.inflight.values()].some(test),
    `no request${match ? ` matching ${match}` : ''} in flight (in flight: ${[...watcher.inflight.values()].map((e) => e.url).join(', ') || 'none'})`, ms);
}

/**
 * Fails if the page sends a request matching `match` within `ms` (an
 * observation window: for checks that something does NOT happen, which no
 * event can announce). Resolves after the window otherwise.
 */
export async function expectNoRequest(watcher, match, ms, what) {
  const test = typeof match === 'function' ? match : (entry) => match.test(entry.url);
  const start = watcher.seen.length;
  const found = await waitOnWatcher(watcher, () => watcher.seen.slice(start).find(test), '', ms).catch(() => null);
  if (found) throw new Error(`${what}: ${found.method} ${found.url}`);
}

function waitOnWatcher(watcher, probe, what, ms) {
  const first = probe();
  if (first) return Promise.resolve(first);
  return new Promise((resolveWait, reject) => {
    const listener = () => {
      const value = probe();
      if (!value) return;
      clearTimeout(timer);
      watcher.listeners.delete(listener);
      resolveWait(value);
    };
    const timer = setTimeout(() => {
      watcher.listeners.delete(listener);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    watcher.listeners.add(listener);
  });
}

/**
 * The widget settled: web fonts loaded, no animation or transition that
 * ends still running in any shadow root or the page, and two frames
 * painted since.
 * (What screenshots, layout measurements and axe need.)
 */
export async function settled(page, { timeout: ms = WAIT } = {}) {
  await until(page, () => {
    if (document.fonts.status !== 'loaded') return false;
    // (An endless animation, a loading indicator's, never ends: not waited for.)
    const ending = (a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity;
    const roots = [...document.querySelectorAll('*')].map((el) => el.shadowRoot).filter(Boolean);
    return !document.getAnimations().some(ending) && !roots.some((root) => root.getAnimations().some(ending));
  }, null, 'the widget\'s fonts and animations to settle', ms);
  await bounded(page.evaluate(() => new Promise((done) => {
    requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
  })), ms, 'two frames');
}

/** Clicks an element in a widget's shadow root with the real mouse, once it is visible. */
export async function clickInWidget(page, selector, { host = 'loyalty-widget', clickCount = 1 } = {}) {
  const box = await until(page, ([h, s]) => {
    const el = document.querySelector(h)?.shadowRoot?.querySelector(s);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return r.width > 0 ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
  }, [host, selector], `${selector} in <${host}> to be visible`);
  await page.mouse.click(box.x, box.y, { clickCount });
}

/** Stats of an endpoint started with --fault-control (GET /_stats). */
export async function stats(base) {
  return (await fetch(`${base}/_stats`)).json();
}

/** Unused-file guard: a file that must exist for a suite (a clear message otherwise). */
export function needFile(path, how) {
  const full = resolve(ROOT, path);
  if (!existsSync(full) || !statSync(full).isFile()) throw new Error(`${path} is missing: ${how}`);
  return full;
}
