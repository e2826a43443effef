//! "Your rewards": the customer's redemptions, their codes and where each
//! stands, paged, behind a disclosure button.

use super::coupon::CouponCode;
use super::i18n::I18n;
use super::task::Task;
use super::{erased, part};
use crate::edge::client::Client;
use crate::edge::console;
use leptos::prelude::*;
use loyalty_core::contract::RedemptionItem;
use loyalty_core::i18n::Key;
use loyalty_core::redemptions::{order_number, state_key};

/// A "Show your rewards" button that loads the first page when opened (never
/// on the first paint), "Show more rewards" for older pages, and the first
/// page again after a redeem.
#[component]
pub fn MyRewards(
    /// The client to load pages with.
    client: Client,
    /// Filled with what to call after a redeem: the list loads its first
    /// page again (at once when it is open, else when it is opened).
    reload: StoredValue<Option<Callback<()>>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let open = RwSignal::new(false);
    let mine = RwSignal::new(Mine {
        items: Vec::new(),
        next_page: Some(1),
        current: false,
    });
    let failed = RwSignal::new(false);
    let task = Task::new();
    let load = move |page: u32| {
        let client = client.clone();
        task.start(
            async move { client.redemptions(page).await },
            move |result| match result {
                Ok(answer) => {
                    failed.set(false);
                    mine.update(|mine| {
                        if answer.page <= 1 {
                            mine.items.clear();
                        }
                        mine.current = true;
                        mine.next_page = answer.has_more.then_some(answer.page.saturating_add(1));
                        mine.items.extend(answer.items);
                    });
                }
                Err(error) => {
                    console::warn(&format!("loading your rewards failed: {error}"));
                    failed.set(true);
                }
            },
        );
    };
    let first = load.clone();
    reload.set_value(Some(Callback::new(move |()| {
        mine.update(|mine| mine.current = false);
        if open.get_untracked() {
            first(1);
        }
    })));
    let first = load.clone();
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && !mine.with_untracked(|mine| mine.current) {
            first(1);
        }
    };
    view! {
        <section class="lw-section" aria-labelledby="lw-mine-title">
            <h3 class="lw-heading" id="lw-mine-title">{i18n.t(Key::MineTitle)}</h3>
            <button
                type="button"
                class="lw-button lw-button--quiet"
                aria-expanded=move || open.get().to_string()
                aria-controls="lw-mine"
                on:click=toggle
            >
                {move || i18n.t(if open.get() { Key::MineHide } else { Key::MineShow })}
            </button>
            <div id="lw-mine" hidden=move || !open.get()>
                <ul class="lw-list" role="list" data-testid="mine">
                    {move || part(mine.with(|m| m.items.clone()).into_iter().map(|item| view! { <MineRow item=item/> }).collect_view())}
                </ul>
                {move || (open.get() && !task.pending() && mine.with(|m| m.current && m.items.is_empty()) && !failed.get())
                    .then(|| erased(view! { <p class="lw-muted" data-testid="mine-empty">{i18n.t(Key::MineEmpty)}</p> }))}
                {move || failed.get().then(|| erased(view! {
                    <p class="lw-error-text" role="alert">{i18n.t(Key::ErrorNetwork)}</p>
                }))}
                {move || {
                    // "Show more rewards" once something is shown; "Try
                    // again" after a failure (of the first page too).
                    let (next, shown) = mine.with(|m| (m.next_page, !m.items.is_empty()));
                    let next = if failed.get() && !shown { Some(1) } else { next };
                    next.filter(|_| shown || failed.get())
                }.map(|page| {
                    let load = load.clone();
                    erased(view! {
                        <button
                            type="button"
                            class="lw-button lw-button--quiet"
                            aria-disabled=move || task.pending().to_string()
                            on:click=move |_| {
                                load(page);
                            }
                        >
                            {i18n.t(if failed.get() { Key::Retry } else { Key::MineMore })}
                        </button>
                    })
                })}
            </div>
        </section>
    }
}

/// The pages loaded so far, the next one to ask for (`None`: no more), and
/// whether the first page is still current (no redeem since).
struct Mine {
    items: Vec<RedemptionItem>,
    next_page: Option<u32>,
    current: bool,
}

/// One redemption: title, when and for how much, where it stands, and its
/// code (copy, apply, expiry) when it has one.
#[component]
fn MineRow(item: RedemptionItem) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let key = state_key(&item);
    let state = key.map(|key| {
        let order = item.used_order.as_deref().map(order_number);
        i18n.fill(key, &[("order", order.as_deref().unwrap_or_default())])
    });
    let when = i18n.fill(
        Key::MineRedeemed,
        &[
            ("date", &i18n.date(&item.created_at)),
            ("points", &i18n.points(item.points_spent)),
        ],
    );
    view! {
        <li class="lw-mine" data-testid="mine-item" data-state=key.map(Key::as_str).unwrap_or_default()>
            <strong class="lw-block">{item.title}</strong>
            <span class="lw-muted lw-block">{when}</span>
            {state.map(|text| view! { <span class="lw-state lw-block" data-testid="mine-state">{text}</span> })}
            {item.coupon.map(|coupon| view! { <CouponCode coupon=coupon state=item.state/> })}
        </li>
    }
}
