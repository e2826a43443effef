//! The loyalty program as a file: TOML, in any languages, validated
//! before the endpoint starts (`serve --program FILE`) or on its own
//! (`program check FILE`), with one precise message per problem naming the
//! field. `endpoint/programs/morgenrot.toml` is the demo shop's program.
//!
//! [`install`] writes a checked program into the database's program tables
//! at every start, so editing the file and restarting changes the program;
//! customers, their points and their redemptions stay as they are. Rewards
//! left out of the file are switched off, not deleted (redemptions refer
//! to them).

use super::language::{self, Language};
use crate::store::queries as q;
use crate::store::rows::{EarningRow, NewOffer, NewReward, TierRow};
use crate::store::Db;
use loyalty_core::contract::{self, MilestoneKind, RewardKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The demo shop's program, built in (used without `--program`).
pub const DEMO: &str = include_str!("../../programs/morgenrot.toml");

/// A text in the program's languages: `{ de = "...", fr = "..." }`, any
/// BCP 47 tags.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, else in the program's default language, else
    /// any it has.
    pub fn get(&self, lang: &Language) -> &str {
        self.0
            .get(&lang.tag)
            .or_else(|| self.0.get(&lang.default))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }
}

/// A list of texts in the program's languages: `{ de = [...], en = [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Texts(pub BTreeMap<String, Vec<String>>);

impl Texts {
    /// The list in `lang`, else in the default language, else any.
    pub fn get(&self, lang: &Language) -> &[String] {
        self.0
            .get(&lang.tag)
            .or_else(|| self.0.get(&lang.default))
            .or_else(|| self.0.values().next())
            .map_or(&[], Vec::as_slice)
    }
}

/// What tiers are measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Points earned over the customer's whole membership.
    LifetimePoints,
    /// Money spent in the last 12 months, in currency units.
    #[serde(rename = "spend_12_months")]
    Spend12Months,
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Stable id (`silver`).
    pub id: String,
    /// Shown name.
    pub name: Text,
    /// Where the tier starts, in the basis' unit; the first is 0.
    pub threshold: u64,
    /// Points earned per currency unit spent, in this tier.
    pub points_per_unit: f64,
    /// What the tier brings, as shown.
    #[serde(default)]
    pub perks: Texts,
}

/// The tiers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// What thresholds are measured in.
    pub basis: Basis,
    /// From the lowest; thresholds strictly rising.
    pub levels: Vec<Tier>,
}

/// A bonus of points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bonus {
    /// Points granted (0: none).
    pub points: u64,
}

/// When points expire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expiry {
    /// Months after they were earned (0: never).
    pub months: u32,
}

/// Referral terms, for both sides.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Points the referrer earns when the friend's first order is paid.
    pub referrer_points: u64,
    /// What the friend gets on their first order, as shown to them.
    pub friend_gift: Text,
    /// The invitation text shown to the referrer.
    pub text: Text,
    /// Whether a visitor arriving through a link sees the referrer's first
    /// name.
    #[serde(default)]
    pub show_referrer_name: bool,
    /// The code the friend gets when they sign up with the referrer's code,
    /// for their first order (what `friend_gift` says), if the program
    /// gives one.
    #[serde(default)]
    pub friend_reward: Option<FriendReward>,
}

/// The referred friend's code: what it grants, like a reward's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FriendReward {
    /// What the code grants.
    pub value: Grant,
    /// The lowest order subtotal, minor units.
    #[serde(default)]
    pub min_subtotal: Option<u64>,
    /// Days the code is valid.
    #[serde(default = "default_valid_days")]
    pub valid_days: u32,
    /// Whether it combines with other discounts.
    #[serde(default)]
    pub combines: bool,
}

