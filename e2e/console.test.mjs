// The shop owner's console (issue #30) end to end, in Chromium and Firefox,
// against the reference endpoint serving the console's build (dist/admin,
// `bash scripts/build-console.sh`) and the widget's (dist/, for the embed
// page's live widget):
//
// - sign in with the admin key, a wrong key's message, the rate limit's
//   message with its wait, sign out; the key is never stored in the page;
// - a write without the CSRF header from the page itself is refused (403);
// - an idle session expires: the next action leads back to sign-in, saying so;
// - every figure on the overview equals the API's answer (fetched in the
//   test), written as the page's Intl writes it, for two periods;
// - customers: search, adjust points (the balance changes), export (the
//   downloaded file's content), erase (the dialog names the customer),
//   reissue a code that expired unused (a new code, no points spent);
// - import: a dry run's report, apply, undo; embed: the snippet follows the
//   choices and the live widget shows, the Shopify and WooCommerce snippets;
//   program: per language, the program check's findings, the live widget for
//   the sample customer (never in the customer list or the figures);
// - axe-core (WCAG 2.x A and AA) on every page at 360 and 1280 px, with
//   screenshots into target/console-shots/; keyboard: skip link, focus.
//
// Run alone: node --test e2e/console.test.mjs (needs dist/admin, dist/ and
// target/debug/loyalty-endpoint; `bash scripts/test.sh console` builds them).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import {
  ROOT, browsers, session, startEndpoint, until, widgetText,
} from './lib/fixture.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const KEY = 'console-e2e-admin-key-0123456789abcdef';
const SHOTS = join(ROOT, 'target/console-shots');
const IDLE_SECONDS = 2;

if (!existsSync(join(ROOT, 'dist/admin/index.html'))) {
  throw new Error('dist/admin has no console: run `bash scripts/build-console.sh` (or `bash scripts/test.sh console`)');
}
mkdirSync(SHOTS, { recursive: true });

const endpointArgs = (extra = []) => ['--demo', '--static', 'dist', '--console-dir', 'dist/admin', ...extra];

/** Opens the console at `path` and signs in with `key` (by typing it). */
async function signIn(page, base, { path = '/admin/', key = KEY } = {}) {
  await page.goto(`${base}${path}`);
  await page.waitForSelector('#admin-key');
  await page.type('#admin-key', key);
  await page.click('form button[type="submit"]');
}

/** Signs in and waits for the page's heading after it. */
async function signedIn(page, base, path = '/admin/') {
  await signIn(page, base, { path });
  await page.waitForSelector('nav[aria-label] a[aria-current="page"]');
}

/** The text of the first element matching `selector`, once there. */
async function textOf(page, selector) {
  await page.waitForSelector(selector);
  return page.$eval(selector, (e) => e.textContent.trim());
}

/** The page's own fetch (cookie and all), answering status and JSON. */
function pageFetch(page, path, init = {}) {
  return page.evaluate(async (p, i) => {
    const answer = await fetch(p, i);
    const text = await answer.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: answer.status, json, text, disposition: answer.headers.get('content-disposition') };
  }, path, init);
}

/** axe-core over the whole page; the violations, each with a few targets. */
async function axe(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG);
  return result.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`);
}

/** Every figure the overview shows equals `answer.current`'s, as the page's Intl writes it. */
async function checkFigures(page, answer) {
  const shown = await page.$$eval('[data-figure]', (elements) => elements.map((e) => ({
    path: e.dataset.figure, raw: e.dataset.value, text: e.textContent.trim(),
  })));
  assert.ok(shown.length >= 40, `the overview shows ${shown.length} figures, expected every figure of the answer`);
  const lang = await page.evaluate(() => document.documentElement.lang);
  const digits = { JPY: 0, KRW: 0, KWD: 3, BHD: 3 }[answer.currency] ?? 2;
  for (const { path, raw, text } of shown) {
    const value = path.split('.').reduce((v, part) => (v == null ? v : v[part]), answer.current);
    assert.equal(raw, value == null ? 'null' : String(value), `${path}: the page holds ${raw}, the API said ${value}`);
    let expected;
    if (value == null) expected = '–';
    else {
      // Written by the browser's Intl, as the console does: money from its
      // minor units, rates as percent, counts as numbers.
      expected = await page.evaluate((v, p, l, currency, d) => {
        if (/_minor(\.|$)/.test(p)) return new Intl.NumberFormat(l, { style: 'currency', currency }).format(v / 10 ** d);
        if (/_rate(\.|$)/.test(p)) return new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 1 }).format(v);
        return new Intl.NumberFormat(l, { maximumFractionDigits: 2 }).format(v);
      }, value, path, lang, answer.currency, digits);
    }
    assert.equal(text, expected, `${path}: the page shows "${text}", the API's ${value} is "${expected}"`);
  }
}

