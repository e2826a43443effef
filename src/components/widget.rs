//! The widget's root.

use super::guest::Guest;
use super::i18n::I18n;
use super::points_card::PointsCard;
use super::status::{ErrorNotice, Loading};
use crate::edge::client::Client;
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
    let client = Client::new(config.endpoint.clone(), config.token.clone(), config.lang);
    let body = if client.has_customer() {
        view! { <Customer client=client/> }.into_any()
    } else {
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

/// The signed-in customer's view: loads the summary, shows it or the error.
#[component]
fn Customer(
    /// The client for this customer.
    client: Client,
) -> impl IntoView {
    let summary = LocalResource::new(move || {
        let client = client.clone();
        async move { client.summary().await }
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <PointsCard summary=summary/> }.into_any(),
                    Err(error) => {
                        console::warn(&format!("loading the customer summary failed: {error}"));
                        view! { <ErrorNotice error=error on_retry=move || summary.refetch()/> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