/// A reward customers redeem points for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// Stable id.
    pub id: String,
    /// What kind of code it gives.
    pub kind: RewardKind,
    /// Shown title.
    pub title: Text,
    /// Price in points.
    pub points_price: u64,
    /// The lowest tier that may redeem it, if any.
    #[serde(default)]
    pub min_tier: Option<String>,
    /// What its code grants at the shop's checkout.
    #[serde(default)]
    pub value: Option<Grant>,
    /// The lowest order subtotal the code works on, in minor units of the
    /// program's currency.
    #[serde(default)]
    pub min_subtotal: Option<u64>,
    /// Days the code stays valid from the day it is redeemed (the day
    /// itself counts).
    #[serde(default = "default_valid_days")]
    pub valid_days: u32,
    /// Whether the code combines with other discounts.
    #[serde(default)]
    pub combines: bool,
}

/// The reward id of a referred friend's gift (`referral.friend_reward`).
pub const FRIEND_GIFT: &str = "friend-gift";

/// Days a reward's code is valid when the program does not say.
pub const DEFAULT_VALID_DAYS: u32 = 90;

fn default_valid_days() -> u32 {
    DEFAULT_VALID_DAYS
}

/// What a reward's code grants: `value = { amount_off = 500 }` (minor
/// units), `value = { percent_off = 10 }`, `value = "free_shipping"` or
/// `value = { free_product = "123" }` (the platform's product id; on
/// Shopify also `gid://shopify/ProductVariant/456`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Grant {
    /// A fixed amount off the order, in minor units.
    AmountOff(u64),
    /// A percentage off the order.
    PercentOff(u32),
    /// Free shipping.
    FreeShipping,
    /// One product free.
    FreeProduct(String),
}

impl Grant {
    /// The reward kind this grant is.
    pub fn kind(&self) -> RewardKind {
        match self {
            Grant::AmountOff(_) => RewardKind::DiscountCode,
            Grant::PercentOff(_) => RewardKind::PercentageDiscountCode,
            Grant::FreeShipping => RewardKind::FreeDeliveryCode,
            Grant::FreeProduct(_) => RewardKind::GiftCode,
        }
    }
}

/// A members' offer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Stable id.
    pub id: String,
    /// Shown title.
    pub title: Text,
    /// Shown description.
    pub description: Text,
    /// The lowest tier it is for, if any.
    #[serde(default)]
    pub min_tier: Option<String>,
    /// Last day (`YYYY-MM-DD`), if any.
    #[serde(default)]
    pub ends_at: Option<String>,
    /// A code to show, if any.
    #[serde(default)]
    pub code: Option<String>,
    /// A link to act on it (https), if any.
    #[serde(default)]
    pub cta_url: Option<String>,
}

/// A whole program file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// The languages the program speaks (every text in each); the
    /// languages of `name` when not given.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// The language an answer falls back to (every text has it); `en`, or
    /// the first of `languages`, when not given.
    #[serde(default)]
    pub default_language: Option<String>,
    /// The club's name.
    pub name: Text,
    /// ISO 4217 currency code (`EUR`).
    pub currency: String,
    /// One or two sentences on what the club is.
    pub pitch: Text,
    /// Days an order's points stay pending (the return window).
    #[serde(default)]
    pub pending_days: u32,
    /// When points expire.
    #[serde(default)]
    pub expiry: Expiry,
    /// The tiers.
    pub tiers: Tiers,
    /// Points for joining.
    #[serde(default)]
    pub welcome: Bonus,
    /// Points on the customer's birthday.
    #[serde(default)]
    pub birthday: Bonus,
    /// Referral terms.
    pub referral: Referral,
    /// Rewards, in the order shown.
    #[serde(default)]
    pub rewards: Vec<Reward>,
    /// Members' offers, in the order shown.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// Whether a reward's code that expires unused gives its points back.
    #[serde(default)]
    pub refund_expired_rewards: bool,
}

/// Longest shown title or name, in characters (the contract's limit).
const MAX_TITLE: usize = 120;
/// Longest shown description or pitch, in characters.
const MAX_TEXT: usize = 500;
/// The most of anything one list holds.
const MAX_ITEMS: usize = 50;

