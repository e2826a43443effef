// Helpers that act on the widget in the demo shop, shared by the suites,
// e2e/states.mjs and e2e/screenshots.mjs.

/**
 * Opens a page of the demo shop and scrolls its inline widget into view:
 * an inline widget loads only when the customer comes near it.
 */
export async function visit(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.querySelector('loyalty-widget')?.scrollIntoView());
}

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

/** Clicks (element.click(), no mouse) what `selector` finds in the widget's shadow root. */
export async function pressInWidget(page, selector) {
  await page.evaluate((sel) => {
    document.querySelector('loyalty-widget').shadowRoot.querySelector(sel).click();
  }, selector);
}

/** Clicks the button labelled `label` inside `scope` of the widget's shadow root. */
export async function clickButtonText(page, scope, label) {
  await page.evaluate((scopeSel, text) => {
    const root = document.querySelector('loyalty-widget').shadowRoot;
    const button = [...root.querySelectorAll(`${scopeSel} button`)]
      .find((b) => b.textContent.trim() === text);
    if (!button) throw new Error(`no button ${text} in ${scopeSel}`);
    button.click();
  }, scope, label);
}
