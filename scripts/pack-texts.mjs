// Builds the language packs the widget fetches (scripts/trunk-post-build.sh):
// src/i18n/<lang>.json, texts by name, becomes i18n/<hash>/<lang>.json, a
// JSON array read by position: the language's tag, then one template per
// slot of `loyalty_core::i18n::slots` ("" where the pack has none). The
// slots are every key in the order of the Rust `Key` (a plural family's
// `other` form in its slot), then the zero, one, two, few and many forms of
// each plural family; this script reads that order from
// crates/core/src/i18n.rs, and crates/core/tests/packs.rs runs it to keep
// the two in step. One hash, of all the packs, names their folder: the
// loader carries it instead of a name per language. English is built in.
//
//   node scripts/pack-texts.mjs <src-dir> <out-dir>   writes the packs, prints the hash
//   node scripts/pack-texts.mjs --built <pack.json>   prints one pack as built
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

const FORMS = ['zero', 'one', 'two', 'few', 'many'];

// [name, form] of every slot, from the `texts!` table and `ENGLISH_ONE`.
export const slots = (rust) => {
  const table = rust.match(/^texts! \{\n([\s\S]*?)\n\}/m);
  const english = rust.match(/^const ENGLISH_ONE[^=]*= \[([\s\S]*?)\];/m);
  if (!table || !english) throw new Error('crates/core/src/i18n.rs: no texts! table or ENGLISH_ONE');
  const names = new Map([...table[1].matchAll(/^ {4}([A-Z]\w*) "([a-z-]+)"/gm)].map((m) => [m[1], m[2]]));
  const plural = [...english[1].matchAll(/Key::(\w+)/g)].map((m) => names.get(m[1]));
  return [
    ...[...names.values()].map((name) => [name, plural.includes(name) ? 'other' : null]),
    ...plural.flatMap((name) => FORMS.map((form) => [name, form])),
  ];
};

// One source pack ({lang, texts}) as built.
export const built = (pack, order) => [pack.lang, ...order.map(([name, form]) => {
  const value = pack.texts[name];
  const text = form && value && typeof value === 'object' ? value[form] : value;
  return typeof text === 'string' && (form === null || form === 'other' || typeof value === 'object') ? text : '';
})];

const order = () => slots(readFileSync(new URL('../crates/core/src/i18n.rs', import.meta.url), 'utf8'));

if (process.argv[2] === '--built') {
  process.stdout.write(JSON.stringify(built(JSON.parse(readFileSync(process.argv[3], 'utf8')), order())));
} else if (process.argv.length === 4) {
  const [src, out] = process.argv.slice(2);
  const slotList = order();
  const packs = readdirSync(src).filter((f) => f.endsWith('.json') && f !== 'en.json').sort()
    .map((file) => [file.slice(0, -5), JSON.stringify(built(JSON.parse(readFileSync(`${src}/${file}`, 'utf8')), slotList))]);
  const hash = createHash('sha256');
  for (const [lang, text] of packs) hash.update(`${lang}\n${text}\n`);
  const name = hash.digest('hex').slice(0, 12);
  mkdirSync(`${out}/${name}`, { recursive: true });
  for (const [lang, text] of packs) writeFileSync(`${out}/${name}/${lang}.json`, text);
  process.stdout.write(name);
}
