// The npm package (dist/npm, from scripts/build.sh) holds what a bundler
// needs: the loader as an ES module (with loader/negotiate.js beside it),
// its types, the glue, the wasm and a pack per language but English
// (i18n/<hash>/<lang>.json, one hash for them all).
// Usage: node e2e/npm-package.mjs
import { execFileSync } from 'node:child_process';

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: 'dist/npm', encoding: 'utf8' }));
const files = pack.files.map((f) => f.path).sort();
const want = ['README.md', 'index.d.ts', 'index.js', 'loyalty-widget-wasm.js', 'loyalty-widget-wasm_bg.wasm', 'negotiate.js', 'package.json'];
const packs = files.filter((f) => f.startsWith('i18n/'));
const hashes = new Set(packs.map((f) => f.split('/')[1]));
const ok = JSON.stringify(files.filter((f) => !f.startsWith('i18n/'))) === JSON.stringify(want)
  && packs.length === 14 && hashes.size === 1 && packs.every((f) => /^i18n\/[0-9a-f]{12}\/[a-z]{2}\.json$/.test(f) && !f.endsWith('/en.json'));
console.log(`  ${ok ? 'ok  ' : 'FAIL'}  npm package ${pack.name}@${pack.version}: ${files.join(', ')} (${pack.size} bytes packed)`);
process.exit(ok ? 0 : 1);
