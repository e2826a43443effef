//! Every text of the console. English is built in, one line a text (`T`),
//! and texts with a count come in plural forms (`P`). The other fourteen
//! languages are packs, `console/i18n/<tag>.json` (a text's name -> its
//! text; a plural text's name -> its CLDR forms), fetched when chosen
//! (`src/packs.rs`) and kept for the session, so that the wasm does not
//! grow with each language. `{name}` placeholders are filled by the page.
//! A text missing from a loaded pack is shown in English.

use loyalty_core::i18n::Plural;
use std::cell::RefCell;

macro_rules! langs {
    ($($lang:ident $tag:literal $name:literal $english:literal;)*) => {
        /// The console's languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
        pub enum Lang {
            /// English, built in.
            #[default]
            En,
            $(#[doc = $english] $lang,)*
        }

        impl Lang {
            /// Every language, in the switch's order (English first).
            pub const ALL: &'static [Lang] = &[Lang::En, $(Lang::$lang,)*];

            /// The BCP 47 tag (`<html lang>`, Intl, the pack's file name).
            pub fn tag(self) -> &'static str {
                match self {
                    Lang::En => "en",
                    $(Lang::$lang => $tag,)*
                }
            }

            /// The language's own name, for the switch.
            pub fn name(self) -> &'static str {
                match self {
                    Lang::En => "English",
                    $(Lang::$lang => $name,)*
                }
            }
        }
    };
}

langs! {
    Ar "ar" "العربية" "Arabic.";
    Cs "cs" "Čeština" "Czech.";
    Da "da" "Dansk" "Danish.";
    De "de" "Deutsch" "German.";
    Es "es" "Español" "Spanish.";
    Fi "fi" "Suomi" "Finnish.";
    Fr "fr" "Français" "French.";
    He "he" "עברית" "Hebrew.";
    It "it" "Italiano" "Italian.";
    Nb "nb" "Norsk bokmål" "Norwegian Bokmål.";
    Nl "nl" "Nederlands" "Dutch.";
    Pl "pl" "Polski" "Polish.";
    Pt "pt" "Português" "Portuguese.";
    Sv "sv" "Svenska" "Swedish.";
}

impl Lang {
    /// The language of a tag (`de-AT`, `pt_BR`, `no`, `iw`), English for
    /// any other.
    pub fn from_tag(tag: &str) -> Lang {
        Lang::spoken(tag).unwrap_or_default()
    }

    /// The language of a tag, if the console speaks it.
    fn spoken(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let primary = match primary.as_str() {
            "no" | "nn" => "nb",
            "iw" => "he",
            other => other,
        };
        Lang::ALL.iter().copied().find(|lang| lang.tag() == primary)
    }

    /// The first of the browser's languages the console speaks (English
    /// when it speaks none).
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter().find_map(Lang::spoken).unwrap_or_default()
    }

    /// The writing direction (`<html dir>`): right to left for Arabic and
    /// Hebrew.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar | Lang::He => "rtl",
            _ => "ltr",
        }
    }

    /// The unit of a rate's change.
    pub fn percentage_points(self) -> &'static str {
        T::PercentagePoints.get(self)
    }

    fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// The CLDR plural forms, in the order of `Plural`'s names.
const FORMS: [(Plural, &str); 6] = [
    (Plural::Zero, "zero"),
    (Plural::One, "one"),
    (Plural::Two, "two"),
    (Plural::Few, "few"),
    (Plural::Many, "many"),
    (Plural::Other, "other"),
];

fn form_index(form: Plural) -> usize {
    FORMS.iter().position(|(p, _)| *p == form).unwrap_or(5)
}

