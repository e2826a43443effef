// The widget's states, reachable in the demo shop by a real browser, shared
// by the accessibility run (a11y.mjs) and the screenshot script.
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Debian's Chromium or Firefox ESR, headless, for the suites that run in both. */
export async function launch(name) {
  const { default: puppeteer } = await import('puppeteer-core');
  return name === 'firefox'
    ? puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true })
    : puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });
}

/**
 * Sets the faults of an endpoint started with --fault-control (`{}`: none);
 * throws if the endpoint did not take them, so no check runs on the faults
 * of the one before.
 */
export async function setFaults(base, faults) {
  const answer = await fetch(`${base}/_faults`, { method: 'PUT', body: JSON.stringify(faults) });
  if (!answer.ok) throw new Error(`the endpoint refused the faults: ${answer.status} ${await answer.text()}`);
  return answer;
}

/**
 * Named checks, each in a fresh browser context (no cache, no storage):
 * prints `ok` or `FAIL` with the first line of the error, and counts them.
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

/** Ages the widget's visit cache, as if the customer came back much later. */
export async function ageVisitCache(page) {
  await page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i += 1) {
      const key = sessionStorage.key(i);
      if (!key.startsWith('loyalty-widget:')) continue;
      const entry = JSON.parse(sessionStorage.getItem(key));
      entry.stored_at = 0;
      sessionStorage.setItem(key, JSON.stringify(entry));
    }
  });
}

/**
 * Opens a page of the demo shop and scrolls its inline widget into view:
 * an inline widget loads only when the customer comes near it.
 */
export async function visit(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
}

export async function waitInWidget(page, selector, timeout = 15000) {
  await page.waitForFunction(
    (sel) => document.querySelector('loyalty-widget')?.shadowRoot?.querySelector(sel),
    { timeout },
    selector,
  );
}

export async function clickInWidget(page, selector) {
  await page.evaluate((sel) => {
    document.querySelector('loyalty-widget').shadowRoot.querySelector(sel).click();
  }, selector);
}

async function clickButtonText(page, scope, label) {
  await page.evaluate((scopeSel, text) => {
    const root = document.querySelector('loyalty-widget').shadowRoot;
    const button = [...root.querySelectorAll(`${scopeSel} button`)]
      .find((b) => b.textContent.trim() === text);
    if (!button) throw new Error(`no button ${text} in ${scopeSel}`);
    button.click();
  }, scope, label);
}

/** Delays or fails the widget's requests to /v1/customer in this page. */
async function intercept(page, mode) {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (!request.url().includes('/v1/customer')) return request.continue();
    if (mode === 'slow') return setTimeout(() => request.continue(), 60000);
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
      );
    },
  },
  { name: 'top-tier', customer: 'cust-carla' },
  { name: 'guest', customer: '', ready: '.lw-guest' },
  { name: 'loading', customer: 'cust-anna', before: (page) => intercept(page, 'slow'), ready: '[role=status]' },
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

/** Opens the demo shop in a fresh context in a state; returns the page. */
export async function openState(browser, base, state, { lang, theme, viewport }) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  if (viewport) await page.setViewport(viewport);
  if (theme === 'dark') {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  }
  const url = `${base}/?customer=${state.customer}&lang=${lang}&theme=${theme}`;
  if (state.before) await state.before(page, url);
  await visit(page, url);
  await waitInWidget(page, state.ready || '[data-testid=balance]');
  if (state.act) await state.act(page, lang);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { page, context };
}

export { widget };
