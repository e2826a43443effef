//! German and English texts.
//!
//! Every text has a [`Key`] whose `as_str()` name is what a shop owner uses to
//! override it. Templates hold `{name}` placeholders filled by [`fill`];
//! numbers, money and dates arrive already formatted by the browser's `Intl`.

/// Interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// German.
    De,
}

impl Lang {
    /// Reads a BCP 47 tag such as `de-AT`; anything not German is English.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Lang::De
        } else {
            Lang::En
        }
    }

    /// The tag handed to `Intl` and set as `lang` on the widget.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The locale numbers, money and dates are formatted in: the full tag
    /// the shop gave (`de-CH`, `de-AT`, `en-GB`), when it is a well-formed
    /// `language[-Script][-REGION]` tag of this language, else this
    /// language's own tag. Texts come from the language alone.
    pub fn locale(self, tag: Option<&str>) -> String {
        tag.map(str::trim)
            .filter(|tag| well_formed_locale(tag) && Lang::from_tag(tag) == self)
            .map_or_else(|| self.tag().to_owned(), |tag| tag.replace('_', "-"))
    }

    /// The writing direction of this language, which the widget sets on
    /// itself so that a right-to-left shop page does not turn it around.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En | Lang::De => "ltr",
        }
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

macro_rules! texts {
    ($($key:ident $name:literal { en: $en:literal, de: $de:literal })*) => {
        /// A text of the widget.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $(#[doc = $en] $key,)*
        }

        /// Override name, English and German text of every key, in the
        /// order of [`Key`]: one table the lookups index, which is smaller
        /// WebAssembly than a `match` with an arm per text.
        const TABLE: &[[&str; 3]] = &[$([$name, $en, $de],)*];

        impl Key {
            /// Every key, for overrides and completeness checks.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The override name of this text, e.g. `points-title`.
            pub fn as_str(self) -> &'static str {
                TABLE[self as usize][0]
            }

            /// The built-in text in a language.
            pub fn text(self, lang: Lang) -> &'static str {
                TABLE[self as usize][1 + lang as usize]
            }
        }
    };
}

