//! Ways to earn points.

use super::i18n::I18n;
use leptos::prelude::*;
use loyalty_core::contract::EarningRule;
use loyalty_core::i18n::Key;

/// The program's ways to earn (welcome bonus, orders, birthday, referrals).
#[component]
pub fn Earn(
    /// The program's earning rules.
    rules: Vec<EarningRule>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    (!rules.is_empty()).then(|| {
        view! {
            <section class="lw-section" aria-labelledby="lw-earn-title">
                <h3 class="lw-heading" id="lw-earn-title">{i18n.t(Key::EarnTitle)}</h3>
                <ul class="lw-list" role="list" data-testid="earn">
                    {rules
                        .into_iter()
                        .map(|rule| {
                            view! {
                                <li class="lw-row">
                                    <span class="lw-grow">{rule.title}</span>
                                    <strong class="lw-earn-points">{rule.points_text}</strong>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}