/// Reads a program file's text: TOML, then every rule. All problems are
/// returned, each naming its field (`tiers.levels[1].threshold: ...`).
pub fn parse(text: &str) -> Result<Program, Vec<String>> {
    let program: Program = toml::from_str(text).map_err(|err| vec![err.to_string()])?;
    let problems = program.problems();
    if problems.is_empty() {
        Ok(program)
    } else {
        Err(problems)
    }
}

/// Collects problems with their field path.
/// Problems found, and the program's languages (lower case).
struct Check(Vec<String>, Vec<String>);

impl Check {
    fn fail(&mut self, field: &str, why: impl std::fmt::Display) {
        self.0.push(format!("{field}: {why}"));
    }

    fn text(&mut self, field: &str, text: &Text, max: usize) {
        for (lang, value) in &text.0 {
            let count = value.trim().chars().count();
            if count == 0 {
                self.fail(&format!("{field}.{lang}"), "must not be empty");
            } else if count > max {
                self.fail(
                    &format!("{field}.{lang}"),
                    format!("is {count} characters long; at most {max}"),
                );
            }
        }
        self.languages(field, text.0.keys());
    }

    /// Every language of the program is there, and nothing else.
    fn languages<'a>(&mut self, field: &str, have: impl Iterator<Item = &'a String> + Clone) {
        for lang in have.clone() {
            if !self.1.contains(lang) {
                self.fail(
                    &format!("{field}.{lang}"),
                    format!(
                        "{lang:?} is not one of the program's languages ({}); add it to \
                         `languages` or remove the text",
                        self.1.join(", ")
                    ),
                );
            }
        }
        let missing: Vec<&String> = self
            .1
            .iter()
            .filter(|l| !have.clone().any(|h| h == *l))
            .collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|l| l.as_str()).collect();
            self.fail(field, format!("no text in {}", list.join(", ")));
        }
    }

    fn id(&mut self, field: &str, id: &str, seen: &mut Vec<String>) {
        let plain = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !plain {
            self.fail(
                field,
                format!("{id:?} must be 1 to 64 of a-z, 0-9, '-' and '_'"),
            );
        }
        if seen.iter().any(|other| other == id) {
            self.fail(field, format!("{id:?} is used twice"));
        }
        seen.push(id.to_owned());
    }

    fn tier_ref(&mut self, field: &str, tier: Option<&String>, tiers: &[String]) {
        if let Some(tier) = tier {
            if !tiers.contains(tier) {
                self.fail(
                    field,
                    format!("{tier:?} is not a tier (tiers: {})", tiers.join(", ")),
                );
            }
        }
    }

    /// A reward's value: present, plausible, and the kind it says it is.
    fn grant(&mut self, at: &str, reward: &Reward) {
        let field = format!("{at}.value");
        match &reward.value {
            None => self.fail(
                &field,
                "missing: what the code grants at the checkout: { amount_off = 500 } \
                 (minor units), { percent_off = 10 }, \"free_shipping\" or \
                 { free_product = \"PRODUCT-ID\" }",
            ),
            Some(grant) => {
                match grant {
                    Grant::AmountOff(minor) if *minor == 0 || *minor > 100_000_000 => {
                        self.fail(&field, "amount_off must be 1 to 100000000 (minor units)")
                    }
                    Grant::PercentOff(percent) if *percent == 0 || *percent > 100 => {
                        self.fail(&field, "percent_off must be 1 to 100")
                    }
                    Grant::FreeProduct(id) if !product_id(id) => self.fail(
                        &field,
                        format!(
                            "free_product {id:?} must be the platform's product id: digits, \
                             or a Shopify gid://shopify/Product/N or gid://shopify/ProductVariant/N"
                        ),
                    ),
                    _ => {}
                }
                if reward.kind != RewardKind::Custom && grant.kind() != reward.kind {
                    let wanted = kind_name(grant.kind()).unwrap_or_default();
                    self.fail(
                        &format!("{at}.kind"),
                        format!("a reward whose value is {grant:?} is a {wanted}"),
                    );
                }
            }
        }
        if reward.min_subtotal.is_some_and(|m| m > 100_000_000) {
            self.fail(
                &format!("{at}.min_subtotal"),
                "must be at most 100000000 (minor units)",
            );
        }
        if reward.valid_days == 0 || reward.valid_days > 3650 {
            self.fail(&format!("{at}.valid_days"), "must be 1 to 3650");
        }
    }

    fn count(&mut self, field: &str, len: usize) {
        if len > MAX_ITEMS {
            self.fail(field, format!("has {len} entries; at most {MAX_ITEMS}"));
        }
    }
}

