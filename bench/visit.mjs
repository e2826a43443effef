// Counts the requests the widget makes to the endpoint over a 10-page visit
// of the demo shop, in real headless Chromium:
//   quick visit:  10 page views in a row (within the 30 s freshness window);
//   slow visit:   10 page views with the cache aged before each, as if the
//                 customer spent a while on every page (ETag revalidation).
// Usage: node bench/visit.mjs http://127.0.0.1:PORT  (endpoint with --demo
// --static dist --fault-control; scripts/bench.sh starts one).
import puppeteer from 'puppeteer-core';
import { ageVisitCache, chromiumArgs, visit as openPage, waitInWidget } from '../e2e/states.mjs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node bench/visit.mjs ENDPOINT_URL');
  process.exit(2);
}
const PAGES = 10;

async function stats() {
  return (await fetch(`${base}/_stats`)).json();
}

async function visit(browser, ageCache) {
  await fetch(`${base}/_stats`, { method: 'DELETE' });
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const statuses = [];
  page.on('response', (response) => {
    if (response.url().includes('/v1/')) statuses.push(response.status());
  });
  for (let view = 0; view < PAGES; view += 1) {
    await openPage(page, `${base}/?customer=cust-anna`);
    await waitInWidget(page, '[data-testid=balance]');
    await new Promise((resolve) => setTimeout(resolve, 150));
    if (ageCache) await ageVisitCache(page);
  }
  // The endpoint's API routes only (the demo pages and files are counted
  // too, under their own keys).
  const requests = Object.fromEntries(Object.entries((await stats()).requests)
    .filter(([route]) => route.includes(' /v1/')));
  await context.close();
  const total = Object.values(requests).reduce((sum, n) => sum + n, 0);
  return { total, requests, notModified: statuses.filter((s) => s === 304).length };
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: chromiumArgs,
});
try {
  const quick = await visit(browser, false);
  const slow = await visit(browser, true);
  console.log(`requests to the endpoint over a ${PAGES}-page visit (one customer):`);
  console.log(`  quick visit (pages < 30 s apart): ${quick.total}  ${JSON.stringify(quick.requests)}`);
  console.log(`  slow visit (cache aged each page): ${slow.total}  ${JSON.stringify(slow.requests)}, ${slow.notModified} of them 304 Not Modified`);
  console.log(`  per page view: ${(quick.total / PAGES).toFixed(1)} quick, ${(slow.total / PAGES).toFixed(1)} slow`);
} finally {
  await browser.close();
}
