//! A coupon code: copy it, apply it to the cart, see until when it works.

use super::copy_button::CopyButton;
use super::i18n::I18n;
use leptos::prelude::*;
use loyalty_core::contract::{Coupon, RedemptionState};
use loyalty_core::events::Copied;
use loyalty_core::i18n::Key;
use loyalty_core::redemptions::apply_link;

/// The code with its copy button; for a code that works now, the shop's
/// "Apply to cart" link (when it has a safe one: it opens in this tab, the
/// way a shop's own links do) and the last day it works.
#[component]
pub fn CouponCode(
    /// The coupon.
    coupon: Coupon,
    /// Where its redemption stands: only an `active` code can be applied
    /// and shows its expiry.
    state: RedemptionState,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let link = apply_link(state, &coupon);
    let code = coupon.code;
    let expires = coupon
        .expires_at
        .as_deref()
        .filter(|_| state == RedemptionState::Active)
        .map(|date| i18n.fill(Key::CouponExpires, &[("date", &i18n.date(date))]));
    view! {
        <p class="lw-row">
            <code class="lw-code lw-grow" dir="ltr" data-testid="coupon-code">{code.clone()}</code>
            <CopyButton text=code.clone() label=i18n.fill(Key::CopyCode, &[("code", &code)]) what=Copied::Coupon/>
        </p>
        {link.map(|href| view! {
            <p class="lw-actions">
                <a
                    class="lw-button"
                    href=href
                    data-testid="apply"
                    aria-label=i18n.fill(Key::ApplyCodeLabel, &[("code", &code)])
                >
                    {i18n.t(Key::ApplyCode)}
                </a>
            </p>
        })}
        {expires.map(|text| view! { <p class="lw-muted">{text}</p> })}
    }
}