// A line may still carry a German text after the English one (the table's
// old shape, `Key => "English", "Deutsch";`): it compiles, and the pack
// test asks for it to be moved to i18n/de.json.
macro_rules! texts {
    ($($key:ident => $en:literal $(, $de:literal)?;)*) => {
        /// A text of the console.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $(#[doc = $en] $key,)* }

        impl T {
            /// Every text, in the table's order.
            pub const ALL: &'static [T] = &[$(T::$key,)*];

            /// The text's name in the packs.
            pub fn name(self) -> &'static str {
                match self { $(T::$key => stringify!($key),)* }
            }

            /// The built-in English text.
            pub fn english(self) -> &'static str {
                match self { $(T::$key => $en,)* }
            }

            /// A German text left in the table (to move to the pack).
            #[cfg(test)]
            fn inline_german(self) -> Option<&'static str> {
                match self { $(T::$key => None$(.or(Some($de)))?,)* }
            }
        }
    };
}

macro_rules! plurals {
    ($($key:ident => $one:literal, $other:literal;)*) => {
        /// A text with a count `{n}`, in the plural form the count needs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum P { $(#[doc = $other] $key,)* }

        impl P {
            /// Every plural text, in the table's order.
            pub const ALL: &'static [P] = &[$(P::$key,)*];

            /// The text's name in the packs.
            pub fn name(self) -> &'static str {
                match self { $(P::$key => stringify!($key),)* }
            }

            /// The built-in English form (`one` for 1, `other` otherwise).
            pub fn english(self, form: Plural) -> &'static str {
                let (one, other) = match self { $(P::$key => ($one, $other),)* };
                if form == Plural::One { one } else { other }
            }
        }
    };
}

impl T {
    /// The text in `lang` (English where the language's pack is not loaded
    /// or lacks it).
    pub fn get(self, lang: Lang) -> &'static str {
        pack(lang)
            .and_then(|p| p.texts.get(self as usize).copied().flatten())
            .unwrap_or_else(|| self.english())
    }
}

impl P {
    /// The text in `lang` in the plural form `form` (the pack's `other`
    /// where it lacks that form; English where it lacks the text). `{n}`
    /// is left for the caller (`format::plural` fills it with the count as
    /// the language writes numbers).
    pub fn get(self, lang: Lang, form: Plural) -> &'static str {
        pack(lang)
            .and_then(|p| p.plurals.get(self as usize))
            .and_then(|forms| forms[form_index(form)].or(forms[5]))
            .unwrap_or_else(|| self.english(form))
    }
}

/// A language's texts, read from its JSON pack: by `T` and by `P` (the six
/// forms in `FORMS` order), none where the pack lacks them.
#[derive(Debug, Default)]
pub struct Pack {
    texts: Vec<Option<&'static str>>,
    plurals: Vec<[Option<&'static str>; 6]>,
}

/// A pack as read, before it is kept for the session.
#[derive(Debug, Default, PartialEq)]
pub struct ReadPack {
    /// The texts by `T`.
    pub texts: Vec<Option<String>>,
    /// The plural texts by `P`, their forms in `FORMS` order.
    pub plurals: Vec<[Option<String>; 6]>,
    /// Names the console has no text for (a newer or older pack).
    pub unknown: Vec<String>,
}

/// Reads a pack: a JSON object of text names to strings, and of plural
/// text names to objects of CLDR forms (`zero` .. `other`) to strings.
/// Anything else (not JSON, a number, an unknown form, an empty text) makes
/// the whole pack malformed: the caller shows English.
pub fn read_pack(json: &str) -> Result<ReadPack, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("not a JSON object".into());
    };
    let mut pack = ReadPack {
        texts: vec![None; T::ALL.len()],
        plurals: vec![Default::default(); P::ALL.len()],
        unknown: Vec::new(),
    };
    let text = |name: &str, value: &serde_json::Value| match value.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(format!("{name:?} is not a text")),
    };
    for (name, value) in &map {
        if let Some(key) = T::ALL.iter().find(|k| k.name() == name) {
            pack.texts[*key as usize] = Some(text(name, value)?);
        } else if let Some(key) = P::ALL.iter().find(|k| k.name() == name) {
            let serde_json::Value::Object(forms) = value else {
                return Err(format!("{name:?} is not an object of plural forms"));
            };
            for (form, value) in forms {
                let Some(i) = FORMS.iter().position(|(_, f)| f == form) else {
                    return Err(format!("{name:?} has no plural form {form:?}"));
                };
                pack.plurals[*key as usize][i] = Some(text(name, value)?);
            }
        } else {
            pack.unknown.push(name.clone());
        }
    }
    Ok(pack)
}

