//! The widget's languages and texts.
//!
//! Every text has a [`Key`] whose `as_str()` name is what a shop owner uses to
//! override it and what a language pack (`src/i18n/<lang>.json`) names it.
//! English is built in, as the last fallback; every other language comes
//! from its pack, which the loader fetches beside the WebAssembly. Templates
//! hold `{name}` placeholders filled by [`fill`]; numbers, money and dates
//! arrive already formatted by the browser's `Intl`, and the plural category
//! of a count comes from `Intl.PluralRules` (see [`Plural`]).

use crate::lenient::Lenient;
use serde::Deserialize;
use std::collections::BTreeMap;

macro_rules! langs {
    ($($lang:ident $tag:literal $dir:literal,)*) => {
        /// Interface language: one with a language pack.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub enum Lang {
            /// English, built in (the default and the last fallback).
            #[default]
            $(#[doc = $tag] $lang,)*
        }

        /// Tag and writing direction of every language, in the order of [`Lang`].
        const LANGS: &[(&str, &str)] = &[$(($tag, $dir),)*];

        impl Lang {
            /// Every language with a pack.
            pub const ALL: &'static [Lang] = &[$(Lang::$lang,)*];
        }
    };
}

langs! {
    En "en" "ltr",
    De "de" "ltr",
    Fr "fr" "ltr",
    It "it" "ltr",
    Es "es" "ltr",
    Nl "nl" "ltr",
    Pl "pl" "ltr",
    Pt "pt" "ltr",
    Sv "sv" "ltr",
    Da "da" "ltr",
    Fi "fi" "ltr",
    Nb "nb" "ltr",
    Cs "cs" "ltr",
    Ar "ar" "rtl",
    He "he" "rtl",
}

impl Lang {
    /// The language of a BCP 47 tag such as `de-AT` or `pt_BR`, by its
    /// primary subtag; `nb`, `nn` and `no` are all Norwegian Bokmål.
    /// `None` for a language without a pack.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        let primary = primary.to_ascii_lowercase();
        let primary = match primary.as_str() {
            "nn" | "no" => "nb",
            other => other,
        };
        LANGS
            .iter()
            .position(|(tag, _)| *tag == primary)
            .map(|index| Lang::ALL[index])
    }

    /// The tag handed to `Intl`, set as `lang` on the widget and naming the
    /// pack (`fr` for `src/i18n/fr.json`).
    pub fn tag(self) -> &'static str {
        LANGS[self as usize].0
    }

    /// The locale numbers, money and dates are formatted in: the full tag
    /// the shop gave (`de-CH`, `pt-BR`, `nl-BE`), when it is a well-formed
    /// `language[-Script][-REGION]` tag of this language, else this
    /// language's own tag. Texts come from the language alone.
    pub fn locale(self, tag: Option<&str>) -> String {
        tag.map(str::trim)
            .filter(|tag| well_formed_locale(tag) && Lang::from_tag(tag) == Some(self))
            .map_or_else(|| self.tag().to_owned(), |tag| tag.replace('_', "-"))
    }

    /// The writing direction of this language (`rtl` for Arabic and
    /// Hebrew), which the widget sets on itself so that the shop's page
    /// does not turn it around.
    pub fn dir(self) -> &'static str {
        LANGS[self as usize].1
    }
}

/// The language a widget speaks, as [`negotiate`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The language of the texts.
    pub lang: Lang,
    /// The locale of numbers, money and dates (see [`Lang::locale`]).
    pub locale: String,
    /// The tag the shop asked for (attribute or page) when no pack exists
    /// for it: the widget says once that it uses [`Negotiated::lang`] instead.
    pub unavailable: Option<String>,
}

