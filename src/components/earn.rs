//! Ways to earn points.

use super::i18n::{I18n, Say};
use crate::edge::dom::{el, El};
use leptos::prelude::*;
use loyalty_core::contract::EarningRule;
use loyalty_core::i18n::Key;

/// The program's ways to earn (welcome bonus, orders, birthday, referrals);
/// nothing when there are none.
pub fn earn(rules: &[EarningRule]) -> Option<El> {
    let i18n = expect_context::<I18n>();
    if rules.is_empty() {
        return None;
    }
    let items = rules
        .iter()
        .map(|rule| {
            el("li", "lw-row")
                .child(el("span", "lw-grow").text(&rule.title))
                .child(el("strong", "lw-earn-points").text(&rule.points_text))
        })
        .collect();
    Some(
        el("section", "lw-section")
            .attr("aria-labelledby", "lw-earn-title")
            .child(
                el("h3", "lw-heading")
                    .attr("id", "lw-earn-title")
                    .say(i18n, Key::EarnTitle),
            )
            .child(
                el("ul", "lw-list")
                    .attr("data-testid", "earn")
                    .children(items),
            ),
    )
}
