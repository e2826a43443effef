// Hostile host pages: Bootstrap, Tailwind's preflight, and `* { all: unset
// !important }` with aggressive global rules. The widget must look the same
// as on a page without any CSS (pixel comparison of its screenshot), and the
// host page's own elements must look the same with and without the widget.
// Also: the stylesheet the widget ships (minified at build time) parses to
// exactly the rules of style/widget.css, the file people edit.
// Usage: node e2e/hostile.mjs http://127.0.0.1:PORT   (Chromium)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { PNG } from 'pngjs';
import { chromiumArgs } from './states.mjs';

const [base] = process.argv.slice(2);
const out = 'target/hostile';
mkdirSync(out, { recursive: true });
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });
const SHOP = ['#heading', '#shop-button', '#shop-card', 'body'];
const PROPS = ['color', 'font-family', 'font-size', 'line-height', 'margin-top', 'padding-top', 'display', 'background-color', 'border-top-style', 'box-sizing', 'width'];

/** The widget's screenshot (PNG) once the balance is on screen, and the shop elements' styles. */
async function capture(kind, javascript) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 800, height: 2400 });
  await page.setJavaScriptEnabled(javascript);
  await page.goto(`${base}/examples/hostile-${kind}.html?customer=cust-anna`, { waitUntil: 'load' });
  let shot = null;
  if (javascript) {
    await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot
      ?.querySelector('[data-testid=balance]')?.textContent.trim(), { timeout: 15000 });
    await page.evaluate(() => document.fonts.ready);
    await new Promise((r) => setTimeout(r, 600));
    // The widget's own box: its section inside the shadow root.
    const box = await page.evaluate(() => {
      const r = document.querySelector('loyalty-widget').shadowRoot.querySelector('section.lw').getBoundingClientRect();
      return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
    });
    shot = await page.screenshot({ clip: box, type: 'png' });
    writeFileSync(`${out}/${kind}.png`, shot);
  }
  const styles = await page.evaluate((selectors, props) => selectors.map((s) => {
    const cs = getComputedStyle(document.querySelector(s));
    return `${s} ${props.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';')}`;
  }), SHOP, PROPS);
  const record = javascript ? await page.evaluate(() => window.__lw) : null;
  await context.close();
  return { shot, styles, record };
}

function differingPixels(a, b) {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  // Sub-pixel positions may round a box to one pixel more or less.
  if (Math.abs(x.width - y.width) > 1 || Math.abs(x.height - y.height) > 1) {
    return { share: 1, why: `${x.width}x${x.height} vs ${y.width}x${y.height}` };
  }
  const width = Math.min(x.width, y.width);
  const height = Math.min(x.height, y.height);
  let differing = 0;
  for (let row = 0; row < height; row += 1) {
    for (let col = 0; col < width; col += 1) {
      const i = (row * x.width + col) * 4;
      const j = (row * y.width + col) * 4;
      const d = Math.abs(x.data[i] - y.data[j]) + Math.abs(x.data[i + 1] - y.data[j + 1]) + Math.abs(x.data[i + 2] - y.data[j + 2]);
      if (d > 24) differing += 1;
    }
  }
  return { share: differing / (width * height), why: `${x.width}x${x.height} vs ${y.width}x${y.height}` };
}

let failed = 0;
const baseline = await capture('baseline', true);
for (const kind of ['bootstrap', 'tailwind', 'unset']) {
  const withWidget = await capture(kind, true);
  const without = await capture(kind, false);
  const diff = differingPixels(baseline.shot, withWidget.shot);
  const sameLook = diff.share <= 0.005;
  const leaks = withWidget.styles.filter((line, i) => line !== without.styles[i]);
  const errors = withWidget.record.errors;
  const ok = sameLook && leaks.length === 0 && errors.length === 0;
  if (!ok) failed += 1;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${kind}: ${(diff.share * 100).toFixed(2)}% of the widget's pixels differ from the plain page (${diff.why}); `
    + `${leaks.length} shop elements restyled; ${errors.length} uncaught errors`);
  for (const line of leaks) console.log(`        restyled: ${line}`);
}

// The shipped sheet against the source, as Chromium's CSS parser reads both:
// lightningcss minifies the values (#ffffff as #fff, spaces in var()), so
// each rule must have the same selector (or at-rule condition) and declare
// the same properties, in the same order of rules; the pixel checks above
// hold its values to the source's.
{
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('loyalty-widget')?.shadowRoot
    ?.querySelector('[data-testid=balance]'), { timeout: 15000 });
  const source = readFileSync('style/widget.css', 'utf8');
  const { rules, same } = await page.evaluate((text) => {
    const shape = (rule) => (rule.cssRules
      ? `${rule.conditionText ?? rule.selectorText ?? rule.cssText.split('{')[0]} { ${[...rule.cssRules].map(shape).join(' ')} }`
      : `${rule.selectorText ?? rule.cssText.split('{')[0]} { ${rule.style ? [...rule.style].sort().join(' ') : rule.cssText} }`);
    const rulesOf = (sheet) => [...sheet.cssRules].map(shape).join('\n');
    const expected = new CSSStyleSheet();
    expected.replaceSync(text);
    const shipped = document.querySelector('loyalty-widget').shadowRoot.adoptedStyleSheets;
    return { rules: expected.cssRules.length, same: shipped.some((sheet) => rulesOf(sheet) === rulesOf(expected)) };
  }, source);
  const ok = same && rules > 50;
  if (!ok) failed += 1;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'}  the shipped (minified) stylesheet parses to the ${rules} rules of style/widget.css, each with its selector and properties`);
  await context.close();
}
await browser.close();
console.log(`hostile host pages: ${4 - failed} passed, ${failed} failed (screenshots in ${out}/)`);
process.exit(failed ? 1 : 0);
