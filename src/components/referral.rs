//! The customer's referral link: copy, share, and how many friends joined.

use super::copy_button::CopyButton;
use super::erased;
use super::i18n::I18n;
use super::task::Task;
use crate::edge::client::ApiError;
use crate::edge::clipboard;
use leptos::prelude::*;
use loyalty_core::contract::{Program, Referral as ReferralData};
use loyalty_core::events::Copied;
use loyalty_core::i18n::Key;
use loyalty_core::url::safe_link;

/// "Give X, get Y", the link and code with copy buttons, the native share
/// sheet where the browser has one, e-mail and messenger fallbacks, and the
/// number of friends who joined.
#[component]
pub fn Referral(
    /// The customer's referral data.
    referral: ReferralData,
    /// The program as loaded, for its "give X, get Y" text.
    program: RwSignal<Option<Result<Program, ApiError>>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    // The contract's checks left out a link that is not http(s); the code
    // is still there to share.
    let url = referral.url.as_deref().and_then(safe_link);
    let message = i18n.fill(
        Key::ReferralMessage,
        &[("url", url.as_deref().unwrap_or_default())],
    );
    let friends = match referral.friends_joined {
        0 => i18n.t(Key::FriendsNone),
        n => i18n.count(Key::Friends, n),
    };
    let task = Task::new();
    let share = move |title: String, text: String, url: String| {
        task.start(
            async move { clipboard::share(&title, &text, &url).await },
            drop,
        );
    };
    let sharing = url.clone().filter(|_| clipboard::can_share());
    let fallbacks = url.clone().map(|_| {
        let encoded = js_sys::encode_uri_component(&message)
            .as_string()
            .unwrap_or_default();
        (
            format!("mailto:?body={encoded}"),
            format!("https://wa.me/?text={encoded}"),
        )
    });
    let code = referral.code.clone();
    view! {
        <section class="lw-section" aria-labelledby="lw-referral-title">
            <h3 class="lw-heading" id="lw-referral-title">{i18n.t(Key::ReferralTitle)}</h3>
            {move || {
                let text = program.with(|p| p.as_ref()?.as_ref().ok()?.referral_text.clone())?;
                Some(erased(view! { <p class="lw-pitch">{text}</p> }))
            }}
            {url.clone().map(|url| view! {
                <p class="lw-label">{i18n.t(Key::ReferralLink)}</p>
                <p class="lw-row">
                    <span class="lw-code lw-grow lw-break" dir="ltr" data-testid="referral-url">{url.clone()}</span>
                    <CopyButton text=url.clone() label=i18n.t(Key::CopyLink) what=Copied::ReferralLink/>
                </p>
            })}
            <p class="lw-label">{i18n.t(Key::ReferralCode)}</p>
            <p class="lw-row">
                <code class="lw-code lw-grow" dir="ltr" data-testid="referral-code">{code.clone()}</code>
                <CopyButton text=code.clone() label=i18n.fill(Key::CopyCode, &[("code", &code)]) what=Copied::ReferralCode/>
            </p>
            <p class="lw-actions">
                {sharing.map(|url| {
                    let message = message.clone();
                    view! {
                        <button
                            type="button"
                            class="lw-button"
                            on:click=move |_| {
                                share(i18n.t(Key::ReferralTitle).to_owned(), message.clone(), url.clone());
                            }
                        >
                            {i18n.t(Key::ReferralShare)}
                        </button>
                    }
                })}
                {fallbacks.map(|(mail, messenger)| view! {
                    <a class="lw-link" href=mail>{i18n.t(Key::ReferralEmail)}</a>
                    <a class="lw-link" href=messenger target="_blank" rel="noopener noreferrer">
                        {i18n.t(Key::ReferralMessenger)}
                    </a>
                })}
            </p>
            <p class="lw-muted" data-testid="friends">{friends}</p>
        </section>
    }
}
