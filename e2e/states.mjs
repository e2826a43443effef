// The widget's states, reachable in the demo shop by a real browser, shared
// by the accessibility suite (a11y.test.mjs) and the screenshot script.
import { chromiumArgs, launchBrowser, setFaults, settled, waitInWidget as waitFor } from './lib/fixture.mjs';
import { ageVisitCache, clickButtonText, pressInWidget, visit } from './lib/widget.mjs';

export { ageVisitCache, chromiumArgs, setFaults, visit };

/** Debian's Chromium or Firefox ESR, headless (e2e/lib/fixture.mjs). */
export const launch = launchBrowser;

/** Waits for `selector` in the widget's shadow root. */
export const waitInWidget = (page, selector, timeout) => waitFor(page, selector, timeout ? { timeout } : {});

export const clickInWidget = pressInWidget;

/**
 * Named checks, each in a fresh browser context (no cache, no storage):
 * prints `ok` or `FAIL` with the first line of the error, and counts them.
 * (For the scripts not yet on node:test; the suites use the fixture's
 * session().)
 */
export function checks(browser, viewport = { width: 1024, height: 800 }) {
  const tally = { passed: 0, failed: 0 };
  tally.check = async (name, fn) => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    try {
      await fn(page);
      tally.passed += 1;
      console.log(`  ok    ${name}`);
    } catch (err) {
      tally.failed += 1;
      console.log(`  FAIL  ${name}: ${err.message.split('\n')[0]}`);
    } finally {
      await context.close();
    }
  };
  return tally;
}

const widget = () => document.querySelector('loyalty-widget')?.shadowRoot;

/**
 * Holds (slow: never answered while the page lives) or fails the widget's
 * requests to /v1/customer in this page.
 */
async function intercept(page, mode) {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (!request.url().includes('/v1/customer')) return request.continue();
    if (mode === 'slow') return undefined;
    return request.respond({
      status: 503,
      contentType: 'application/json',
      body: '{"error":{"code":"internal","message":"down"}}',
    });
  });
}

const t = (lang, en, de) => (lang === 'de' ? de : en);

/** Asks to redeem free shipping: the confirmation opens. */
async function openConfirm(page, lang) {
  await waitInWidget(page, '[data-reward=r-shipping]');
  await clickButtonText(page, '[data-reward=r-shipping]', t(lang, 'Redeem', 'Einlösen'));
  await waitInWidget(page, '.lw-confirm');
}

// Each state: a name, the demo customer, and what to do after loading.
export const states = [
  { name: 'dashboard', customer: 'cust-anna' },
  {
    name: 'history-open', customer: 'cust-anna',
    act: async (page, lang) => {
      await clickButtonText(page, '.lw-section', t(lang, 'Show history', 'Verlauf anzeigen'));
      await waitInWidget(page, '[data-testid=history-entry]');
    },
  },
  {
    name: 'redeem-confirm', customer: 'cust-anna', act: openConfirm,
  },
  {
    name: 'coupon', customer: 'cust-dora',
    act: async (page, lang) => {
      await openConfirm(page, lang);
      await clickButtonText(page, '.lw-confirm', t(lang, 'Yes, redeem', 'Ja, einlösen'));
      await waitInWidget(page, '[data-testid=coupon]');
    },
  },
  {
    name: 'join-consent-missing', customer: 'cust-ben',
    act: async (page, lang) => {
      await waitInWidget(page, '[data-testid=club-join]');
      await clickButtonText(page, '[data-testid=club-join]', t(lang, 'Join the club', 'Club beitreten'));
      await page.waitForFunction(
        () => document.querySelector('loyalty-widget').shadowRoot
          .querySelector('#lw-consent-error')?.textContent.length > 0,
        { timeout: 20000, polling: 50 },
      );
    },
  },
  { name: 'top-tier', customer: 'cust-carla' },
  { name: 'guest', customer: '', ready: '.lw-guest' },
  // (The widget's own loading state, in its section: the loader's reserved
  // space says "loading" too, before the widget has started.)
  { name: 'loading', customer: 'cust-anna', before: (page) => intercept(page, 'slow'), ready: '.lw .lw-skeleton[role=status]' },
  { name: 'error', customer: 'cust-anna', before: (page) => intercept(page, 'fail'), ready: '[role=alert]' },
  {
    name: 'stale', customer: 'cust-anna', ready: '.lw-stale',
    // Load once for real, age the visit cache, then reload with the endpoint down.
    before: async (page, url) => {
      await visit(page, url);
      await waitInWidget(page, '[data-testid=balance]');
      await ageVisitCache(page);
      await intercept(page, 'fail');
    },
  },
];

/**
 * Opens the demo shop in a state on `page` (a fresh context's), settled:
 * fonts loaded, no animation running, two frames painted.
 */
export async function showState(page, base, state, { lang, theme, viewport }) {
  if (viewport) await page.setViewport(viewport);
  if (theme === 'dark') {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  }
  const url = `${base}/?customer=${state.customer}&lang=${lang}&theme=${theme}`;
  if (state.before) await state.before(page, url);
  await visit(page, url);
  await waitInWidget(page, state.ready || '[data-testid=balance]');
  if (state.act) await state.act(page, lang);
  await settled(page);
  return page;
}

/** Opens the demo shop in a fresh context in a state; returns the page. */
export async function openState(browser, base, state, options) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await showState(page, base, state, options);
  return { page, context };
}

export { widget };
