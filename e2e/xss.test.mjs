// XSS payloads in every text and URL field the endpoint sends, and in every
// configuration attribute: nothing may execute (a canary, `window.__pwned`,
// stays unset), no element may gain an event-handler attribute or become a
// script, image or frame, and only http(s) links may be rendered. Payloads
// shown at all must show as text.
//
// Run alone: node --test e2e/xss.test.mjs (Chromium and Firefox; its own
// endpoint with --demo --static dist --fault-control, whose `bodies` fault
// serves the hostile answers).
import { before, describe } from 'node:test';
import {
  browsers, session, setFaults, settled, until, waitForIdle, waitForRequest,
} from './lib/fixture.mjs';

export const PAYLOADS = [
  '<img src=x onerror="window.__pwned=\'img\'">',
  '<script>window.__pwned=\'script\'</script>',
  '"><svg onload="window.__pwned=\'svg\'">',
  "javascript:window.__pwned='js'",
  "JaVaScRiPt:window.__pwned='case'",
  "java\tscript:window.__pwned='tab'",
  " javascript:window.__pwned='space'",
  "data:text/html,<script>window.__pwned='data'</script>",
  "&#106;avascript:window.__pwned='entity'",
  "vbscript:msgbox('pwned')",
  "{{constructor.constructor('window.__pwned=1')()}}",
  "</style><script>window.__pwned='style'</script>",
];

// Fields whose values are identifiers, enums, dates or codes the contract
// checks strictly: a payload there only turns the answer into an error.
const STRICT = /^(id|.*_id|currency|state|kind|reason|type|status|lang|at|.*_at|since|until|date|valid_.*|expires.*)$/;

function poison(value, payload, key = '') {
  if (Array.isArray(value)) return value.map((v) => poison(v, payload, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, payload, k)]));
  }
  if (typeof value === 'string' && !STRICT.test(key)) return payload;
  return value;
}

/** The widget's state in the page: what ran, what was rendered. */
const inspect = (page) => page.evaluate(() => {
  const roots = [...document.querySelectorAll('loyalty-widget')].map((el) => el.shadowRoot).filter(Boolean);
  const all = roots.flatMap((root) => [...root.querySelectorAll('*')]);
  return {
    pwned: window.__pwned ?? null,
    handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
    dangerous: all.filter((el) => /^(script|img|iframe|object|embed|frame|svg|math|style|link|base|form|meta)$/i.test(el.localName)).map((el) => el.localName),
    badLinks: all.filter((el) => el.localName === 'a' && el.hasAttribute('href'))
      .map((a) => a.protocol).filter((p) => p !== 'http:' && p !== 'https:'),
    text: roots.map((root) => root.textContent).join(' '),
    errors: window.__lw.errors,
  };
});

function verdict(state, payload) {
  const problems = [];
  if (state.pwned !== null) problems.push(`the canary was set (${state.pwned})`);
  if (state.handlers) problems.push(`${state.handlers} elements with on* attributes`);
  if (state.dangerous.length) problems.push(`elements rendered: ${state.dangerous.join(',')}`);
  if (state.badLinks.length) problems.push(`links with ${state.badLinks.join(',')}`);
  if (state.errors.length) problems.push(`uncaught: ${state.errors.join(' | ')}`);
  if (payload !== undefined && !state.text.includes(payload.trim())) problems.push('the payload is not shown as text');
  return problems;
}

for (const browserName of browsers()) {
  describe(`XSS payloads (${browserName}): ${PAYLOADS.length} payloads in every endpoint string and 6 attribute placements`, () => {
    // Tall enough that every inline widget is in view (they load when near).
    const s = session({
      browser: browserName,
      endpoint: { name: `xss-${browserName}`, args: ['--demo', '--static', 'dist', '--fault-control'] },
      viewport: { width: 800, height: 4000 },
    });
    const real = {};
    before(async () => {
      const json = async (path, token) => {
        const response = await fetch(`${s.base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        if (!response.ok) throw new Error(`${path}: ${response.status}`);
        return response.json();
      };
      const { token } = await json('/_demo/token?customer=cust-anna');
      real['/v1/program'] = await json('/v1/program?lang=en');
      real['/v1/customer'] = await json('/v1/customer?lang=en', token);
      real['/v1/offers'] = await json('/v1/offers?lang=en', token);
      real['/v1/activity'] = await json('/v1/activity?page=1&lang=en', token);
    });

    /** A check whose function returns the problems it found (none: ok). */
    const attempt = (name, fn) => s.check(name, async (page, w) => {
      const problems = await fn(page, w);
      if (problems.length) throw new Error(problems.join('; '));
    });

    for (const payload of PAYLOADS) {
      attempt(`endpoint data: ${JSON.stringify(payload)}`, async (page, w) => {
        const bodies = Object.fromEntries(Object.entries(real).map(([path, body]) => [path, JSON.stringify(poison(body, payload))]));
        await setFaults(s.base, { bodies });
        try {
          await page.goto(`${s.base}/examples/hostile-baseline.html?customer=cust-anna`);
          await until(page, () => {
            const root = document.querySelector('loyalty-widget')?.shadowRoot;
            return !!(root?.querySelector('[data-testid=balance]') || root?.querySelector('.lw-error'));
          }, null, 'the balance or the error notice');
          // Open the history too (its first page is asked for on opening),
          // and let anything injected fire: every request answered or
          // failed, then two frames.
          const since = w.seen.length;
          const opened = await page.evaluate(() => {
            const root = document.querySelector('loyalty-widget').shadowRoot;
            const button = [...root.querySelectorAll('button')].find((b) => /history/i.test(b.textContent));
            button?.click();
            return !!button;
          });
          if (opened) await waitForRequest(w, /\/v1\/activity\?/, { since, answered: true });
          await waitForIdle(w);
          await settled(page);
          return verdict(await inspect(page), payload);
        } finally {
          await setFaults(s.base, {});
        }
      });
    }

    attempt('configuration attributes: links, texts, language and theme', async (page, w) => {
      await page.goto(`${s.base}/examples/hostile-baseline.html?customer=`);
      await until(page, () => !!document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.lw-guest'), null, 'the guest view');
      const endpoint = await page.evaluate(() => document.querySelector('loyalty-widget').getAttribute('endpoint'));
      const problems = [];
      for (const payload of PAYLOADS) {
        await page.evaluate((p, e) => {
          document.querySelectorAll('loyalty-widget').forEach((el) => el.remove());
          const add = (attrs) => {
            const el = document.createElement('loyalty-widget');
            for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
            document.body.append(el);
          };
          add({ endpoint: e, lang: 'en', 'join-url': p });
          add({ endpoint: e, lang: 'en', 'signin-url': p });
          add({ endpoint: e, lang: 'en', 'token-url': p });
          add({ endpoint: e, lang: p, theme: p });
          add({ endpoint: e, lang: 'en', texts: JSON.stringify({ title: p, 'guest-pitch': p }) });
          add({ endpoint: p, lang: 'en' });
        }, payload, endpoint);
        await until(page, () => [...document.querySelectorAll('loyalty-widget')].every((el) => el.dataset.state
          && el.dataset.state !== 'loading'), null, `every widget with ${JSON.stringify(payload)} to settle its state`);
        await waitForIdle(w);
        await settled(page);
        const state = await inspect(page);
        problems.push(...verdict(state).map((p) => `${JSON.stringify(payload)}: ${p}`));
        if (!state.text.includes(payload.trim())) problems.push(`${JSON.stringify(payload)}: the texts override is not shown as text`);
      }
      return problems;
    });
  });
}
