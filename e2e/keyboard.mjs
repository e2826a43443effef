// Keyboard-only use of the widget in the demo shop, in real headless
// Chromium: Tab to a reward, Enter to redeem, focus on the confirmation,
// Escape back to the button, Space and Tab to cancel; Tab to the club's
// consent box, Space to tick it, Enter to join. Focus must stay visible.
// Usage: node e2e/keyboard.mjs http://127.0.0.1:PORT
import puppeteer from 'puppeteer-core';
import { chromiumArgs, visit, waitInWidget } from './states.mjs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node e2e/keyboard.mjs ENDPOINT_URL');
  process.exit(2);
}

/** What has focus inside the widget: text, selector hints, outline. */
const focusInfo = (page) => page.evaluate(() => {
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

async function tabUntil(page, predicate, limit = 150) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const info = await focusInfo(page);
    if (info && predicate(info)) return info;
  }
  throw new Error('never reached the wanted element with Tab');
}

const checks = [];
function check(name, condition, detail) {
  checks.push({ name, ok: !!condition, detail });
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: chromiumArgs,
});
try {
  const page = await browser.newPage();
  await visit(page, `${base}/?customer=cust-anna&lang=en`);
  await waitInWidget(page, '[data-reward=r-shipping]');
  let info = await tabUntil(page, (i) => i.reward === 'r-shipping' && i.text === 'Redeem');
  check('Tab reaches a reward\'s Redeem button', info);
  check('focus is visible (outline)', !info.outline.startsWith('none'), info.outline);
  await page.keyboard.press('Enter');
  await waitInWidget(page, '.lw-confirm');
  info = await focusInfo(page);
  check('Enter opens the confirmation with focus on "Yes, redeem"', info?.inConfirm && info.text === 'Yes, redeem', info);
  await page.keyboard.press('Escape');
  await new Promise((r) => setTimeout(r, 100));
  info = await focusInfo(page);
  const open = await page.evaluate(() => !!document.querySelector('loyalty-widget').shadowRoot.querySelector('.lw-confirm'));
  check('Escape closes it and returns focus to Redeem', !open && info?.text === 'Redeem' && info.reward === 'r-shipping', info);
  await page.keyboard.press('Space');
  await waitInWidget(page, '.lw-confirm');
  await page.keyboard.press('Tab');
  info = await focusInfo(page);
  check('Tab moves to Cancel', info?.text === 'Cancel', info);
  await page.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 100));
  const balance = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot.querySelector('[data-testid=balance]').textContent);
  check('cancelling takes no points', balance === '1,250 points', balance);

  await visit(page, `${base}/?customer=cust-ben&lang=en`);
  await waitInWidget(page, '[data-testid=club-join]');
  info = await tabUntil(page, (i) => i.type === 'checkbox');
  check('Tab reaches the consent box, unticked', info.checked === false, info);
  await page.keyboard.press('Space');
  info = await focusInfo(page);
  check('Space ticks it', info?.checked === true, info);
  info = await tabUntil(page, (i) => i.text === 'Join the club', 3);
  await page.keyboard.press('Enter');
  await waitInWidget(page, '[data-testid=club-state]');
  check('Enter joins the club', true);
} finally {
  await browser.close();
}
for (const { name, ok, detail } of checks) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}${ok ? '' : ` ${JSON.stringify(detail)}`}`);
}
const failed = checks.filter((c) => !c.ok).length;
console.log(`keyboard: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
