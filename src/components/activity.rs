//! The points history, paged, behind a disclosure button.

use super::i18n::{I18n, Say};
use super::task::Task;
use crate::edge::client::Client;
use crate::edge::console;
use crate::edge::dom::{el, El};
use leptos::prelude::*;
use loyalty_core::contract::{Activity as Entry, ActivityState};
use loyalty_core::i18n::Key;

/// A "Show history" button that loads the first page on demand, and "Show
/// more" for older pages, loaded with `client`.
pub fn activity(client: Client) -> El {
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
    let button = el("button", "lw-button lw-button--quiet")
        .attr("type", "button")
        .attr_with("aria-expanded", move || Some(open.get().to_string()))
        .attr("aria-controls", "lw-history")
        .on("click", toggle)
        .text_with(move || {
            i18n.t(if open.get() {
                Key::HistoryHide
            } else {
                Key::HistoryShow
            })
        });
    let list = el("ul", "lw-list")
        .attr("data-testid", "history")
        .part(move || history.with(|h| h.entries.iter().map(history_row).collect()));
    let panel = el("div", "")
        .attr("id", "lw-history")
        .attr_with("hidden", move || (!open.get()).then(String::new))
        .child(list)
        .part(move || {
            let empty = open.get()
                && !task.pending()
                && history.with(|h| h.entries.is_empty())
                && !failed.get();
            empty
                .then(|| el("p", "lw-muted").say(i18n, Key::HistoryEmpty))
                .into_iter()
                .collect()
        })
        .part(move || {
            failed
                .get()
                .then(|| {
                    el("p", "lw-error-text")
                        .attr("role", "alert")
                        .say(i18n, Key::ErrorNetwork)
                })
                .into_iter()
                .collect()
        })
        .part(move || {
            // "Show more" once something is shown; "Retry" after a failure.
            let (next, shown) = history.with(|h| (h.next_page, !h.entries.is_empty()));
            let failed = failed.get();
            let load = load.clone();
            next.filter(|_| shown || failed)
                .map(|page| {
                    el("button", "lw-button lw-button--quiet")
                        .attr("type", "button")
                        .attr_with("aria-disabled", move || Some(task.pending().to_string()))
                        .on("click", move |_| load(page))
                        .say(i18n, if failed { Key::Retry } else { Key::HistoryMore })
                })
                .into_iter()
                .collect()
        });
    el("section", "lw-section")
        .attr("aria-labelledby", "lw-history-title")
        .child(
            el("h3", "lw-heading")
                .attr("id", "lw-history-title")
                .say(i18n, Key::HistoryTitle),
        )
        .child(button)
        .child(panel)
}

/// The pages loaded so far, and the next one to ask for (`None`: no more).
struct History {
    entries: Vec<Entry>,
    next_page: Option<u32>,
}

/// One history entry: label, date, signed points, and its state.
fn history_row(entry: &Entry) -> El {
    let i18n = expect_context::<I18n>();
    let sign = if entry.points < 0 { "−" } else { "+" };
    let amount = format!("{sign}{}", i18n.points(entry.points.unsigned_abs()));
    let state = match entry.state {
        ActivityState::Pending => Some(i18n.t(Key::HistoryPending)),
        ActivityState::Void => Some(i18n.t(Key::HistoryVoid)),
        _ => None,
    };
    let class = if entry.points < 0 {
        "lw-amount lw-amount--minus"
    } else {
        "lw-amount"
    };
    el("li", "lw-row")
        .attr("data-testid", "history-entry")
        .child(
            el("span", "lw-grow")
                .text(&entry.label)
                .child(el("span", "lw-muted lw-block").text(&i18n.date(&entry.date))),
        )
        .child(
            el("span", class)
                .text(&amount)
                .maybe(state.map(|text| el("span", "lw-muted lw-block").text(&text))),
        )
}
