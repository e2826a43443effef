//! The admin API's answers as the console reads them (docs: /work's
//! console-api.md and openapi/loyalty-admin-v1.json). Serde only, no
//! browser: tested natively. Every field the console does not strictly
//! need has a default, so an answer with more (or fewer optional) fields
//! still reads.

use serde::Deserialize;
use serde_json::Value;

/// `GET`/`POST /admin/v1/session`: the live session (the key is never kept).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionInfo {
    /// Sent back as `X-CSRF-Token` on every write; held in memory only.
    pub csrf_token: String,
    /// When the session ends unless used.
    #[serde(default)]
    pub expires_at: String,
    /// Minutes without use before it expires.
    #[serde(default)]
    pub idle_minutes: u32,
}

/// One row of `GET /admin/v1/customers`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerRow {
    /// The shop's customer id.
    pub id: String,
    /// First name, none once erased.
    #[serde(default)]
    pub first_name: Option<String>,
    /// E-mail, none once erased.
    #[serde(default)]
    pub email: Option<String>,
    /// `member` or `erased`.
    #[serde(default)]
    pub state: String,
    /// Points they can spend.
    #[serde(default)]
    pub balance: i64,
    /// Their tier's id.
    #[serde(default)]
    pub tier: Option<String>,
    /// The day they joined.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Their last order, RFC 3339.
    #[serde(default)]
    pub last_order_at: Option<String>,
}

/// `GET /admin/v1/customers`: a page of the search.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerPage {
    /// The customers on this page.
    pub customers: Vec<CustomerRow>,
    /// The next page's cursor, none on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The customer part of `GET /admin/v1/customers/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerFull {
    /// What the list shows.
    #[serde(flatten)]
    pub row: CustomerRow,
    /// `YYYY-MM-DD` or `MM-DD`.
    #[serde(default)]
    pub birthday: Option<String>,
    /// Their own referral code.
    #[serde(default)]
    pub referral_code: Option<String>,
    /// Who referred them.
    #[serde(default)]
    pub referred_by: Option<String>,
    /// Whether they are in the club.
    #[serde(default)]
    pub club_member: Option<bool>,
}

/// An order of the customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderRow {
    /// The platform's order id.
    pub id: String,
    /// The number the shop shows.
    #[serde(default)]
    pub number: Option<String>,
    /// Total, minor units.
    #[serde(default)]
    pub total_minor: i64,
    /// Refunded, minor units.
    #[serde(default)]
    pub refunded_minor: i64,
    /// Points it earned.
    #[serde(default)]
    pub points: i64,
    /// When it was placed.
    #[serde(default)]
    pub placed_at: Option<String>,
}

/// A redemption of the customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RedemptionRow {
    /// Its id (a string or a number).
    #[serde(default)]
    pub id: Value,
    /// The reward.
    #[serde(default)]
    pub reward_id: String,
    /// Points it took.
    #[serde(default)]
    pub points_spent: i64,
    /// The discount code.
    #[serde(default)]
    pub code: Option<String>,
    /// Its state.
    #[serde(default)]
    pub state: String,
    /// When it was made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When its code expires.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The order that used it.
    #[serde(default)]
    pub used_order: Option<String>,
    /// Whether its code may be reissued (expired unused, points kept).
    #[serde(default)]
    pub reissuable: bool,
    /// The redemption its code was reissued as.
    #[serde(default)]
    pub reissued_as: Option<String>,
}

/// `GET /admin/v1/customers/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerDetail {
    /// The person.
    pub customer: CustomerFull,
    /// What `GET /v1/customer` answers for them.
    #[serde(default)]
    pub summary: Value,
    /// Their orders.
    #[serde(default)]
    pub orders: Vec<OrderRow>,
    /// Their redemptions.
    #[serde(default)]
    pub redemptions: Vec<RedemptionRow>,
}

/// One entry of `GET /admin/v1/customers/{id}/ledger`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LedgerEntry {
    /// Its id.
    #[serde(default)]
    pub id: i64,
    /// `order`, `refund`, `welcome`, `adjustment`, ...
    #[serde(default)]
    pub kind: String,
    /// Signed points.
    #[serde(default)]
    pub points: i64,
    /// The day it was booked.
    #[serde(default)]
    pub booked_on: String,
    /// The day its points can be spent.
    #[serde(default)]
    pub available_on: Option<String>,
    /// The day its points expire.
    #[serde(default)]
    pub expires_on: Option<String>,
    /// What the customer's history shows.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /admin/v1/customers/{id}/ledger`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ledger {
    /// Newest first.
    pub entries: Vec<LedgerEntry>,
}

