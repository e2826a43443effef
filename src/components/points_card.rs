//! The points balance.

use super::i18n::{I18n, Say};
use crate::edge::dom::{el, El};
use leptos::prelude::*;
use loyalty_core::contract::Summary;
use loyalty_core::i18n::Key;

/// The approved balance in large type, with what it is worth in the shop's
/// currency, pending points and points expiring soon.
pub fn points_card(summary: &Summary) -> El {
    let i18n = expect_context::<I18n>();
    let points = &summary.points;
    let line = |class: &str, text: String| el("p", class).text(&text);
    let greeting = summary
        .first_name
        .as_deref()
        .map(|name| line("lw-greeting", i18n.fill(Key::Greeting, &[("name", name)])));
    let pending = (points.pending > 0).then(|| {
        let pending = i18n.points(points.pending);
        line(
            "lw-pending",
            i18n.fill(Key::PendingPoints, &[("points", &pending)]),
        )
    });
    let worth = summary.points_value.as_ref().map(|value| {
        let money = i18n.money(value.amount_minor, &value.currency);
        line(
            "lw-worth",
            i18n.fill(Key::PointsWorth, &[("money", &money)]),
        )
    });
    let expiring = points
        .expiring
        .iter()
        .filter(|entry| entry.points > 0)
        .take(3)
        .map(|entry| {
            let amount = i18n.points(entry.points);
            let date = i18n.date(&entry.at);
            line(
                "lw-expiring",
                i18n.fill(Key::ExpiringSoon, &[("points", &amount), ("date", &date)]),
            )
            .attr("data-testid", "expiring")
        })
        .collect();
    el("div", "lw-card lw-points")
        .maybe(greeting)
        .child(el("h3", "lw-label").say(i18n, Key::PointsTitle))
        .child(line("lw-balance", i18n.points(points.approved)).attr("data-testid", "balance"))
        .maybe(worth)
        .maybe(pending)
        .children(expiring)
}