thread_local! {
    static PACKS: RefCell<Vec<Option<&'static Pack>>> = RefCell::new(vec![None; Lang::ALL.len()]);
}

fn pack(lang: Lang) -> Option<&'static Pack> {
    if lang == Lang::En {
        return None;
    }
    PACKS.with(|p| p.borrow().get(lang.index()).copied().flatten())
}

/// Whether `lang`'s texts are at hand (English always is).
pub fn is_loaded(lang: Lang) -> bool {
    lang == Lang::En || pack(lang).is_some()
}

/// Keeps `read` as `lang`'s texts for the rest of the session. A pack is
/// kept once per language (at most fourteen): its texts live as long as the
/// page, which is what `T::get`'s `&'static str` needs.
pub fn install(lang: Lang, read: ReadPack) {
    if lang == Lang::En || pack(lang).is_some() {
        return;
    }
    let keep = |s: Option<String>| s.map(|s| &*Box::leak(s.into_boxed_str()));
    let pack: &'static Pack = Box::leak(Box::new(Pack {
        texts: read.texts.into_iter().map(keep).collect(),
        plurals: read
            .plurals
            .into_iter()
            .map(|forms| forms.map(keep))
            .collect(),
    }));
    PACKS.with(|p| {
        if let Some(slot) = p.borrow_mut().get_mut(lang.index()) {
            *slot = Some(pack);
        }
    });
}

