//! Sign in with the admin key: the key goes to `POST /admin/v1/session`
//! once and is forgotten; the session lives in an HttpOnly cookie and the
//! console keeps only its CSRF token, in memory.

use crate::api::SessionInfo;
use crate::client::{self, ApiError, Body};
use crate::i18n::T;
use crate::state::Ctx;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let key = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit =
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let body = serde_json::json!({ "key": key.get_untracked() }).to_string();
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let answer =
                    match client::send(ctx, "POST", "/admin/v1/session", Body::Json(body), None)
                        .await
                    {
                        Ok(response) => client::json::<SessionInfo>(response).await,
                        Err(err) => Err(err),
                    };
                busy.set(false);
                match answer {
                    Ok(info) => {
                        key.set(String::new());
                        ctx.notice.set(None);
                        ctx.csrf.set(Some(info.csrf_token));
                        ctx.announce(ctx.t(T::SignedIn).to_string());
                    }
                    Err(err) => {
                        ctx.announce(err.describe(ctx.lang.get_untracked()));
                        error.set(Some(err));
                    }
                }
            });
        };
    view! {
        <section class="signin">
            <h1>{move || ctx.t(T::SignInTitle)}</h1>
            {move || ctx.notice.get().map(|n| view! { <p class="notice" role="status">{ctx.t(n)}</p> })}
            <form on:submit=submit>
                <label for="admin-key">{move || ctx.t(T::AdminKey)}</label>
                <input id="admin-key" name="key" type="password" autocomplete="off" required
                    spellcheck="false" aria-describedby="admin-key-help"
                    prop:value=move || key.get()
                    on:input:target=move |ev| key.set(ev.target().value())/>
                <p id="admin-key-help" class="help">{move || ctx.t(T::AdminKeyHelp)}</p>
                <button type="submit" disabled=move || busy.get()>{move || ctx.t(T::SignIn)}</button>
            </form>
            {move || error.get().map(|err| {
                let text = match &err {
                    ApiError::Unauthorized => ctx.t(T::WrongKey).to_string(),
                    other => other.describe(ctx.lang.get()),
                };
                view! { <p class="error" role="alert" id="signin-error">{text}</p> }
            })}
        </section>
    }
}
