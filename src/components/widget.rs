//! The widget's root.

use super::guest::Guest;
use super::i18n::I18n;
use super::points_card::PointsCard;
use super::status::{ErrorNotice, Loading};
use crate::edge::cache;
use crate::edge::client::{Client, TokenSource};
use crate::edge::console;
use leptos::prelude::*;
use loyalty_core::config::Config;
use loyalty_core::i18n::Key;

/// One widget for one configuration: provides the language context and shows
/// the customer's points, or the guest invitation when there is no token.
#[component]
pub fn Widget(
    /// The validated configuration of this embed.
    config: Config,
) -> impl IntoView {
    let i18n = I18n { lang: config.lang };
    provide_context(i18n);
    let source = TokenSource {
        initial: config.token.clone(),
        url: config.token_url.clone(),
    };
    let client = Client::new(config.endpoint.clone(), source, config.lang);
    let body = if client.has_customer() {
        view! { <Customer client=client/> }.into_any()
    } else {
        // No customer on this page: signed out. Forget the visit's data.
        cache::clear_all();
        view! { <Guest join_url=config.join_url.clone() signin_url=config.signin_url.clone()/> }
            .into_any()
    };
    view! {
        <section
            class="lw"
            lang=i18n.lang.tag()
            data-theme=config.theme.as_str()
            data-mode=config.mode.as_str()
            aria-labelledby="lw-title"
        >
            <h2 class="lw-title" id="lw-title">{i18n.t(Key::Title)}</h2>
            {body}
        </section>
    }
}

/// The signed-in customer's view: shows the summary cached earlier in this
/// visit at once, loads (or revalidates) it, and shows the result, a stale
/// notice, or the error with a retry.
#[component]
fn Customer(
    /// The client for this customer.
    client: Client,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let cached = client.cached_summary();
    let summary = LocalResource::new(move || {
        let client = client.clone();
        async move { client.summary().await }
    });
    move || match summary.get() {
        Some(Ok(fetched)) => {
            let stale = fetched.stale.then(|| {
                view! { <p class="lw-stale" role="status">{i18n.t(Key::StaleNotice)}</p> }
            });
            view! { <PointsCard summary=fetched.value/> {stale} }.into_any()
        }
        Some(Err(error)) => {
            console::warn(&format!("loading the customer summary failed: {error}"));
            view! { <ErrorNotice error=error on_retry=move || summary.refetch()/> }.into_any()
        }
        None => match cached.clone() {
            Some(summary) => view! { <PointsCard summary=summary/> }.into_any(),
            None => view! { <Loading/> }.into_any(),
        },
    }
}