/// `POST /admin/v1/customers/{id}/erase`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Erased {
    /// The customer.
    pub id: String,
    /// When (the first time).
    pub erased_at: String,
}

/// A split of a figure by membership, as `GET /admin/v1/analytics` sends it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct Split {
    /// Everyone.
    #[serde(default)]
    pub all: Option<f64>,
    /// Members.
    #[serde(default)]
    pub members: Option<f64>,
    /// Customers who are not members.
    #[serde(default)]
    pub non_members: Option<f64>,
}

/// One bucket of the analytics' trend.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TrendBucket {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
    /// Orders placed.
    #[serde(default)]
    pub orders: Split,
    /// Revenue, minor units.
    #[serde(default)]
    pub revenue_minor: Split,
    /// Points issued.
    #[serde(default)]
    pub points_issued: Option<f64>,
    /// Points redeemed.
    #[serde(default)]
    pub points_redeemed: Option<f64>,
    /// Members who joined.
    #[serde(default)]
    pub new_members: Option<f64>,
}

/// A month's cohort of new members.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    /// Members who joined that month.
    #[serde(default)]
    pub members: Option<f64>,
    /// Their revenue since, minor units.
    #[serde(default)]
    pub revenue_minor: Option<f64>,
    /// Revenue per member, minor units.
    #[serde(default)]
    pub lifetime_value_minor: Option<f64>,
}

/// A member the analytics think may not come back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AtRiskCustomer {
    /// Their id.
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Points they could spend.
    #[serde(default)]
    pub points: i64,
    /// Their last order.
    #[serde(default)]
    pub last_order_at: Option<String>,
    /// Their median days between orders.
    #[serde(default)]
    pub usual_gap_days: Option<f64>,
    /// Days since their last order.
    #[serde(default)]
    pub days_since_order: Option<f64>,
}

/// The at-risk list.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AtRisk {
    /// How many there are in all.
    #[serde(default)]
    pub count: u64,
    /// The first of them, most points first.
    #[serde(default)]
    pub customers: Vec<AtRiskCustomer>,
}

/// `GET /admin/v1/analytics`. The period's figures stay JSON: the console
/// reads them by name ([`figure`]), so a figure the API adds costs nothing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Analytics {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Days in the period.
    #[serde(default)]
    pub days: u32,
    /// The previous period's first day.
    #[serde(default)]
    pub previous_from: String,
    /// The previous period's last day.
    #[serde(default)]
    pub previous_to: String,
    /// The shop's currency, ISO 4217.
    #[serde(default)]
    pub currency: String,
    /// This period's figures.
    #[serde(default)]
    pub current: Value,
    /// The previous period's figures.
    #[serde(default)]
    pub previous: Value,
    /// Weekly (or longer) buckets.
    #[serde(default)]
    pub trend: Vec<TrendBucket>,
    /// Members by the month they joined.
    #[serde(default)]
    pub cohorts: Vec<Cohort>,
    /// Members who may not come back.
    #[serde(default)]
    pub at_risk: AtRisk,
}

/// A figure by its dotted path (`revenue_minor.members`,
/// `retention.start`): a number, or none when it is null or missing.
pub fn figure(figures: &Value, path: &str) -> Option<f64> {
    path.split('.')
        .try_fold(figures, |value, part| value.get(part))
        .and_then(Value::as_f64)
}

/// A ranked bar of the analytics (rewards or tiers): a label and a count.
pub fn bars(figures: &Value, list: &str, label: &str, count: &str) -> Vec<(String, f64)> {
    figures
        .get(list)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let name = item
                        .get(label)
                        .and_then(Value::as_str)
                        .or_else(|| item.get("id").and_then(Value::as_str))
                        .unwrap_or("?")
                        .to_string();
                    (name, item.get(count).and_then(Value::as_f64).unwrap_or(0.0))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An import's report (`POST /admin/v1/imports`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportReport {
    /// The import's id once applied.
    #[serde(default)]
    pub id: Option<String>,
    /// The app the file comes from.
    #[serde(default)]
    pub app: String,
    /// `add` or `set`.
    #[serde(default)]
    pub mode: String,
    /// Whether it was written.
    #[serde(default)]
    pub applied: bool,
    /// When the same file was applied before.
    #[serde(default)]
    pub already_imported: Option<String>,
    /// Rows read.
    #[serde(default)]
    pub rows: u64,
    /// Customers found.
    #[serde(default)]
    pub matched: u64,
    /// Customers created.
    #[serde(default)]
    pub created: u64,
    /// Rows that change nothing.
    #[serde(default)]
    pub unchanged: u64,
    /// Points added.
    #[serde(default)]
    pub points_added: i64,
    /// Points removed.
    #[serde(default)]
    pub points_removed: i64,
    /// Ledger entries.
    #[serde(default)]
    pub entries: u64,
    /// Rows refused, with why.
    #[serde(default)]
    pub refused: Vec<Refusal>,
}

