// The head start, in real Chromium and Firefox: when the widget is needed,
// the loader asks for the glue, the wasm and the customer's three first
// answers at once, and the widget takes those answers over instead of asking
// again. Counted by the endpoint (GET /_stats) and read from the browser's
// resource timing:
// - each of /v1/customer, /v1/program, /v1/offers is asked for once per
//   first view, and before the wasm has started (inline and launcher);
// - the balance reaches the screen in a frame of its own, before the
//   program's and offers' sections, although all three answers are in;
// - a repeat view within the visit asks for none of them (visit cache);
// - a token function is called once, and its token is the one used;
// - a head-start answer that failed, or whose connection was lost while
//   the loader read it, is asked for again by the widget itself;
// - a server that labels the wasm other than application/wasm still gets
//   the widget on screen (the loader cannot stream-compile it; the glue
//   fetches it again and compiles it, and says why in the console).
//
// Run alone: node --test e2e/head-start.test.mjs (Chromium and Firefox,
// each with its own endpoint: --demo --static dist --fault-control on a
// free port)
import http from 'node:http';
import { describe } from 'node:test';
import { browsers, session, setFaults, until, waitInWidget } from './lib/fixture.mjs';

const ROUTES = ['customer', 'program', 'offers'];
const once = { customer: 1, program: 1, offers: 1 };

const balance = (page, text) => until(page, (want) => {
  const root = document.querySelector('loyalty-widget')?.shadowRoot;
  return (root?.querySelector('[data-testid=balance]')?.textContent ?? '').includes(want)
    && !!root.querySelector('.lw-offer-title');
}, text, `the balance ${text} and the offers`);

// Every first answer was asked for before the wasm had even started (the
// loader's `loyalty-widget:wasm-ready` mark): beside it, not by it, which is
// the only way the widget asked before the head start.
const startedBesideTheWasm = (page) => page.evaluate(() => {
  const ready = performance.getEntriesByName('loyalty-widget:wasm-ready')[0];
  if (!ready) return 'no wasm-ready mark';
  const entries = performance.getEntriesByType('resource');
  const late = ['customer', 'program', 'offers'].filter((route) => {
    const entry = entries.find((e) => e.name.includes(`/v1/${route}?`));
    return !entry || entry.startTime >= ready.startTime;
  });
  return late.length ? `asked for only once the wasm had started: ${late.join(', ')}` : '';
});

const noErrors = async (page) => {
  const errors = await page.evaluate(() => (window.__lw ? window.__lw.errors : []));
  if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
};

