// The developer's loop: `trunk serve` shows the demo shop with Anna's
// balance, the reference endpoint behind Trunk's proxy and the demo token
// through the token URL (no token rendered into the page).
//
// Trunk.toml keeps the developer's ports (trunk serve on 8080, the endpoint
// behind /v1/ and /_demo/ on 8787). This test runs beside a demo or a
// `trunk serve` already on those ports: it starts the endpoint on a port the
// system hands out, and trunk serve (--port) on another, with a copy of
// Trunk.toml whose proxies point at that endpoint and whose paths are
// absolute (target/test-run/trunk-serve/Trunk.toml, given with --config;
// Trunk's --proxy-backend adds a proxy but cannot replace the two of
// Trunk.toml). TRUNK_SERVE_PORT tells the post-build hook the page's origin.
//
// Run alone: node --test e2e/trunk-serve.test.mjs (needs trunk, wasm-bindgen
// and target/debug/loyalty-endpoint; the first build takes minutes).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import {
  ROOT, RUN_DIR, freePort, pollUntil, session, startEndpoint, waitInWidget,
} from './lib/fixture.mjs';
import { visit } from './lib/widget.mjs';

/** Trunk.toml with the endpoint's and trunk's ports, and every path absolute. */
function testConfig(endpointPort) {
  const source = readFileSync(join(ROOT, 'Trunk.toml'), 'utf8');
  const abs = (path) => JSON.stringify(join(ROOT, path));
  const edits = [
    [/^target = "([^"]+)"$/m, (_, path) => `target = ${abs(path)}`],
    [/^dist = "([^"]+)"$/m, (_, path) => `dist = ${abs(path)}`],
    [/^watch = \[([^\]]*)\]$/m, (_, list) => `watch = [${JSON.parse(`[${list}]`).map(abs).join(', ')}]`],
    [/^command_arguments = \["(scripts\/[^"]+)"\]$/m, (_, path) => `command_arguments = [${abs(path)}]`],
    [/^backend = "http:\/\/127\.0\.0\.1:8787\/v1\/"$/m, () => `backend = "http://127.0.0.1:${endpointPort}/v1/"`],
    [/^backend = "http:\/\/127\.0\.0\.1:8787\/_demo\/"$/m, () => `backend = "http://127.0.0.1:${endpointPort}/_demo/"`],
  ];
  let config = source;
  for (const [pattern, replace] of edits) {
    if (!pattern.test(config)) throw new Error(`Trunk.toml has no line matching ${pattern}: update e2e/trunk-serve.test.mjs`);
    config = config.replace(pattern, replace);
  }
  return config;
}

describe('trunk serve', () => {
  const dir = join(RUN_DIR, 'trunk-serve');
  const log = join(RUN_DIR, 'trunk-serve.log');
  let endpoint;
  let trunk;
  let origin;
  const logTail = () => readFileSync(log, 'utf8').split('\n').slice(-25).join('\n');

  before(async () => {
    // The endpoint as a developer starts it (--demo), on a free port.
    endpoint = await startEndpoint({ name: 'trunk-serve-endpoint', args: ['--demo'], today: null });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'Trunk.toml');
    writeFileSync(config, testConfig(new URL(endpoint.url).port));
    // Its own dist: dist/ keeps the release build the other steps test.
    const dist = join(ROOT, 'target/trunk-serve-dist');
    rmSync(dist, { recursive: true, force: true });
    const out = openSync(log, 'w');
    // `timeout` stops it within 15 minutes whatever happens to this test;
    // its own process group, so that stopping it stops its builds too.
    trunk = spawn('timeout', ['900', 'trunk', '--config', config, 'serve', '--port', String(port), '--dist', dist], {
      cwd: ROOT, detached: true, stdio: ['ignore', out, out], env: { ...process.env, TRUNK_SERVE_PORT: String(port) },
    });
    // Ready when the loader is served: polled (trunk binds its port after
    // its last word on the first build), failing at once if trunk exits.
    try {
      await pollUntil(async () => {
        if (trunk.exitCode !== null || trunk.signalCode !== null) throw new Error(`trunk serve exited (${trunk.exitCode ?? trunk.signalCode})`);
        return (await fetch(`${origin}/widget/loyalty-widget.js`).catch(() => null))?.ok;
      }, { timeout: 600000, what: `trunk serve to build and serve ${origin}/widget/loyalty-widget.js (log: ${log})` });
    } catch (err) {
      err.message += `\n${logTail()}`;
      throw err;
    }
  });
  after(async () => {
    if (trunk && trunk.exitCode === null && trunk.signalCode === null) {
      const exited = new Promise((resolve) => { trunk.once('exit', resolve); });
      try { process.kill(-trunk.pid, 'SIGTERM'); } catch { /* gone */ }
      await exited;
    }
    await endpoint?.stop();
  });

  const s = session({ browser: 'chromium' });
  s.check("the demo shop shows Anna's balance, with the endpoint behind trunk's proxy", async (page, w) => {
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await visit(page, `${origin}/`);
    await waitInWidget(page, '[data-testid=balance]', { timeout: 60000 });
    const text = await page.evaluate(() => document.querySelector('loyalty-widget')
      .shadowRoot.querySelector('[data-testid=balance]').textContent.trim());
    if (text !== '1.250 Punkte') throw new Error(`balance: ${text}`);
    // The widget asked trunk's own origin: the proxies, not the endpoint directly.
    const direct = w.seen.filter((r) => r.url.startsWith(endpoint.url));
    if (direct.length) throw new Error(`the page asked the endpoint directly: ${direct.map((r) => r.url).join(', ')}`);
    if (!w.seen.some((r) => r.url.startsWith(`${origin}/v1/customer`))) throw new Error('no request to /v1/customer through trunk serve');
    const html = await (await fetch(`${origin}/`)).text();
    // (trunk serve adds its own live-reload script; release pages have none,
    // which e2e/embed.test.mjs checks under a strict CSP.)
    if (/\btoken="|data-trunk/.test(html)) throw new Error('the page carries a token or a trunk link');
    if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
  }, { timeout: 120000 });
});
