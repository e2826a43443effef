//! The widget's root.

use super::activity::Activity;
use super::announce::{Announcer, LiveRegion};
use super::club::Club;
use super::earn::Earn;
use super::guest::Guest;
use super::i18n::I18n;
use super::my_rewards::MyRewards;
use super::points_card::PointsCard;
use super::referral::Referral;
use super::rewards::Rewards;
use super::status::{ErrorNotice, Loading};
use super::task::Task;
use super::tier_progress::TierProgress;
use super::{after_paint, erased, part};
use crate::edge::cache;
use crate::edge::client::{ApiError, Client, HeadStart, TokenFunction, TokenSource};
use crate::edge::console;
use crate::edge::events;
use leptos::prelude::*;
use loyalty_core::config::Config;
use loyalty_core::contract::{Membership, Offers, Program, Summary};
use loyalty_core::events::{ErrorDetail, Event, Joined, Ready};
use loyalty_core::i18n::{Catalog, Key, Text};

/// One widget for one configuration: provides the language and announcer
/// contexts and shows the customer's dashboard, or the guest invitation when
/// there is no customer.
#[component]
pub fn Widget(
    /// The validated configuration of this embed.
    config: Config,
    /// The shop's token function, when the loader was given one.
    token_function: Option<TokenFunction>,
    /// The loader's first answers in flight, if it had a head start.
    head_start: Option<HeadStart>,
    /// The texts of the language's pack (empty: English, built in).
    pack: Vec<Text>,
) -> impl IntoView {
    let catalog = Catalog {
        overrides: config.texts.clone(),
        pack,
    };
    let i18n = I18n::new(config.lang, config.locale.clone(), catalog);
    provide_context(i18n);
    provide_context(Announcer::new());
    let source = TokenSource {
        initial: config.token.clone(),
        url: config.token_url.clone(),
        function: token_function,
    };
    let client =
        Client::new(config.endpoint.clone(), source, config.lang).with_head_start(head_start);
    let body = if client.has_customer() {
        view! { <Customer client=client/> }.into_any()
    } else {
        // No customer on this page: signed out. Forget the visit's data.
        cache::clear_all();
        view! {
            <Guest
                client=client
                join_url=config.join_url.clone()
                signin_url=config.signin_url.clone()
                referral_code=config.referral_code.clone()
            />
        }
        .into_any()
    };
    view! {
        <section
            class="lw"
            lang=i18n.lang.tag()
            dir=i18n.lang.dir()
            data-theme=config.theme.as_str()
            data-mode=config.mode.as_str()
            aria-labelledby="lw-title"
        >
            <h2 class="lw-title" id="lw-title">{i18n.t(Key::Title)}</h2>
            {body}
            <LiveRegion/>
        </section>
    }
}

/// The signed-in customer's view. Shows the summary cached earlier in this
/// visit at once, loads (or revalidates) it, then the dashboard; or the
/// error with a retry when there is nothing to show.
#[component]
fn Customer(
    /// The client for this customer.
    client: Client,
) -> impl IntoView {
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
    move || {
        if ready.get() {
            part(view! { <Dashboard client=client.clone() current=current stale=stale/> })
        } else if let Some(error) = failure.get() {
            part(view! { <ErrorNotice error=error on_retry=load.clone()/> })
        } else {
            part(view! { <Loading/> })
        }
    }
}

/// Every screen for a customer whose summary is known. Rendered once; the
/// parts that change with the summary (balance, tier, club) follow it.
#[component]
fn Dashboard(
    client: Client,
    current: RwSignal<Option<Summary>>,
    stale: RwSignal<bool>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let program = RwSignal::new(None::<Result<Program, ApiError>>);
    let offers = RwSignal::new(None::<Result<Offers, ApiError>>);
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
    // The balance reaches the screen first: the program's and offers'
    // sections are drawn in the frame after it, even when their answers
    // are already in (the loader's head start, the visit cache).
    after_paint({
        let (load_program, load_offers) = (load_program.clone(), load_offers.clone());
        move || {
            load_program();
            load_offers();
        }
    });
    let reload_offers = load_offers.clone();
    let on_joined = Callback::new(move |membership: Membership| {
        events::emit(&Event::Joined(Joined {
            bonus_points: membership.bonus_points,
        }));
        current.update(|s| {
            if let Some(s) = s {
                s.club = membership.club.clone();
                let mut points = s.points.clone();
                points.approved = points.approved.saturating_add(membership.bonus_points);
                points.lifetime = points.lifetime.saturating_add(membership.bonus_points);
                s.set_points(points);
            }
        });
        reload_offers();
    });
    // The program is set once per load, so the sections need no memo.
    let program_ok = move || program.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned());
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
    let club = Memo::new(move |_| {
        current.with(|s| s.as_ref().map(|s| s.club.clone()).unwrap_or_default())
    });
    let referral =
        Memo::new(move |_| current.with(|s| s.as_ref().and_then(|s| s.referral.clone())));
    // "Your rewards" hands over how to reload it; a redeem calls that.
    let reload_mine = StoredValue::new(None::<Callback<()>>);
    let on_settled = Callback::new(move |()| {
        if let Some(reload) = reload_mine.get_value() {
            reload.run(());
        }
    });
    let rewards_client = client.clone();
    let club_client = client.clone();
    view! {
        {move || current.get().map(|summary| view! { <PointsCard summary=summary/> })}
        {move || stale.get().then(|| erased(view! {
            <p class="lw-stale" role="status">{i18n.t(Key::StaleNotice)}</p>
        }))}
        {move || partial.get().then(|| erased(view! {
            <div class="lw-partial" role="status">
                <p class="lw-partial-text">{i18n.t(Key::ErrorPartial)}</p>
                <button type="button" class="lw-button lw-button--quiet" on:click=retry_partial.clone()>
                    {i18n.t(Key::Retry)}
                </button>
            </div>
        }))}
        {move || program_ok().map(|program| view! { <Earn rules=program.earning/> })}
        {move || {
            // Follows the whole summary: the tier section holds nothing a
            // customer could be in the middle of, so redrawing it is harmless.
            let status = current.with(|s| s.as_ref().and_then(|s| s.tier.clone()))?;
            program_ok().map(|program| view! { <TierProgress status=status program=program/> })
        }}
        {move || program_ok().map(|program| view! {
            <Rewards
                rewards=program.rewards
                tiers=program.tiers
                summary=current
                client=rewards_client.clone()
                on_settled=on_settled
            />
            <MyRewards client=rewards_client.clone() reload=reload_mine/>
        })}
        {move || {
            let referral = referral.get()?;
            Some(view! { <Referral referral=referral program=program/> })
        }}
        <Club club=club offers=offers program=program client=club_client on_joined=on_joined/>
        <Activity client=client/>
    }
}