for (const browserName of browsers()) {
  describe(`head start (${browserName})`, () => {
    const s = session({
      browser: browserName,
      endpoint: { name: `head-start-${browserName}`, args: ['--demo', '--static', 'dist', '--fault-control'] },
      viewport: { width: 800, height: 1200 },
    });
    const reset = () => fetch(`${s.base}/_stats`, { method: 'DELETE' });
    const counts = async () => {
      const { requests } = await (await fetch(`${s.base}/_stats`)).json();
      return Object.fromEntries(ROUTES.map((r) => [r, requests[`GET /v1/${r}`] ?? 0]));
    };
    const expectCounts = async (want, what) => {
      const got = await counts();
      for (const route of ROUTES) {
        if (got[route] !== want[route]) throw new Error(`${what}: ${JSON.stringify(got)} requests, expected ${JSON.stringify(want)}`);
      }
    };

    s.check('inline: the three first answers are asked for once, beside the wasm, and taken over', async (page) => {
      await reset();
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
      await balance(page, '1.250');
      await expectCounts(once, 'first view');
      const late = await startedBesideTheWasm(page);
      if (late) throw new Error(late);
      await noErrors(page);
    });

    s.check('the balance is on screen a frame before the rest of the dashboard', async (page) => {
      // Every frame, from the first: is the balance there, are the earning
      // rules (the program) and the offers there?
      await page.evaluateOnNewDocument(() => {
        window.frames_ = [];
        const look = () => {
          const root = document.querySelector('loyalty-widget')?.shadowRoot;
          const has = (selector) => !!root?.querySelector(selector);
          const seen = { balance: has('[data-testid=balance]'), rest: has('[data-testid=earn] li') && has('.lw-offer-title') };
          if (seen.balance) window.frames_.push(seen);
          if (!seen.rest) requestAnimationFrame(look);
        };
        requestAnimationFrame(look);
      });
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
      await balance(page, '1.250');
      await until(page, () => window.frames_.some((f) => f.rest), null, 'a frame with the whole dashboard');
      const frames = await page.evaluate(() => window.frames_);
      if (frames[0].rest) throw new Error('the balance waited for the whole dashboard: they reached the screen in one frame');
    });

    s.check('a repeat view in the same visit asks for none of them again (visit cache)', async (page) => {
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
      await balance(page, '1.250');
      await reset();
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
      await balance(page, '1.250');
      await expectCounts({ customer: 0, program: 0, offers: 0 }, 'repeat view');
    });

    s.check('launcher: opened at once, the same three requests, once each', async (page) => {
      await reset();
      await page.goto(`${s.base}/examples/plain.html?customer=cust-anna`);
      await waitInWidget(page, '.launcher');
      await page.evaluate(() => LoyaltyWidget.open());
      await balance(page, '1,250');
      await expectCounts(once, 'launcher');
      const late = await startedBesideTheWasm(page);
      if (late) throw new Error(late);
    });

    s.check('a token function is called once, and the answers are asked for with its token', async (page) => {
      const token = (await (await fetch(`${s.base}/_demo/token?customer=cust-anna`)).json()).token;
      await page.goto(`${s.base}/examples/shop-none.html`);
      await reset();
      await page.evaluate((t) => {
        window.calls = 0;
        const tag = document.createElement('script');
        tag.src = '/widget/loyalty-widget.js';
        tag.onload = () => {
          LoyaltyWidget.init({
            endpoint: location.origin,
            lang: 'en',
            // The token comes a task later (as from a shop's own request).
                token: () => {
                  window.calls += 1;
                  return new Promise((resolve) => {
                    const channel = new MessageChannel();
                    channel.port1.onmessage = () => resolve(t);
                    channel.port2.postMessage(null);
                  });
                },
          }).open();
        };
        document.head.append(tag);
      }, token);
      await balance(page, '1,250');
      await expectCounts(once, 'token function');
      const calls = await page.evaluate(() => window.calls);
      if (calls !== 1) throw new Error(`the token function was called ${calls} times`);
    });

    s.check('a head-start answer that failed is asked for again by the widget, which shows the balance', async (page) => {
      await reset();
      await setFaults(s.base, { fail_next: 1, error_status: 503, path_prefix: '/v1/customer' });
      try {
        await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
        await balance(page, '1.250');
        await expectCounts({ customer: 2, program: 1, offers: 1 }, 'one failed head start');
        await noErrors(page);
      } finally {
        await setFaults(s.base, {});
      }
    });

    s.check('a head-start answer whose connection is lost while the loader reads it is asked for again', async (page) => {
      await reset();
      await setFaults(s.base, { drop_next: 1, path_prefix: '/v1/program' });
      try {
        await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
        await balance(page, '1.250');
        // The program's sections appear once the widget's own request (after
        // its retry delay) is answered.
        await waitInWidget(page, '[data-testid=earn] li');
        await expectCounts({ customer: 1, program: 2, offers: 1 }, 'one lost head start');
        await noErrors(page);
      } finally {
        await setFaults(s.base, {});
      }
    });

    // The shop through a server that labels the wasm text/plain (as a
    // misconfigured CDN would). Its pages name the server as the endpoint, so
    // the widget's requests pass through it too; nothing else changes.
    const mislabelling = async () => {
      const server = http.createServer((req, res) => {
        const headers = { ...req.headers };
        delete headers['accept-encoding'];
        const upstream = http.request(`${s.base}${req.url}`, { method: req.method, headers }, (answer) => {
          const out = { ...answer.headers };
          if (req.url.endsWith('.wasm')) out['content-type'] = 'text/plain';
          if (!/^text\/html/.test(out['content-type'] ?? '')) {
            res.writeHead(answer.statusCode, out);
            answer.pipe(res);
            return;
          }
          const chunks = [];
          answer.on('data', (chunk) => chunks.push(chunk));
          answer.on('end', () => {
            const page = Buffer.from(Buffer.concat(chunks).toString('utf8').replaceAll(s.base, origin));
            res.writeHead(answer.statusCode, { ...out, 'content-length': page.length });
            res.end(page);
          });
        });
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      });
      await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
      const origin = `http://127.0.0.1:${server.address().port}`;
      return { server, origin };
    };

    s.check('a wasm served as text/plain cannot stream, and the widget still shows the balance', async (page) => {
      const { server, origin } = await mislabelling();
      const said = [];
      page.on('console', (message) => said.push(message.text()));
      try {
        await page.goto(`${origin}/examples/woocommerce.html?customer=cust-anna`);
        await balance(page, '1.250');
        const wasm = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
        if (wasm < 1) throw new Error('the wasm was never asked for through the mislabelling server');
        if (!said.some((text) => /MIME type/i.test(text))) throw new Error(`nothing in the console says why: ${said.join(' | ')}`);
        await noErrors(page);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  });
}
