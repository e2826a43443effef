//! The widget's root.

use super::activity::activity;
use super::announce::{live_region, Announcer};
use super::club::club;
use super::earn::earn;
use super::guest::guest;
use super::i18n::{I18n, Say};
use super::points_card::points_card;
use super::referral::referral;
use super::rewards::rewards;
use super::status::{error_notice, loading};
use super::task::Task;
use super::tier_progress::tier_progress_section;
use super::{loaded, Load};
use crate::edge::cache;
use crate::edge::client::{ApiError, Client, TokenFunction, TokenSource};
use crate::edge::console;
use crate::edge::dom::{el, siblings, El};
use crate::edge::events;
use leptos::prelude::*;
use loyalty_core::config::Config;
use loyalty_core::contract::{Membership, Offers, Program, Summary};
use loyalty_core::events::{ErrorDetail, Event, Joined, Ready};
use loyalty_core::i18n::Key;

/// One widget for one `config`uration (and the shop's `token_function`,
/// when the loader was given one): provides the language and announcer
/// contexts and shows the customer's dashboard, or the guest invitation
/// when there is no customer.
pub fn widget(config: Config, token_function: Option<TokenFunction>) -> El {
    let i18n = I18n::new(config.lang, config.texts.clone());
    provide_context(i18n);
    provide_context(Announcer::new());
    let source = TokenSource {
        initial: config.token.clone(),
        url: config.token_url.clone(),
        function: token_function,
    };
    let client = Client::new(config.endpoint.clone(), source, config.lang);
    let section = el("section", "lw")
        .attr("lang", i18n.lang.tag())
        .attr("data-theme", config.theme.as_str())
        .attr("data-mode", config.mode.as_str())
        .attr("aria-labelledby", "lw-title")
        .child(
            el("h2", "lw-title")
                .attr("id", "lw-title")
                .say(i18n, Key::Title),
        );
    let section = if client.has_customer() {
        customer(section, client)
    } else {
        // No customer on this page: signed out. Forget the visit's data.
        cache::clear_all();
        section.child(guest(
            client,
            config.join_url.clone(),
            config.signin_url.clone(),
        ))
    };
    section.child(live_region())
}

/// The signed-in customer's view. Shows the summary cached earlier in this
/// visit at once, loads (or revalidates) it, then the dashboard; or the
/// error with a retry when there is nothing to show; into `section`.
fn customer(section: El, client: Client) -> El {
    let current = RwSignal::new(client.cached_summary());
    let stale = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let task = Task::new();
    let load = {
        let client = client.clone();
        move || {
            let client = client.clone();
            task.start(
                async move { client.summary().await },
                move |result| match result {
                    Ok(fetched) => {
                        stale.set(fetched.stale);
                        failure.set(None);
                        events::emit(&Event::Ready(Ready {
                            customer: true,
                            points: Some(fetched.value.points.approved),
                            stale: Some(fetched.stale),
                        }));
                        current.set(Some(fetched.value));
                    }
                    Err(error) => {
                        console::warn(&format!("loading the customer summary failed: {error}"));
                        events::emit(&Event::Error(ErrorDetail {
                            reason: error.reason(),
                            message: error.to_string(),
                        }));
                        failure.set(Some(error));
                    }
                },
            );
        }
    };
    load();
    // Back online: try again by itself, whether an error or stale data is
    // on screen. The listener goes with the widget.
    let retry = load.clone();
    let recover = window_event_listener(leptos::ev::online, move |_| {
        if failure.with_untracked(Option::is_some) || stale.get_untracked() {
            retry();
        }
    });
    on_cleanup(move || recover.remove());
    let ready = Memo::new(move |_| current.with(Option::is_some));
    section.part(move || {
        let shown = if ready.get() {
            dashboard(client.clone(), current, stale)
        } else if let Some(error) = failure.get() {
            error_notice(&error, load.clone())
        } else {
            loading()
        };
        vec![shown]
    })
}