/// A row an import refused.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refusal {
    /// The file's line.
    #[serde(default)]
    pub line: u64,
    /// Why, and what to change.
    #[serde(default)]
    pub reason: String,
}

/// `GET /admin/v1/imports`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Imports {
    /// The imports applied, newest first.
    #[serde(default)]
    pub imports: Vec<ImportRecord>,
}

/// An applied import.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportRecord {
    /// Its id.
    pub id: String,
    /// The app.
    #[serde(default)]
    pub app: String,
    /// `add` or `set`.
    #[serde(default)]
    pub mode: String,
    /// The day it was applied.
    #[serde(default)]
    pub created_at: String,
    /// Rows.
    #[serde(default)]
    pub rows: u64,
    /// Net points.
    #[serde(default)]
    pub points: i64,
    /// `applied` or `undone`.
    #[serde(default)]
    pub state: String,
}

/// `POST /admin/v1/imports/{id}/undo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportUndone {
    /// The import.
    pub id: String,
    /// What the compensating entries add up to.
    #[serde(default)]
    pub points: i64,
    /// Imported points spent already.
    #[serde(default)]
    pub kept: i64,
    /// One line per customer who keeps some.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The contract's error body `{"error":{"code","message"}}`: code and message.
pub fn error_body(text: &str) -> Option<(String, String)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let error = value.get("error")?;
    Some((
        error.get("code")?.as_str()?.to_string(),
        error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    ))
}

/// One finding of `program check` (`GET /admin/v1/program`'s `checks`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProgramFinding {
    /// `ok` or `error`.
    #[serde(default)]
    pub level: String,
    /// What was found.
    #[serde(default)]
    pub message: String,
}

/// One field changed since the previous program version.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProgramChange {
    /// The field (`tiers.levels[1].threshold`).
    #[serde(default)]
    pub path: String,
    /// Its value before (`None` when added).
    #[serde(default)]
    pub before: Option<Value>,
    /// Its value after (`None` when removed).
    #[serde(default)]
    pub after: Option<Value>,
}

/// A kept program version.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProgramVersion {
    /// Its number.
    pub version: i64,
    /// When it was installed (RFC 3339).
    #[serde(default)]
    pub installed_at: String,
}

/// `GET /admin/v1/program`: the installed program, its checks, its changes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProgramPage {
    /// The installed version (unknown: `None`).
    #[serde(default)]
    pub version: Option<i64>,
    /// When it was installed.
    #[serde(default)]
    pub installed_at: Option<String>,
    /// The program's languages.
    #[serde(default)]
    pub languages: Vec<String>,
    /// The language answers fall back to.
    #[serde(default)]
    pub default_language: String,
    /// `program check`'s findings.
    #[serde(default)]
    pub checks: Vec<ProgramFinding>,
    /// The version before.
    #[serde(default)]
    pub previous: Option<ProgramVersion>,
    /// What changed since `previous`.
    #[serde(default)]
    pub changes: Vec<ProgramChange>,
}

/// `POST /admin/v1/preview-token`: a token for the sample customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PreviewToken {
    /// The customer token for the widget.
    pub token: String,
}

