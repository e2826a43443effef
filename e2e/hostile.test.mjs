// Hostile host pages: Bootstrap, Tailwind's preflight, and `* { all: unset
// !important }` with aggressive global rules. The widget must look the same
// as on a page without any CSS (pixel comparison of its screenshot), and the
// host page's own elements must look the same with and without the widget.
// Also: the stylesheet the widget ships (minified at build time) parses to
// exactly the rules of style/widget.css, the file people edit.
//
// Run alone: node --test e2e/hostile.test.mjs (Chromium; its own endpoint
// with --demo --static dist on a free port). Screenshots in target/hostile/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { PNG } from 'pngjs';
import { ROOT, browsers, diagnose, session, settled, until, watchPage } from './lib/fixture.mjs';

const out = join(ROOT, 'target/hostile');
mkdirSync(out, { recursive: true });
const SHOP = ['#heading', '#shop-button', '#shop-card', 'body'];
const PROPS = ['color', 'font-family', 'font-size', 'line-height', 'margin-top', 'padding-top', 'display', 'background-color', 'border-top-style', 'box-sizing', 'width'];

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

for (const browserName of browsers(['chromium'])) {
  describe(`hostile host pages (${browserName})`, () => {
    const s = session({ browser: browserName, endpoint: { name: `hostile-${browserName}`, args: ['--demo', '--static', 'dist'] } });

    /** The widget's screenshot (PNG) once the balance is on screen, and the shop elements' styles. */
    async function capture(kind, javascript) {
      const context = await s.browser.createBrowserContext();
      try {
        const page = await context.newPage();
        watchPage(null, page, { label: `hostile-${kind}${javascript ? '' : '-no-js'}` });
        return await diagnose(page, async () => {
          await page.setViewport({ width: 800, height: 2400 });
          await page.setJavaScriptEnabled(javascript);
          await page.goto(`${s.base}/examples/hostile-${kind}.html?customer=cust-anna`, { waitUntil: 'load' });
          let shot = null;
          if (javascript) {
            await until(page, () => document.querySelector('loyalty-widget')?.shadowRoot
              ?.querySelector('[data-testid=balance]')?.textContent.trim(), null, 'the balance');
            await settled(page);
            // The widget's own box: its section inside the shadow root.
            const box = await page.evaluate(() => {
              const r = document.querySelector('loyalty-widget').shadowRoot.querySelector('section.lw').getBoundingClientRect();
              return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
            });
            shot = await page.screenshot({ clip: box, type: 'png' });
            writeFileSync(`${out}/${kind}.png`, shot);
          }
          const styles = await page.evaluate((selectors, props) => selectors.map((sel) => {
            const cs = getComputedStyle(document.querySelector(sel));
            return `${sel} ${props.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';')}`;
          }), SHOP, PROPS);
          const record = javascript ? await page.evaluate(() => window.__lw) : null;
          return { shot, styles, record };
        });
      } finally {
        await context.close();
      }
    }

    let baseline;
    const baselineShot = () => { baseline ??= capture('baseline', true); return baseline; };

    for (const kind of ['bootstrap', 'tailwind', 'unset']) {
      s.check(`${kind}: the widget looks as on a plain page, no shop element restyled, no uncaught error`, async (_page, _w, t) => {
        const plain = await baselineShot();
        const withWidget = await capture(kind, true);
        const without = await capture(kind, false);
        const diff = differingPixels(plain.shot, withWidget.shot);
        const sameLook = diff.share <= 0.005;
        const leaks = withWidget.styles.filter((line, i) => line !== without.styles[i]);
        const errors = withWidget.record.errors;
        t.diagnostic(`${(diff.share * 100).toFixed(2)}% of the widget's pixels differ from the plain page (${diff.why}); screenshots in ${out}/`);
        const problems = [];
        if (!sameLook) problems.push(`${(diff.share * 100).toFixed(2)}% of the widget's pixels differ from the plain page (${diff.why})`);
        if (leaks.length) problems.push(`${leaks.length} shop elements restyled: ${leaks.join(' | ')}`);
        if (errors.length) problems.push(`${errors.length} uncaught errors: ${errors.join(' | ')}`);
        if (problems.length) throw new Error(problems.join('; '));
      });
    }

    // The shipped sheet against the source, as Chromium's CSS parser reads
    // both: lightningcss minifies the values (#ffffff as #fff, spaces in
    // var()), so each rule must have the same selector (or at-rule
    // condition) and declare the same properties, in the same order of
    // rules; the pixel checks above hold its values to the source's.
    s.check('the shipped (minified) stylesheet parses to the rules of style/widget.css, each with its selector and properties', async (page) => {
      await page.goto(`${s.base}/examples/hostile-baseline.html?customer=cust-anna`, { waitUntil: 'load' });
      await until(page, () => document.querySelector('loyalty-widget')?.shadowRoot
        ?.querySelector('[data-testid=balance]'), null, 'the balance');
      const source = readFileSync(join(ROOT, 'style/widget.css'), 'utf8');
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
      if (!(same && rules > 50)) throw new Error(`the shipped stylesheet does not parse to the ${rules} rules of style/widget.css`);
    });
  });
}
