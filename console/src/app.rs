//! The console's shell: state in context, the session check on load, the
//! skip link, navigation, language switch, sign-out, the live region, and
//! the page for the current path.

use crate::api::SessionInfo;
use crate::client::{self, Body};
use crate::i18n::{Lang, T};
use crate::packs;
use crate::pages;
use crate::route::Route;
use crate::state::Ctx;
use crate::widgets::Link;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let window = web_sys::window();
    let path = window
        .as_ref()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let start = packs::initial();
    let ctx = Ctx {
        lang: RwSignal::new(Lang::En),
        wanted: RwSignal::new(start),
        csrf: RwSignal::new(None),
        checked: RwSignal::new(false),
        notice: RwSignal::new(None),
        route: RwSignal::new(Route::parse(&path)),
        status: RwSignal::new(String::new()),
    };
    provide_context(ctx);
    packs::show(ctx, start);

    // <html lang>, <html dir> and the title follow the language.
    Effect::new(move |_| {
        let lang = ctx.lang.get();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", lang.tag());
                let _ = root.set_attribute("dir", lang.dir());
            }
            document.set_title(T::ConsoleTitle.get(lang));
        }
    });

    // Back and forward.
    if let Some(window) = window {
        let on_pop = Closure::<dyn Fn()>::new(move || {
            let path = web_sys::window()
                .and_then(|w| w.location().pathname().ok())
                .unwrap_or_default();
            ctx.route.set(Route::parse(&path));
        });
        let _ =
            window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        on_pop.forget();
    }

    // A live session (a reload): no sign-in needed.
    spawn_local(async move {
        if let Ok(response) = client::send(ctx, "GET", "/admin/v1/session", Body::Empty, None).await
        {
            if let Ok(info) = client::json::<SessionInfo>(response).await {
                ctx.csrf.set(Some(info.csrf_token));
            }
        }
        ctx.checked.set(true);
    });

    let signed_in = Memo::new(move |_| ctx.csrf.with(Option::is_some));
    view! {
        <a class="skip" href="#main">{move || ctx.t(T::SkipToContent)}</a>
        <header class="bar">
            <p class="brand">{move || ctx.t(T::ConsoleTitle)}</p>
            <Show when=move || signed_in.get()>
                <Nav/>
            </Show>
            <div class="bar-tools">
                <LangSwitch/>
                <Show when=move || signed_in.get()>
                    <SignOut/>
                </Show>
            </div>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                if !ctx.checked.get() {
                    view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any()
                } else if !signed_in.get() {
                    view! { <pages::signin::SignIn/> }.into_any()
                } else {
                    page(ctx.route.get())
                }
            }}
        </main>
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            {move || ctx.status.get()}
        </div>
    }
}

fn page(route: Route) -> AnyView {
    match route {
        Route::Overview => view! { <pages::overview::Overview/> }.into_any(),
        Route::Customers => view! { <pages::customers::Customers/> }.into_any(),
        Route::Customer(id) => view! { <pages::customer::CustomerPage id=id/> }.into_any(),
        Route::Import => view! { <pages::import::Import/> }.into_any(),
        Route::Embed => view! { <pages::embed::Embed/> }.into_any(),
        Route::Program => view! { <pages::program::ProgramPage/> }.into_any(),
    }
}

/// The main navigation, the current page marked.
#[component]
fn Nav() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let item = move |route: Route, key: T| {
        let target = route.clone();
        let current = move || {
            let here = ctx.route.get();
            let same = match (&here, &target) {
                (Route::Customer(_), Route::Customers) => true,
                (a, b) => a == b,
            };
            same.then_some("page")
        };
        view! { <li><Link to=route current=Signal::derive(current)>{move || ctx.t(key)}</Link></li> }
    };
    view! {
        <nav aria-label=move || ctx.t(T::NavLabel)>
            <ul>
                {item(Route::Overview, T::NavOverview)}
                {item(Route::Customers, T::NavCustomers)}
                {item(Route::Import, T::NavImport)}
                {item(Route::Embed, T::NavEmbed)}
                {item(Route::Program, T::NavProgram)}
            </ul>
        </nav>
    }
}

/// The language switch: every language by its own name.
#[component]
fn LangSwitch() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let on_change = move |ev: leptos::ev::Event| {
        let lang = Lang::from_tag(&event_target_value(&ev));
        packs::choose(ctx, lang);
    };
    view! {
        <div class="langs">
            <label for="console-lang">{move || ctx.t(T::Language)}</label>
            <select id="console-lang" on:change=on_change
                prop:value=move || ctx.wanted.get().tag()>
                {Lang::ALL.iter().map(|lang| view! {
                    <option value=lang.tag() lang=lang.tag()
                        selected=move || ctx.wanted.get() == *lang>{lang.name()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Ends the session on the server, then shows the sign-in page.
#[component]
fn SignOut() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = client::send(ctx, "DELETE", "/admin/v1/session", Body::Empty, None).await;
            busy.set(false);
            match result {
                Ok(_) | Err(client::ApiError::Unauthorized) => {
                    ctx.notice.set(Some(T::SignedOut));
                    ctx.csrf.set(None);
                }
                Err(err) => ctx.announce(err.describe(ctx.lang.get_untracked())),
            }
        });
    };
    view! {
        <button type="button" class="secondary" on:click=sign_out disabled=move || busy.get()>
            {move || ctx.t(T::SignOut)}
        </button>
    }
}