texts! {
    ConsoleTitle => "Loyalty console";
    SkipToContent => "Skip to content";
    NavLabel => "Console";
    NavOverview => "Overview";
    NavCustomers => "Customers";
    NavImport => "Import";
    NavEmbed => "Embed";
    NavProgram => "Program";
    Language => "Language";
    Loading => "Loading…";
    SignInTitle => "Sign in";
    SignIn => "Sign in";
    SignOut => "Sign out";
    SignedIn => "Signed in.";
    SignedOut => "You have signed out.";
    SessionExpired => "Your session has expired. Please sign in again.";
    AdminKey => "Admin key";
    AdminKeyHelp => "The key the endpoint was started with (LOYALTY_ADMIN_KEY). It is sent once and not stored.";
    WrongKey => "That key is not right. Check it and try again.";
    ErrNetwork => "The endpoint does not answer. Check the connection and try again.";
    ErrUnauthorized => "Your session has expired. Please sign in again.";
    ErrRateLimited => "Too many attempts. Please wait a while and try again.";
    ErrRefused => "The endpoint refused this ({status}): {message}";
    ErrDecode => "The endpoint's answer could not be read ({why}).";
    Period => "Period";
    Last30 => "Last 30 days";
    Last90 => "Last 90 days";
    Last365 => "Last 365 days";
    CustomPeriod => "From – to";
    From => "From";
    To => "To";
    ShowPeriod => "Show";
    FiguresFor => "Figures for {from} to {to}.";
    PeriodText => "{from} to {to} ({days}), compared with {pfrom} to {pto}.";
    CustomersAndOrders => "Customers and orders";
    TheProgram => "The program";
    Figure => "Figure";
    Everyone => "Everyone";
    Members => "Members";
    NonMembers => "Non-members";
    ThisPeriod => "This period";
    Previous => "Before";
    Change => "Change";
    Charts => "Charts";
    ShowAsTable => "Show as a table";
    TrendTitle => "Revenue per week";
    Week => "Week";
    RewardsTitle => "Rewards redeemed";
    TiersTitle => "Members per tier";
    CohortsTitle => "Members by the month they joined";
    Month => "Month";
    Name => "Name";
    AtRiskTitle => "Members at risk";
    AtRiskLine => "– {points}, {last} ({usual})";
    NoneNoData => "no data";
    NoneNoOrders => "no orders in this period";
    NoneNoPrevious => "nobody ordered in the previous period";
    NoneNoPointsIssued => "no points were issued";
    NoneNotTracked => "not tracked";
    NoneNoFriends => "no friends joined";
    FCustomersOrdering => "Customers ordering";
    DCustomersOrdering => "Customers with at least one order in the period.";
    FCustomersRepeating => "Customers ordering again";
    DCustomersRepeating => "Customers with two or more orders in the period.";
    FRepeatRate => "Repeat purchase rate";
    DRepeatRate => "Customers ordering again divided by customers ordering.";
    FOrders => "Orders";
    DOrders => "Orders placed in the period; orders refunded in full still count, with no revenue.";
    FRevenue => "Revenue";
    DRevenue => "Order totals minus refunds.";
    FAov => "Average order value";
    DAov => "Revenue divided by orders.";
    FRevenuePerCustomer => "Revenue per customer";
    DRevenuePerCustomer => "Revenue divided by customers ordering.";
    FLifetimeValue => "Lifetime value";
    DLifetimeValue => "All revenue up to the period's end divided by everyone who ever ordered.";
    FMembers => "Members";
    DMembers => "Members at the period's end.";
    FNewMembers => "New members";
    DNewMembers => "Members who joined within the period.";
    FActiveMembers => "Active members";
    DActiveMembers => "Members who ordered or redeemed within the period.";
    FRetention => "Retention rate";
    DRetention => "Customers who ordered in both periods divided by those who ordered in the previous one.";
    FChurn => "Churn rate";
    DChurn => "One minus the retention rate.";
    FRetentionStart => "Customers of the previous period";
    DRetentionStart => "Customers who ordered in the previous period.";
    FRetentionRetained => "Customers kept";
    DRetentionRetained => "Customers who ordered in both periods.";
    FRetentionNew => "First-time customers";
    DRetentionNew => "Customers whose first order ever is in this period.";
    FPointsIssued => "Points issued";
    DPointsIssued => "Points booked to members in the period.";
    FPointsRedeemed => "Points redeemed";
    DPointsRedeemed => "Points spent on rewards in the period.";
    FPointsExpired => "Points expired";
    DPointsExpired => "Points that expired in the period.";
    FRedemptionRate => "Redemption rate";
    DRedemptionRate => "Points redeemed divided by points issued.";
    FPointsOutstanding => "Points outstanding";
    DPointsOutstanding => "The sum of members' balances at the period's end.";
    FPointsOutstandingValue => "Value of points outstanding";
    DPointsOutstandingValue => "Points outstanding at the program's point value.";
    FRedemptions => "Redemptions";
    DRedemptions => "Rewards redeemed in the period.";
    FCodesIssued => "Codes issued";
    DCodesIssued => "Discount codes made on the shop's platform.";
    FCodesUsed => "Codes used";
    DCodesUsed => "Discount codes used at a checkout.";
    FLinksShared => "Referral links shared";
    DLinksShared => "Referral links members shared, where this is tracked.";
    FFriendsJoined => "Friends who joined";
    DFriendsJoined => "Referred friends who joined in the period.";
    FFriendsOrdered => "Friends who ordered";
    DFriendsOrdered => "Referred friends who placed an order in the period.";
    FReferralConversion => "Referral conversion";
    DReferralConversion => "Friends who ordered divided by friends who joined.";
    SearchLabel => "Search by id, e-mail or first name";
    Search => "Search";
    NoCustomers => "No customer matches.";
    LoadMore => "Load more";
    Customer => "Customer";
    Email => "E-mail";
    Balance => "Balance";
    Tier => "Tier";
    LastOrder => "Last order";
    Erased => "erased";
    BackToCustomers => "Back to customers";
    ErasedNote => "This customer's personal data has been erased. Their points and orders stay in the figures.";
    Details => "Details";
    CustomerId => "Customer id";
    FirstName => "First name";
    Birthday => "Birthday";
    ReferralCode => "Referral code";
    ReferredBy => "Referred by";
    ClubMember => "Club member";
    Joined => "Joined";
    Yes => "yes";
    No => "no";
    Summary => "Points";
    Pending => "Pending";
    Spent => "Spent";
    Lifetime => "Earned in all";
    Ledger => "Ledger";
    Day => "Day";
    Kind => "Kind";
    Points => "Points";
    Reason => "Reason";
    Expires => "Expires";
    Orders => "Orders";
    NoOrders => "No orders yet.";
    OrderNumber => "Order";
    Total => "Total";
    Refunded => "Refunded";
    Redemptions => "Redemptions";
    NoRedemptions => "No redemptions yet.";
    Reward => "Reward";
    Code => "Code";
    State => "State";
    AdjustPoints => "Adjust points";
    PointsToAdd => "Points (negative to take)";
    AdjustHelp => "The reason is what the customer's history shows (at most 120 characters).";
    AdjustInvalid => "Enter a whole number of points other than 0, and a reason.";
    Book => "Book";
    PersonalData => "Personal data";
    Export => "Export (JSON)";
    Exported => "Saved {file}.";
    Erase => "Erase personal data";
    EraseQuestion => "Erase {name}?";
    EraseText => "Their first name, e-mail, birthday and referral code are removed for good. Their points, orders and amounts stay, so the figures stay right.";
    EraseConfirm => "Erase";
    Cancel => "Cancel";
    ErasedAt => "Erased at {at}.";
    ImportIntro => "Bring members, balances, tiers and history over from another loyalty app's export. A dry run shows what would change; nothing is written until you apply it.";
    ImportApp => "App";
    ImportId => "Import id";
    AppByHeader => "Recognised by the file's header (Smile.io, Joy, Rivo, Yotpo, this endpoint)";
    ImportMode => "Balances";
    ModeAdd => "Add to what customers have";
    ModeSet => "Set as their balance";
    ImportFile => "File (CSV or JSON lines)";
    ChooseFileFirst => "Choose a file first.";
    DryRun => "Dry run";
    AlreadyImported => "This file was imported before ({when}); nothing changes.";
    Rows => "Rows";
    Matched => "Customers found";
    Created => "Customers created";
    Unchanged => "Rows changing nothing";
    PointsAdded => "Points added";
    PointsRemoved => "Points removed";
    RefusedRows => "Rows refused";
    Line => "Line";
    ApplyImport => "Apply this import";
    ImportsApplied => "Imports applied";
    NoImports => "No imports yet.";
    Undo => "Undo";
    UndoImport => "Undo the {app} import of {day}";
    EmbedIntro => "Choose how the widget looks, then paste the snippet into your shop's pages. Your shop's server fills in the signed-in customer's token.";
    Mode => "Placement";
    ModeInline => "Inline, in the page";
    ModeLauncher => "Launcher button in a corner";
    Corner => "Corner";
    BottomRight => "Bottom right";
    BottomLeft => "Bottom left";
    TopRight => "Top right";
    TopLeft => "Top left";
    OffsetX => "Distance from the side (px)";
    OffsetY => "Distance from the top or bottom (px)";
    Theme => "Theme";
    ThemeAuto => "Follow the visitor's setting";
    ThemeLight => "Light";
    ThemeDark => "Dark";
    WidgetLanguage => "Widget language";
    PageLanguage => "The page's language";
    Colours => "Colours";
    ColourAccent => "Accent (buttons, links)";
    ColourAccentText => "Text on the accent";
    ColourBackground => "Background";
    ColourText => "Text";
    Snippet => "Snippet for plain HTML";
    Copy => "Copy the snippet";
    Copied => "Copied.";
    CopyFailed => "Could not copy: select the snippet and copy it by hand.";
    LivePreview => "Live preview";
    NoWidgetHere => "The widget's files are not served here (start the endpoint with --static dist to see it live).";
    ProgramLanguage => "Language of the program";
    Currency => "Currency";
    Tiers => "Tiers";
    Threshold => "From";
    Perks => "Perks";
    WaysToEarn => "Ways to earn";
    Rewards => "Rewards";
    MinTier => "Lowest tier";
    Referrals => "Referrals";
    KindOrder => "order";
    KindRefund => "refund";
    KindWelcome => "welcome";
    KindBirthday => "birthday";
    KindReferral => "referral";
    KindRedemption => "redemption";
    KindRelease => "given back";
    KindAdjustment => "adjustment";
    KindExpiry => "expired";
    KindImport => "import";
    PercentagePoints => "pp";
    // program page, snippets, reissue (#30)
    ProgramInstalled => "Installed program file";
    ProgramVersionLine => "Version {v}, installed {at}";
    ProgramVersionUnknown => "The installed file's version is not known.";
    ProgramChecks => "Program check";
    CheckOk => "OK";
    CheckError => "Error";
    ProgramChangesSince => "Changes since version {v}";
    ProgramChanges => "Changes";
    NoPreviousVersion => "No earlier version is known.";
    NoChanges => "Nothing changed.";
    ChangeField => "Field";
    ChangeBefore => "Before";
    ChangeAfter => "After";
    ProgramPreview => "Preview with a sample customer";
    PreviewNote => "A sample member without points, as a customer sees the widget. Never counted in the figures; it cannot redeem.";
    SnippetShopify => "Shopify theme";
    SnippetShopifyNote => "In layout/theme.liquid, before </body>. The token comes from your app's proxy at /apps/loyalty/token (see README, \"Shopify theme\").";
    SnippetWooCommerce => "WooCommerce (WordPress plugin)";
    SnippetWooCommerceNote => "The settings of the plugin integrations/wordpress/loyalty-widget.php, in wp-config.php; the secret stays in the server's environment.";
    RedemptionAction => "Action";
    RetryCode => "Try the code again";
    RetryConfirmed => "Redemption {id}: the code is made and active now.";
    RetryReleased => "Redemption {id}: the shop refused the code; the points are back.";
    RetryPending => "Redemption {id}: still no answer from the shop; it stays pending.";
    RetryNothing => "Redemption {id}: nothing to do, it is no longer pending.";
    ReissueCode => "Reissue the code";
    ReissueDone => "Redemption {id}: a new code, {code}, is active; no points were spent.";
    ReissuePending => "Redemption {id}: the new code waits for the shop's answer; it stays pending.";
    ReissueRefused => "Redemption {id}: the shop refused the new code.";
    ReissuedAs => "Reissued as {id}";
    NoReissue => "Its points came back: the customer can redeem again in the widget.";
}

