// The npm package (dist/npm, from scripts/build.sh) holds what a bundler
// needs: the loader as an ES module (with loader/negotiate.js beside it),
// its types, the glue, the wasm and a pack per language but English
// (i18n/<hash>/<lang>.json, one hash for them all); and its TypeScript
// declarations type-check the way e2e/types.ts uses them (its three
// mistakes refused).
// Run alone: node --test e2e/npm-package.test.mjs (needs dist/ and node_modules/)
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, needDist } from './lib/fixture.mjs';

test('the npm package holds the loader, its types, the glue, the wasm and one pack per language but English', (t) => {
  needDist('embed');
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: join(ROOT, 'dist/npm'), encoding: 'utf8' }));
  const files = pack.files.map((f) => f.path).sort();
  const want = ['README.md', 'index.d.ts', 'index.js', 'loyalty-widget-wasm.js', 'loyalty-widget-wasm_bg.wasm', 'negotiate.js', 'package.json'];
  const packs = files.filter((f) => f.startsWith('i18n/'));
  const hashes = new Set(packs.map((f) => f.split('/')[1]));
  const ok = JSON.stringify(files.filter((f) => !f.startsWith('i18n/'))) === JSON.stringify(want)
    && packs.length === 14 && hashes.size === 1 && packs.every((f) => /^i18n\/[0-9a-f]{12}\/[a-z]{2}\.json$/.test(f) && !f.endsWith('/en.json'));
  t.diagnostic(`npm package ${pack.name}@${pack.version}: ${files.join(', ')} (${pack.size} bytes packed)`);
  if (!ok) throw new Error(`npm package ${pack.name}@${pack.version} holds: ${files.join(', ')}`);
});

test('TypeScript declarations: e2e/types.ts type-checks (and its three mistakes are refused)', () => {
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const run = spawnSync(tsc, ['--noEmit', '--strict', '--target', 'es2020', '--lib', 'dom,es2020', '--module', 'esnext',
    '--moduleResolution', 'bundler', 'e2e/types.ts'], { cwd: ROOT, encoding: 'utf8' });
  if (run.error) throw new Error(`${tsc}: ${run.error.message} (run \`bash scripts/setup.sh\`)`);
  if (run.status !== 0) throw new Error(`tsc failed (${run.status}):\n${run.stdout}${run.stderr}`);
});
