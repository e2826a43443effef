// End-to-end tests of embedding, in real Chromium and Firefox against the
// reference endpoint: the README's snippets as pages (plain HTML, Shopify,
// WooCommerce, React), two instances, a strict-CSP page, configuration
// mistakes and the JS API. Each check asserts what a customer sees and that
// the host page recorded no uncaught error (examples/assets/guard.js).
//
// Run alone: node --test e2e/embed.test.mjs (E2E_BROWSERS=chromium|firefox
// for one browser); it starts its own endpoint (--demo --static dist) on a
// free port. Needs target/debug/loyalty-endpoint and dist/.
import { describe } from 'node:test';
import {
  browsers, clickInWidget, expectNoRequest, session, settled, until, waitForIdle, widgetText,
} from './lib/fixture.mjs';

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const wasmFetches = (page) => page.evaluate(
  () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length,
);

const record = (page) => page.evaluate(() => window.__lw);

/** Nothing uncaught, no CSP violation, no console noise beyond `allowed`. */
async function quiet(page, allowed = []) {
  const r = await record(page);
  assert(r.errors.length === 0, `uncaught errors: ${r.errors.join(' | ')}`);
  assert(r.violations.length === 0, `CSP violations: ${r.violations.join(' | ')}`);
  const noise = r.console.filter((line) => !allowed.some((re) => re.test(line)));
  assert(noise.length === 0, `console noise: ${noise.join(' | ')}`);
}

const events = async (page, name) => (await record(page)).events.filter((e) => e.name === name);