/// Picks the language: the embed's `lang` attribute (or option), else the
/// page's `<html lang>`, else the browser's `navigator.languages` in order.
/// A tag falls back along its chain: `pt-BR` to `pt`, `de-AT` to `de`,
/// `nn` and `no` to `nb`, and anything without a pack to English. Blank
/// tags count as absent. The loader carries a JavaScript twin of this
/// (`loader/negotiate.js`); `crates/core/tests/negotiation.json` is the
/// table both are tested against.
pub fn negotiate(attribute: Option<&str>, page: Option<&str>, browser: &[String]) -> Negotiated {
    fn given(tag: Option<&str>) -> Option<&str> {
        tag.map(str::trim).filter(|tag| !tag.is_empty())
    }
    let shop = given(attribute).or_else(|| given(page));
    let asked: Vec<&str> = match shop {
        Some(tag) => vec![tag],
        None => browser.iter().filter_map(|tag| given(Some(tag))).collect(),
    };
    let explicit = shop.is_some();
    for tag in &asked {
        if let Some(lang) = Lang::from_tag(tag) {
            return Negotiated {
                lang,
                locale: lang.locale(Some(tag)),
                unavailable: None,
            };
        }
    }
    Negotiated {
        lang: Lang::En,
        locale: Lang::En.tag().to_owned(),
        unavailable: asked
            .first()
            .filter(|_| explicit)
            .map(|tag| (*tag).to_owned()),
    }
}

/// `language[-Script][-REGION]`: 2-3 letters, then optionally 4 letters,
/// then optionally 2 letters or 3 digits (what `Intl` always accepts).
fn well_formed_locale(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let mut rest: Vec<&str> = parts.collect();
    if rest
        .first()
        .is_some_and(|script| script.len() == 4 && script.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        rest.remove(0);
    }
    match rest.as_slice() {
        [] => true,
        [region] => {
            (region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic()))
                || (region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// A CLDR plural category, as `Intl.PluralRules.select` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    /// `zero` (Arabic 0).
    Zero,
    /// `one`.
    One,
    /// `two` (Arabic, Hebrew).
    Two,
    /// `few` (Polish 2-4, Czech 2-4, Arabic 3-10).
    Few,
    /// `many` (Polish 5+, Czech fractions, Arabic 11-99, French millions).
    Many,
    /// `other`: every language has it.
    Other,
}

const PLURALS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

impl Plural {
    /// The category `Intl` names `name`; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Plural> {
        let all = [
            Plural::Zero,
            Plural::One,
            Plural::Two,
            Plural::Few,
            Plural::Many,
            Plural::Other,
        ];
        PLURALS.iter().position(|p| *p == name).map(|i| all[i])
    }

    /// The English rule, for the built-in texts: `one` for 1, else `other`.
    pub fn english(count: u64) -> Plural {
        if count == 1 {
            Plural::One
        } else {
            Plural::Other
        }
    }
}

macro_rules! texts {
    ($($key:ident $name:literal $en:literal)*) => {
        /// A text of the widget.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $(#[doc = $en] $key,)*
        }

        /// Override name and English text of every key, in the order of
        /// [`Key`]: one table the lookups index, which is smaller
        /// WebAssembly than a `match` with an arm per text.
        const TABLE: &[[&str; 2]] = &[$([$name, $en],)*];

        impl Key {
            /// Every key, for overrides and completeness checks.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The override name of this text, e.g. `points-title`.
            pub fn as_str(self) -> &'static str {
                TABLE[self as usize][0]
            }

            /// The built-in English text (of a plural family: its `other`
            /// form; see [`Key::english`]).
            pub fn text(self) -> &'static str {
                TABLE[self as usize][1]
            }
        }
    };
}