/// Every screen for a customer whose summary is known. Rendered once; the
/// parts that change with the summary (balance, tier, club) follow it.
fn dashboard(client: Client, current: RwSignal<Option<Summary>>, stale: RwSignal<bool>) -> El {
    let i18n = expect_context::<I18n>();
    let program: Load<Program> = RwSignal::new(None);
    let offers: Load<Offers> = RwSignal::new(None);
    let (program_task, offers_task) = (Task::new(), Task::new());
    let load_program = {
        let client = client.clone();
        move || {
            let client = client.clone();
            program_task.start(async move { client.program().await }, move |result| {
                if let Err(error) = &result {
                    console::warn(&format!("loading the program failed: {error}"));
                }
                program.set(Some(result));
            });
        }
    };
    let load_offers = {
        let client = client.clone();
        move || {
            let client = client.clone();
            offers_task.start(async move { client.offers().await }, move |result| {
                if let Err(error) = &result {
                    console::warn(&format!("loading offers failed: {error}"));
                }
                offers.set(Some(result));
            });
        }
    };
    load_program();
    load_offers();
    let reload_offers = load_offers.clone();
    let on_joined = Callback::new(move |membership: Membership| {
        events::emit(&Event::Joined(Joined {
            bonus_points: membership.bonus_points,
        }));
        current.update(|s| {
            if let Some(s) = s {
                s.club = membership.club.clone();
                s.points.approved = s.points.approved.saturating_add(membership.bonus_points);
                s.points.lifetime = s.points.lifetime.saturating_add(membership.bonus_points);
            }
        });
        reload_offers();
    });
    // The program is set once per load, so the sections need no memo.
    // The program or the offers failed (the balance did not): say so, with
    // a retry, instead of leaving their sections silently out.
    let program_failed = move || program.with(|r| matches!(r, Some(Err(_))));
    let offers_failed = move || offers.with(|r| matches!(r, Some(Err(_))));
    let partial = Memo::new(move |_| program_failed() || offers_failed());
    let retry_partial = move |_| {
        if untrack(program_failed) {
            load_program();
        }
        if untrack(offers_failed) {
            load_offers();
        }
    };
    let member = Memo::new(move |_| current.with(|s| s.as_ref().is_some_and(|s| s.club.member)));
    let referral_data =
        Memo::new(move |_| current.with(|s| s.as_ref().and_then(|s| s.referral.clone())));
    let rewards_client = client.clone();
    let club_client = client.clone();
    let one = |part: Option<El>| part.into_iter().collect::<Vec<_>>();
    siblings()
        .part(move || one(current.with(|s| s.as_ref().map(points_card))))
        .part(move || {
            one(stale.get().then(|| {
                el("p", "lw-stale")
                    .attr("role", "status")
                    .say(i18n, Key::StaleNotice)
            }))
        })
        .part(move || {
            one(partial.get().then(|| {
                el("div", "lw-partial")
                    .attr("role", "status")
                    .child(el("p", "lw-partial-text").say(i18n, Key::ErrorPartial))
                    .child(
                        el("button", "lw-button lw-button--quiet")
                            .attr("type", "button")
                            .on("click", retry_partial.clone())
                            .say(i18n, Key::Retry),
                    )
            }))
        })
        .part(move || one(loaded(program, |program| earn(&program.earning)).flatten()))
        .part(move || {
            // Follows the whole summary: the tier section holds nothing a
            // customer could be in the middle of, so redrawing it is harmless.
            let status = current.with(|s| s.as_ref().and_then(|s| s.tier.clone()));
            one(status.and_then(|status| {
                loaded(program, |program| tier_progress_section(&status, program))
            }))
        })
        .part(move || {
            one(loaded(program, |program| {
                rewards(&program.rewards, &program.tiers, current, &rewards_client)
            }))
        })
        .part(move || one(referral_data.with(|r| r.as_ref().map(|r| referral(r, program)))))
        .child(club(
            member,
            current,
            offers,
            program,
            club_client,
            on_joined,
        ))
        .child(activity(client))
}
