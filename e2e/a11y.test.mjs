// Accessibility in real headless Chromium. axe-core (WCAG 2.0/2.1/2.2 A and
// AA rules) over every state of the widget in the demo shop (e2e/states.mjs),
// in German and English, light (on a 320 px phone) and dark (on a desktop),
// with no horizontal scrolling of the widget; the launcher, closed and with
// its panel open; what a screen reader hears (the browser's accessibility
// tree); forced colours. Then keyboard-only use: Tab to a reward, Enter to
// redeem, focus on the confirmation, Escape back to the button, Space and
// Tab to cancel; Tab to the club's consent box, Space to tick it, Enter to
// join. Focus must stay visible.
//
// Run alone: node --test e2e/a11y.test.mjs (its own endpoint with --demo
// --static dist on a free port)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ROOT, browsers, diagnose, launchBrowser, session, settled, startEndpoint, until, waitInWidget, watchPage,
} from './lib/fixture.mjs';
import { visit } from './lib/widget.mjs';
import { showState, states } from './states.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core over the whole page (or the widget only), and (when asked) the widget's overflow. */
async function audit(page, width, { overflowCheck = true, widgetOnly = false } = {}) {
  const overflow = overflowCheck ? await page.evaluate(() => {
    const root = document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw');
    return root.scrollWidth - root.clientWidth;
  }) : 0;
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (only, tags) => window.axe.run(only ? document.querySelector('loyalty-widget') : document, {
    runOnly: { type: 'tag', values: tags },
  }), widgetOnly, WCAG);
  if (overflow > 0) throw new Error(`the widget overflows by ${overflow} px at ${width} px`);
  if (result.violations.length) {
    const lines = [];
    for (const violation of result.violations) {
      lines.push(`${violation.id}: ${violation.help}`);
      for (const node of violation.nodes.slice(0, 3)) {
        lines.push(`  ${JSON.stringify(node.target)} ${node.failureSummary.split('\n')[1] || ''}`);
      }
    }
    throw new Error(`axe-core: ${result.violations.length} violations at ${width} px\n${lines.join('\n')}`);
  }
  return result.passes.length;
}

