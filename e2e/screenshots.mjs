// Screenshots of the widget's screens in the demo shop: phone and desktop,
// light and dark, German and English, into a folder (default docs/screenshots).
// Usage: node e2e/screenshots.mjs http://127.0.0.1:PORT [DIR]
import { mkdirSync } from 'node:fs';
import { launchBrowser, settled, waitInWidget } from './lib/fixture.mjs';
import { openState, states } from './states.mjs';

const [base, dir = 'docs/screenshots'] = process.argv.slice(2);
if (!base) {
  console.error('usage: node e2e/screenshots.mjs ENDPOINT_URL [DIR]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const wanted = ['dashboard', 'redeem-confirm', 'coupon', 'join-consent-missing', 'guest', 'error'];
const viewports = {
  phone: { width: 375, height: 800, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
  desktop: { width: 1280, height: 900, deviceScaleFactor: 1 },
};
const browser = await launchBrowser('chromium');
let count = 0;
try {
  for (const [device, viewport] of Object.entries(viewports)) {
    for (const theme of ['light', 'dark']) {
      const lang = device === 'phone' ? 'de' : 'en';
      for (const state of states.filter((s) => wanted.includes(s.name))) {
        const { page, context } = await openState(browser, base, state, { lang, theme, viewport });
        const element = await page.$('loyalty-widget');
        const file = `${dir}/${state.name}-${device}-${theme}-${lang}.png`;
        await element.screenshot({ path: file });
        count += 1;
        await context.close();
      }
    }
  }
  // The launcher, open, on a phone and a desktop page (the shop around it).
  for (const [device, viewport] of Object.entries(viewports)) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    await page.goto(`${base}/examples/shop-launcher.html?customer=cust-anna`, { waitUntil: 'load' });
    await waitInWidget(page, '.launcher');
    await page.screenshot({ path: `${dir}/launcher-closed-${device}-de.png` });
    await page.evaluate(() => LoyaltyWidget.open());
    await waitInWidget(page, '[data-testid=balance]');
    await settled(page);
    await page.screenshot({ path: `${dir}/launcher-open-${device}-de.png` });
    count += 2;
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(`${count} screenshots in ${dir}`);
