// The developer's loop: `trunk serve` shows the demo shop with Anna's
// balance, the reference endpoint behind Trunk's proxy and the demo token
// through the token URL (no token rendered into the page).
//
// Usage: node e2e/trunk-serve.mjs http://127.0.0.1:8080
// (trunk serve running, the endpoint with --demo on 127.0.0.1:8787)
import { checks, launch, visit, waitInWidget } from './states.mjs';

const [base] = process.argv.slice(2);
const browser = await launch('chromium');
const tally = checks(browser);
console.log('trunk serve');
await tally.check("the demo shop shows Anna's balance", async (page) => {
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await visit(page, `${base}/`);
  await waitInWidget(page, '[data-testid=balance]', 60000);
  const text = await page.evaluate(() => document.querySelector('loyalty-widget')
    .shadowRoot.querySelector('[data-testid=balance]').textContent.trim());
  if (text !== '1.250 Punkte') throw new Error(`balance: ${text}`);
  const html = await (await fetch(`${base}/`)).text();
  // (trunk serve adds its own live-reload script; release pages have none,
  // which e2e/embed.mjs checks under a strict CSP.)
  if (/\btoken="|data-trunk/.test(html)) throw new Error('the page carries a token or a trunk link');
  if (errors.length) throw new Error(`uncaught: ${errors.join(' | ')}`);
});
await browser.close();
console.log(`trunk serve: ${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed ? 1 : 0);
