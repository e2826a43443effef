// The language packs (src/i18n/<lang>.json) against English and the
// browser's CLDR data: every pack has every key of en.json, every
// placeholder of the English text, and exactly the plural categories its
// language needs (`Intl.PluralRules(lang).resolvedOptions().pluralCategories`);
// and the loader's language negotiation (loader/negotiate.js) agrees with
// the widget's Rust on crates/core/tests/negotiation.json. Runs in node, and
// in Chromium and Firefox (the same checks, their Intl), with the plural
// cases of Polish, Czech and Arabic.
// Run alone: node --test e2e/i18n-packs.test.mjs (E2E_BROWSERS=chromium for one browser)
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { negotiate, LANGS, RTL } from '../loader/negotiate.js';
import { browsers, launchBrowser } from './lib/fixture.mjs';

const root = new URL('..', import.meta.url);
const packs = {};
for (const file of readdirSync(new URL('src/i18n/', root)).filter((f) => f.endsWith('.json')).sort()) {
  packs[file.slice(0, -5)] = JSON.parse(readFileSync(new URL(`src/i18n/${file}`, root), 'utf8'));
}

// Runs where it is evaluated (node or a page): a list of problems.
function checkPacks(all, rtl) {
  const problems = [];
  const en = all.en.texts;
  const holes = (text) => [...new Set(text.match(/\{[a-z]+\}/g) || [])].sort().join(' ');
  for (const [lang, pack] of Object.entries(all)) {
    const say = (what) => problems.push(`${lang}: ${what}`);
    if (pack.lang !== lang) say(`"lang" is ${pack.lang}`);
    const dir = rtl.includes(lang) ? 'rtl' : 'ltr';
    if (pack.dir !== dir) say(`"dir" is ${pack.dir}, not ${dir}`);
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort().join(' ');
    for (const [key, english] of Object.entries(en)) {
      const text = pack.texts[key];
      if (text === undefined) { say(`no "${key}"`); continue; }
      if (typeof english === 'object') {
        if (typeof text !== 'object' || text === null) { say(`"${key}" must be plural forms`); continue; }
        const forms = Object.keys(text).sort().join(' ');
        if (forms !== needed) say(`"${key}" has forms ${forms}; ${lang} needs ${needed}`);
        for (const [form, template] of Object.entries(text)) {
          if (holes(template) !== holes(english.other)) say(`"${key}.${form}" has placeholders "${holes(template)}", English "${holes(english.other)}"`);
        }
      } else if (typeof text !== 'string' || !text.trim()) {
        say(`"${key}" must be a text`);
      } else if (holes(text) !== holes(english)) {
        say(`"${key}" has placeholders "${holes(text)}", English "${holes(english)}"`);
      }
    }
    for (const key of Object.keys(pack.texts)) if (!(key in en)) say(`"${key}" is not a text of en.json`);
  }
  // The plural cases the widget meets, against this Intl.
  const cases = {
    pl: [[1, 'one'], [2, 'few'], [5, 'many'], [22, 'few'], [25, 'many'], [12, 'many']],
    cs: [[1, 'one'], [3, 'few'], [5, 'other'], [1.5, 'many']],
    ar: [[0, 'zero'], [1, 'one'], [2, 'two'], [3, 'few'], [11, 'many'], [100, 'other']],
    he: [[1, 'one'], [2, 'two'], [3, 'other']],
    fr: [[0, 'one'], [1, 'one'], [2, 'other'], [1000000, 'many']],
  };
  for (const [lang, list] of Object.entries(cases)) {
    const rules = new Intl.PluralRules(lang);
    for (const [n, want] of list) {
      const got = rules.select(n);
      if (got !== want) problems.push(`${lang}: Intl says ${n} is ${got}, expected ${want}`);
      else if (Number.isInteger(n) && !(all[lang].texts.points[got] || '').includes('{n}')) problems.push(`${lang}: no points.${got} with {n}`);
    }
  }
  return problems;
}

const fail = (problems) => {
  if (problems.length) throw new Error(`${problems.length} problems:\n${problems.join('\n')}`);
};
const sorted = (list) => list.slice().sort().join(' ');

test('loader/negotiate.js knows exactly the languages of src/i18n', () => {
  if (sorted(LANGS) !== sorted(Object.keys(packs))) throw new Error(`loader/negotiate.js has ${sorted(LANGS)}, src/i18n has ${sorted(Object.keys(packs))}`);
});

test(`node: ${Object.keys(packs).length} packs, every key, placeholder and plural category`, () => {
  fail(checkPacks(packs, RTL));
});

test('negotiation: loader/negotiate.js agrees with the Rust on every case of crates/core/tests/negotiation.json', (t) => {
  const table = JSON.parse(readFileSync(new URL('crates/core/tests/negotiation.json', root), 'utf8'));
  const wrong = table.cases.flatMap((c) => {
    const got = negotiate(c.attribute, c.page, c.browser);
    const want = { lang: c.lang, locale: c.locale, unavailable: c.unavailable };
    return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${JSON.stringify([c.attribute, c.page, c.browser])}: ${JSON.stringify(got)}, table says ${JSON.stringify(want)}`];
  });
  t.diagnostic(`${table.cases.length} cases`);
  fail(wrong);
});

for (const name of browsers()) {
  test(`${name}: ${Object.keys(packs).length} packs, every key, placeholder and plural category (its Intl)`, { timeout: 120000 }, async () => {
    const browser = await launchBrowser(name);
    try {
      const page = await browser.newPage();
      await page.goto('about:blank');
      fail(await page.evaluate(`(${checkPacks.toString()})(${JSON.stringify(packs)}, ${JSON.stringify(RTL)})`));
    } finally {
      await browser.close();
    }
  });
}