// The first five are the loader's own texts too (loader/loyalty-widget.js
// reads them from a built pack by position: keep them first, in this order).
texts! {
    Title "title" "Rewards"
    Loading "loading" "Loading your rewards…"
    ErrorConfig "error-config" "Rewards are not available right now."
    Close "close" "Close"
    Gift "gift" "A gift for you"
    PointsTitle "points-title" "Your points"
    Points "points" "{n} points"
    PendingPoints "pending-points" "{points} pending"
    PointsWorth "points-worth" "Worth {money}"
    Greeting "greeting" "Hi {name}!"
    GuestPitch "guest-pitch" "Sign in to see your points and rewards."
    SignIn "sign-in" "Sign in"
    InvitedBy "invited-by" "{name} invited you to {club}."
    Invited "invited" "You have been invited to {club}."
    InviteGift "invite-gift" "Your gift on your first order: {gift}"
    Join "join" "Join now"
    StaleNotice "stale-notice"
        "Showing your last known balance; we'll update it once the connection is back."
    ExpiringSoon "expiring-soon" "{points} expire on {date}"
    EarnTitle "earn-title" "Ways to earn"
    TierTitle "tier-title" "Your tier"
    TierCurrent "tier-current" "You are {tier}"
    TierNeeded "tier-needed" "{points} to {tier}"
    TierTop "tier-top" "You have reached the top tier."
    TierProgressLabel "tier-progress-label" "Progress to {tier}"
    TierPerks "tier-perks" "Your perks"
    TierNextPerks "tier-next-perks" "With {tier}"
    TierAll "tier-all" "All tiers"
    TierFrom "tier-from" "from {points}"
    RewardsTitle "rewards-title" "Rewards"
    RewardsEmpty "rewards-empty" "No rewards yet."
    RewardCost "reward-cost" "{points}"
    RewardMissing "reward-missing" "{points} more needed"
    RewardTierLocked "reward-tier-locked" "From tier {tier}"
    Redeem "redeem" "Redeem"
    RedeemReward "redeem-reward" "Redeem {reward}"
    RedeemConfirm "redeem-confirm" "Redeem {points} for “{reward}”?"
    RedeemYes "redeem-yes" "Yes, redeem"
    Cancel "cancel" "Cancel"
    RedeemPending "redeem-pending" "Redeeming…"
    RedeemDone "redeem-done" "Redeemed! Your code for “{reward}”:"
    CouponExpires "coupon-expires" "Valid until {date}"
    RedeemFailedPoints "redeem-failed-points" "You don't have enough points for this reward."
    RedeemFailedTier "redeem-failed-tier" "This reward needs a higher tier."
    RedeemFailedGone "redeem-failed-gone" "This reward is no longer available."
    RedeemUnconfirmed "redeem-unconfirmed"
        "We could not confirm this redemption yet. If points were taken, your code appears here as soon as the rewards service answers."
    RedeemFailed "redeem-failed" "Redeeming did not work. No points were taken; please try again."
    RedeemIssuing "redeem-issuing"
        "Your reward is being issued. It will appear under “Your rewards” in a few minutes; your points are reserved for it."
    RedeemNotIssued "redeem-not-issued"
        "This reward could not be issued right now. Your points are back."
    ApplyCode "apply-code" "Apply to cart"
    ApplyCodeLabel "apply-code-label" "Apply to cart: code {code}"
    MineTitle "mine-title" "Your rewards"
    MineShow "mine-show" "Show your rewards"
    MineHide "mine-hide" "Hide your rewards"
    MineMore "mine-more" "Show more rewards"
    MineEmpty "mine-empty" "You haven't redeemed any rewards yet."
    MineRedeemed "mine-redeemed" "Redeemed on {date} for {points}"
    MineActive "mine-active" "Ready to use"
    MineUsed "mine-used" "Used"
    MineUsedOn "mine-used-on" "Used on order {order}"
    MineExpired "mine-expired" "Expired"
    MineIssuing "mine-issuing" "Being issued"
    MineReleased "mine-released" "Not issued, points back"
    HistoryCode "history-code" "Code {code}"
    Copy "copy" "Copy"
    CopyCode "copy-code" "Copy code {code}"
    CopyLink "copy-link" "Copy your link"
    Copied "copied" "Copied"
    CopyFailed "copy-failed" "Copy failed; select the text instead."
    ReferralTitle "referral-title" "Refer a friend"
    ReferralLink "referral-link" "Your link"
    ReferralCode "referral-code" "Your code"
    ReferralShare "referral-share" "Share"
    ReferralEmail "referral-email" "E-mail"
    ReferralMessenger "referral-messenger" "WhatsApp"
    ReferralMessage "referral-message" "Have a look at this shop: {url}"
    FriendsNone "friends-none" "No friends have joined yet."
    Friends "friends" "{n} friends have joined."
    ClubTitle "club-title" "Members' club"
    ClubMember "club-member" "You are a club member since {date}."
    ClubPitch "club-pitch" "Join the club for early access and members-only offers."
    ClubConsent "club-consent"
        "I want to join the members' club and receive its offers. I can leave at any time."
    ClubJoin "club-join" "Join the club"
    ClubJoining "club-joining" "Joining…"
    ClubJoined "club-joined" "Welcome to the club! {points} added."
    ClubJoinUnconfirmed "club-join-unconfirmed"
        "We could not confirm that you joined yet. Trying again is safe: you join only once."
    ClubJoinFailed "club-join-failed" "Joining did not work; please try again."
    ClubConsentNeeded "club-consent-needed" "Please tick the box to agree first."
    OffersTitle "offers-title" "Members' offers"
    OffersEmpty "offers-empty" "No offers right now."
    OfferUntil "offer-until" "Until {date}"
    OfferOpen "offer-open" "Learn more"
    OfferLockedMembers "offer-locked-members" "Locked: for club members"
    OfferLockedTier "offer-locked-tier" "Locked: from tier {tier}"
    OfferLocked "offer-locked" "Locked"
    HistoryTitle "history-title" "History"
    HistoryShow "history-show" "Show history"
    HistoryHide "history-hide" "Hide history"
    HistoryMore "history-more" "Show more"
    HistoryEmpty "history-empty" "No activity yet."
    HistoryPending "history-pending" "pending"
    HistoryVoid "history-void" "cancelled"
    Retry "retry" "Try again"
    ErrorPartial "error-partial" "Some of your rewards can't be shown right now."
    ErrorNetwork "error-network" "We can't reach the rewards service right now."
    ErrorServer "error-server" "The rewards service had a problem."
    ErrorData "error-data" "The rewards service sent data we can't show."
    ErrorAuth "error-auth" "Please sign in again to see your rewards."
    ErrorRateLimited "error-rate-limited" "Too many requests. Please wait a moment."
}

