//! The points balance.

use super::i18n::I18n;
use leptos::prelude::*;
use loyalty_core::contract::Summary;
use loyalty_core::i18n::Key;

/// The approved balance in large type, with what it is worth in the shop's
/// currency, pending points and points expiring soon.
#[component]
pub fn PointsCard(
    /// The customer's summary.
    summary: Summary,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let points = &summary.points;
    let greeting = summary
        .first_name
        .as_deref()
        .map(|name| i18n.fill(Key::Greeting, &[("name", name)]));
    let pending = (points.pending > 0).then(|| {
        let pending = i18n.points(points.pending);
        i18n.fill(Key::PendingPoints, &[("points", &pending)])
    });
    let worth = summary.points_value.as_ref().map(|value| {
        let money = i18n.money(value.amount_minor, &value.currency);
        i18n.fill(Key::PointsWorth, &[("money", &money)])
    });
    let expiring: Vec<String> = points
        .expiring
        .iter()
        .filter(|entry| entry.points > 0)
        .take(3)
        .map(|entry| {
            let amount = i18n.points(entry.points);
            let date = i18n.date(&entry.at);
            i18n.fill(Key::ExpiringSoon, &[("points", &amount), ("date", &date)])
        })
        .collect();
    view! {
        <div class="lw-card lw-points">
            {greeting.map(|text| view! { <p class="lw-greeting">{text}</p> })}
            <h3 class="lw-label">{i18n.t(Key::PointsTitle)}</h3>
            <p class="lw-balance" data-testid="balance">{i18n.points(points.approved)}</p>
            {worth.map(|text| view! { <p class="lw-worth">{text}</p> })}
            {pending.map(|text| view! { <p class="lw-pending">{text}</p> })}
            {expiring
                .into_iter()
                .map(|text| view! { <p class="lw-expiring" data-testid="expiring">{text}</p> })
                .collect_view()}
        </div>
    }
}
