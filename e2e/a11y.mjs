// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) over every state of the
// widget in the demo shop, in German and English, light (on a 320 px phone)
// and dark (on a desktop), in real headless Chromium, and checks that the
// widget never needs horizontal scrolling; then the launcher, closed and with
// its panel open. Exits non-zero on any violation.
// Usage: node e2e/a11y.mjs http://127.0.0.1:PORT (endpoint with --demo --static dist)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, openState, states } from './states.mjs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node e2e/a11y.mjs ENDPOINT_URL');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: chromiumArgs,
});
let runs = 0;
let failures = 0;

/** axe-core over the whole page, and (when asked) the widget's overflow. */
async function audit(page, label, width, overflowCheck = true, widgetOnly = false) {
  const overflow = overflowCheck ? await page.evaluate(() => {
    const root = document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw');
    return root.scrollWidth - root.clientWidth;
  }) : 0;
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (only) => window.axe.run(only ? document.querySelector('loyalty-widget') : document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }), widgetOnly);
  runs += 1;
  if (overflow > 0) {
    failures += 1;
    console.log(`  FAIL  ${label}: the widget overflows by ${overflow} px at ${width} px`);
  } else if (result.violations.length === 0) {
    console.log(`  ok    ${label} at ${width} px: ${result.passes.length} rules passed`);
  } else {
    failures += 1;
    console.log(`  FAIL  ${label}`);
    for (const violation of result.violations) {
      console.log(`        ${violation.id}: ${violation.help}`);
      for (const node of violation.nodes.slice(0, 3)) {
        console.log(`          ${JSON.stringify(node.target)} ${node.failureSummary.split('\n')[1] || ''}`);
      }
    }
  }
}

const inWidget = (page, selector) => page.waitForFunction(
  (sel) => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector(sel),
  { timeout: 15000 },
  selector,
);

try {
  for (const lang of ['de', 'en']) {
    for (const theme of ['light', 'dark']) {
      for (const state of states) {
        const label = `${state.name} (${lang}, ${theme})`;
        const viewport = theme === 'light'
          ? { width: 320, height: 640, isMobile: true, hasTouch: true }
          : { width: 1280, height: 900 };
        const { page, context } = await openState(browser, base, state, { lang, theme, viewport });
        await audit(page, label, viewport.width);
        await context.close();
      }
    }
  }
  // The launcher on a phone: the button alone, then the open panel.
  for (const open of [false, true]) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 320, height: 640, isMobile: true, hasTouch: true });
    await page.goto(`${base}/examples/shop-launcher.html`, { waitUntil: 'load' });
    await inWidget(page, '.launcher');
    if (open) {
      await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').click());
      await inWidget(page, '[data-testid=balance]');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await audit(page, open ? 'launcher, panel open' : 'launcher, closed', 320, open);
    await context.close();
  }
  // What a screen reader hears, from the browser's own accessibility tree
  // (not only axe): every control's name says what it acts on (no two
  // buttons with one name), and the collections are lists with their items.
  for (const lang of ['de', 'en']) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1024, height: 900 });
    await page.goto(`${base}/?customer=cust-anna&lang=${lang}`, { waitUntil: 'load' });
    await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
    await inWidget(page, '[data-testid=offers] li');
    await inWidget(page, '[data-testid=rewards] li');
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
    runs += 1;
    if (problems.length) {
      failures += 1;
      console.log(`  FAIL  accessibility tree (${lang}): ${problems.slice(0, 4).join('; ')}`);
    } else {
      console.log(`  ok    accessibility tree (${lang}): ${buttons.length} buttons, each named for what it acts on; lists of ${lists.join(', ')} items`);
    }
    await context.close();
  }

  // Forced colours (Windows high contrast), emulated: axe again, and every
  // control keeps a visible edge, the progress fill stays visible.
  {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1024, height: 900 });
    // (Puppeteer's own helper does not know the feature; the protocol does.)
    const cdp = await page.createCDPSession();
    await cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'forced-colors', value: 'active' }] });
    await page.goto(`${base}/examples/shop-launcher.html`, { waitUntil: 'load' });
    await inWidget(page, '.launcher');
    await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('.launcher').click());
    await inWidget(page, '[data-testid=balance]');
    await inWidget(page, '.lw-progress-fill');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The widget only: under forced colours axe reads the demo shop's own
    // (page-author) colours, which the browser is not showing.
    await audit(page, 'launcher open, forced colours (the widget)', 1024, false, true);
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
      const [f, t] = [getComputedStyle(fill).backgroundColor, getComputedStyle(track).backgroundColor];
      if (fill.getBoundingClientRect().width > 0 && f === t) out.push(`the progress fill (${f}) is the track's colour`);
      if (/rgba\(0, 0, 0, 0\)|transparent/.test(f)) out.push('the progress fill is transparent');
      return out;
    });
    runs += 1;
    if (missing.length) {
      failures += 1;
      console.log(`  FAIL  forced colours: ${missing.slice(0, 4).join('; ')}`);
    } else {
      console.log('  ok    forced colours: every control has an edge, the progress fill is visible');
    }
    await page.screenshot({ path: 'target/forced-colors.png' });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(`axe-core: ${runs - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