/// The English `one` forms of the plural families (their `other` forms are
/// in the table).
const ENGLISH_ONE: [(Key, &str); 2] = [
    (Key::Points, "{n} point"),
    (Key::Friends, "{n} friend has joined."),
];

/// Override names of the plural forms before packs had plural families,
/// still accepted in a shop's `texts`.
const LEGACY: [(&str, Key, Plural); 4] = [
    ("points-one", Key::Points, Plural::One),
    ("points-other", Key::Points, Plural::Other),
    ("friends-one", Key::Friends, Plural::One),
    ("friends-other", Key::Friends, Plural::Other),
];

impl Key {
    /// Whether this text comes in plural forms (`points`, `friends`).
    pub fn is_plural(self) -> bool {
        ENGLISH_ONE.iter().any(|(key, _)| *key == self)
    }

    /// The built-in English text, in the plural form `form` where it has forms.
    pub fn english(self, form: Option<Plural>) -> &'static str {
        let one = ENGLISH_ONE.iter().find(|(key, _)| *key == self);
        match (form, one) {
            (Some(Plural::One), Some((_, one))) => one,
            _ => self.text(),
        }
    }
}

/// One text of a pack or of a shop's overrides: a key, the plural form it
/// is for (`None`: every form), and the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Which text.
    pub key: Key,
    /// The plural form, for `points` and `friends`.
    pub form: Option<Plural>,
    /// The template.
    pub template: String,
}

/// A value in a pack's or a shop's `texts`: a template, or an object of
/// plural forms (or, in a shop's `texts`, a language's own texts).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Node {
    /// A template.
    Text(String),
    /// Plural forms by CLDR category, or a language's texts by name.
    Map(BTreeMap<String, Lenient<Node>>),
}

/// A language pack, `src/i18n/<lang>.json`, as the loader hands it over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Pack {
    /// The pack's language tag (`fr`).
    #[serde(default)]
    pub lang: String,
    /// Its texts by override name.
    #[serde(default)]
    pub texts: BTreeMap<String, Lenient<Node>>,
}

impl Pack {
    /// The texts of this pack, and what in it cannot be used.
    pub fn read(&self) -> (Vec<Text>, Vec<String>) {
        let (mut texts, mut warnings) = (Vec::new(), Vec::new());
        read_texts(&self.texts, None, &mut texts, &mut warnings);
        (texts, warnings)
    }
}

/// The plural forms a built pack has slots for after the keys (`other` is
/// in the key's own slot).
const EXTRA_FORMS: [Plural; 5] = [
    Plural::Zero,
    Plural::One,
    Plural::Two,
    Plural::Few,
    Plural::Many,
];