/// A changed value as the program page writes it: JSON, `–` when absent.
pub fn change_value(value: &Option<Value>) -> String {
    match value {
        None | Some(Value::Null) => "–".into(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// `POST /admin/v1/redemptions/{id}/retry` and `.../reissue`: how making
/// the code on the platform ended, and (a reissue) the new redemption.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CodeOutcome {
    /// `confirmed`, `released`, `pending` or `nothing`.
    #[serde(default)]
    pub outcome: String,
    /// The redemption's state after a retry.
    #[serde(default)]
    pub state: Option<String>,
    /// A reissue's new redemption now (its code, its state).
    #[serde(default)]
    pub redemption: Option<RedemptionRow>,
}

/// A redemption's id as its path segment (the API gives a string or a number).
pub fn id_text(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_figures_by_path() {
        let figures = json!({"revenue_minor": {"all": 1200, "members": 800, "non_members": null},
                             "retention": {"start": 4}, "members": 9});
        assert_eq!(figure(&figures, "revenue_minor.all"), Some(1200.0));
        assert_eq!(figure(&figures, "revenue_minor.non_members"), None);
        assert_eq!(figure(&figures, "retention.start"), Some(4.0));
        assert_eq!(figure(&figures, "members"), Some(9.0));
        assert_eq!(figure(&figures, "nope.all"), None);
    }

    #[test]
    fn reads_the_documented_analytics_answer() {
        let answer = json!({
            "from": "2026-11-07", "to": "2026-12-06", "days": 30,
            "previous_from": "2026-10-08", "previous_to": "2026-11-06",
            "currency": "EUR", "point_value_minor": 1.0,
            "current": {"rewards": [{"id": "r5", "title": "5 €", "redemptions": 3}]},
            "previous": {},
            "trend": [{"start": "2026-11-07", "end": "2026-11-13",
                       "orders": {"all": 3, "members": 2, "non_members": 1},
                       "revenue_minor": {"all": 300, "members": 200, "non_members": 100},
                       "points_issued": 20, "points_redeemed": 0, "new_members": 1}],
            "cohorts": [{"month": "2025-01", "members": 12, "revenue_minor": 123400, "lifetime_value_minor": 10283}],
            "at_risk": {"count": 1, "customers": [{"id": "cust-anna", "first_name": "Anna", "points": 120,
                        "last_order_at": "2026-08-01T10:00:00Z", "usual_gap_days": 30, "days_since_order": 120}]}
        });
        let analytics: Analytics = serde_json::from_value(answer).unwrap();
        assert_eq!(analytics.trend[0].revenue_minor.members, Some(200.0));
        assert_eq!(analytics.at_risk.customers[0].id, "cust-anna");
        assert_eq!(
            bars(&analytics.current, "rewards", "title", "redemptions"),
            vec![("5 €".to_string(), 3.0)]
        );
    }

    #[test]
    fn reads_a_customer_page_and_errors() {
        let page: CustomerPage = serde_json::from_value(json!({"customers": [{"id": "c1",
            "first_name": null, "email": null, "state": "erased", "balance": 0, "tier": null,
            "created_on": "2026-01-01", "last_order_at": null}], "next_cursor": null}))
        .unwrap();
        assert_eq!(page.customers[0].state, "erased");
        assert_eq!(
            error_body(r#"{"error":{"code":"rate_limited","message":"wait"}}"#),
            Some(("rate_limited".into(), "wait".into()))
        );
        assert_eq!(error_body("<html>"), None);
    }

    #[test]
    fn the_program_page_reads_with_its_checks_and_changes() {
        let page: ProgramPage = serde_json::from_str(
            r#"{"version":2,"installed_at":"2026-12-07T14:03:09Z","summary":"x","languages":["de","en"],
                "default_language":"en","file":{},"source":"","checks":[{"level":"ok","message":"fine"}],
                "previous":{"version":1,"installed_at":"2026-11-30T09:00:00Z"},
                "changes":[{"path":"currency","before":"EUR","after":"CHF"},{"path":"a[1]","before":null,"after":3}]}"#,
        )
        .expect("reads");
        assert_eq!(page.version, Some(2));
        assert_eq!(page.checks[0].level, "ok");
        assert_eq!(page.previous.map(|p| p.version), Some(1));
        assert_eq!(change_value(&page.changes[0].before), "EUR");
        assert_eq!(change_value(&page.changes[1].before), "–");
        assert_eq!(change_value(&page.changes[1].after), "3");
    }

    #[test]
    fn a_retry_and_a_reissue_read_and_ids_are_path_text() {
        let retried: CodeOutcome =
            serde_json::from_str(r#"{"id":"7","outcome":"confirmed","state":"active"}"#)
                .expect("reads");
        assert_eq!(retried.outcome, "confirmed");
        assert_eq!(retried.state.as_deref(), Some("active"));
        assert_eq!(retried.redemption, None);
        let reissued: CodeOutcome = serde_json::from_str(
            r#"{"id":"reissue-red-3","reissue_of":"red-3","outcome":"nothing",
                "redemption":{"id":"reissue-red-3","reward_id":"r-5","points_spent":0,
                "code":"NEW-CODE","state":"active","created_at":"2026-12-30",
                "expires_at":"2027-01-28"}}"#,
        )
        .expect("reads");
        let line = reissued.redemption.expect("the new redemption");
        assert_eq!(line.code.as_deref(), Some("NEW-CODE"));
        assert_eq!(line.points_spent, 0);
        let listed: RedemptionRow = serde_json::from_str(
            r#"{"id":"red-3","state":"expired","reissuable":false,"reissued_as":"reissue-red-3"}"#,
        )
        .expect("reads");
        assert!(!listed.reissuable);
        assert_eq!(listed.reissued_as.as_deref(), Some("reissue-red-3"));
        assert_eq!(id_text(&serde_json::json!("r-7")), "r-7");
        assert_eq!(id_text(&serde_json::json!(7)), "7");
    }
}