for (const browserName of browsers()) {
  describe(`the console (${browserName})`, () => {
    const s = session({
      browser: browserName,
      endpoint: { name: `console-${browserName}`, args: endpointArgs(), env: { LOYALTY_ADMIN_KEY: KEY } },
      viewport: { width: 1280, height: 900 },
    });
    // Its own endpoints: one whose sessions expire after IDLE_SECONDS, one
    // that meets the sign-in limit (both count per client address).
    let short;
    let limited;
    before(async () => {
      short = await startEndpoint({
        name: `console-idle-${browserName}`, args: endpointArgs(['--admin-session-idle-seconds', String(IDLE_SECONDS)]), env: { LOYALTY_ADMIN_KEY: KEY },
      });
      limited = await startEndpoint({ name: `console-limit-${browserName}`, args: endpointArgs(), env: { LOYALTY_ADMIN_KEY: KEY } });
    });
    after(async () => {
      await short?.stop();
      await limited?.stop();
    });

    s.check('sign in, the key kept nowhere, sign out', async (page) => {
      await signedIn(page, s.base);
      assert.equal(await textOf(page, 'main h1'), 'Overview');
      const kept = await page.evaluate((key) => ({
        storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
        cookie: document.cookie,
        html: document.documentElement.outerHTML.includes(key),
        field: document.querySelector('#admin-key') !== null,
      }), KEY);
      assert.equal(kept.storage, '{}{}', 'nothing in web storage');
      assert.doesNotMatch(kept.cookie, /loyalty_admin/, 'the session cookie is HttpOnly');
      assert.equal(kept.html, false, 'the key is not in the page');
      // A reload resumes the session without the key.
      await page.reload();
      await page.waitForSelector('nav a[aria-current="page"]');
      await page.click('.bar-tools button.secondary');
      await page.waitForSelector('#admin-key');
      assert.match(await textOf(page, '.signin .notice'), /signed out/);
      const after = await pageFetch(page, '/admin/v1/session');
      assert.equal(after.status, 401, 'the session is gone on the server');
    });

    s.check('a wrong key says so', async (page) => {
      await signIn(page, s.base, { key: 'not-the-key-not-the-key-not-the-key!' });
      assert.match(await textOf(page, '#signin-error'), /That key is not right/);
      assert.ok(await page.$('#admin-key'), 'still on the sign-in page');
    });

    s.check('too many wrong keys: the wait is shown', async (page) => {
      await page.goto(`${limited.url}/admin/`);
      await page.waitForSelector('#admin-key');
      let message = '';
      for (let attempt = 1; attempt <= 7 && !/Too many/.test(message); attempt += 1) {
        await page.$eval('#admin-key', (e) => { e.value = ''; });
        await page.type('#admin-key', `wrong-key-number-${attempt}-wrong-key-wrong-key`);
        await page.click('form button[type="submit"]');
        await until(page, (n) => {
          const error = document.querySelector('#signin-error');
          return error && error.dataset.seen !== String(n) && !document.querySelector('form button[disabled]') && (error.dataset.seen = String(n));
        }, attempt, `the answer to attempt ${attempt}`);
        message = await textOf(page, '#signin-error');
      }
      assert.match(message, /Too many attempts\. Try again in \d+ (minutes|seconds)\./, message);
      // The wait shown is the endpoint's Retry-After, rounded up to minutes.
      const answer = await fetch(`${limited.url}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: 'wrong' }) });
      assert.equal(answer.status, 429);
      const seconds = Number(answer.headers.get('retry-after'));
      const shownMinutes = Number(/in (\d+) minutes/.exec(message)?.[1] ?? NaN);
      if (seconds >= 120) assert.ok(Math.abs(shownMinutes - Math.ceil(seconds / 60)) <= 1, `${message} vs Retry-After ${seconds}`);
    });

    s.check('a write without the CSRF header is refused', async (page) => {
      await signedIn(page, s.base);
      const before = await pageFetch(page, '/admin/v1/customers/cust-anna');
      const refused = await pageFetch(page, '/admin/v1/customers/cust-anna/adjustments', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'csrf-test-1' },
        body: JSON.stringify({ points: 5, reason: 'no csrf' }),
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.json?.error?.code, 'forbidden');
      const after = await pageFetch(page, '/admin/v1/customers/cust-anna');
      assert.equal(after.json.customer.balance, before.json.customer.balance, 'nothing was booked');
    });

    s.check('an idle session expires: back to sign-in, saying so', async (page) => {
      await signedIn(page, short.url);
      // The session's idle time passes (a condition of time itself).
      await new Promise((r) => { setTimeout(r, (IDLE_SECONDS + 1) * 1000); });
      await page.click('nav a[href="/admin/customers"]');
      assert.match(await textOf(page, '.signin .notice'), /Your session has expired/);
      assert.ok(await page.$('#admin-key'));
    });

    s.check('the overview shows the API\'s figures, for two periods, in English and German', async (page) => {
      await signedIn(page, s.base);
      await page.waitForSelector('[data-figure]');
      const first = await pageFetch(page, '/admin/v1/analytics');
      assert.equal(first.status, 200);
      await checkFigures(page, first.json);
      assert.match(await textOf(page, '.period-text'), new RegExp(`${first.json.from} to ${first.json.to}`));
      // The last 90 days, counted back from the endpoint's last day.
      await page.select('#period', '90');
      await until(page, (from) => document.querySelector('.period-text')?.textContent.includes(from) === false, first.json.from, 'the 90 days');
      const from = await page.$eval('#from', (e) => e.value);
      const to = await page.$eval('#to', (e) => e.value);
      assert.equal(to, first.json.to);
      const second = await pageFetch(page, `/admin/v1/analytics?from=${from}&to=${to}`);
      assert.equal(second.json.days, 90);
      await checkFigures(page, second.json);
      // German: <html lang>, texts and figures as German writes them.
      await page.select('#console-lang', 'de');
      await until(page, () => document.documentElement.lang === 'de' && document.querySelector('main h1')?.textContent === 'Überblick', null, 'German');
      await checkFigures(page, second.json);
      // A definition is one click away; each chart has its table.
      await page.click('.definition summary');
      assert.ok(await page.$eval('.definition', (d) => d.open));
      const charts = await page.$$eval('svg[role="img"]', (svgs) => svgs.map((svg) => svg.getAttribute('aria-label')));
      assert.ok(charts.length >= 3 && charts.every(Boolean), `charts with names: ${charts}`);
      assert.equal(await page.$$eval('.chart details.as-table table', (t) => t.length), charts.length);
    });

    s.check('search, adjust points, export, erase', async (page) => {
      await signedIn(page, s.base, '/admin/customers');
      await page.type('#q', 'anna');
      await page.click('form[role="search"] button');
      await until(page, () => document.querySelectorAll('table.customers tbody tr').length === 1
        && document.querySelector('table.customers a')?.textContent.includes('cust-anna'), null, 'Anna alone');
      await page.click('table.customers a');
      await page.waitForSelector('#balance');
      const before = Number(await page.$eval('#balance', (e) => e.dataset.value));
      await page.type('#adjust-points', '25');
      await page.type('#adjust-reason', 'Console e2e goodwill');
      await page.click('form.adjust button');
      await until(page, (n) => Number(document.querySelector('#balance')?.dataset.value) === n, before + 25, 'the balance 25 points higher');
      assert.ok((await textOf(page, 'table.ledger tbody')).includes('Console e2e goodwill'), 'the ledger shows the reason');
      const api = await pageFetch(page, '/admin/v1/customers/cust-anna');
      assert.equal(api.json.customer.balance, before + 25);

      // Export: the file the browser saves is the API's export.
      await page.evaluate(() => {
        const original = URL.createObjectURL;
        URL.createObjectURL = (blob) => { window.exportedBlob = blob; return original.call(URL, blob); };
        const click = HTMLAnchorElement.prototype.click;
        HTMLAnchorElement.prototype.click = function clicked() { window.exportedName = this.download; return click.call(this); };
      });
      await page.click('#export');
      await until(page, () => window.exportedBlob && window.exportedName, null, 'the export');
      const saved = await page.evaluate(async () => ({ name: window.exportedName, text: await window.exportedBlob.text() }));
      assert.equal(saved.name, 'customer-cust-anna.json');
      const exported = JSON.parse(saved.text);
      assert.ok(saved.text.includes('anna') || saved.text.includes('Anna'), 'the export holds her data');
      const direct = await pageFetch(page, '/admin/v1/customers/cust-anna/export');
      assert.match(direct.disposition ?? '', /customer-cust-anna\.json/);
      assert.deepEqual(Object.keys(exported).sort(), Object.keys(direct.json).sort());

      // Erase Carla: the dialog names her; then the page says erased.
      await page.goto(`${s.base}/admin/customers/cust-carla`);
      await page.waitForSelector('#erase');
      await page.click('#erase');
      await until(page, () => document.querySelector('dialog')?.open, null, 'the dialog');
      assert.match(await textOf(page, '#erase-title'), /Carla/);
      await page.click('#erase-confirm');
      await page.waitForSelector('#erased-note');
      const erased = await pageFetch(page, '/admin/v1/customers/cust-carla');
      assert.equal(erased.json.customer.state, 'erased');
      assert.equal(erased.json.customer.first_name, null);
      assert.doesNotMatch(await textOf(page, 'main h1'), /Carla/);
    });

    s.check('a code that expired unused is reissued once, at no points', async (page) => {
      // Its own endpoint, whose day the test moves on past the code's last day.
      const shop = await startEndpoint({
        name: `console-reissue-${browserName}`, args: endpointArgs(['--clock-control']), env: { LOYALTY_ADMIN_KEY: KEY },
      });
      try {
        const admin = (method, path, body, extra = {}) => fetch(`${shop.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', ...extra },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const id = 'cust-reissue';
        assert.equal((await admin('PUT', `/admin/v1/customers/${id}`, { first_name: 'Rita' })).status, 201);
        const funded = await admin('POST', `/admin/v1/customers/${id}/adjustments`, { points: 1000, reason: 'e2e' }, { 'Idempotency-Key': 'fund' });
        assert.equal(funded.status, 201, await funded.text());
        const { token } = await (await fetch(`${shop.url}/_demo/token?customer=${id}`)).json();
        const redeemed = await fetch(`${shop.url}/v1/redemptions`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'redeem-1' },
          body: JSON.stringify({ reward_id: 'r-10pct' }),
        });
        const redeemedText = await redeemed.text();
        assert.equal(redeemed.status, 200, redeemedText);
        const first = JSON.parse(redeemedText);
        const clock = await fetch(`${shop.url}/_clock`, { method: 'PUT', body: JSON.stringify({ today: '2027-02-01' }) });
        assert.equal(clock.status, 200, await clock.text());
        assert.equal((await admin('POST', '/admin/v1/reconcile')).status, 200);
        const before = await (await admin('GET', `/admin/v1/customers/${id}`)).json();
        assert.equal(before.redemptions[0].state, 'expired');
        assert.equal(before.redemptions[0].reissuable, true);

        await signedIn(page, shop.url, `/admin/customers/${id}`);
        const button = await page.waitForSelector('button.reissue');
        assert.match(await button.evaluate((b) => b.getAttribute('aria-label')), new RegExp(first.id));
        await button.click();
        await until(page, () => /Reissued as reissue-/.test(document.querySelector('main')?.textContent ?? ''), null, 'the reissued note');
        const after = await (await admin('GET', `/admin/v1/customers/${id}`)).json();
        const fresh = after.redemptions.find((r) => r.id === `reissue-${first.id}`);
        assert.equal(fresh?.state, 'active', JSON.stringify(after.redemptions));
        assert.equal(fresh.points_spent, 0);
        assert.equal(after.customer.balance, before.customer.balance, 'no points spent');
        // The live region said the new code; the table shows it; no button is left.
        await until(page, (code) => document.querySelector('[role="status"]')?.textContent.includes(code), fresh.code, 'the new code announced');
        assert.ok((await textOf(page, 'main')).includes(fresh.code));
        assert.equal(await page.$('button.reissue'), null);
        assert.deepEqual(await axe(page), []);
      } finally {
        await shop.stop();
      }
    });

    s.check('the search pages with "Load more"', async (page) => {
      // 30 customers whose e-mails say loadmore, brought in by the importer
      // with the key (a script's way), then found 25 and 5 in the console.
      const rows = Array.from({ length: 30 }, (_, i) => `loadmore-${browserName}-${String(i).padStart(2, '0')}@example.com,10`);
      const imported = await fetch(`${s.base}/admin/v1/imports?apply=true`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'text/csv' },
        body: `email,points\n${rows.join('\n')}\n`,
      });
      assert.equal(imported.status, 201, await imported.text());
      await signedIn(page, s.base, '/admin/customers');
      await page.type('#q', `loadmore-${browserName}`);
      await page.click('form[role="search"] button');
      // The list before the search has 25 rows too: wait for the search's own.
      await until(page, (needle) => {
        const rows = [...document.querySelectorAll('table.customers tbody tr')];
        return rows.length === 25 && rows.every((row) => row.textContent.includes(needle));
      }, `loadmore-${browserName}`, 'the first 25 found');
      const more = await page.waitForSelector('::-p-text(Load more)');
      await more.click();
      await until(page, () => document.querySelectorAll('table.customers tbody tr').length === 30, null, 'all 30');
      await until(page, () => ![...document.querySelectorAll('button')].some((b) => b.textContent.includes('Load more')), null, 'no more to load');
      assert.match(await page.$eval('[role="status"]', (e) => e.textContent), /5 more customers, 30 in all/);
    });

    s.check('import: dry run, apply, undo', async (page) => {
      await signedIn(page, s.base, '/admin/import');
      const file = join(ROOT, 'target/test-run', `console-import-${browserName}.csv`);
      mkdirSync(join(ROOT, 'target/test-run'), { recursive: true });
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, `email,points\nconsole-${browserName}@example.com,50\n`);
      const input = await page.waitForSelector('#import-file');
      await input.uploadFile(file);
      const before = await pageFetch(page, '/admin/v1/imports');
      await page.click('form.import button[type="submit"]');
      // One row: the singular (plural forms, issue #30's languages).
      assert.equal(await textOf(page, '#h-report'), 'Dry run: 1 row');
      const unchanged = await pageFetch(page, '/admin/v1/imports');
      assert.deepEqual(unchanged.json.imports, before.json.imports, 'a dry run writes nothing');
      await page.click('#import-apply');
      await until(page, () => /Applied/.test(document.querySelector('#h-report')?.textContent ?? ''), null, 'applied');
      // The import just applied (the one the list did not have before): undo it.
      const applied = await pageFetch(page, '/admin/v1/imports');
      const fresh = applied.json.imports.filter((i) => !before.json.imports.some((b) => b.id === i.id));
      assert.equal(fresh.length, 1, 'one import applied');
      assert.equal(fresh[0].state, 'applied');
      const undo = await page.waitForSelector(`tr[data-import="${fresh[0].id}"] button`);
      await undo.click();
      await until(page, (id) => {
        const row = document.querySelector(`tr[data-import="${id}"]`);
        return row && !row.querySelector('button');
      }, fresh[0].id, 'undone');
      const list = await pageFetch(page, '/admin/v1/imports');
      assert.equal(list.json.imports.find((i) => i.id === fresh[0].id)?.state, 'undone');
    });

    s.check('embed: the snippet follows the choices, the live widget shows', async (page) => {
      await signedIn(page, s.base, '/admin/embed');
      assert.match(await textOf(page, '#snippet'), new RegExp(`endpoint="${s.base}"`));
      await page.click('input[name="mode"][value="launcher"]');
      await page.select('#corner', 'top-left');
      await until(page, () => /mode="launcher"[\s\S]*corner="top-left"/.test(document.querySelector('#snippet').textContent), null, 'the launcher snippet');
      assert.match(await textOf(page, '#snippet'), /<script async src="[^"]+\/widget\/loyalty-widget\.js"><\/script>/);
      await until(page, () => {
        const widget = document.querySelector('.preview loyalty-widget');
        return widget && widget.getAttribute('corner') === 'top-left' && customElements.get('loyalty-widget');
      }, null, 'the live widget');
    });

    s.check('program per language', async (page) => {
      await signedIn(page, s.base, '/admin/program');
      const en = await pageFetch(page, '/v1/program?lang=en');
      assert.equal(await textOf(page, '#h-program-name'), en.json.name);
      await page.select('#program-lang', 'de');
      const de = await pageFetch(page, '/v1/program?lang=de');
      await until(page, (name) => document.querySelector('#h-program-name')?.textContent === name, de.json.name, 'the German program');
    });

    s.check('embed: Shopify and WooCommerce snippets, each with a copy button', async (page) => {
      await signedIn(page, s.base, '/admin/embed');
      const shopify = await textOf(page, '#snippet-shopify');
      assert.match(shopify, /^\{% if customer %\}/);
      assert.ok(shopify.includes(`endpoint="${s.base}"`), shopify);
      assert.match(shopify, /token-url="\/apps\/loyalty\/token"/);
      assert.match(shopify, /lang="\{\{ request\.locale\.iso_code \}\}"/);
      assert.match(shopify, /\{% endif %\}\s*$/);
      const woo = await textOf(page, '#snippet-woocommerce');
      assert.ok(woo.includes(`define( 'LOYALTY_ENDPOINT', '${s.base}' );`), woo);
      assert.ok(woo.includes(`define( 'LOYALTY_WIDGET_SRC', '${s.base}/widget/loyalty-widget.js' );`), woo);
      assert.match(woo, /\/\/ \[loyalty_widget\]$/);
      await page.click('input[name="mode"][value="launcher"]');
      await until(page, () => document.querySelector('#snippet-woocommerce').textContent.includes('[loyalty_widget mode="launcher"]')
        && document.querySelector('#snippet-shopify').textContent.includes('mode="launcher"'), null, 'the launcher in both snippets');
      await page.select('#widget-lang', 'de');
      await until(page, () => document.querySelector('#snippet-shopify').textContent.includes('lang="de"'), null, 'the chosen language in the Shopify snippet');
      const buttons = await page.$$eval('button[aria-describedby^="h-snippet"]', (all) => all.map((b) => b.getAttribute('aria-describedby')));
      assert.deepEqual(buttons, ['h-snippet', 'h-snippet-shopify', 'h-snippet-woocommerce']);
    });

    s.check('program: the check, the sample customer\'s widget, never counted', async (page) => {
      await signedIn(page, s.base);
      const figuresBefore = await pageFetch(page, '/admin/v1/analytics');
      await page.click('nav a[href="/admin/program"]');
      const installed = await pageFetch(page, '/admin/v1/program');
      assert.equal(installed.status, 200);
      await page.waitForSelector('#program-checks li');
      const checks = await page.$$eval('#program-checks li', (all) => all.map((li) => ({ level: li.dataset.level, text: li.textContent })));
      assert.equal(checks.length, installed.json.checks.length);
      checks.forEach((shown, i) => {
        assert.equal(shown.level, installed.json.checks[i].level);
        assert.ok(shown.text.includes(installed.json.checks[i].message), shown.text);
      });
      assert.match(await textOf(page, '#program-version'), new RegExp(`Version ${installed.json.version}, installed `));
      // The real widget for the sample customer: a member with no points.
      await page.$eval('#program-preview', (e) => e.scrollIntoView());
      const balance = await widgetText(page, '[data-testid=balance]', { host: '#program-preview loyalty-widget' }, 'the preview balance');
      assert.equal(balance, '0 points');
      const options = await page.$$eval('#program-lang option', (all) => all.map((o) => o.value));
      assert.deepEqual(options, installed.json.languages);
      await page.select('#program-lang', 'de');
      await until(page, () => {
        const widget = document.querySelector('#program-preview loyalty-widget');
        const text = widget?.shadowRoot?.querySelector('[data-testid=balance]')?.textContent ?? '';
        return widget?.getAttribute('lang') === 'de' && /Punkte/.test(text);
      }, null, 'the preview in German');
      // The sample customer is in no list and no figure.
      const search = await pageFetch(page, '/admin/v1/customers?q=_preview');
      assert.deepEqual(search.json.customers, []);
      const figuresAfter = await pageFetch(page, '/admin/v1/analytics');
      assert.equal(figuresAfter.json.current.members, figuresBefore.json.current.members);
      assert.equal(figuresAfter.json.new_members, figuresBefore.json.new_members);
      await page.click('nav a[href="/admin/customers"]');
      await page.waitForSelector('table.customers tbody tr');
      const ids = await page.$$eval('table.customers a', (all) => all.map((a) => a.getAttribute('href')));
      assert.ok(ids.length > 0 && !ids.some((href) => href.includes('_preview')), ids.join(' '));
    });

    s.check('keyboard: skip link first, focus visible, pages reached with Enter', async (page) => {
      await signedIn(page, s.base);
      // A fresh load (the session resumes): the first Tab of the page.
      await page.reload();
      await page.waitForSelector('[data-figure]');
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => ({
        cls: document.activeElement.className,
        outline: getComputedStyle(document.activeElement).outlineStyle,
        top: document.activeElement.getBoundingClientRect().top,
      }));
      assert.equal(skip.cls, 'skip');
      assert.notEqual(skip.outline, 'none', 'focus is visible');
      assert.ok(skip.top >= 0, 'the skip link shows when focused');
      await page.keyboard.press('Enter');
      await until(page, () => document.activeElement?.id === 'main', null, 'focus on the content');
      // From the page's start again, Tab to the Customers link and follow it with Enter.
      await page.reload();
      await page.waitForSelector('[data-figure]');
      for (let i = 0; i < 20; i += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement.getAttribute('href') === '/admin/customers')) break;
      }
      await page.keyboard.press('Enter');
      await until(page, () => document.querySelector('main h1')?.textContent === 'Customers' && document.activeElement?.id === 'main', null, 'the customers page, focus on its content');
    });

    s.check('every language: Arabic right to left, Polish plural forms, a broken pack shows English', async (page, watcher) => {
      // The switch lists all fifteen languages, each by its own name.
      await page.setViewport({ width: 360, height: 900 });
      await signedIn(page, s.base);
      await page.waitForSelector('[data-figure]');
      const options = await page.$$eval('#console-lang option', (os) => os.map((o) => [o.value, o.lang, o.textContent]));
      assert.equal(options.length, 15);
      assert.deepEqual(options.find(([tag]) => tag === 'ar'), ['ar', 'ar', 'العربية']);
      assert.deepEqual(options.find(([tag]) => tag === 'pl'), ['pl', 'pl', 'Polski']);

      // Arabic: <html lang dir>, the texts, a layout without sideways
      // scrolling at 360 px, axe clean; remembered (the tag only) over a reload.
      await page.select('#console-lang', 'ar');
      await until(page, () => document.documentElement.lang === 'ar' && document.documentElement.dir === 'rtl'
        && document.querySelector('main h1')?.textContent === 'نظرة عامة', null, 'Arabic, right to left');
      assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage })), '{"loyalty-console-lang":"ar"}');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no sideways scroll at 360 px');
      // Mirrored: the console's title starts at the right.
      const sides = await page.evaluate(() => {
        const brand = document.querySelector('.brand').getBoundingClientRect();
        return { brandRight: brand.right, width: document.documentElement.clientWidth };
      });
      assert.ok(sides.width - sides.brandRight < 40, `the title sits at the right: ${JSON.stringify(sides)}`);
      assert.deepEqual(await axe(page), []);
      await page.screenshot({ path: join(SHOTS, `overview-ar-360-${browserName}.png`), fullPage: true });
      await page.reload();
      await until(page, () => document.documentElement.dir === 'rtl' && document.querySelector('main h1')?.textContent === 'نظرة عامة', null, 'Arabic after a reload');

      // Polish: a count's plural form (2 punkty, 5 punktów).
      await page.select('#console-lang', 'pl');
      await until(page, () => document.documentElement.lang === 'pl' && document.documentElement.dir === 'ltr', null, 'Polish');
      // Ben (Carla is erased by the test above).
      await page.goto(`${s.base}/admin/customers/cust-ben`);
      await page.waitForSelector('#adjust-points');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'pl', 'Polish after a reload');
      const status = () => page.$eval('[role="status"]', (e) => e.textContent);
      for (const [points, said] of [['2', 'Zaksięgowano 2 punkty.'], ['5', 'Zaksięgowano 5 punktów.']]) {
        const before = Number(await page.$eval('#balance', (e) => e.dataset.value));
        await page.type('#adjust-points', points);
        await page.type('#adjust-reason', `Plural ${points}`);
        await page.click('form.adjust button');
        await until(page, (n) => Number(document.querySelector('#balance')?.dataset.value) === n, before + Number(points), `${points} points booked`);
        await until(page, (text) => document.querySelector('[role="status"]')?.textContent === text, said, said);
      }
      assert.equal(await status(), 'Zaksięgowano 5 punktów.');

      // A malformed pack: English, a [loyalty-console] line, a working page.
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.isInterceptResolutionHandled()) return;
        if (request.url().endsWith('/admin/i18n/fr.json')) {
          request.respond({ status: 200, contentType: 'application/json', body: '{"Search": 42' });
        } else {
          request.continue();
        }
      });
      await page.select('#console-lang', 'fr');
      await until(page, () => document.documentElement.lang === 'en' && document.querySelector('#console-lang').value === 'en', null, 'English after the broken pack');
      assert.ok(watcher.console.some((line) => line.includes('[loyalty-console]') && line.includes('fr')), `the console line: ${watcher.console.join(' | ')}`);
      assert.equal(await textOf(page, 'form.adjust button'), 'Book');
      assert.ok(await page.$('#balance'), 'the customer page still shows');
    });

    for (const width of [360, 1280]) {
      s.check(`axe-core on every page at ${width} px, screenshots`, async (page) => {
        await page.setViewport({ width, height: 900 });
        const problems = [];
        const look = async (name) => {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) problems.push(`${name}: the page scrolls sideways by ${overflow} px`);
          for (const v of await axe(page)) problems.push(`${name}: ${v}`);
          for (const v of await page.evaluate(() => window.cspViolations)) problems.push(`${name}: CSP violation ${v}`);
          await page.screenshot({ path: join(SHOTS, `${name}-${width}-${browserName}.png`), fullPage: true });
        };
        // The pages run under the console's CSP, and nothing breaks it.
        await page.evaluateOnNewDocument(() => {
          window.cspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
        const first = await page.goto(`${s.base}/admin/`);
        assert.match(first.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
        await page.waitForSelector('#admin-key');
        await look('signin');
        await page.type('#admin-key', KEY);
        await page.click('form button[type="submit"]');
        await page.waitForSelector('[data-figure]');
        await look('overview');
        for (const [name, path, ready] of [
          ['customers', '/admin/customers', 'table.customers'],
          ['customer', '/admin/customers/cust-anna', '#balance'],
          ['import', '/admin/import', '#import-file'],
          ['embed', '/admin/embed', '#snippet'],
          ['program', '/admin/program', '#program-checks li'],
        ]) {
          await page.goto(`${s.base}${path}`);
          await page.waitForSelector(ready);
          await look(name);
        }
        assert.deepEqual(problems, []);
      });
    }
  });
}