/// What each slot of a built pack holds, in order: every [`Key`] in the
/// order of [`Key::ALL`] (a plural family's `other` form in its slot), then
/// the zero, one, two, few and many forms of each plural family (`points`,
/// then `friends`). The build (scripts/pack-texts.mjs) reads the same order
/// from this file; crates/core/tests/packs.rs keeps the two in step.
pub fn slots() -> impl Iterator<Item = (Key, Option<Plural>)> {
    let keys = Key::ALL
        .iter()
        .map(|key| (*key, key.is_plural().then_some(Plural::Other)));
    let forms = ENGLISH_ONE
        .iter()
        .flat_map(|(key, _)| EXTRA_FORMS.iter().map(move |form| (*key, Some(*form))));
    keys.chain(forms)
}

/// A language pack as the build ships it and the loader hands it over
/// (`i18n/<hash>/<lang>.json`): a JSON array, the language's tag first,
/// then a template per [slot](slots), `""` where the pack has none. No
/// names: the widget reads it by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Built {
    /// The pack's language tag (`fr`).
    pub lang: String,
    /// Its texts.
    pub texts: Vec<Text>,
}

impl Built {
    /// Reads a built pack's items (`None`: not a string). `None` when the
    /// first item is not a language tag; empty, non-string and overlong
    /// templates are left out (English stands in for them).
    pub fn from_items(items: impl IntoIterator<Item = Option<String>>) -> Option<Built> {
        let mut items = items.into_iter();
        let lang = items
            .next()
            .flatten()
            .filter(|tag| Lang::from_tag(tag).is_some())?;
        let texts = slots()
            .zip(items)
            .filter_map(|((key, form), template)| {
                let template =
                    template.filter(|t| !t.is_empty() && t.chars().count() <= MAX_TEXT)?;
                Some(Text {
                    key,
                    form,
                    template,
                })
            })
            .collect();
        Some(Built { lang, texts })
    }
}

/// Longest text accepted from a shop's overrides or a pack, in characters.
pub const MAX_TEXT: usize = 500;

/// Reads texts by name (a pack's, or a shop's `texts` object) into
/// `found`. In a shop's `texts` (`lang` given), a key that is a language
/// tag holds that language's own texts: `{"fr": {"title": "…"}}` applies in
/// French only, and comes before the texts for every language. Whatever
/// cannot be used becomes a warning.
pub fn read_texts(
    entries: &BTreeMap<String, Lenient<Node>>,
    lang: Option<Lang>,
    found: &mut Vec<Text>,
    warnings: &mut Vec<String>,
) {
    let mut mine = Vec::new();
    for (name, node) in entries {
        let key = Key::ALL.iter().copied().find(|key| key.as_str() == name);
        let target = key.map(|key| (key, None)).or_else(|| {
            LEGACY
                .iter()
                .find(|(old, _, _)| old == name)
                .map(|(_, key, form)| (*key, Some(*form)))
        });
        match (target, &node.0) {
            (Some((key, form)), Some(Node::Text(text))) if text.chars().count() <= MAX_TEXT => {
                found.push(Text {
                    key,
                    form,
                    template: text.clone(),
                });
            }
            (Some((key, None)), Some(Node::Map(forms))) if key.is_plural() => {
                for (category, text) in forms {
                    match (Plural::from_name(category), &text.0) {
                        (Some(form), Some(Node::Text(text))) if text.chars().count() <= MAX_TEXT => {
                            found.push(Text {
                                key,
                                form: Some(form),
                                template: text.clone(),
                            });
                        }
                        _ => warnings.push(format!(
                            "\"texts\": {name:?}.{category:?} must be a plural form (zero, one, two, few, many, other) of at most {MAX_TEXT} characters; ignored"
                        )),
                    }
                }
            }
            (Some(_), _) => warnings.push(format!(
                "\"texts\": {name:?} must be a string of at most {MAX_TEXT} characters; ignored"
            )),
            (None, Some(Node::Map(texts))) if lang.is_some() && Lang::from_tag(name).is_some() => {
                if Lang::from_tag(name) == lang {
                    read_texts(texts, None, &mut mine, warnings);
                }
            }
            (None, _) => warnings.push(format!("\"texts\": no text is called {name:?}; ignored")),
        }
    }
    // A language's own texts come first: they win over the general ones.
    found.splice(0..0, mine);
}

/// The texts of one widget: the shop's overrides, then the pack, then
/// English built in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The shop's overrides, for this language first.
    pub overrides: Vec<Text>,
    /// The pack of the widget's language (empty for English).
    pub pack: Vec<Text>,
}

