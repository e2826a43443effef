//! The customer's tier and the way to the next one.

use super::i18n::{I18n, Say};
use crate::edge::dom::{el, siblings, El};
use leptos::prelude::*;
use loyalty_core::contract::{MilestoneKind, Program, TierStatus};
use loyalty_core::i18n::Key;
use loyalty_core::progress::tier_progress;

/// The current tier, a progress bar to the next (a real `progressbar` with
/// values), what is still needed, the perks of this tier and the next, and
/// all tiers at a glance, from the customer's tier `status` and the
/// `program` (thresholds, names and perks).
pub fn tier_progress_section(status: &TierStatus, program: &Program) -> El {
    let i18n = expect_context::<I18n>();
    let progress = tier_progress(status, &program.tiers);
    let amount = |value: u64| match status.kind {
        MilestoneKind::Points => i18n.points(value),
        MilestoneKind::Spend => i18n.money(value, &program.currency),
    };
    let current_perks = program
        .tiers
        .iter()
        .find(|tier| tier.id == status.id)
        .map(|tier| tier.perks.clone())
        .unwrap_or_default();
    let next = progress.next.clone();
    let next_name = next
        .as_ref()
        .map(|tier| tier.name.clone())
        .or_else(|| status.next_tier_id.clone());
    let needed = next_name.as_ref().map(|name| {
        i18n.fill(
            Key::TierNeeded,
            &[("points", &amount(progress.needed)), ("tier", name)],
        )
    });
    let bar_label = next_name
        .as_ref()
        .map(|name| i18n.fill(Key::TierProgressLabel, &[("tier", name)]));
    let percent = progress.percent;
    let bar = match (bar_label, needed) {
        (Some(label), Some(needed)) => {
            // CSSOM, not a style attribute: allowed under `style-src 'self'`.
            let fill = el("span", "lw-progress-fill").style("width", &format!("{percent}%"));
            siblings()
                .child(
                    el("div", "lw-progress")
                        .attr("role", "progressbar")
                        .attr("aria-label", &label)
                        .attr("aria-valuemin", "0")
                        .attr("aria-valuemax", "100")
                        .attr("aria-valuenow", &percent.to_string())
                        .attr("aria-valuetext", &needed)
                        .child(fill),
                )
                .child(
                    el("p", "lw-muted")
                        .attr("data-testid", "tier-needed")
                        .text(&needed),
                )
        }
        _ => el("p", "lw-muted").say(i18n, Key::TierTop),
    };
    let tiers = program
        .tiers
        .iter()
        .map(|tier| {
            let current = tier.id == status.id;
            let from = i18n.fill(Key::TierFrom, &[("points", &amount(tier.threshold))]);
            let item = el(
                "li",
                if current {
                    "lw-tier lw-tier--current"
                } else {
                    "lw-tier"
                },
            )
            .child(el("strong", "lw-tier-label").text(&tier.name))
            .child(el("span", "lw-muted").text(&from));
            if current {
                item.attr("aria-current", "true")
            } else {
                item
            }
        })
        .collect();
    el("section", "lw-section")
        .attr("aria-labelledby", "lw-tier-title")
        .child(
            el("h3", "lw-heading")
                .attr("id", "lw-tier-title")
                .say(i18n, Key::TierTitle),
        )
        .child(
            el("p", "lw-tier-name")
                .attr("data-testid", "tier")
                .text(&i18n.fill(Key::TierCurrent, &[("tier", &status.name)])),
        )
        .child(bar)
        .child(
            el("div", "lw-perks")
                .maybe(perks(&i18n.t(Key::TierPerks), current_perks))
                .maybe(next.and_then(|tier| {
                    perks(
                        &i18n.fill(Key::TierNextPerks, &[("tier", &tier.name)]),
                        tier.perks,
                    )
                })),
        )
        .child(el("h4", "lw-subheading").say(i18n, Key::TierAll))
        .child(
            el("ol", "lw-tiers")
                .attr("data-testid", "tiers")
                .children(tiers),
        )
}

/// A heading and a list of perks; nothing when there are none.
fn perks(heading: &str, perks: Vec<String>) -> Option<El> {
    if perks.is_empty() {
        return None;
    }
    let items = perks
        .iter()
        .map(|perk| el("li", "lw-perk").text(perk))
        .collect();
    Some(
        el("div", "lw-perk-group")
            .child(el("h4", "lw-subheading").text(heading))
            .child(el("ul", "lw-bullets").children(items)),
    )
}