impl Program {
    /// The tiers as the contract publishes them, in `lang`, lowest first
    /// (the file's thresholds rise); thresholds of tiers by spend are in
    /// minor units.
    pub fn published_tiers(&self, lang: &Language) -> Vec<contract::Tier> {
        let (kind, unit) = match self.tiers.basis {
            Basis::LifetimePoints => (MilestoneKind::Points, 1),
            Basis::Spend12Months => (MilestoneKind::Spend, 100),
        };
        self.tiers
            .levels
            .iter()
            .map(|tier| contract::Tier {
                id: tier.id.clone(),
                name: tier.name.get(lang).to_owned(),
                kind,
                threshold: tier.threshold.saturating_mul(unit),
                perks: tier.perks.get(lang).to_vec(),
            })
            .collect()
    }

    /// Every rule the file breaks, each naming its field.
    pub fn problems(&self) -> Vec<String> {
        let mut check = Check(Vec::new(), self.languages());
        for lang in &check.1.clone() {
            if !language::well_formed(lang) || lang.chars().any(|c| c.is_ascii_uppercase()) {
                check.fail(
                    "languages",
                    format!("{lang:?} is not a lower-case language tag such as de, pt-br"),
                );
            }
        }
        let default = self.default_language();
        if !check.1.contains(&default) {
            check.fail(
                "default_language",
                format!("{default:?} is not one of the program's languages"),
            );
        }
        check.text("name", &self.name, MAX_TITLE);
        check.text("pitch", &self.pitch, MAX_TEXT);
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            check.fail(
                "currency",
                format!("{:?} must be an ISO 4217 code such as EUR", self.currency),
            );
        }
        if self.pending_days > 365 {
            check.fail("pending_days", "must be 0 to 365");
        }
        if self.expiry.months > 120 {
            check.fail("expiry.months", "must be 0 (never) to 120");
        }
        let levels = &self.tiers.levels;
        if levels.is_empty() {
            check.fail("tiers.levels", "needs at least one tier");
        }
        check.count("tiers.levels", levels.len());
        let mut tier_ids = Vec::new();
        for (i, tier) in levels.iter().enumerate() {
            let at = format!("tiers.levels[{i}]");
            check.id(&format!("{at}.id"), &tier.id, &mut tier_ids);
            check.text(&format!("{at}.name"), &tier.name, MAX_TITLE);
            if i == 0 && tier.threshold != 0 {
                check.fail(&format!("{at}.threshold"), "the first tier starts at 0");
            }
            if let Some(before) = i.checked_sub(1).and_then(|j| levels.get(j)) {
                if tier.threshold <= before.threshold {
                    check.fail(
                        &format!("{at}.threshold"),
                        format!(
                            "{} must be above the tier before ({}: {})",
                            tier.threshold, before.id, before.threshold
                        ),
                    );
                }
            }
            if !(0.0..=100.0).contains(&tier.points_per_unit) {
                check.fail(&format!("{at}.points_per_unit"), "must be 0 to 100");
            }
            for (lang, perks) in &tier.perks.0 {
                check.count(&format!("{at}.perks.{lang}"), perks.len());
            }
            if !tier.perks.0.is_empty() {
                check.languages(&format!("{at}.perks"), tier.perks.0.keys());
            }
            let counts: std::collections::BTreeSet<usize> =
                tier.perks.0.values().map(Vec::len).collect();
            if counts.len() > 1 {
                check.fail(
                    &format!("{at}.perks"),
                    "every language must list the same number of perks",
                );
            }
        }
        check.text(
            "referral.friend_gift",
            &self.referral.friend_gift,
            MAX_TITLE,
        );
        check.text("referral.text", &self.referral.text, MAX_TEXT);
        if let Some(gift) = &self.referral.friend_reward {
            // Checked as a reward of the kind its value is.
            let as_reward = Reward {
                id: "friend".into(),
                kind: gift.value.kind(),
                title: self.referral.friend_gift.clone(),
                points_price: 1,
                min_tier: None,
                value: Some(gift.value.clone()),
                min_subtotal: gift.min_subtotal,
                valid_days: gift.valid_days,
                combines: gift.combines,
            };
            check.grant("referral.friend_reward", &as_reward);
        }
        check.count("rewards", self.rewards.len());
        let mut reward_ids = Vec::new();
        for (i, reward) in self.rewards.iter().enumerate() {
            let at = format!("rewards[{i}]");
            check.id(&format!("{at}.id"), &reward.id, &mut reward_ids);
            check.text(&format!("{at}.title"), &reward.title, MAX_TITLE);
            if reward.points_price == 0 || reward.points_price > 1_000_000_000 {
                check.fail(&format!("{at}.points_price"), "must be 1 to 1000000000");
            }
            if reward.kind == RewardKind::Custom {
                check.fail(
                    &format!("{at}.kind"),
                    "must be discount_code, percentage_discount_code, free_delivery_code or gift_code",
                );
            }
            check.tier_ref(
                &format!("{at}.min_tier"),
                reward.min_tier.as_ref(),
                &tier_ids,
            );
            check.grant(&at, reward);
        }
        check.count("offers", self.offers.len());
        let mut offer_ids = Vec::new();
        for (i, offer) in self.offers.iter().enumerate() {
            let at = format!("offers[{i}]");
            check.id(&format!("{at}.id"), &offer.id, &mut offer_ids);
            check.text(&format!("{at}.title"), &offer.title, MAX_TITLE);
            check.text(&format!("{at}.description"), &offer.description, MAX_TEXT);
            check.tier_ref(
                &format!("{at}.min_tier"),
                offer.min_tier.as_ref(),
                &tier_ids,
            );
            if let Some(day) = &offer.ends_at {
                if !matches!(
                    loyalty_core::date::parse(day),
                    Some(loyalty_core::date::ContractDate::Day { .. })
                ) {
                    check.fail(
                        &format!("{at}.ends_at"),
                        format!("{day:?} is not a date YYYY-MM-DD"),
                    );
                }
            }
            if let Some(code) = &offer.code {
                if code.trim().is_empty() || code.chars().count() > 64 {
                    check.fail(&format!("{at}.code"), "must be 1 to 64 characters");
                }
            }
            if let Some(url) = &offer.cta_url {
                if !url.starts_with("https://") || loyalty_core::url::safe_link(url).is_none() {
                    check.fail(
                        &format!("{at}.cta_url"),
                        format!("{url:?} must be an https URL"),
                    );
                }
            }
        }
        check.0
    }

    /// A one-line summary, for `program check`.
    pub fn summary(&self) -> String {
        format!(
            "{} ({}): {} tiers by {}, {} rewards, {} offers; welcome {} points, birthday {} points, \
             referrer {} points; points pending {} days, expiring after {}; in {} (default {})",
            self.name.get(&self.language(None)),
            self.currency,
            self.tiers.levels.len(),
            match self.tiers.basis {
                Basis::LifetimePoints => "lifetime points",
                Basis::Spend12Months => "spend in the last 12 months",
            },
            self.rewards.len(),
            self.offers.len(),
            self.welcome.points,
            self.birthday.points,
            self.referral.referrer_points,
            self.pending_days,
            match self.expiry.months {
                0 => "never".to_owned(),
                months => format!("{months} months"),
            },
            self.languages().join(", "),
            self.default_language(),
        )
    }

    /// The program's languages, lower case.
    pub fn languages(&self) -> Vec<String> {
        match &self.languages {
            Some(list) => list.iter().map(|l| l.to_ascii_lowercase()).collect(),
            None => self.name.0.keys().map(|l| l.to_ascii_lowercase()).collect(),
        }
    }

    /// The language answers fall back to.
    pub fn default_language(&self) -> String {
        if let Some(lang) = &self.default_language {
            return lang.to_ascii_lowercase();
        }
        let languages = self.languages();
        if languages.iter().any(|l| l == "en") {
            "en".into()
        } else {
            languages.first().cloned().unwrap_or_else(|| "en".into())
        }
    }

    /// The language to answer a request for `requested` in.
    pub fn language(&self, requested: Option<&str>) -> Language {
        language::negotiate(requested, &self.languages(), &self.default_language())
    }

    /// The earning rules as shown (`GET /v1/program`'s `earning`) in
    /// `lang`, made from the figures so they never disagree with them:
    /// (kind, title, points).
    pub fn earning(&self, lang: &Language) -> Vec<(&'static str, String, String)> {
        let mut rules = Vec::new();
        let points = |n: u64| language::count(lang, "points", &n.to_string());
        if self.welcome.points > 0 {
            let p = points(self.welcome.points);
            rules.push((
                "signup",
                language::say(lang, "earn-signup-title", &[]),
                language::say(lang, "earn-signup-points", &[("points", &p)]),
            ));
        }
        if let Some(base) = self.tiers.levels.first() {
            let unit = language::say(lang, &format!("unit-{}", self.currency), &[]);
            let unit = if unit.starts_with("unit-") {
                self.currency.clone()
            } else {
                unit
            };
            let rate = language::count(lang, "points", &format_rate(base.points_per_unit));
            rules.push((
                "order",
                language::say(lang, "earn-order-title", &[]),
                language::say(
                    lang,
                    "earn-order-points",
                    &[("points", &rate), ("unit", &unit)],
                ),
            ));
        }
        if self.birthday.points > 0 {
            rules.push((
                "birthday",
                language::say(lang, "earn-birthday-title", &[]),
                points(self.birthday.points),
            ));
        }
        if self.referral.referrer_points > 0 {
            let p = points(self.referral.referrer_points);
            rules.push((
                "referral",
                language::say(lang, "earn-referral-title", &[]),
                language::say(lang, "earn-referral-points", &[("points", &p)]),
            ));
        }
        rules
    }
}

