// The loader's twin of loyalty_core::i18n::negotiate (crates/core/src/i18n.rs):
// the loader must know the language before the WebAssembly exists, to fetch
// its pack beside it. Both are tested against crates/core/tests/negotiation.json
// (cargo test -p loyalty-core; node --test e2e/i18n-packs.test.mjs).

// The languages with a pack, in the order of the Rust `Lang`.
export const LANGS = ['en', 'de', 'fr', 'it', 'es', 'nl', 'pl', 'pt', 'sv', 'da', 'fi', 'nb', 'cs', 'ar', 'he'];
export const RTL = ['ar', 'he'];

// A tag's language by its primary subtag (nb, nn and no are all nb), or null.
export const langOfTag = (tag) => {
  let primary = tag.trim().split(/[-_]/)[0].toLowerCase();
  if (primary === 'nn' || primary === 'no') primary = 'nb';
  return LANGS.includes(primary) ? primary : null;
};

// language[-Script][-REGION], as Intl always accepts it.
const WELL_FORMED = /^[a-z]{2,3}(?:[-_][a-z]{4})?(?:[-_](?:[a-z]{2}|\d{3}))?$/i;

// The embed's lang, else the page's, else the browser's languages in order;
// each along its chain to its language, and English last. `unavailable` is
// the tag the shop asked for that has no pack.
export const negotiate = (attribute, page, browser) => {
  const given = (tag) => (typeof tag === 'string' && tag.trim() ? tag.trim() : null);
  const shop = given(attribute) || given(page);
  const asked = shop ? [shop] : Array.from(browser || [], given).filter(Boolean);
  for (const tag of asked) {
    const lang = langOfTag(tag);
    if (lang) return { lang, locale: WELL_FORMED.test(tag) ? tag.replace(/_/g, '-') : lang, unavailable: null };
  }
  return { lang: 'en', locale: 'en', unavailable: shop };
};
