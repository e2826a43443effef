//! The customer's tier and the way to the next one.

use super::i18n::I18n;
use leptos::prelude::*;
use loyalty_core::contract::{MilestoneKind, Program, TierStatus};
use loyalty_core::i18n::Key;
use loyalty_core::progress::tier_progress;

/// The current tier, a progress bar to the next (a real `progressbar` with
/// values), what is still needed, the perks of this tier and the next, and
/// all tiers at a glance.
#[component]
pub fn TierProgress(
    /// The customer's tier status.
    status: TierStatus,
    /// The program (for thresholds, names and perks).
    program: Program,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let progress = tier_progress(&status, &program.tiers);
    // A figure in what it counts: points, or money spent. Each tier's
    // threshold in its own kind, the status's progress in the status's.
    let amount_in = |kind: MilestoneKind, value: u64| match kind {
        MilestoneKind::Points => i18n.points(value),
        MilestoneKind::Spend => i18n.money(value, &program.currency),
    };
    let amount = |value: u64| amount_in(status.kind, value);
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
    view! {
        <section class="lw-section" aria-labelledby="lw-tier-title">
            <h3 class="lw-heading" id="lw-tier-title">{i18n.t(Key::TierTitle)}</h3>
            <p class="lw-tier-name" data-testid="tier">
                {i18n.fill(Key::TierCurrent, &[("tier", &status.name)])}
            </p>
            {match (bar_label, needed) {
                (Some(label), Some(needed)) => view! {
                    <div
                        class="lw-progress"
                        role="progressbar"
                        aria-label=label
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=percent.to_string()
                        aria-valuetext=needed.clone()
                    >
                        <span class="lw-progress-fill" style:width=format!("{percent}%")></span>
                    </div>
                    <p class="lw-muted" data-testid="tier-needed">{needed}</p>
                }
                .into_any(),
                _ => view! { <p class="lw-muted">{i18n.t(Key::TierTop)}</p> }.into_any(),
            }}
            <div class="lw-perks">
                {perks(i18n.t(Key::TierPerks), current_perks)}
                {next.map(|tier| {
                    perks(i18n.fill(Key::TierNextPerks, &[("tier", &tier.name)]), tier.perks)
                })}
            </div>
            <h4 class="lw-subheading">{i18n.t(Key::TierAll)}</h4>
            <ol class="lw-tiers" role="list" data-testid="tiers">
                {program
                    .tiers
                    .iter()
                    .map(|tier| {
                        let current = tier.id == status.id;
                        let from = i18n.fill(Key::TierFrom, &[("points", &amount_in(tier.kind, tier.threshold))]);
                        view! {
                            <li class=if current { "lw-tier lw-tier--current" } else { "lw-tier" } aria-current=current.then_some("true")>
                                <strong class="lw-tier-label">{tier.name.clone()}</strong>
                                <span class="lw-muted">{from}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// A heading and a list of perks; nothing when there are none.
fn perks(heading: String, perks: Vec<String>) -> impl IntoView {
    (!perks.is_empty()).then(|| {
        view! {
            <div class="lw-perk-group">
                <h4 class="lw-subheading">{heading}</h4>
                <ul class="lw-bullets" role="list">
                    {perks.into_iter().map(|perk| view! { <li class="lw-perk">{perk}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}