/// A rate with at most two decimals and no trailing zeros (`1.25`, `1`).
fn format_rate(rate: f64) -> String {
    let text = format!("{rate:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Whether `id` names a product the way a platform does.
fn product_id(id: &str) -> bool {
    let digits = id
        .strip_prefix("gid://shopify/Product/")
        .or_else(|| id.strip_prefix("gid://shopify/ProductVariant/"))
        .unwrap_or(id);
    !digits.is_empty() && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
}

/// A reward kind's contract name (`discount_code`).
fn kind_name(kind: RewardKind) -> super::Result<String> {
    Ok(serde_json::to_value(kind)?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Writes a checked program into the program tables, inside the caller's
/// write transaction.
pub async fn install(db: &mut Db<'_>, program: &Program) -> super::Result<()> {
    q::put_setting(db, "currency", &program.currency).await?;
    // Rewards and offers point at tiers: clear those links, then the tiers.
    q::clear_program(db).await?;
    q::clear_texts(db).await?;
    let languages = program.languages();
    let default = program.default_language();
    for tag in &languages {
        let lang = Language::new(tag, &default);
        let mut texts: Vec<(String, String)> = vec![
            ("program.name".into(), program.name.get(&lang).to_owned()),
            ("program.pitch".into(), program.pitch.get(&lang).to_owned()),
            (
                "program.referral".into(),
                program.referral.text.get(&lang).to_owned(),
            ),
            (
                "program.friend_gift".into(),
                program.referral.friend_gift.get(&lang).to_owned(),
            ),
        ];
        for tier in &program.tiers.levels {
            texts.push((
                format!("tier.{}.name", tier.id),
                tier.name.get(&lang).to_owned(),
            ));
            let perks = serde_json::to_string(tier.perks.get(&lang))?;
            texts.push((format!("tier.{}.perks", tier.id), perks));
        }
        for (position, (_, title, points)) in program.earning(&lang).into_iter().enumerate() {
            texts.push((format!("earning.{position}.title"), title));
            texts.push((format!("earning.{position}.points"), points));
        }
        for reward in &program.rewards {
            texts.push((
                format!("reward.{}.title", reward.id),
                reward.title.get(&lang).to_owned(),
            ));
        }
        if program.referral.friend_reward.is_some() {
            let title = program.referral.friend_gift.get(&lang).to_owned();
            texts.push((format!("reward.{FRIEND_GIFT}.title"), title));
        }
        for offer in &program.offers {
            texts.push((
                format!("offer.{}.title", offer.id),
                offer.title.get(&lang).to_owned(),
            ));
            let description = offer.description.get(&lang).to_owned();
            texts.push((format!("offer.{}.description", offer.id), description));
        }
        for (owner, text) in texts {
            q::put_text(db, &owner, tag, &text).await?;
        }
    }
    for tier in &program.tiers.levels {
        let row = TierRow {
            id: &tier.id,
            threshold: i64::try_from(tier.threshold).unwrap_or(i64::MAX),
        };
        q::put_tier(db, &row).await?;
    }
    let first = Language::new(&default, &default);
    for (position, (kind, _, _)) in program.earning(&first).into_iter().enumerate() {
        let row = EarningRow {
            kind: kind.to_owned(),
        };
        q::put_earning(db, position as i64, &row).await?;
    }
    for (position, reward) in program.rewards.iter().enumerate() {
        let kind = kind_name(reward.kind)?;
        let row = NewReward {
            id: &reward.id,
            position: position as i64,
            kind: &kind,
            points_price: i64::try_from(reward.points_price).unwrap_or(i64::MAX),
            min_tier_id: reward.min_tier.as_deref(),
        };
        q::put_reward(db, &row).await?;
    }
    if let Some(gift) = &program.referral.friend_reward {
        let kind = kind_name(gift.value.kind())?;
        let row = NewReward {
            id: FRIEND_GIFT,
            position: program.rewards.len() as i64,
            kind: &kind,
            points_price: 0,
            min_tier_id: None,
        };
        q::put_reward(db, &row).await?;
        q::hide_reward(db, FRIEND_GIFT).await?;
    }
    for (position, offer) in program.offers.iter().enumerate() {
        let row = NewOffer {
            id: &offer.id,
            position: position as i64,
            min_tier_id: offer.min_tier.as_deref(),
            ends_at: offer.ends_at.as_deref(),
            code: offer.code.as_deref(),
            cta_url: offer.cta_url.as_deref(),
        };
        q::put_offer(db, &row).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_program_file_is_valid() {
        let program = parse(DEMO).expect("the demo program is valid");
        assert_eq!(program.tiers.levels.len(), 3);
        assert_eq!(program.rewards.len(), 4);
        assert_eq!(program.welcome.points, 100);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let broken = DEMO
            .replace("threshold = 1000", "threshold = 3000")
            .replace(r#"currency = "EUR""#, r#"currency = "euro""#)
            .replace(r#"min_tier = "silver""#, r#"min_tier = "platinum""#)
            .replace(r#"id = "r-5eur""#, r#"id = "r-shipping""#)
            .replace(r#"ends_at = "2026-12-24""#, r#"ends_at = "24.12.2026""#)
            .replace("https://example.com/cupping", "javascript:alert(1)");
        let problems = parse(&broken).expect_err("refused");
        let expect = [
            "currency: \"euro\" must be an ISO 4217 code",
            "tiers.levels[2].threshold: 2500 must be above the tier before (silver: 3000)",
            "rewards[1].id: \"r-shipping\" is used twice",
            "rewards[3].min_tier: \"platinum\" is not a tier (tiers: bronze, silver, gold)",
            "offers[0].ends_at: \"24.12.2026\" is not a date YYYY-MM-DD",
            "offers[1].cta_url: \"javascript:alert(1)\" must be an https URL",
        ];
        for needle in expect {
            assert!(
                problems.iter().any(|p| p.starts_with(needle)),
                "missing {needle:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn unknown_or_missing_fields_are_named_by_toml() {
        let typo = DEMO.replace("pending_days = 14", "pending_dayz = 14");
        let problems = parse(&typo).expect_err("refused");
        assert!(problems[0].contains("pending_dayz"), "{problems:?}");
        let missing = DEMO.replace(r#"currency = "EUR""#, "");
        let problems = parse(&missing).expect_err("refused");
        assert!(problems[0].contains("currency"), "{problems:?}");
    }

    #[test]
    fn earning_texts_follow_the_figures() {
        let program = parse(DEMO).expect("valid");
        let points = |tag: &str| -> Vec<String> {
            let lang = program.language(Some(tag));
            program
                .earning(&lang)
                .into_iter()
                .map(|(_, _, points)| points)
                .collect()
        };
        assert_eq!(
            points("de"),
            [
                "100 Punkte Willkommensbonus",
                "1 Punkt pro Euro",
                "50 Punkte",
                "200 Punkte pro Freund"
            ]
        );
        assert_eq!(
            points("en"),
            [
                "100 points welcome bonus",
                "1 point per euro",
                "50 points",
                "200 points per friend"
            ]
        );
        // Each language's plural forms and decimal comma.
        assert_eq!(points("pl")[2], "50 punktów");
        assert_eq!(points("fr")[1], "1 point par euro");
        let mut swiss = program.clone();
        swiss.currency = "CHF".into();
        swiss.tiers.levels[0].points_per_unit = 1.5;
        let rate = |tag: &str| swiss.earning(&swiss.language(Some(tag)))[1].2.clone();
        assert_eq!(rate("de"), "1,5 Punkte pro Franken");
        assert_eq!(rate("en"), "1.5 points per franc");
        assert_eq!(rate("fr"), "1,5 point par franc");
    }

    #[test]
    fn texts_are_in_every_language_of_the_program() {
        let two = DEMO.replace(
            "languages = [\"ar\", \"cs\", \"da\", \"de\", \"en\", \"es\", \"fi\", \"fr\", \"he\", \"it\", \"nb\", \"nl\", \"pl\", \"pt\", \"sv\"]",
            "languages = [\"de\", \"en\", \"ja\"]",
        );
        assert_ne!(two, DEMO);
        let problems = parse(&two).expect_err("ja is declared but missing");
        assert!(
            problems.iter().any(|p| p == "name: no text in ja"),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("name.fr: \"fr\" is not one of")),
            "{problems:?}"
        );
        let bad_default = DEMO.replace("default_language = \"en\"", "default_language = \"xx\"");
        let problems = parse(&bad_default).expect_err("no such language");
        assert!(
            problems.iter().any(|p| p.starts_with("default_language")),
            "{problems:?}"
        );
    }
}
