//! The points history, paged, behind a disclosure button.

use super::i18n::I18n;
use super::task::Task;
use super::{erased, part};
use crate::edge::client::Client;
use crate::edge::console;
use leptos::prelude::*;
use loyalty_core::contract::{Activity as Entry, ActivityState};
use loyalty_core::i18n::Key;

/// A "Show history" button that loads the first page on demand, and "Show
/// more" for older pages; a plain list (a keyed `<For>` costs 5 KB brotli).
#[component]
pub fn Activity(
    /// The client to load pages with.
    client: Client,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let open = RwSignal::new(false);
    let history = RwSignal::new(History {
        entries: Vec::new(),
        next_page: Some(1),
    });
    let failed = RwSignal::new(false);
    let task = Task::new();
    let load = move |page: u32| {
        let client = client.clone();
        task.start(
            async move { client.activity(page).await },
            move |result| match result {
                Ok(page) => {
                    failed.set(false);
                    history.update(|history| {
                        history.next_page = page.has_more.then_some(page.page.saturating_add(1));
                        history.entries.extend(page.items);
                    });
                }
                Err(error) => {
                    console::warn(&format!("loading history failed: {error}"));
                    failed.set(true);
                }
            },
        );
    };
    let load_first = load.clone();
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening {
            // The first page, once: only while nothing is loaded yet.
            if let Some(page) =
                history.with_untracked(|h| h.next_page.filter(|_| h.entries.is_empty()))
            {
                load_first(page);
            }
        }
    };
    view! {
        <section class="lw-section" aria-labelledby="lw-history-title">
            <h3 class="lw-heading" id="lw-history-title">{i18n.t(Key::HistoryTitle)}</h3>
            <button
                type="button"
                class="lw-button lw-button--quiet"
                aria-expanded=move || open.get().to_string()
                aria-controls="lw-history"
                on:click=toggle
            >
                {move || if open.get() { i18n.t(Key::HistoryHide) } else { i18n.t(Key::HistoryShow) }}
            </button>
            <div id="lw-history" hidden=move || !open.get()>
                <ul class="lw-list" role="list" data-testid="history">
                    {move || part(history.with(|h| h.entries.clone()).into_iter().map(|entry| view! { <HistoryRow entry=entry/> }).collect_view())}
                </ul>
                {move || (open.get() && !task.pending() && history.with(|h| h.entries.is_empty()) && !failed.get())
                    .then(|| erased(view! { <p class="lw-muted">{i18n.t(Key::HistoryEmpty)}</p> }))}
                {move || failed.get().then(|| erased(view! {
                    <p class="lw-error-text" role="alert">{i18n.t(Key::ErrorNetwork)}</p>
                }))}
                {move || {
                    // "Show more" once something is shown; "Retry" after a failure.
                    let (next, shown) = history.with(|h| (h.next_page, !h.entries.is_empty()));
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
                        {i18n.t(if failed.get() { Key::Retry } else { Key::HistoryMore })}
                    </button>
                })})}
            </div>
        </section>
    }
}

/// The pages loaded so far, and the next one to ask for (`None`: no more).
struct History {
    entries: Vec<Entry>,
    next_page: Option<u32>,
}

/// One history entry: label, date, signed points, and its state.
#[component]
fn HistoryRow(entry: Entry) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let sign = if entry.points < 0 { "−" } else { "+" };
    let amount = format!("{sign}{}", i18n.points(entry.points.unsigned_abs()));
    let state = match entry.state {
        ActivityState::Pending => Some(i18n.t(Key::HistoryPending)),
        ActivityState::Void => Some(i18n.t(Key::HistoryVoid)),
        _ => None,
    };
    view! {
        <li class="lw-row" data-testid="history-entry">
            <span class="lw-grow">
                {entry.label.clone()}
                <span class="lw-muted lw-block">{i18n.date(&entry.date)}</span>
                {entry.code.as_ref().map(|code| view! {
                    <span class="lw-block" data-testid="history-code">{i18n.fill(Key::HistoryCode, &[("code", code)])}</span>
                })}
            </span>
            <span class=if entry.points < 0 { "lw-amount lw-amount--minus" } else { "lw-amount" }>
                {amount}
                {state.map(|text| view! { <span class="lw-muted lw-block">{text}</span> })}
            </span>
        </li>
    }
}
