// Lighthouse (mobile, performance) on the demo shop without the widget,
// with an empty async script (what any script tag costs in Lighthouse's
// simulated model), with the launcher, and with the inline widget, side by
// side in one run.
// Prints the median of RUNS runs per page: score, Total Blocking Time,
// Cumulative Layout Shift, Largest Contentful Paint.
// Usage: node bench/lighthouse.mjs http://127.0.0.1:PORT [runs=3]
// (an endpoint with --demo --static dist; scripts/bench.sh starts one)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, runsArg = '3'] = process.argv.slice(2);
const runs = Number(runsArg);
const pages = [
  ['without the widget', '/examples/shop-none.html'],
  ['with an empty async script (the floor for any script tag)', '/examples/bench-empty-script.html'],
  ['with the launcher', '/examples/shop-launcher.html?customer=cust-anna'],
  ['with the inline widget', '/?customer=cust-anna'],
];
const flags = '--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run '
  + '--disable-background-networking --disable-component-update --disable-sync';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'lw-lighthouse-'));
const results = pages.map(([name]) => ({ name, score: [], tbt: [], cls: [], lcp: [] }));
// Interleaved, so a busy moment of the machine hits every page alike.
for (let run = 0; run < runs; run += 1) {
  pages.forEach(([, path], i) => {
    const out = join(dir, `${i}-${run}.json`);
    execFileSync('lighthouse', [`${base}${path}`, '--only-categories=performance',
      `--chrome-flags=${flags}`, '--output=json', `--output-path=${out}`, '--quiet'],
    { env: { ...process.env, CHROME_PATH: '/usr/bin/chromium' }, stdio: 'ignore' });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const audit = (id) => report.audits[id].numericValue;
    results[i].score.push(Math.round(report.categories.performance.score * 100));
    results[i].tbt.push(audit('total-blocking-time'));
    results[i].cls.push(audit('cumulative-layout-shift'));
    results[i].lcp.push(audit('largest-contentful-paint'));
  });
}
rmSync(dir, { recursive: true, force: true });

console.log(`\nLighthouse 12 mobile, performance (median of ${runs} runs each)`);
console.log('| page | score | TBT ms | CLS | LCP ms |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.name} | ${median(r.score)} | ${Math.round(median(r.tbt))} | ${median(r.cls).toFixed(3)} | ${Math.round(median(r.lcp))} |`);
}