impl Catalog {
    /// The template for a text, in plural form `form` where it has forms:
    /// from the first layer that has the text (overrides, pack), its exact
    /// form, else its `other` form, else its text for every form; English
    /// if no layer has it.
    pub fn get(&self, key: Key, form: Option<Plural>) -> &str {
        for layer in [&self.overrides, &self.pack] {
            let wanted = [form, Some(Plural::Other), None];
            for want in wanted.iter().take(if form.is_some() { 3 } else { 1 }) {
                if let Some(text) = layer.iter().find(|t| t.key == key && t.form == *want) {
                    return &text.template;
                }
            }
        }
        key.english(form)
    }
}

/// Replaces each `{name}` in a template with its value. Unknown placeholders
/// stay as they are; values are inserted literally (they are text, never
/// markup), and a value containing `{x}` is not expanded again.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_locales_format_while_texts_follow_the_language() {
        assert_eq!(Lang::De.locale(Some("de-CH")), "de-CH");
        assert_eq!(Lang::De.locale(Some("de_AT")), "de-AT");
        assert_eq!(Lang::En.locale(Some("en-GB")), "en-GB");
        assert_eq!(Lang::En.locale(Some("en-Latn-US")), "en-Latn-US");
        assert_eq!(Lang::Pt.locale(Some("pt-BR")), "pt-BR");
        assert_eq!(Lang::Nb.locale(Some("no-NO")), "no-NO");
        assert_eq!(Lang::De.locale(Some("de")), "de");
        // Another language, or a tag Intl might refuse: the language's own.
        for tag in [
            "fr-FR",
            "en-GB",
            "de-",
            "de-X",
            "de-CH-1996-x",
            "d3-CH",
            "de-12",
            "",
        ] {
            assert_eq!(Lang::De.locale(Some(tag)), "de", "{tag:?}");
        }
        assert_eq!(Lang::En.locale(None), "en");
    }

    #[test]
    fn every_text_has_english_and_a_name() {
        for key in Key::ALL {
            assert!(!key.text().is_empty(), "{key:?}");
            assert!(!key.as_str().is_empty(), "{key:?}");
        }
        assert_eq!(Key::Points.english(Some(Plural::One)), "{n} point");
        assert_eq!(Key::Points.english(Some(Plural::Few)), "{n} points");
        assert_eq!(Key::Title.english(Some(Plural::One)), "Rewards");
    }

    #[test]
    fn each_key_reads_its_own_row() {
        assert_eq!(Key::Title.as_str(), "title");
        assert_eq!(Key::Loading.text(), "Loading your rewards…");
        let last = Key::ALL[Key::ALL.len() - 1];
        assert_eq!(last, Key::ErrorRateLimited);
        assert_eq!(last.as_str(), "error-rate-limited");
    }

    #[test]
    fn the_loaders_texts_come_first() {
        // loader/loyalty-widget.js reads these from a built pack by position.
        assert_eq!(
            Key::ALL[..5],
            [
                Key::Title,
                Key::Loading,
                Key::ErrorConfig,
                Key::Close,
                Key::Gift
            ]
        );
    }

    #[test]
    fn a_built_pack_reads_by_position() {
        let some = |s: &str| Some(s.to_owned());
        let mut items = vec![some("pl"), some("Nagrody"), some(""), None];
        let points = slots().position(|slot| slot == (Key::Points, Some(Plural::Few)));
        items.resize(points.map_or(0, |i| i + 2), some(""));
        if let Some(i) = points {
            items[i + 1] = some("{n} punkty");
        }
        let built = Built::from_items(items).unwrap_or_default();
        assert_eq!(built.lang, "pl");
        let catalog = Catalog {
            overrides: Vec::new(),
            pack: built.texts,
        };
        assert_eq!(catalog.get(Key::Title, None), "Nagrody");
        assert_eq!(catalog.get(Key::Loading, None), Key::Loading.text());
        assert_eq!(catalog.get(Key::Points, Some(Plural::Few)), "{n} punkty");
        assert_eq!(catalog.get(Key::Points, Some(Plural::One)), "{n} point");
        assert_eq!(Built::from_items([some("xx"), some("a")]), None);
        assert_eq!(Built::from_items([None]), None);
        assert_eq!(slots().count(), Key::ALL.len() + 10);
    }

    #[test]
    fn override_names_are_unique() {
        let mut names: Vec<_> = Key::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Key::ALL.len());
    }

    #[test]
    fn fill_inserts_values_once_and_keeps_unknown_placeholders() {
        assert_eq!(fill("Hi {name}!", &[("name", "{name}")]), "Hi {name}!");
        assert_eq!(fill("{a} {b}", &[("a", "1")]), "1 {b}");
        assert_eq!(fill("{open", &[("open", "x")]), "{open");
        assert_eq!(
            fill("Im Wert von {money}", &[("money", "12,50 €")]),
            "Im Wert von 12,50 €"
        );
    }

    #[test]
    fn language_tags_follow_their_chain() {
        assert_eq!(Lang::from_tag("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag("de_CH"), Some(Lang::De));
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        for norwegian in ["nb", "nn", "no", "nb-NO", "nn-NO", "no-NO"] {
            assert_eq!(Lang::from_tag(norwegian), Some(Lang::Nb), "{norwegian}");
        }
        assert_eq!(Lang::from_tag("ja"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::He.dir(), "rtl");
        assert_eq!(Lang::Fr.dir(), "ltr");
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(*lang));
        }
    }

    fn entries(json: &str) -> BTreeMap<String, Lenient<Node>> {
        serde_json::from_str(json).expect("json")
    }

    #[test]
    fn overrides_apply_per_language_before_the_general_ones() {
        let raw = entries(
            r#"{"title": "Club", "fr": {"title": "Le club", "points": {"one": "{n} grain", "other": "{n} grains"}},
                "de": {"title": "Der Club"}, "points-other": "{n} beans", "nope": "x", "ja": {"title": "x"}}"#,
        );
        let mut found = Vec::new();
        let mut warnings = Vec::new();
        read_texts(&raw, Some(Lang::Fr), &mut found, &mut warnings);
        let catalog = Catalog {
            overrides: found,
            pack: Vec::new(),
        };
        assert_eq!(catalog.get(Key::Title, None), "Le club");
        assert_eq!(catalog.get(Key::Points, Some(Plural::One)), "{n} grain");
        assert_eq!(catalog.get(Key::Points, Some(Plural::Many)), "{n} grains");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // In German: the general override and the legacy plural name.
        let (mut found, mut warnings) = (Vec::new(), Vec::new());
        read_texts(&raw, Some(Lang::De), &mut found, &mut warnings);
        let catalog = Catalog {
            overrides: found,
            pack: Vec::new(),
        };
        assert_eq!(catalog.get(Key::Title, None), "Der Club");
        assert_eq!(catalog.get(Key::Points, Some(Plural::Other)), "{n} beans");
        assert_eq!(catalog.get(Key::Points, Some(Plural::One)), "{n} beans");
        assert_eq!(catalog.get(Key::Loading, None), Key::Loading.text());
    }

    #[test]
    fn a_pack_gives_its_forms_and_falls_back_to_other_then_english() {
        let raw = entries(
            r#"{"points": {"one": "{n} punkt", "few": "{n} punkty", "many": "{n} punktów", "other": "{n} punktu", "lots": "x"},
                "title": "Nagrody", "loading": 5}"#,
        );
        let (mut pack, mut warnings) = (Vec::new(), Vec::new());
        read_texts(&raw, None, &mut pack, &mut warnings);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let catalog = Catalog {
            overrides: Vec::new(),
            pack,
        };
        assert_eq!(catalog.get(Key::Points, Some(Plural::Few)), "{n} punkty");
        assert_eq!(catalog.get(Key::Points, Some(Plural::Two)), "{n} punktu");
        assert_eq!(catalog.get(Key::Title, None), "Nagrody");
        assert_eq!(catalog.get(Key::Loading, None), "Loading your rewards…");
        assert_eq!(
            catalog.get(Key::Friends, Some(Plural::One)),
            "{n} friend has joined."
        );
    }

    #[test]
    fn plural_categories_by_name() {
        for name in PLURALS {
            assert_eq!(
                Plural::from_name(name).map(|p| PLURALS[p as usize]),
                Some(name)
            );
        }
        assert_eq!(Plural::from_name("several"), None);
        assert_eq!(Plural::english(1), Plural::One);
        assert_eq!(Plural::english(0), Plural::Other);
    }
}
