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
}

macro_rules! texts {
    ($($key:ident $name:literal { en: $en:literal, de: $de:literal })*) => {
        /// A text of the widget.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $(#[doc = $en] $key,)*
        }

        impl Key {
            /// Every key, for overrides and completeness checks.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The override name of this text, e.g. `points-title`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)*
                }
            }

            /// The built-in text in a language.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::En) => $en,
                      (Key::$key, Lang::De) => $de,)*
                }
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
    Join "join" { en: "Join now", de: "Jetzt mitmachen" }
    StaleNotice "stale-notice" {
        en: "Showing your last known balance; we'll update it once the connection is back.",
        de: "Du siehst deinen zuletzt bekannten Stand; wir aktualisieren ihn, sobald die Verbindung wieder steht."
    }
    Retry "retry" { en: "Try again", de: "Erneut versuchen" }
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

/// The plural form of "N points" for a count, with the formatted number.
pub fn points_text(lang: Lang, count: u64, formatted: &str) -> String {
    let key = if count == 1 {
        Key::PointsOne
    } else {
        Key::PointsOther
    };
    fill(key.text(lang), &[("n", formatted)])
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
    fn every_text_exists_in_both_languages_and_differs_where_prose() {
        for key in Key::ALL {
            assert!(!key.text(Lang::En).is_empty(), "{key:?} en");
            assert!(!key.text(Lang::De).is_empty(), "{key:?} de");
        }
        assert_ne!(Key::Loading.text(Lang::En), Key::Loading.text(Lang::De));
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