for (const browserName of browsers()) {
  describe(`embedding (${browserName})`, () => {
    const s = session({ browser: browserName, endpoint: { name: `embed-${browserName}`, args: ['--demo', '--static', 'dist'] } });
    const { check } = s;

    check('plain HTML: one script tag draws a launcher; the WebAssembly is fetched only on click; one global; no token in DOM or storage', async (page, w) => {
      await page.goto(`${s.base}/examples/plain.html?customer=cust-anna`);
      const label = await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      assert(label === 'Rewards', `launcher says ${label}`);
      const position = await page.evaluate(() => getComputedStyle(
        document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher')).position);
      assert(position === 'fixed', `launcher is ${position}, which could shift the layout`);
      // Nothing announces that a fetch will not happen: watched for 1.5 s
      // (an observation window that fails at once on a fetch).
      await expectNoRequest(w, /\.wasm(\?|$)/, 1500, 'the WebAssembly was fetched before any interaction');
      assert(await wasmFetches(page) === 0, 'the WebAssembly was fetched before any interaction');
      await clickInWidget(page, '.launcher', { host: 'loyalty-widget' });
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance.includes('1,250'), `balance shows ${balance}`);
      assert(await wasmFetches(page) === 1, 'the WebAssembly was fetched once on click');
      const inView = await page.evaluate(() => ['.launcher', '.panel', '[data-testid=balance]'].map((s) => {
        const r = document.querySelector('loyalty-widget').shadowRoot.querySelector(s).getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      }));
      assert(inView.every(Boolean), `launcher, panel and balance in the viewport: ${inView}`);
      const expanded = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot
        .querySelector('.launcher').getAttribute('aria-expanded'));
      assert(expanded === 'true', 'aria-expanded is not true when open');
      assert((await events(page, 'open')).length === 1, 'no open event');
      await until(page, () => window.__lw.events.some((e) => e.name === 'ready' && e.detail.customer), null, 'the ready event');
      await page.keyboard.press('Escape');
      await until(page, () => document.querySelector('loyalty-widget').shadowRoot.querySelector('.panel').hidden, null, 'Escape to close the panel');
      const focused = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.activeElement?.className);
      assert(focused === 'launcher', `focus went to ${focused}, not back to the launcher`);
      assert((await events(page, 'close')).length === 1, 'no close event');
      const html = await page.evaluate(() => document.documentElement.outerHTML);
      assert(!/eyJ[\w-]+\.[\w-]+\./.test(html), 'a token is still in the DOM');
      const added = await page.evaluate(() => Object.getOwnPropertyNames(window)
        .filter((name) => !window.__lw.globals.includes(name))
        // Puppeteer's own helpers for its aria selectors.
        .filter((name) => !/^(puppeteer_+)?_*ariaQuerySelector/.test(name)));
      assert(added.join() === 'LoyaltyWidget', `globals added to the page: ${added.join(', ')}`);
      const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie);
      assert(!/eyJ[\w-]+\.[\w-]+\./.test(stored), 'a token is in web storage or cookies');
      await quiet(page);
    });

    check('a guest who arrives through a referral link (?ref=ANNA10): the friend\'s gift, and the sign-up link carries the code', async (page, w) => {
      await page.goto(`${s.base}/examples/woocommerce.html?customer=&ref=ANNA10`);
      const said = await until(page, () => {
        const root = document.querySelector('loyalty-widget')?.shadowRoot;
        const invite = root?.querySelector('[data-testid=invite]');
        const join = root?.querySelector('a.lw-button');
        return invite ? { text: invite.textContent, join: join ? join.getAttribute('href') : null } : null;
      }, [], 'the invitation');
      assert(said.text.includes('Anna lädt dich in den Morgenrot Kaffeeklub ein.'), said.text);
      assert(said.text.includes('5 € Rabatt auf die erste Bestellung'), said.text);
      await quiet(page);
    });

    check('a guest through a referral link, with the launcher: it says a gift waits; opened, the invitation in English', async (page, w) => {
      await page.goto(`${s.base}/examples/plain.html?customer=&ref=ANNA10`);
      const label = await widgetText(page, '.launcher .gift', { host: 'loyalty-widget' }, 'the gift on the launcher');
      assert(label === 'A gift for you', label);
      await page.evaluate(() => LoyaltyWidget.open());
      const said = await widgetText(page, '[data-testid=invite]', { host: 'loyalty-widget' }, 'the invitation in the panel');
      assert(said.includes('Anna invited you to Morgenrot Coffee Club.'), said);
      assert(said.includes('€5 off the first order'), said);
      // A signed-in customer's launcher says nothing of it.
      await page.goto(`${s.base}/examples/plain.html?customer=cust-anna&ref=ANNA10`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      const gift = await page.evaluate(() => !!document.querySelector('loyalty-widget').shadowRoot.querySelector('.gift'));
      assert(!gift, 'a signed-in customer was offered the guest gift');
      await quiet(page);
    });

    check('a right-to-left shop page: the widget keeps its own direction; the panel title clears the close button', async (page, w) => {
      await page.goto(`${s.base}/examples/rtl.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      await clickInWidget(page, '.launcher', { host: 'loyalty-widget' });
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance === '1,250 points', `balance shows ${balance}`);
      const layout = await page.evaluate(() => {
        const root = document.querySelector('loyalty-widget').shadowRoot;
        const dir = (s) => getComputedStyle(root.querySelector(s)).direction;
        const box = (s) => root.querySelector(s).getBoundingClientRect();
        // The title's text, not its box (a block as wide as the panel).
        const range = document.createRange();
        range.selectNodeContents(root.querySelector('.lw-title'));
        const [close, title] = [box('.close'), range.getBoundingClientRect()];
        const overlap = close.left < title.right && title.left < close.right && close.top < title.bottom && title.top < close.bottom;
        return { page: getComputedStyle(document.body).direction, launcher: dir('.launcher'), balance: dir('[data-testid=balance]'), greeting: dir('.lw-greeting'), overlap };
      });
      assert(layout.page === 'rtl', `the page itself is ${layout.page}`);
      assert(layout.launcher === 'ltr' && layout.balance === 'ltr' && layout.greeting === 'ltr', `directions: ${JSON.stringify(layout)}`);
      assert(!layout.overlap, 'the panel title overlaps the close button');
      await quiet(page);
    });

    check('another script took the <loyalty-widget> name: the script tag still works, one precise console line', async (page, w) => {
      await page.goto(`${s.base}/examples/taken-tag.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget-embed' }, 'the launcher');
      await clickInWidget(page, '.launcher', { host: 'loyalty-widget-embed' });
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget-embed' }, 'the balance');
      assert(balance === '1,250 points', `balance shows ${balance}`);
      const r = await record(page);
      const lines = r.console.filter((line) => line.includes('[loyalty-widget]'));
      assert(lines.length === 1 && lines[0].includes('another script already defined <loyalty-widget>')
        && lines[0].includes('<loyalty-widget-embed>'), `console: ${lines.join(' | ')}`);
      assert(!r.console.some((line) => /is not a function/.test(line)), `console: ${r.console.join(' | ')}`);
      await quiet(page, [/another script already defined/]);
    });

    check('a theme that fights for the screen (transformed body, sticky header, cookie bar at the top z-index): the launcher and panel stay on the viewport and on top', async (page, w) => {
      await page.goto(`${s.base}/examples/hostile-layout.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await settled(page);
      // What a click at the middle of each control would hit: the widget's own
      // element (shadow content is reported as its host), nothing of the page.
      const hit = (selector) => page.evaluate((s) => {
        const host = document.querySelector('loyalty-widget');
        const r = host.shadowRoot.querySelector(s).getBoundingClientRect();
        const inView = r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return { inView, ours: top === host, on: top && (top.className || top.tagName) };
      }, selector);
      const launcher = await hit('.launcher');
      assert(launcher.inView && launcher.ours, `launcher: ${JSON.stringify(launcher)}`);
      await clickInWidget(page, '.launcher', { host: 'loyalty-widget' });
      await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      for (const selector of ['.close', '[data-testid=balance]']) {
        const seen = await hit(selector);
        assert(seen.inView && seen.ours, `${selector}: ${JSON.stringify(seen)}`);
      }
      await clickInWidget(page, '.close', { host: 'loyalty-widget' });
      await until(page, () => document.querySelector('loyalty-widget').shadowRoot.querySelector('.panel').hidden, null, 'the close button to close the panel');
      await quiet(page);
    });

    check('a page zoomed on its root (zoom: 2): the open panel, its title, close button and balance are on the screen', async (page, w) => {
      await page.goto(`${s.base}/examples/zoom.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      await page.evaluate(() => document.querySelector('loyalty-widget').open());
      await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      const out = await page.evaluate(() => {
        const root = document.querySelector('loyalty-widget').shadowRoot;
        return ['.panel', '.close', '.lw-title', '[data-testid=balance]'].filter((s) => {
          const r = root.querySelector(s).getBoundingClientRect();
          return !(r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5);
        });
      });
      assert(out.length === 0, `off the screen: ${out.join(', ')}`);
      await quiet(page);
    });

    check('a launcher element and the script tag on one page: one launcher, one console line saying why', async (page, w) => {
      await page.goto(`${s.base}/examples/two-launchers.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      await until(page, () => document.querySelectorAll('loyalty-widget').length === 2, null, 'the script tag\'s element');
      // The second embed has decided once it said why it draws nothing.
      await until(page, () => window.__lw.console.some((line) => line.includes('already has a launcher')), null, 'the console line of the second launcher');
      await settled(page);
      const launchers = await page.evaluate(() => [...document.querySelectorAll('loyalty-widget')]
        .filter((el) => el.shadowRoot?.querySelector('.launcher')).length);
      assert(launchers === 1, `${launchers} launchers drawn`);
      await page.evaluate(() => LoyaltyWidget.open());
      await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      const lines = (await record(page)).console.filter((line) => line.includes('[loyalty-widget]'));
      assert(lines.length === 1 && lines[0].includes('already has a launcher'), `console: ${lines.join(' | ')}`);
      await quiet(page, [/already has a launcher/]);
    });

    check('the shop moves the launcher: init({corner: "top-left", offsetX: 24, offsetY: 96})', async (page, w) => {
      await page.goto(`${s.base}/examples/shop-none.html`);
      const token = await (await fetch(`${s.base}/_demo/token?customer=cust-anna`)).json();
      await page.addScriptTag({ url: '/widget/loyalty-widget.js' });
      await page.waitForFunction(() => window.LoyaltyWidget);
      await page.evaluate((t, e) => LoyaltyWidget.init({ endpoint: e, token: t, lang: 'en', corner: 'top-left', offsetX: 24, offsetY: 96 }), token.token, s.base);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      const box = await page.evaluate(() => {
        const r = document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').getBoundingClientRect();
        return { left: Math.round(r.left), top: Math.round(r.top) };
      });
      assert(box.left === 24 && box.top === 96, `launcher at ${JSON.stringify(box)}`);
    });

    check('JS API: a second init is harmless; open, close, setToken, logout, destroy', async (page, w) => {
      await page.goto(`${s.base}/examples/plain.html?customer=cust-anna`);
      await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      const same = await page.evaluate(() => {
        const first = LoyaltyWidget.instances()[0];
        const again = LoyaltyWidget.init({ endpoint: first.getAttribute('endpoint') });
        return first === again && LoyaltyWidget.instances().length === 1;
      });
      assert(same, 'a second init created another widget');
      await page.evaluate(() => LoyaltyWidget.open());
      await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance after open()');
      await page.evaluate(async (url) => {
        const token = await fetch(`${url}/_demo/token?customer=cust-carla`).then((r) => r.json());
        LoyaltyWidget.setToken(() => Promise.resolve(token.token));
      }, s.base);
      await until(page, () => document.querySelector('loyalty-widget').shadowRoot
        .querySelector('[data-testid=balance]')?.textContent.includes('4,200'), null, "Carla's balance after setToken");
      await page.evaluate(() => LoyaltyWidget.logout());
      await until(page, () => document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-guest'), null, 'the guest view after logout');
      await page.evaluate(() => LoyaltyWidget.close());
      const hidden = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.panel').hidden);
      assert(hidden, 'close() left the panel open');
      const bad = await page.evaluate(() => {
        LoyaltyWidget.setToken(42);
        return window.__lw.console.filter((l) => l.includes('[loyalty-widget]')).length;
      });
      assert(bad === 1, `a wrong setToken argument logged ${bad} messages, not one`);
      await page.evaluate(() => LoyaltyWidget.destroy());
      const left = await page.evaluate(() => document.querySelectorAll('loyalty-widget').length);
      assert(left === 0, 'destroy() left the element');
      await page.evaluate(() => LoyaltyWidget.open());
      await quiet(page, [/setToken expects/]);
    });

    check('Shopify theme: a launcher with a token URL on the shop', async (page, w) => {
      await page.goto(`${s.base}/examples/shopify.html`);
      const label = await widgetText(page, '.launcher', { host: 'loyalty-widget' }, 'the launcher');
      assert(label === 'Prämien', `launcher says ${label}`);
      await clickInWidget(page, '.launcher', { host: 'loyalty-widget' });
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance.includes('1.250'), `balance shows ${balance}`);
      await quiet(page);
    });

    check('WooCommerce: inline, space reserved before data, then the balance', async (page, w) => {
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`, { waitUntil: 'domcontentloaded' });
      const reserved = await until(page, () => {
        const host = document.querySelector('loyalty-widget');
        return host.shadowRoot ? host.getBoundingClientRect().height : null;
      }, null, 'the loader to draw');
      assert(reserved >= 150, `only ${reserved}px reserved before data`);
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance.includes('1.250'), `balance shows ${balance}`);
      await quiet(page);
    });

    check('two instances (and a third launcher) on one page, one WebAssembly fetch', async (page, w) => {
      await page.goto(`${s.base}/examples/two.html`);
      const anna = await widgetText(page, '[data-testid=balance]', { host: '#anna' }, "Anna's balance");
      const carla = await widgetText(page, '[data-testid=balance]', { host: '#carla' }, "Carla's balance");
      assert(anna.includes('1,250'), `Anna's widget shows ${anna}`);
      assert(carla.includes('4.200'), `Carla's widget shows ${carla}`);
      await clickInWidget(page, '.launcher', { host: '#launcher' });
      await until(page, () => document.querySelector('#launcher').shadowRoot.querySelector('.lw-guest'), null, 'the guest launcher');
      assert(await wasmFetches(page) === 1, 'the WebAssembly was fetched more than once');
      const ready = (await events(page, 'ready')).map((e) => e.id).sort().join(',');
      assert(ready === 'anna,carla,launcher', `ready events from ${ready}`);
      await quiet(page);
    });

    check('React single-page shop: mount, switch customer, sign out, unmount cycles without leaks', async (page, w) => {
      await page.goto(`${s.base}/examples/react.html`);
      const widget = 'loyalty-widget';
      const balanceIs = (text, what) => until(page, (t) => document.querySelector('loyalty-widget')?.shadowRoot
        ?.querySelector('[data-testid=balance]')?.textContent.includes(t), text, what);
      await balanceIs('1,250', "Anna's balance");
      await page.click('#as-carla');
      await balanceIs('4,200', "Carla's balance after switching");
      await page.click('#sign-out');
      await until(page, () => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector('.lw-guest'), null, 'the guest view');
      await page.click('#as-anna');
      await balanceIs('1,250', "Anna's balance again");
      for (let i = 0; i < 5; i += 1) {
        await page.click('#toggle');
        await until(page, () => !document.querySelector('loyalty-widget'), null, 'unmount');
        await page.click('#toggle');
        await balanceIs('1,250', `the balance after remount ${i + 1}`);
      }
      await page.evaluate(() => { window.__lw.events.length = 0; });
      await page.evaluate(() => LoyaltyWidget.refresh());
      await until(page, () => window.__lw.events.some((e) => e.name === 'ready'), null, 'ready after refresh');
      // Every answer of the refresh is in and drawn: a duplicated listener
      // would have reported ready again by then.
      await waitForIdle(w);
      await settled(page);
      const ready = (await events(page, 'ready')).length;
      assert(ready === 1, `one refresh reported ready ${ready} times (duplicated listeners)`);
      const counts = await page.evaluate(() => ({
        hosts: document.querySelectorAll('loyalty-widget').length,
        sections: document.querySelector('loyalty-widget').shadowRoot.querySelectorAll('section.lw').length,
        instances: LoyaltyWidget.instances().length,
      }));
      assert(counts.hosts === 1 && counts.sections === 1 && counts.instances === 1, `after the cycles: ${JSON.stringify(counts)}`);
      await quiet(page);
      void widget;
    });

    check('remounting keeps memory flat: 30 refreshes (each a remount) leave the WebAssembly memory where it was', async (page, w) => {
      // Every WebAssembly memory the page creates, to read its size.
      await page.evaluateOnNewDocument(() => {
        window.memories_ = [];
        for (const name of ['instantiate', 'instantiateStreaming']) {
          const original = WebAssembly[name];
          WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then((result) => {
            const memory = (result.instance || result).exports?.memory;
            if (memory) window.memories_.push(memory);
            return result;
          });
        }
      });
      await page.goto(`${s.base}/examples/woocommerce.html?customer=cust-anna`);
      await widgetText(page, '.lw-offer-title', { host: 'loyalty-widget' }, 'the first screen');
      const remount = async (times) => {
        for (let i = 0; i < times; i += 1) {
          await page.evaluate(() => { window.__lw.events.length = 0; });
          await page.evaluate(() => LoyaltyWidget.refresh());
          await until(page, () => window.__lw.events.some((e) => e.name === 'ready'), null, `ready after remount ${i + 1}`);
        }
        await waitForIdle(w);
        await settled(page);
        return page.evaluate(() => window.memories_.reduce((sum, m) => sum + m.buffer.byteLength, 0));
      };
      const steady = await remount(3);
      const after = await remount(30);
      // Each remount used to keep the whole previous reactive graph: 32 KB of
      // WebAssembly memory every second remount.
      assert(after - steady <= 65536, `30 remounts grew the WebAssembly memory from ${steady} to ${after} bytes`);
      await quiet(page);
    });

    check('strict CSP (script-src self wasm-unsafe-eval, style-src self): works, no violation', async (page, w) => {
      await page.goto(`${s.base}/examples/csp.html?customer=cust-anna`);
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance.includes('1,250'), `balance shows ${balance}`);
      const accent = await page.evaluate(() => {
        const button = document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-button');
        return button ? getComputedStyle(button).minHeight : null;
      });
      assert(accent === '44px', `the widget's styles did not apply under the CSP (${accent})`);
      await quiet(page);
    });

    check('Trusted Types required (require-trusted-types-for script, no policy allowed): works, no violation, no HTML sink', async (page, w, t) => {
      await page.goto(`${s.base}/examples/trusted-types.html?customer=cust-anna`);
      const enforced = await page.evaluate(() => typeof window.trustedTypes !== 'undefined');
      const balance = await widgetText(page, '[data-testid=balance]', { host: 'loyalty-widget' }, 'the balance');
      assert(balance.includes('1,250'), `balance shows ${balance}`);
      // The whole dashboard, not only the balance: rewards, tiers, offers.
      await widgetText(page, '[data-testid=rewards] li', { host: 'loyalty-widget' }, 'the rewards');
      await widgetText(page, '[data-testid=offers] li', { host: 'loyalty-widget' }, 'the offers');
      // Views that appear later: the history, a redeem confirmation.
      const press = (selector) => page.evaluate((sel) => document.querySelector('loyalty-widget').shadowRoot.querySelector(sel).click(), selector);
      await press('[aria-controls=lw-history]');
      await widgetText(page, '[data-testid=history-entry]', { host: 'loyalty-widget' }, 'the history');
      await press('[data-reward=r-shipping] .lw-button');
      await widgetText(page, '.lw-confirm', { host: 'loyalty-widget' }, 'the redeem confirmation');
      await quiet(page);
      t.diagnostic(`Trusted Types ${enforced ? 'enforced' : 'not supported by this browser: the page must simply work'}`);
    });

    check('configuration mistakes: one precise console line each, a quiet notice, the page goes on', async (page, w) => {
      await page.goto(`${s.base}/examples/config-errors.html`);
      await until(page, () => [...document.querySelectorAll('loyalty-widget')]
        .every((el) => el.dataset.state === 'config-error'), null, 'every embed to report its mistake');
      const r = await record(page);
      const lines = r.console.filter((l) => l.includes('[loyalty-widget]'));
      const expect = [/"endpoint" is required/, /"endpoint" .*http:\/\/loyalty\.example\.com/, /"mode" must be .*popup/];
      for (const re of expect) {
        const hits = lines.filter((l) => re.test(l)).length;
        assert(hits === 1, `${hits} console lines match ${re}`);
      }
      assert(lines.length === 3, `${lines.length} console lines, not 3: ${lines.join(' | ')}`);
      const texts = await page.evaluate(() => [...document.querySelectorAll('loyalty-widget')]
        .map((el) => el.shadowRoot.textContent.trim()));
      assert(texts[0] === 'Rewards are not available right now.', `first shows "${texts[0]}"`);
      assert(texts[1] === 'Prämien sind gerade nicht verfügbar.', `second shows "${texts[1]}"`);
      assert(texts[2] === 'Rewards are not available right now.', `third shows "${texts[2]}"`);
      const errors = (await events(page, 'error')).filter((e) => e.detail.reason === 'config').length;
      assert(errors === 3, `${errors} config error events, not 3`);
      const after = await page.evaluate(() => document.querySelector('#after').getBoundingClientRect().height > 0);
      assert(after, 'the page content after the embeds is not shown');
      await quiet(page, [/\[loyalty-widget\]/]);
    });
  });
}
