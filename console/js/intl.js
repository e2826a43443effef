// The browser's Intl for the console's figures (src/format.rs): money in the
// shop's currency, plain numbers and percentages in the console's language.
// A value Intl refuses (an unknown currency code) falls back to a plain
// number with the code after it, so a figure is never lost.

export function formatMoney(minor, currency, fractionDigits, lang) {
  const major = minor / 10 ** fractionDigits;
  try {
    return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(major);
  } catch {
    return `${new Intl.NumberFormat(lang).format(major)} ${currency}`;
  }
}

export function formatNumber(value, lang) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
}

export function formatPercent(fraction, lang, signed) {
  return new Intl.NumberFormat(lang, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(fraction);
}

// The CLDR plural category of a count in the console's language ("one",
// "few", ...), for the texts with plural forms (src/i18n.rs `P`).
export function pluralCategory(value, lang) {
  try {
    return new Intl.PluralRules(lang).select(value);
  } catch {
    return 'other';
  }
}