for (const browserName of browsers(['chromium'])) {
  describe(`axe-core over every state (${browserName})`, () => {
    const s = session({ browser: browserName, endpoint: { name: `a11y-${browserName}`, args: ['--demo', '--static', 'dist'] } });

    for (const lang of ['de', 'en']) {
      for (const theme of ['light', 'dark']) {
        for (const state of states) {
          const viewport = theme === 'light'
            ? { width: 320, height: 640, isMobile: true, hasTouch: true }
            : { width: 1280, height: 900 };
          s.check(`${state.name} (${lang}, ${theme}) at ${viewport.width} px`, async (page, _w, t) => {
            await showState(page, s.base, state, { lang, theme, viewport });
            t.diagnostic(`${await audit(page, viewport.width)} rules passed`);
          }, { viewport });
        }
      }
    }

    // The launcher on a phone: the button alone, then the open panel.
    const phone = { width: 320, height: 640, isMobile: true, hasTouch: true };
    for (const open of [false, true]) {
      s.check(open ? 'launcher, panel open at 320 px' : 'launcher, closed at 320 px', async (page) => {
        await page.goto(`${s.base}/examples/shop-launcher.html`, { waitUntil: 'load' });
        await waitInWidget(page, '.launcher');
        if (open) {
          await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').click());
          await waitInWidget(page, '[data-testid=balance]');
        }
        await settled(page);
        await audit(page, 320, { overflowCheck: open });
      }, { viewport: phone });
    }

    // What a screen reader hears, from the browser's own accessibility tree
    // (not only axe): every control's name says what it acts on (no two
    // buttons with one name), and the collections are lists with their items.
    for (const lang of ['de', 'en']) {
      s.check(`accessibility tree (${lang}): every button named for what it acts on; the collections are lists`, async (page, _w, t) => {
        await page.goto(`${s.base}/?customer=cust-anna&lang=${lang}`, { waitUntil: 'load' });
        await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
        await waitInWidget(page, '[data-testid=offers] li');
        await waitInWidget(page, '[data-testid=rewards] li');
        const host = await page.$('loyalty-widget');
        const tree = await page.accessibility.snapshot({ root: host, interestingOnly: false });
        const buttons = [];
        const lists = [];
        const walk = (node) => {
          if (node.role === 'button') buttons.push(node.name || '');
          if (node.role === 'list') lists.push((node.children || []).filter((c) => c.role === 'listitem').length);
          (node.children || []).forEach(walk);
        };
        walk(tree);
        const problems = [];
        const seen = new Set();
        for (const name of buttons) {
          if (!name.trim()) problems.push('a button without a name');
          else if (seen.has(name)) problems.push(`two buttons named "${name}"`);
          seen.add(name);
        }
        const redeem = lang === 'de' ? 'Einlösen: ' : 'Redeem ';
        if (buttons.filter((name) => name.startsWith(redeem)).length < 4) problems.push(`redeem buttons do not name their reward: ${buttons.join(' | ')}`);
        if (buttons.some((name) => /Kopieren Dein Link|Copy Your link/.test(name))) problems.push('the referral copy button reads as two words glued together');
        // Ways to earn (4), the tiers (3), the rewards (4), the offers (3).
        for (const items of [4, 3]) if (!lists.includes(items)) problems.push(`no list of ${items} items: ${lists.join(', ')}`);
        if (lists.filter((n) => n >= 3).length < 4) problems.push(`only ${lists.filter((n) => n >= 3).length} lists of 3 or more items`);
        if (problems.length) throw new Error(problems.slice(0, 4).join('; '));
        t.diagnostic(`${buttons.length} buttons, each named for what it acts on; lists of ${lists.join(', ')} items`);
      });
    }

    // Forced colours (Windows high contrast), emulated: axe again, and every
    // control keeps a visible edge, the progress fill stays visible.
    /** The launcher's panel open under emulated forced colours. */
    async function forcedColours(page) {
      // (Puppeteer's own helper does not know the feature; the protocol does.)
      const cdp = await page.createCDPSession();
      await cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'forced-colors', value: 'active' }] });
      await page.goto(`${s.base}/examples/shop-launcher.html`, { waitUntil: 'load' });
      await waitInWidget(page, '.launcher');
      await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').click());
      await waitInWidget(page, '[data-testid=balance]');
      await waitInWidget(page, '.lw-progress-fill');
      await settled(page);
    }
    const desktop = { width: 1024, height: 900 };
    s.check('launcher open, forced colours (the widget): axe-core', async (page) => {
      await forcedColours(page);
      // The widget only: under forced colours axe reads the demo shop's own
      // (page-author) colours, which the browser is not showing.
      await audit(page, 1024, { overflowCheck: false, widgetOnly: true });
    }, { viewport: desktop });
    s.check('forced colours: every control has an edge, the progress fill is visible', async (page) => {
      await forcedColours(page);
      const missing = await page.evaluate(() => {
        const root = document.querySelector('loyalty-widget').shadowRoot;
        const out = [];
        for (const el of root.querySelectorAll('.launcher, .close, .lw-button')) {
          const style = getComputedStyle(el);
          if (el.getBoundingClientRect().width === 0) continue;
          if (style.borderTopStyle === 'none' || parseFloat(style.borderTopWidth) === 0) out.push(`${el.className} "${el.textContent.trim().slice(0, 20)}" has no edge`);
        }
        const fill = root.querySelector('.lw-progress-fill');
        const track = root.querySelector('.lw-progress');
        const [f, tr] = [getComputedStyle(fill).backgroundColor, getComputedStyle(track).backgroundColor];
        if (fill.getBoundingClientRect().width > 0 && f === tr) out.push(`the progress fill (${f}) is the track's colour`);
        if (/rgba\(0, 0, 0, 0\)|transparent/.test(f)) out.push('the progress fill is transparent');
        return out;
      });
      await page.screenshot({ path: join(ROOT, 'target/forced-colors.png') });
      if (missing.length) throw new Error(missing.slice(0, 4).join('; '));
    }, { viewport: desktop });
  });

  describe(`keyboard only (${browserName})`, () => {
    let endpoint;
    let browser;
    let page;
    before(async () => {
      endpoint = await startEndpoint({ name: `keyboard-${browserName}`, args: ['--demo', '--static', 'dist'] });
      browser = await launchBrowser(browserName);
      page = await (await browser.createBrowserContext()).newPage();
      watchPage(null, page, { label: `keyboard-${browserName}` });
    });
    after(async () => {
      await browser?.close().catch(() => {});
      await endpoint?.stop();
    });
    // The steps run in order on one page, as a customer would use it.
    const step = (name, fn) => it(name, { timeout: 120000 }, () => diagnose(page, fn));

    /** What has focus inside the widget: text, selector hints, outline. */
    const focusInfo = () => page.evaluate(() => {
      const host = document.querySelector('loyalty-widget');
      if (document.activeElement !== host) return null;
      const el = host.shadowRoot.activeElement;
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute('type'),
        text: el.textContent.trim(),
        reward: el.closest('[data-reward]')?.dataset.reward ?? null,
        inConfirm: !!el.closest('.lw-confirm'),
        checked: el.checked ?? null,
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
      };
    });
    async function tabUntil(predicate, limit = 150) {
      for (let i = 0; i < limit; i += 1) {
        await page.keyboard.press('Tab');
        const info = await focusInfo();
        if (info && predicate(info)) return info;
      }
      throw new Error('never reached the wanted element with Tab');
    }
    const confirmGone = () => until(page, () => !document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-confirm'), null, 'the confirmation to close');
    const expect = (ok, message, detail) => { if (!ok) throw new Error(`${message}: ${JSON.stringify(detail)}`); };

    let info;
    step('Tab reaches a reward\'s Redeem button', async () => {
      await visit(page, `${endpoint.url}/?customer=cust-anna&lang=en`);
      await waitInWidget(page, '[data-reward=r-shipping]');
      info = await tabUntil((i) => i.reward === 'r-shipping' && i.text === 'Redeem');
    });
    step('focus is visible (outline)', async () => {
      expect(info && !info.outline.startsWith('none'), 'no outline', info);
    });
    step('Enter opens the confirmation with focus on "Yes, redeem"', async () => {
      await page.keyboard.press('Enter');
      await waitInWidget(page, '.lw-confirm');
      info = await focusInfo();
      expect(info?.inConfirm && info.text === 'Yes, redeem', 'focus', info);
    });
    step('Escape closes it and returns focus to Redeem', async () => {
      await page.keyboard.press('Escape');
      await confirmGone();
      await settled(page);
      info = await focusInfo();
      expect(info?.text === 'Redeem' && info.reward === 'r-shipping', 'focus', info);
    });
    step('Tab moves to Cancel', async () => {
      await page.keyboard.press('Space');
      await waitInWidget(page, '.lw-confirm');
      await page.keyboard.press('Tab');
      info = await focusInfo();
      expect(info?.text === 'Cancel', 'focus', info);
    });
    step('cancelling takes no points', async () => {
      await page.keyboard.press('Enter');
      await confirmGone();
      await settled(page);
      const balance = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('[data-testid=balance]').textContent);
      expect(balance === '1,250 points', 'balance', balance);
    });
    step('Tab reaches the consent box, unticked', async () => {
      await visit(page, `${endpoint.url}/?customer=cust-ben&lang=en`);
      await waitInWidget(page, '[data-testid=club-join]');
      info = await tabUntil((i) => i.type === 'checkbox');
      expect(info.checked === false, 'the box', info);
    });
    step('Space ticks it', async () => {
      await page.keyboard.press('Space');
      info = await focusInfo();
      expect(info?.checked === true, 'the box', info);
    });
    step('Enter joins the club', async () => {
      info = await tabUntil((i) => i.text === 'Join the club', 3);
      await page.keyboard.press('Enter');
      await waitInWidget(page, '[data-testid=club-state]');
    });
  });
}
