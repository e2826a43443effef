// The README's embed snippets are the ones the e2e pages run: for each
// example page, the lines between its snippet markers, with the demo's
// values swapped for the README's placeholders, must appear in README.md
// line by line (indentation aside).
// Run alone: node --test e2e/snippets.test.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './lib/fixture.mjs';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').map((l) => l.trim());
const common = [
  ['/widget/loyalty-widget.js', 'https://cdn.example.com/loyalty-widget/loyalty-widget.js'],
  ['__DEMO_ENDPOINT__', 'https://loyalty.example.com'],
];
const examples = [
  { file: 'examples/plain.html', map: [['__DEMO_TOKEN__', '{{ customer_token }}']] },
  {
    file: 'examples/shopify.html',
    map: [['/_demo/token?customer=cust-anna', '/apps/loyalty/token'], ['lang="de"', 'lang="{{ request.locale.iso_code }}"']],
  },
  { file: 'examples/woocommerce.html', map: [['__DEMO_TOKEN__', '<?php echo esc_attr( $token ); ?>']] },
  { file: 'examples/react-app.jsx', map: [['endpoint={ENDPOINT}', 'endpoint="https://loyalty.example.com"']] },
];

for (const { file, map } of examples) {
  test(`README.md shows the snippet of ${file}`, () => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const start = text.indexOf('snippet:start');
    const end = text.indexOf('snippet:end');
    if (start < 0 || end < start) throw new Error(`${file} has no snippet markers`);
    let snippet = text.slice(text.indexOf('\n', start) + 1, text.lastIndexOf('\n', end));
    for (const [from, to] of [...common, ...map]) snippet = snippet.split(from).join(to);
    const lines = snippet.split('\n').map((l) => l.trim()).filter(Boolean);
    const found = readme.some((_, at) => lines.every((line, i) => readme[at + i] === line));
    if (!found) throw new Error(`README.md lacks these lines of ${file}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  });
}