texts! {
    Title "title" { en: "Rewards", de: "Prämien" }
    Loading "loading" { en: "Loading your rewards…", de: "Deine Prämien werden geladen …" }
    PointsTitle "points-title" { en: "Your points", de: "Deine Punkte" }
    PointsOne "points-one" { en: "{n} point", de: "{n} Punkt" }
    PointsOther "points-other" { en: "{n} points", de: "{n} Punkte" }
    PendingPoints "pending-points" { en: "{points} pending", de: "{points} ausstehend" }
    PointsWorth "points-worth" { en: "Worth {money}", de: "Im Wert von {money}" }
    Greeting "greeting" { en: "Hi {name}!", de: "Hallo {name}!" }
    GuestPitch "guest-pitch" {
        en: "Sign in to see your points and rewards.",
        de: "Melde dich an, um deine Punkte und Prämien zu sehen."
    }
    SignIn "sign-in" { en: "Sign in", de: "Anmelden" }
    InvitedBy "invited-by" {
        en: "{name} invited you to {club}.",
        de: "{name} lädt dich in den {club} ein."
    }
    Invited "invited" {
        en: "You have been invited to {club}.",
        de: "Du wurdest in den {club} eingeladen."
    }
    InviteGift "invite-gift" {
        en: "Your gift on your first order: {gift}",
        de: "Dein Geschenk zur ersten Bestellung: {gift}"
    }
    Join "join" { en: "Join now", de: "Jetzt mitmachen" }
    StaleNotice "stale-notice" {
        en: "Showing your last known balance; we'll update it once the connection is back.",
        de: "Du siehst deinen zuletzt bekannten Stand; wir aktualisieren ihn, sobald die Verbindung wieder steht."
    }
    ExpiringSoon "expiring-soon" { en: "{points} expire on {date}", de: "{points} verfallen am {date}" }
    EarnTitle "earn-title" { en: "Ways to earn", de: "So sammelst du Punkte" }
    TierTitle "tier-title" { en: "Your tier", de: "Deine Stufe" }
    TierCurrent "tier-current" { en: "You are {tier}", de: "Du bist {tier}" }
    TierNeeded "tier-needed" { en: "{points} to {tier}", de: "Noch {points} bis {tier}" }
    TierTop "tier-top" { en: "You have reached the top tier.", de: "Du hast die höchste Stufe erreicht." }
    TierProgressLabel "tier-progress-label" { en: "Progress to {tier}", de: "Fortschritt bis {tier}" }
    TierPerks "tier-perks" { en: "Your perks", de: "Deine Vorteile" }
    TierNextPerks "tier-next-perks" { en: "With {tier}", de: "Mit {tier}" }
    TierAll "tier-all" { en: "All tiers", de: "Alle Stufen" }
    TierFrom "tier-from" { en: "from {points}", de: "ab {points}" }
    RewardsTitle "rewards-title" { en: "Rewards", de: "Prämien einlösen" }
    RewardsEmpty "rewards-empty" { en: "No rewards yet.", de: "Noch keine Prämien." }
    RewardCost "reward-cost" { en: "{points}", de: "{points}" }
    RewardMissing "reward-missing" { en: "{points} more needed", de: "Noch {points} nötig" }
    RewardTierLocked "reward-tier-locked" { en: "From tier {tier}", de: "Ab Stufe {tier}" }
    Redeem "redeem" { en: "Redeem", de: "Einlösen" }
    RedeemReward "redeem-reward" { en: "Redeem {reward}", de: "Einlösen: {reward}" }
    RedeemConfirm "redeem-confirm" {
        en: "Redeem {points} for “{reward}”?",
        de: "{points} für „{reward}“ einlösen?"
    }
    RedeemYes "redeem-yes" { en: "Yes, redeem", de: "Ja, einlösen" }
    Cancel "cancel" { en: "Cancel", de: "Abbrechen" }
    RedeemPending "redeem-pending" { en: "Redeeming…", de: "Wird eingelöst …" }
    RedeemDone "redeem-done" {
        en: "Redeemed! Your code for “{reward}”:",
        de: "Eingelöst! Dein Code für „{reward}“:"
    }
    CouponExpires "coupon-expires" { en: "Valid until {date}", de: "Gültig bis {date}" }
    RedeemFailedPoints "redeem-failed-points" {
        en: "You don't have enough points for this reward.",
        de: "Dafür reichen deine Punkte nicht."
    }
    RedeemFailedTier "redeem-failed-tier" {
        en: "This reward needs a higher tier.",
        de: "Diese Prämie gibt es erst ab einer höheren Stufe."
    }
    RedeemFailedGone "redeem-failed-gone" {
        en: "This reward is no longer available.",
        de: "Diese Prämie ist nicht mehr verfügbar."
    }
    RedeemUnconfirmed "redeem-unconfirmed" {
        en: "We could not confirm this redemption yet. If points were taken, your code appears here as soon as the rewards service answers.",
        de: "Wir konnten das Einlösen noch nicht bestätigen. Falls Punkte abgezogen wurden, erscheint dein Code hier, sobald der Prämiendienst antwortet."
    }
    RedeemFailed "redeem-failed" {
        en: "Redeeming did not work. No points were taken; please try again.",
        de: "Das Einlösen hat nicht geklappt. Es wurden keine Punkte abgezogen; bitte versuche es erneut."
    }
    RedeemIssuing "redeem-issuing" {
        en: "Your reward is being issued. It will appear under “Your rewards” in a few minutes; your points are reserved for it.",
        de: "Deine Prämie wird gerade ausgestellt. In wenigen Minuten findest du sie unter „Deine Prämien“; deine Punkte sind so lange dafür reserviert."
    }
    RedeemNotIssued "redeem-not-issued" {
        en: "This reward could not be issued right now. Your points are back.",
        de: "Diese Prämie konnte gerade nicht ausgestellt werden. Deine Punkte sind wieder da."
    }
    ApplyCode "apply-code" { en: "Apply to cart", de: "Im Warenkorb einlösen" }
    ApplyCodeLabel "apply-code-label" { en: "Apply to cart: code {code}", de: "Im Warenkorb einlösen: Code {code}" }
    MineTitle "mine-title" { en: "Your rewards", de: "Deine Prämien" }
    MineShow "mine-show" { en: "Show your rewards", de: "Deine Prämien anzeigen" }
    MineHide "mine-hide" { en: "Hide your rewards", de: "Deine Prämien ausblenden" }
    MineMore "mine-more" { en: "Show more rewards", de: "Weitere Prämien anzeigen" }
    MineEmpty "mine-empty" {
        en: "You haven't redeemed any rewards yet.",
        de: "Du hast noch keine Prämien eingelöst."
    }
    MineRedeemed "mine-redeemed" { en: "Redeemed on {date} for {points}", de: "Am {date} für {points} eingelöst" }
    MineActive "mine-active" { en: "Ready to use", de: "Bereit zum Einlösen" }
    MineUsed "mine-used" { en: "Used", de: "Verwendet" }
    MineUsedOn "mine-used-on" { en: "Used on order {order}", de: "Verwendet bei Bestellung {order}" }
    MineExpired "mine-expired" { en: "Expired", de: "Abgelaufen" }
    MineIssuing "mine-issuing" { en: "Being issued", de: "Wird ausgestellt" }
    MineReleased "mine-released" { en: "Not issued, points back", de: "Nicht ausgestellt, Punkte zurück" }
    HistoryCode "history-code" { en: "Code {code}", de: "Code {code}" }
    Copy "copy" { en: "Copy", de: "Kopieren" }
    CopyCode "copy-code" { en: "Copy code {code}", de: "Code {code} kopieren" }
    CopyLink "copy-link" { en: "Copy your link", de: "Kopieren: dein Link" }
    Copied "copied" { en: "Copied", de: "Kopiert" }
    CopyFailed "copy-failed" { en: "Copy failed; select the text instead.", de: "Kopieren fehlgeschlagen; markiere den Text stattdessen." }
    ReferralTitle "referral-title" { en: "Refer a friend", de: "Freunde werben" }
    ReferralLink "referral-link" { en: "Your link", de: "Dein Link" }
    ReferralCode "referral-code" { en: "Your code", de: "Dein Code" }
    ReferralShare "referral-share" { en: "Share", de: "Teilen" }
    ReferralEmail "referral-email" { en: "E-mail", de: "E-Mail" }
    ReferralMessenger "referral-messenger" { en: "WhatsApp", de: "WhatsApp" }
    ReferralMessage "referral-message" {
        en: "Have a look at this shop: {url}",
        de: "Schau dir diesen Shop an: {url}"
    }
    FriendsNone "friends-none" { en: "No friends have joined yet.", de: "Noch keine Freunde dabei." }
    FriendsOne "friends-one" { en: "1 friend has joined.", de: "1 Freund ist dabei." }
    FriendsOther "friends-other" { en: "{n} friends have joined.", de: "{n} Freunde sind dabei." }
    ClubTitle "club-title" { en: "Members' club", de: "Kundenclub" }
    ClubMember "club-member" { en: "You are a club member since {date}.", de: "Du bist seit {date} im Kundenclub." }
    ClubPitch "club-pitch" {
        en: "Join the club for early access and members-only offers.",
        de: "Tritt dem Club bei: früher informiert, exklusive Angebote."
    }
    ClubConsent "club-consent" {
        en: "I want to join the members' club and receive its offers. I can leave at any time.",
        de: "Ich möchte dem Kundenclub beitreten und seine Angebote erhalten. Ich kann jederzeit austreten."
    }
    ClubJoin "club-join" { en: "Join the club", de: "Club beitreten" }
    ClubJoining "club-joining" { en: "Joining…", de: "Beitritt läuft …" }
    ClubJoined "club-joined" { en: "Welcome to the club! {points} added.", de: "Willkommen im Club! {points} gutgeschrieben." }
    ClubJoinUnconfirmed "club-join-unconfirmed" {
        en: "We could not confirm that you joined yet. Trying again is safe: you join only once.",
        de: "Wir konnten deinen Beitritt noch nicht bestätigen. Du kannst es gefahrlos erneut versuchen: Du trittst nur einmal bei."
    }
    ClubJoinFailed "club-join-failed" {
        en: "Joining did not work; please try again.",
        de: "Der Beitritt hat nicht geklappt; bitte versuche es erneut."
    }
    ClubConsentNeeded "club-consent-needed" {
        en: "Please tick the box to agree first.",
        de: "Bitte bestätige zuerst das Kästchen."
    }
    OffersTitle "offers-title" { en: "Members' offers", de: "Angebote für Mitglieder" }
    OffersEmpty "offers-empty" { en: "No offers right now.", de: "Gerade keine Angebote." }
    OfferUntil "offer-until" { en: "Until {date}", de: "Bis {date}" }
    OfferOpen "offer-open" { en: "Learn more", de: "Mehr erfahren" }
    OfferLockedMembers "offer-locked-members" { en: "Locked: for club members", de: "Gesperrt: nur für Clubmitglieder" }
    OfferLockedTier "offer-locked-tier" { en: "Locked: from tier {tier}", de: "Gesperrt: ab Stufe {tier}" }
    OfferLocked "offer-locked" { en: "Locked", de: "Gesperrt" }
    HistoryTitle "history-title" { en: "History", de: "Verlauf" }
    HistoryShow "history-show" { en: "Show history", de: "Verlauf anzeigen" }
    HistoryHide "history-hide" { en: "Hide history", de: "Verlauf ausblenden" }
    HistoryMore "history-more" { en: "Show more", de: "Mehr anzeigen" }
    HistoryEmpty "history-empty" { en: "No activity yet.", de: "Noch keine Aktivität." }
    HistoryPending "history-pending" { en: "pending", de: "ausstehend" }
    HistoryVoid "history-void" { en: "cancelled", de: "storniert" }
    Retry "retry" { en: "Try again", de: "Erneut versuchen" }
    ErrorPartial "error-partial" {
        en: "Some of your rewards can't be shown right now.",
        de: "Einige deiner Prämien können gerade nicht angezeigt werden."
    }
    ErrorNetwork "error-network" {
        en: "We can't reach the rewards service right now.",
        de: "Der Prämienservice ist gerade nicht erreichbar."
    }
    ErrorServer "error-server" {
        en: "The rewards service had a problem.",
        de: "Beim Prämienservice ist ein Fehler aufgetreten."
    }
    ErrorData "error-data" {
        en: "The rewards service sent data we can't show.",
        de: "Der Prämienservice hat Daten gesendet, die wir nicht anzeigen können."
    }
    ErrorAuth "error-auth" {
        en: "Please sign in again to see your rewards.",
        de: "Bitte melde dich erneut an, um deine Prämien zu sehen."
    }
    ErrorRateLimited "error-rate-limited" {
        en: "Too many requests. Please wait a moment.",
        de: "Zu viele Anfragen. Bitte warte einen Moment."
    }
    ErrorConfig "error-config" {
        en: "Rewards are not available right now.",
        de: "Prämien sind gerade nicht verfügbar."
    }
}