plurals! {
    ErrRateLimitedMinutes => "Too many attempts. Try again in {n} minute.", "Too many attempts. Try again in {n} minutes.";
    ErrRateLimitedSeconds => "Too many attempts. Try again in {n} second.", "Too many attempts. Try again in {n} seconds.";
    Days => "{n} day", "{n} days";
    TrendName => "Revenue of members and non-members over {n} period; the table below has the figures", "Revenue of members and non-members over {n} periods; the table below has the figures";
    AtRiskText => "{n} member with points has not ordered for more than twice their usual time between orders.", "{n} members with points have not ordered for more than twice their usual time between orders.";
    AtRiskPoints => "{n} point", "{n} points";
    AtRiskLastOrder => "last order {n} day ago", "last order {n} days ago";
    AtRiskUsually => "usually every day", "usually every {n} days";
    CustomersFound => "{n} customer found.", "{n} customers found.";
    MoreCustomersFound => "{n} more customer, {total} in all.", "{n} more customers, {total} in all.";
    Adjusted => "Booked {n} point.", "Booked {n} points.";
    DryRunDone => "Dry run done: {n} row read.", "Dry run done: {n} rows read.";
    DryRunReport => "Dry run: {n} row", "Dry run: {n} rows";
    ImportApplied => "Applied: {n} row", "Applied: {n} rows";
    ImportUndone => "Import undone ({n} point).", "Import undone ({n} points).";
}

