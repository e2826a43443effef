//! Every text of the console in English and German: one table, one line a
//! text. `{name}` placeholders are filled by the page.

/// The console's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// German.
    De,
}

impl Lang {
    /// The BCP 47 tag (`<html lang>`, Intl).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// German for a `de` tag (`de-AT` too), English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("de") {
            Lang::De
        } else {
            Lang::En
        }
    }

    /// The unit of a rate's change.
    pub fn percentage_points(self) -> &'static str {
        match self {
            Lang::En => "pp",
            Lang::De => "Pp.",
        }
    }
}

macro_rules! texts {
    ($($key:ident => $en:literal, $de:literal;)*) => {
        /// A text of the console.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $(#[doc = $en] $key,)* }

        impl T {
            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                let (en, de) = match self { $(T::$key => ($en, $de),)* };
                match lang { Lang::En => en, Lang::De => de }
            }
        }

        /// Every text (for the tests).
        #[cfg(test)]
        pub const ALL: &[T] = &[$(T::$key,)*];
    };
}

texts! {
    ConsoleTitle => "Loyalty console", "Treueprogramm-Konsole";
    SkipToContent => "Skip to content", "Zum Inhalt springen";
    NavLabel => "Console", "Konsole";
    NavOverview => "Overview", "Überblick";
    NavCustomers => "Customers", "Kundinnen und Kunden";
    NavImport => "Import", "Import";
    NavEmbed => "Embed", "Einbinden";
    NavProgram => "Program", "Programm";
    Language => "Language", "Sprache";
    Loading => "Loading…", "Wird geladen …";
    SignInTitle => "Sign in", "Anmelden";
    SignIn => "Sign in", "Anmelden";
    SignOut => "Sign out", "Abmelden";
    SignedIn => "Signed in.", "Angemeldet.";
    SignedOut => "You have signed out.", "Sie haben sich abgemeldet.";
    SessionExpired => "Your session has expired. Please sign in again.", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.";
    AdminKey => "Admin key", "Admin-Schlüssel";
    AdminKeyHelp => "The key the endpoint was started with (LOYALTY_ADMIN_KEY). It is sent once and not stored.", "Der Schlüssel, mit dem der Endpoint gestartet wurde (LOYALTY_ADMIN_KEY). Er wird einmal gesendet und nicht gespeichert.";
    WrongKey => "That key is not right. Check it and try again.", "Dieser Schlüssel stimmt nicht. Prüfen Sie ihn und versuchen Sie es erneut.";
    ErrNetwork => "The endpoint does not answer. Check the connection and try again.", "Der Endpoint antwortet nicht. Prüfen Sie die Verbindung und versuchen Sie es erneut.";
    ErrUnauthorized => "Your session has expired. Please sign in again.", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.";
    ErrRateLimited => "Too many attempts. Please wait a while and try again.", "Zu viele Versuche. Bitte warten Sie eine Weile und versuchen Sie es erneut.";
    ErrRateLimitedMinutes => "Too many attempts. Try again in {n} minutes.", "Zu viele Versuche. Versuchen Sie es in {n} Minuten erneut.";
    ErrRateLimitedSeconds => "Too many attempts. Try again in {n} seconds.", "Zu viele Versuche. Versuchen Sie es in {n} Sekunden erneut.";
    ErrRefused => "The endpoint refused this ({status}): {message}", "Der Endpoint hat das abgelehnt ({status}): {message}";
    ErrDecode => "The endpoint's answer could not be read ({why}).", "Die Antwort des Endpoints war nicht lesbar ({why}).";
    Period => "Period", "Zeitraum";
    Last30 => "Last 30 days", "Letzte 30 Tage";
    Last90 => "Last 90 days", "Letzte 90 Tage";
    Last365 => "Last 365 days", "Letzte 365 Tage";
    CustomPeriod => "From – to", "Von – bis";
    From => "From", "Von";
    To => "To", "Bis";
    ShowPeriod => "Show", "Anzeigen";
    FiguresFor => "Figures for {from} to {to}.", "Zahlen für {from} bis {to}.";
    PeriodText => "{from} to {to} ({days} days), compared with {pfrom} to {pto}.", "{from} bis {to} ({days} Tage), verglichen mit {pfrom} bis {pto}.";
    CustomersAndOrders => "Customers and orders", "Kundschaft und Bestellungen";
    TheProgram => "The program", "Das Programm";
    Figure => "Figure", "Kennzahl";
    Everyone => "Everyone", "Alle";
    Members => "Members", "Mitglieder";
    NonMembers => "Non-members", "Nicht-Mitglieder";
    ThisPeriod => "This period", "Dieser Zeitraum";
    Previous => "Before", "Vorher";
    Change => "Change", "Änderung";
    Charts => "Charts", "Diagramme";
    ShowAsTable => "Show as a table", "Als Tabelle zeigen";
    TrendTitle => "Revenue per week", "Umsatz pro Woche";
    TrendName => "Revenue of members and non-members over {n} periods; the table below has the figures", "Umsatz von Mitgliedern und Nicht-Mitgliedern über {n} Abschnitte; die Tabelle darunter hat die Zahlen";
    Week => "Week", "Woche";
    RewardsTitle => "Rewards redeemed", "Eingelöste Prämien";
    TiersTitle => "Members per tier", "Mitglieder pro Stufe";
    CohortsTitle => "Members by the month they joined", "Mitglieder nach Beitrittsmonat";
    Month => "Month", "Monat";
    Name => "Name", "Name";
    AtRiskTitle => "Members at risk", "Gefährdete Mitglieder";
    AtRiskText => "{n} members with points have not ordered for more than twice their usual time between orders.", "{n} Mitglieder mit Punkten haben länger als doppelt so lange wie sonst nicht bestellt.";
    AtRiskLine => "– {points} points, last order {days} days ago (usually every {gap} days)", "– {points} Punkte, letzte Bestellung vor {days} Tagen (sonst alle {gap} Tage)";
    NoneNoData => "no data", "keine Daten";
    NoneNoOrders => "no orders in this period", "keine Bestellungen in diesem Zeitraum";
    NoneNoPrevious => "nobody ordered in the previous period", "im vorigen Zeitraum hat niemand bestellt";
    NoneNoPointsIssued => "no points were issued", "es wurden keine Punkte vergeben";
    NoneNotTracked => "not tracked", "wird nicht erfasst";
    NoneNoFriends => "no friends joined", "keine geworbenen Freunde";
    FCustomersOrdering => "Customers ordering", "Bestellende Kundschaft";
    DCustomersOrdering => "Customers with at least one order in the period.", "Kundinnen und Kunden mit mindestens einer Bestellung im Zeitraum.";
    FCustomersRepeating => "Customers ordering again", "Wiederkehrende Kundschaft";
    DCustomersRepeating => "Customers with two or more orders in the period.", "Kundinnen und Kunden mit zwei oder mehr Bestellungen im Zeitraum.";
    FRepeatRate => "Repeat purchase rate", "Wiederkaufrate";
    DRepeatRate => "Customers ordering again divided by customers ordering.", "Wiederkehrende Kundschaft geteilt durch bestellende Kundschaft.";
    FOrders => "Orders", "Bestellungen";
    DOrders => "Orders placed in the period; orders refunded in full still count, with no revenue.", "Bestellungen im Zeitraum; voll erstattete zählen mit, ohne Umsatz.";
    FRevenue => "Revenue", "Umsatz";
    DRevenue => "Order totals minus refunds.", "Bestellsummen abzüglich Erstattungen.";
    FAov => "Average order value", "Durchschnittlicher Bestellwert";
    DAov => "Revenue divided by orders.", "Umsatz geteilt durch Bestellungen.";
    FRevenuePerCustomer => "Revenue per customer", "Umsatz pro Person";
    DRevenuePerCustomer => "Revenue divided by customers ordering.", "Umsatz geteilt durch bestellende Kundschaft.";
    FLifetimeValue => "Lifetime value", "Kundenwert";
    DLifetimeValue => "All revenue up to the period's end divided by everyone who ever ordered.", "Aller Umsatz bis zum Ende des Zeitraums geteilt durch alle, die je bestellt haben.";
    FMembers => "Members", "Mitglieder";
    DMembers => "Members at the period's end.", "Mitglieder am Ende des Zeitraums.";
    FNewMembers => "New members", "Neue Mitglieder";
    DNewMembers => "Members who joined within the period.", "Mitglieder, die im Zeitraum beigetreten sind.";
    FActiveMembers => "Active members", "Aktive Mitglieder";
    DActiveMembers => "Members who ordered or redeemed within the period.", "Mitglieder, die im Zeitraum bestellt oder eingelöst haben.";
    FRetention => "Retention rate", "Bindungsrate";
    DRetention => "Customers who ordered in both periods divided by those who ordered in the previous one.", "Kundschaft, die in beiden Zeiträumen bestellt hat, geteilt durch die des vorigen Zeitraums.";
    FChurn => "Churn rate", "Abwanderungsrate";
    DChurn => "One minus the retention rate.", "Eins minus die Bindungsrate.";
    FRetentionStart => "Customers of the previous period", "Kundschaft des vorigen Zeitraums";
    DRetentionStart => "Customers who ordered in the previous period.", "Kundschaft, die im vorigen Zeitraum bestellt hat.";
    FRetentionRetained => "Customers kept", "Gehaltene Kundschaft";
    DRetentionRetained => "Customers who ordered in both periods.", "Kundschaft, die in beiden Zeiträumen bestellt hat.";
    FRetentionNew => "First-time customers", "Erstkundschaft";
    DRetentionNew => "Customers whose first order ever is in this period.", "Kundschaft, deren allererste Bestellung in diesem Zeitraum liegt.";
    FPointsIssued => "Points issued", "Vergebene Punkte";
    DPointsIssued => "Points booked to members in the period.", "Im Zeitraum an Mitglieder gebuchte Punkte.";
    FPointsRedeemed => "Points redeemed", "Eingelöste Punkte";
    DPointsRedeemed => "Points spent on rewards in the period.", "Im Zeitraum für Prämien ausgegebene Punkte.";
    FPointsExpired => "Points expired", "Verfallene Punkte";
    DPointsExpired => "Points that expired in the period.", "Im Zeitraum verfallene Punkte.";
    FRedemptionRate => "Redemption rate", "Einlösequote";
    DRedemptionRate => "Points redeemed divided by points issued.", "Eingelöste Punkte geteilt durch vergebene Punkte.";
    FPointsOutstanding => "Points outstanding", "Offene Punkte";
    DPointsOutstanding => "The sum of members' balances at the period's end.", "Summe der Punktestände der Mitglieder am Ende des Zeitraums.";
    FPointsOutstandingValue => "Value of points outstanding", "Wert der offenen Punkte";
    DPointsOutstandingValue => "Points outstanding at the program's point value.", "Offene Punkte zum Punktwert des Programms.";
    FRedemptions => "Redemptions", "Einlösungen";
    DRedemptions => "Rewards redeemed in the period.", "Im Zeitraum eingelöste Prämien.";
    FCodesIssued => "Codes issued", "Ausgegebene Codes";
    DCodesIssued => "Discount codes made on the shop's platform.", "Auf der Shop-Plattform erzeugte Rabattcodes.";
    FCodesUsed => "Codes used", "Genutzte Codes";
    DCodesUsed => "Discount codes used at a checkout.", "An einer Kasse genutzte Rabattcodes.";
    FLinksShared => "Referral links shared", "Geteilte Empfehlungslinks";
    DLinksShared => "Referral links members shared, where this is tracked.", "Von Mitgliedern geteilte Empfehlungslinks, wo das erfasst wird.";
    FFriendsJoined => "Friends who joined", "Beigetretene Freunde";
    DFriendsJoined => "Referred friends who joined in the period.", "Geworbene Freunde, die im Zeitraum beigetreten sind.";
    FFriendsOrdered => "Friends who ordered", "Bestellende Freunde";
    DFriendsOrdered => "Referred friends who placed an order in the period.", "Geworbene Freunde, die im Zeitraum bestellt haben.";
    FReferralConversion => "Referral conversion", "Empfehlungs-Konversion";
    DReferralConversion => "Friends who ordered divided by friends who joined.", "Bestellende Freunde geteilt durch beigetretene Freunde.";
    SearchLabel => "Search by id, e-mail or first name", "Suche nach ID, E-Mail oder Vorname";
    Search => "Search", "Suchen";
    CustomersFound => "{n} customers found.", "{n} Kundinnen und Kunden gefunden.";
    MoreCustomersFound => "{n} more customers, {total} in all.", "{n} weitere, insgesamt {total}.";
    NoCustomers => "No customer matches.", "Niemand passt zur Suche.";
    LoadMore => "Load more", "Mehr laden";
    Customer => "Customer", "Person";
    Email => "E-mail", "E-Mail";
    Balance => "Balance", "Punktestand";
    Tier => "Tier", "Stufe";
    LastOrder => "Last order", "Letzte Bestellung";
    Erased => "erased", "gelöscht";
    BackToCustomers => "Back to customers", "Zurück zur Kundenliste";
    ErasedNote => "This customer's personal data has been erased. Their points and orders stay in the figures.", "Die persönlichen Daten dieser Person wurden gelöscht. Punkte und Bestellungen bleiben in den Zahlen.";
    Details => "Details", "Angaben";
    CustomerId => "Customer id", "Kunden-ID";
    FirstName => "First name", "Vorname";
    Birthday => "Birthday", "Geburtstag";
    ReferralCode => "Referral code", "Empfehlungscode";
    ReferredBy => "Referred by", "Geworben von";
    ClubMember => "Club member", "Club-Mitglied";
    Joined => "Joined", "Beigetreten";
    Yes => "yes", "ja";
    No => "no", "nein";
    Summary => "Points", "Punkte";
    Pending => "Pending", "Vorgemerkt";
    Spent => "Spent", "Ausgegeben";
    Lifetime => "Earned in all", "Insgesamt gesammelt";
    Ledger => "Ledger", "Punktekonto";
    Day => "Day", "Tag";
    Kind => "Kind", "Art";
    Points => "Points", "Punkte";
    Reason => "Reason", "Grund";
    Expires => "Expires", "Verfällt";
    Orders => "Orders", "Bestellungen";
    NoOrders => "No orders yet.", "Noch keine Bestellungen.";
    OrderNumber => "Order", "Bestellung";
    Total => "Total", "Summe";
    Refunded => "Refunded", "Erstattet";
    Redemptions => "Redemptions", "Einlösungen";
    NoRedemptions => "No redemptions yet.", "Noch keine Einlösungen.";
    Reward => "Reward", "Prämie";
    Code => "Code", "Code";
    State => "State", "Status";
    AdjustPoints => "Adjust points", "Punkte anpassen";
    PointsToAdd => "Points (negative to take)", "Punkte (negativ zum Abziehen)";
    AdjustHelp => "The reason is what the customer's history shows (at most 120 characters).", "Der Grund erscheint im Verlauf der Person (höchstens 120 Zeichen).";
    AdjustInvalid => "Enter a whole number of points other than 0, and a reason.", "Geben Sie eine ganze Punktzahl außer 0 und einen Grund ein.";
    Book => "Book", "Buchen";
    Adjusted => "Booked {n} points.", "{n} Punkte gebucht.";
    PersonalData => "Personal data", "Persönliche Daten";
    Export => "Export (JSON)", "Exportieren (JSON)";
    Exported => "Saved {file}.", "{file} gespeichert.";
    Erase => "Erase personal data", "Persönliche Daten löschen";
    EraseQuestion => "Erase {name}?", "{name} löschen?";
    EraseText => "Their first name, e-mail, birthday and referral code are removed for good. Their points, orders and amounts stay, so the figures stay right.", "Vorname, E-Mail, Geburtstag und Empfehlungscode werden endgültig entfernt. Punkte, Bestellungen und Beträge bleiben, damit die Zahlen stimmen.";
    EraseConfirm => "Erase", "Löschen";
    Cancel => "Cancel", "Abbrechen";
    ErasedAt => "Erased at {at}.", "Gelöscht am {at}.";
    ImportIntro => "Bring members, balances, tiers and history over from another loyalty app's export. A dry run shows what would change; nothing is written until you apply it.", "Übernehmen Sie Mitglieder, Punktestände, Stufen und Verlauf aus dem Export einer anderen Treue-App. Ein Probelauf zeigt, was sich ändern würde; geschrieben wird erst beim Anwenden.";
    ImportApp => "App", "App";
    ImportId => "Import id", "Import-ID";
    AppByHeader => "Recognised by the file's header (Smile.io, Joy, Rivo, Yotpo, this endpoint)", "Am Kopf der Datei erkannt (Smile.io, Joy, Rivo, Yotpo, dieser Endpoint)";
    ImportMode => "Balances", "Punktestände";
    ModeAdd => "Add to what customers have", "Zum Bestand addieren";
    ModeSet => "Set as their balance", "Als Punktestand setzen";
    ImportFile => "File (CSV or JSON lines)", "Datei (CSV oder JSON Lines)";
    ChooseFileFirst => "Choose a file first.", "Wählen Sie zuerst eine Datei.";
    DryRun => "Dry run", "Probelauf";
    DryRunDone => "Dry run done: {n} rows read.", "Probelauf fertig: {n} Zeilen gelesen.";
    DryRunReport => "Dry run: {n} rows", "Probelauf: {n} Zeilen";
    ImportApplied => "Applied: {n} rows", "Angewendet: {n} Zeilen";
    AlreadyImported => "This file was imported before ({when}); nothing changes.", "Diese Datei wurde schon importiert ({when}); es ändert sich nichts.";
    Rows => "Rows", "Zeilen";
    Matched => "Customers found", "Gefundene Personen";
    Created => "Customers created", "Neu angelegt";
    Unchanged => "Rows changing nothing", "Zeilen ohne Änderung";
    PointsAdded => "Points added", "Punkte hinzugefügt";
    PointsRemoved => "Points removed", "Punkte entfernt";
    RefusedRows => "Rows refused", "Abgelehnte Zeilen";
    Line => "Line", "Zeile";
    ApplyImport => "Apply this import", "Diesen Import anwenden";
    ImportsApplied => "Imports applied", "Angewendete Importe";
    NoImports => "No imports yet.", "Noch keine Importe.";
    Undo => "Undo", "Rückgängig";
    UndoImport => "Undo the {app} import of {day}", "Den {app}-Import vom {day} rückgängig machen";
    ImportUndone => "Import undone ({points} points).", "Import rückgängig gemacht ({points} Punkte).";
    EmbedIntro => "Choose how the widget looks, then paste the snippet into your shop's pages. Your shop's server fills in the signed-in customer's token.", "Wählen Sie, wie das Widget aussieht, und fügen Sie den Code in die Seiten Ihres Shops ein. Der Server Ihres Shops setzt das Token der angemeldeten Person ein.";
    Mode => "Placement", "Platzierung";
    ModeInline => "Inline, in the page", "Eingebettet in die Seite";
    ModeLauncher => "Launcher button in a corner", "Schaltfläche in einer Ecke";
    Corner => "Corner", "Ecke";
    BottomRight => "Bottom right", "Unten rechts";
    BottomLeft => "Bottom left", "Unten links";
    TopRight => "Top right", "Oben rechts";
    TopLeft => "Top left", "Oben links";
    OffsetX => "Distance from the side (px)", "Abstand zur Seite (px)";
    OffsetY => "Distance from the top or bottom (px)", "Abstand nach oben oder unten (px)";
    Theme => "Theme", "Farbschema";
    ThemeAuto => "Follow the visitor's setting", "Einstellung der Besucher folgen";
    ThemeLight => "Light", "Hell";
    ThemeDark => "Dark", "Dunkel";
    WidgetLanguage => "Widget language", "Sprache des Widgets";
    PageLanguage => "The page's language", "Sprache der Seite";
    Colours => "Colours", "Farben";
    ColourAccent => "Accent (buttons, links)", "Akzent (Schaltflächen, Links)";
    ColourAccentText => "Text on the accent", "Text auf dem Akzent";
    ColourBackground => "Background", "Hintergrund";
    ColourText => "Text", "Text";
    Snippet => "Snippet for plain HTML", "Code für einfaches HTML";
    Copy => "Copy the snippet", "Code kopieren";
    Copied => "Copied.", "Kopiert.";
    CopyFailed => "Could not copy: select the snippet and copy it by hand.", "Kopieren ging nicht: Markieren und kopieren Sie den Code von Hand.";
    LivePreview => "Live preview", "Live-Vorschau";
    NoWidgetHere => "The widget's files are not served here (start the endpoint with --static dist to see it live).", "Die Dateien des Widgets werden hier nicht ausgeliefert (starten Sie den Endpoint mit --static dist für die Vorschau).";
    ProgramLanguage => "Language of the program", "Sprache des Programms";
    Currency => "Currency", "Währung";
    Tiers => "Tiers", "Stufen";
    Threshold => "From", "Ab";
    Perks => "Perks", "Vorteile";
    WaysToEarn => "Ways to earn", "Punkte sammeln";
    Rewards => "Rewards", "Prämien";
    MinTier => "Lowest tier", "Ab Stufe";
    Referrals => "Referrals", "Empfehlungen";
    KindOrder => "order", "Bestellung";
    KindRefund => "refund", "Erstattung";
    KindWelcome => "welcome", "Willkommen";
    KindBirthday => "birthday", "Geburtstag";
    KindReferral => "referral", "Empfehlung";
    KindRedemption => "redemption", "Einlösung";
    KindRelease => "given back", "Zurückgebucht";
    KindAdjustment => "adjustment", "Anpassung";
    KindExpiry => "expired", "Verfallen";
    KindImport => "import", "Import";
    // program page, snippets, reissue (#30)
    ProgramInstalled => "Installed program file", "Installierte Programmdatei";
    ProgramVersionLine => "Version {v}, installed {at}", "Version {v}, installiert {at}";
    ProgramVersionUnknown => "The installed file's version is not known.", "Die Version der installierten Datei ist nicht bekannt.";
    ProgramChecks => "Program check", "Programmprüfung";
    CheckOk => "OK", "In Ordnung";
    CheckError => "Error", "Fehler";
    ProgramChangesSince => "Changes since version {v}", "Änderungen seit Version {v}";
    ProgramChanges => "Changes", "Änderungen";
    NoPreviousVersion => "No earlier version is known.", "Keine frühere Version bekannt.";
    NoChanges => "Nothing changed.", "Nichts geändert.";
    ChangeField => "Field", "Feld";
    ChangeBefore => "Before", "Vorher";
    ChangeAfter => "After", "Nachher";
    ProgramPreview => "Preview with a sample customer", "Vorschau mit Beispielkunde";
    PreviewNote => "A sample member without points, as a customer sees the widget. Never counted in the figures; it cannot redeem.", "Ein Beispielmitglied ohne Punkte, so wie Kunden das Widget sehen. Zählt nie in den Kennzahlen mit und kann nichts einlösen.";
    SnippetShopify => "Shopify theme", "Shopify-Theme";
    SnippetShopifyNote => "In layout/theme.liquid, before </body>. The token comes from your app's proxy at /apps/loyalty/token (see README, \"Shopify theme\").", "In layout/theme.liquid vor </body>. Der Token kommt über den App-Proxy unter /apps/loyalty/token (siehe README, „Shopify theme“).";
    SnippetWooCommerce => "WooCommerce (WordPress plugin)", "WooCommerce (WordPress-Plugin)";
    SnippetWooCommerceNote => "The settings of the plugin integrations/wordpress/loyalty-widget.php, in wp-config.php; the secret stays in the server's environment.", "Die Einstellungen des Plugins integrations/wordpress/loyalty-widget.php in wp-config.php; das Geheimnis bleibt in der Umgebung des Servers.";
    RedemptionAction => "Action", "Aktion";
    RetryCode => "Try the code again", "Code erneut anfordern";
    RetryConfirmed => "Redemption {id}: the code is made and active now.", "Einlösung {id}: Der Code ist erstellt und jetzt aktiv.";
    RetryReleased => "Redemption {id}: the shop refused the code; the points are back.", "Einlösung {id}: Der Shop hat den Code abgelehnt; die Punkte sind zurückgebucht.";
    RetryPending => "Redemption {id}: still no answer from the shop; it stays pending.", "Einlösung {id}: Noch keine Antwort vom Shop; sie bleibt ausstehend.";
    RetryNothing => "Redemption {id}: nothing to do, it is no longer pending.", "Einlösung {id}: Nichts zu tun, sie steht nicht mehr aus.";
    NoReissue => "A new code would spend points again: the customer redeems it in the widget.", "Ein neuer Code würde erneut Punkte kosten: Die Person löst ihn im Widget ein.";
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

    fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_text_in_both_languages_with_the_same_placeholders() {
        for key in ALL {
            let (en, de) = (key.get(Lang::En), key.get(Lang::De));
            assert!(!en.trim().is_empty() && !de.trim().is_empty(), "{key:?}");
            assert_eq!(placeholders(en), placeholders(de), "{key:?}");
        }
    }

    #[test]
    fn ledger_kinds() {
        assert_eq!(ledger_kind("refund", Lang::De), "Erstattung");
        assert_eq!(ledger_kind("something_new", Lang::De), "something_new");
    }

    #[test]
    fn languages_from_tags() {
        assert_eq!(Lang::from_tag("de-AT"), Lang::De);
        assert_eq!(Lang::from_tag("DE"), Lang::De);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
    }
}