/// The text for "N points" in the plural form a count needs (German and
/// English share the rule: one for exactly 1, other otherwise).
pub fn points_key(count: u64) -> Key {
    if count == 1 {
        Key::PointsOne
    } else {
        Key::PointsOther
    }
}

/// The plural form of "N points" for a count, with the formatted number.
pub fn points_text(lang: Lang, count: u64, formatted: &str) -> String {
    fill(points_key(count).text(lang), &[("n", formatted)])
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
    fn every_text_exists_in_both_languages_and_differs_where_prose() {
        for key in Key::ALL {
            assert!(!key.text(Lang::En).is_empty(), "{key:?} en");
            assert!(!key.text(Lang::De).is_empty(), "{key:?} de");
        }
        assert_ne!(Key::Loading.text(Lang::En), Key::Loading.text(Lang::De));
    }

    #[test]
    fn each_key_reads_its_own_row() {
        assert_eq!(Key::Title.as_str(), "title");
        assert_eq!(Key::Title.text(Lang::De), "Prämien");
        assert_eq!(Key::Loading.text(Lang::En), "Loading your rewards…");
        let last = Key::ALL[Key::ALL.len() - 1];
        assert_eq!(last, Key::ErrorConfig);
        assert_eq!(last.as_str(), "error-config");
    }

    #[test]
    fn override_names_are_unique() {
        let mut names: Vec<_> = Key::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Key::ALL.len());
    }

    #[test]
    fn plurals() {
        assert_eq!(points_text(Lang::En, 1, "1"), "1 point");
        assert_eq!(points_text(Lang::En, 0, "0"), "0 points");
        assert_eq!(points_text(Lang::De, 1, "1"), "1 Punkt");
        assert_eq!(points_text(Lang::De, 1250, "1.250"), "1.250 Punkte");
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
    fn language_tags() {
        assert_eq!(Lang::from_tag("de-AT"), Lang::De);
        assert_eq!(Lang::from_tag("DE"), Lang::De);
        assert_eq!(Lang::from_tag("de_CH"), Lang::De);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