/// A ledger entry's kind in words (an unknown kind as the API wrote it).
pub fn ledger_kind(kind: &str, lang: Lang) -> String {
    let key = match kind {
        "order" => T::KindOrder,
        "refund" => T::KindRefund,
        "welcome" => T::KindWelcome,
        "birthday" => T::KindBirthday,
        "referral" => T::KindReferral,
        "redemption" => T::KindRedemption,
        "release" => T::KindRelease,
        "adjustment" => T::KindAdjustment,
        "expiry" => T::KindExpiry,
        "import" => T::KindImport,
        other => return other.to_string(),
    };
    key.get(lang).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// CLDR's cardinal plural categories of each language (what
    /// `Intl.PluralRules(tag).resolvedOptions().pluralCategories` lists).
    fn categories(lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::Ar => &["zero", "one", "two", "few", "many", "other"],
            Lang::Cs | Lang::Pl => &["one", "few", "many", "other"],
            Lang::Es | Lang::Fr | Lang::It | Lang::Pt => &["one", "many", "other"],
            Lang::He => &["one", "two", "other"],
            _ => &["one", "other"],
        }
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .collect();
        out.sort_unstable();
        out
    }

    fn pack_json(lang: Lang) -> Result<String, String> {
        let path = format!("{}/i18n/{}.json", env!("CARGO_MANIFEST_DIR"), lang.tag());
        std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))
    }

    #[test]
    fn every_pack_has_every_text_with_the_same_placeholders() {
        let mut problems = Vec::new();
        for lang in Lang::ALL.iter().copied().filter(|l| *l != Lang::En) {
            let tag = lang.tag();
            let pack = match pack_json(lang).and_then(|json| read_pack(&json)) {
                Ok(pack) => pack,
                Err(why) => {
                    problems.push(format!("{tag}.json: {why}"));
                    continue;
                }
            };
            for name in &pack.unknown {
                problems.push(format!(
                    "{tag}.json: {name:?} is not a text of the console (T or P in src/i18n.rs)"
                ));
            }
            for key in T::ALL {
                match &pack.texts[*key as usize] {
                    None => problems.push(format!(
                        "{tag}.json lacks {:?} (English: {:?})",
                        key.name(),
                        key.english()
                    )),
                    Some(text) if placeholders(text) != placeholders(key.english()) => problems
                        .push(format!(
                            "{tag}.json: {:?} has placeholders {:?}, English {:?}",
                            key.name(),
                            placeholders(text),
                            placeholders(key.english())
                        )),
                    Some(_) => {}
                }
            }
            for key in P::ALL {
                let english = key.english(Plural::Other);
                let forms = &pack.plurals[*key as usize];
                for (i, (form, name)) in FORMS.iter().enumerate() {
                    let needed = categories(lang).contains(name);
                    match (&forms[i], needed) {
                        (None, true) => problems.push(format!(
                            "{tag}.json lacks the {name:?} form of {:?} (English: {english:?})",
                            key.name()
                        )),
                        (Some(_), false) => problems.push(format!(
                            "{tag}.json: {:?} has a {name:?} form, which {tag} does not use",
                            key.name()
                        )),
                        (Some(text), true) => {
                            // zero, one and two name one number each: their
                            // forms may say it in words instead of `{n}`.
                            let mut want = placeholders(english);
                            let mut have = placeholders(text);
                            if matches!(form, Plural::Zero | Plural::One | Plural::Two) {
                                want.retain(|p| *p != "n");
                                have.retain(|p| *p != "n");
                            }
                            if want != have {
                                problems.push(format!(
                                    "{tag}.json: the {name:?} form of {:?} has placeholders {:?}, English {:?}",
                                    key.name(),
                                    placeholders(text),
                                    placeholders(english)
                                ));
                            }
                        }
                        (None, false) => {}
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn german_lives_in_its_pack() {
        let left: Vec<String> = T::ALL
            .iter()
            .filter_map(|k| {
                k.inline_german()
                    .map(|de| format!("{:?}: {de:?}", k.name()))
            })
            .collect();
        assert!(
            left.is_empty(),
            "move these German texts from src/i18n.rs to i18n/de.json (and translate them in every other pack): {}",
            left.join(", ")
        );
    }

    #[test]
    fn english_texts_are_complete() {
        let mut names = BTreeMap::new();
        for key in T::ALL {
            assert!(!key.english().trim().is_empty(), "{key:?}");
            assert!(names.insert(key.name(), ()).is_none(), "{key:?} twice");
        }
        for key in P::ALL {
            assert!(
                names.insert(key.name(), ()).is_none(),
                "{:?} is both a T and a P",
                key.name()
            );
            let (one, other) = (key.english(Plural::One), key.english(Plural::Other));
            assert!(placeholders(other).contains(&"n"), "{key:?} has no {{n}}");
            assert!(!one.trim().is_empty(), "{key:?}");
        }
    }

    #[test]
    fn a_pack_once_installed_speaks_and_falls_back_to_english_per_text() {
        let read = read_pack(r#"{"Search": "Rechercher", "Days": {"one": "{n} jour", "other": "{n} jours"}, "NotYet": "x"}"#)
            .expect("a pack");
        assert_eq!(read.unknown, ["NotYet"]);
        assert!(!is_loaded(Lang::Fr));
        assert_eq!(T::Search.get(Lang::Fr), "Search");
        install(Lang::Fr, read);
        assert!(is_loaded(Lang::Fr));
        assert_eq!(T::Search.get(Lang::Fr), "Rechercher");
        assert_eq!(T::LoadMore.get(Lang::Fr), "Load more");
        assert_eq!(P::Days.get(Lang::Fr, Plural::One), "{n} jour");
        // A form the pack lacks: its `other`.
        assert_eq!(P::Days.get(Lang::Fr, Plural::Many), "{n} jours");
        assert_eq!(P::Days.get(Lang::En, Plural::One), "{n} day");
        assert_eq!(P::Days.get(Lang::En, Plural::Few), "{n} days");
    }

    #[test]
    fn malformed_packs_are_refused() {
        for bad in [
            "",
            "[1, 2]",
            "{\"Search\": 3}",
            "{\"Search\": \"  \"}",
            "{\"Days\": \"{n} days\"}",
            "{\"Days\": {\"several\": \"{n}\"}}",
            "{\"Search\": \"Rechercher\"",
        ] {
            assert!(read_pack(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ledger_kinds() {
        assert_eq!(ledger_kind("refund", Lang::En), "refund");
        assert_eq!(ledger_kind("something_new", Lang::De), "something_new");
    }

    #[test]
    fn languages_from_tags() {
        assert_eq!(Lang::from_tag("de-AT"), Lang::De);
        assert_eq!(Lang::from_tag("DE"), Lang::De);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::Fr);
        assert_eq!(Lang::from_tag("pt_BR"), Lang::Pt);
        assert_eq!(Lang::from_tag("no"), Lang::Nb);
        assert_eq!(Lang::from_tag("iw"), Lang::He);
        assert_eq!(Lang::from_tag("ja"), Lang::En);
        assert_eq!(Lang::from_tags(["ja", "pl-PL", "de"]), Lang::Pl);
        assert_eq!(Lang::from_tags(["en-US", "de"]), Lang::En);
        assert_eq!(Lang::from_tags(["ja"]), Lang::En);
        assert_eq!(Lang::He.dir(), "rtl");
        assert_eq!(Lang::Pl.dir(), "ltr");
        let tags: Vec<&str> = Lang::ALL.iter().map(|l| l.tag()).collect();
        assert_eq!(tags.len(), 15);
        for (i, tag) in tags.iter().enumerate() {
            assert!(!tags[..i].contains(tag), "{tag} twice");
        }
    }
}
