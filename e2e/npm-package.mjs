// The npm package (dist/npm, from scripts/build.sh) holds what a bundler
// needs: the loader as an ES module, its types, the glue and the wasm.
// Usage: node e2e/npm-package.mjs
import { execFileSync } from 'node:child_process';

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: 'dist/npm', encoding: 'utf8' }));
const files = pack.files.map((f) => f.path).sort();
const want = ['README.md', 'index.d.ts', 'index.js', 'loyalty-widget-wasm.js', 'loyalty-widget-wasm_bg.wasm', 'package.json'];
const ok = JSON.stringify(files) === JSON.stringify(want);
console.log(`  ${ok ? 'ok  ' : 'FAIL'}  npm package ${pack.name}@${pack.version}: ${files.join(', ')} (${pack.size} bytes packed)`);
process.exit(ok ? 0 : 1);
