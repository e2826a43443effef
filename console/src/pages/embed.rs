//! The snippet builder: the choices of README.md's "Embed it" (inline or
//! launcher, corner, offsets, theme, colours, language), the snippets for
//! plain HTML, a Shopify theme and WooCommerce (the WordPress plugin's
//! settings), each with a copy button, and the live widget beside them when
//! the endpoint serves the widget's loader (`--static dist`) on this origin.

use crate::embed::{css_colour, EmbedOptions, DEFAULT_COLOURS};
use crate::i18n::T;
use crate::state::Ctx;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Where the same origin serves the widget's loader.
const LOADER: &str = "/widget/loyalty-widget.js";

/// The embed page.
#[component]
pub fn Embed() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let options = RwSignal::new(EmbedOptions::for_origin(&origin));
    let snippet = Memo::new(move |_| options.with(EmbedOptions::snippet));
    let shopify = Memo::new(move |_| options.with(EmbedOptions::shopify_snippet));
    let woocommerce = Memo::new(move |_| options.with(EmbedOptions::woocommerce_snippet));
    let preview = NodeRef::<html::Div>::new();
    let loader_here = RwSignal::new(None::<bool>);

    // Is the widget served here? Then load its loader once and show it.
    spawn_local(async move {
        loader_here.set(Some(load_loader_if_served().await));
    });
    // The live widget follows every change (a fresh element each time).
    Effect::new(move |_| {
        let chosen = options.get();
        if loader_here.get() != Some(true) {
            return;
        }
        if let Some(host) = preview.get() {
            host.set_inner_html("");
            if let Some(widget) = live_widget(&chosen) {
                let _ = host.append_child(&widget);
            }
        }
    });

    let set = move |apply: fn(&mut EmbedOptions, String)| {
        move |ev: leptos::ev::Event| {
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                options.update(|o| apply(o, input.value()));
            } else if let Some(value) = ev.target().and_then(|t| {
                js_sys::Reflect::get(&t, &"value".into())
                    .ok()
                    .and_then(|v| v.as_string())
            }) {
                options.update(|o| apply(o, value));
            }
        }
    };
    // Which snippet was copied last (0 none, 1 HTML, 2 Shopify, 3 WooCommerce).
    let copied = RwSignal::new(0u32);
    let copy = move |which: u32, text: Memo<String>| {
        move |_| {
            if let Some(window) = web_sys::window() {
                let promise = window
                    .navigator()
                    .clipboard()
                    .write_text(&text.get_untracked());
                spawn_local(async move {
                    let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                    copied.set(if ok { which } else { 0 });
                    let key = if ok { T::Copied } else { T::CopyFailed };
                    ctx.announce(ctx.t(key).to_string());
                });
            }
        }
    };
    let copy_label = move |which: u32| {
        move || {
            if copied.get() == which {
                ctx.t(T::Copied)
            } else {
                ctx.t(T::Copy)
            }
        }
    };
    let launcher = move || options.with(|o| o.mode == "launcher");
    let colour_names = [
        T::ColourAccent,
        T::ColourAccentText,
        T::ColourBackground,
        T::ColourText,
    ];

    view! {
        <h1>{move || ctx.t(T::NavEmbed)}</h1>
        <p>{move || ctx.t(T::EmbedIntro)}</p>
        <div class="columns">
            <form class="embed" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                <fieldset>
                    <legend>{move || ctx.t(T::Mode)}</legend>
                    <label><input type="radio" name="mode" value="inline" checked
                        on:change=set(|o, v| o.mode = v)/>{move || ctx.t(T::ModeInline)}</label>
                    <label><input type="radio" name="mode" value="launcher"
                        on:change=set(|o, v| o.mode = v)/>{move || ctx.t(T::ModeLauncher)}</label>
                </fieldset>
                <div class="field">
                    <label for="corner">{move || ctx.t(T::Corner)}</label>
                    <select id="corner" disabled=move || !launcher() on:change=set(|o, v| o.corner = v)>
                        <option value="bottom-right">{move || ctx.t(T::BottomRight)}</option>
                        <option value="bottom-left">{move || ctx.t(T::BottomLeft)}</option>
                        <option value="top-right">{move || ctx.t(T::TopRight)}</option>
                        <option value="top-left">{move || ctx.t(T::TopLeft)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="offset-x">{move || ctx.t(T::OffsetX)}</label>
                    <input id="offset-x" type="number" min="0" max="400" value="16" disabled=move || !launcher()
                        on:input=set(|o, v| o.offset_x = v.parse::<u32>().unwrap_or(16).min(400))/>
                </div>
                <div class="field">
                    <label for="offset-y">{move || ctx.t(T::OffsetY)}</label>
                    <input id="offset-y" type="number" min="0" max="400" value="16" disabled=move || !launcher()
                        on:input=set(|o, v| o.offset_y = v.parse::<u32>().unwrap_or(16).min(400))/>
                </div>
                <div class="field">
                    <label for="theme">{move || ctx.t(T::Theme)}</label>
                    <select id="theme" on:change=set(|o, v| o.theme = v)>
                        <option value="auto">{move || ctx.t(T::ThemeAuto)}</option>
                        <option value="light">{move || ctx.t(T::ThemeLight)}</option>
                        <option value="dark">{move || ctx.t(T::ThemeDark)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="widget-lang">{move || ctx.t(T::WidgetLanguage)}</label>
                    <select id="widget-lang" on:change=set(|o, v| o.lang = v)>
                        <option value="">{move || ctx.t(T::PageLanguage)}</option>
                        <option value="en" lang="en">"English"</option>
                        <option value="de" lang="de">"Deutsch"</option>
                        <option value="fr" lang="fr">"Français"</option>
                        <option value="es" lang="es">"Español"</option>
                        <option value="it" lang="it">"Italiano"</option>
                        <option value="nl" lang="nl">"Nederlands"</option>
                        <option value="pl" lang="pl">"Polski"</option>
                    </select>
                </div>
                <fieldset>
                    <legend>{move || ctx.t(T::Colours)}</legend>
                    {colour_names.into_iter().enumerate().map(|(i, key)| {
                        let id = format!("colour-{i}");
                        view! {
                            <div class="field colour">
                                <label for=id.clone()>{move || ctx.t(key)}</label>
                                <input id=id type="color" value=DEFAULT_COLOURS[i].1
                                    on:input:target=move |ev| {
                                        let v = ev.target().value();
                                        options.update(|o| o.colours[i] = v);
                                    }/>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            </form>
            <div>
                <h2 id="h-snippet">{move || ctx.t(T::Snippet)}</h2>
                <pre class="snippet" tabindex="0" aria-labelledby="h-snippet"><code id="snippet">{move || snippet.get()}</code></pre>
                <button type="button" id="copy-snippet" aria-describedby="h-snippet" on:click=copy(1, snippet)>{copy_label(1)}</button>
                <h2 id="h-snippet-shopify">{move || ctx.t(T::SnippetShopify)}</h2>
                <p>{move || ctx.t(T::SnippetShopifyNote)}</p>
                <pre class="snippet" tabindex="0" aria-labelledby="h-snippet-shopify"><code id="snippet-shopify">{move || shopify.get()}</code></pre>
                <button type="button" id="copy-shopify" aria-describedby="h-snippet-shopify" on:click=copy(2, shopify)>{copy_label(2)}</button>
                <h2 id="h-snippet-woocommerce">{move || ctx.t(T::SnippetWooCommerce)}</h2>
                <p>{move || ctx.t(T::SnippetWooCommerceNote)}</p>
                <pre class="snippet" tabindex="0" aria-labelledby="h-snippet-woocommerce"><code id="snippet-woocommerce">{move || woocommerce.get()}</code></pre>
                <button type="button" id="copy-woocommerce" aria-describedby="h-snippet-woocommerce" on:click=copy(3, woocommerce)>{copy_label(3)}</button>
                <h2>{move || ctx.t(T::LivePreview)}</h2>
                {move || match loader_here.get() {
                    None => Some(view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any()),
                    Some(false) => Some(view! { <p class="notice">{ctx.t(T::NoWidgetHere)}</p> }.into_any()),
                    Some(true) => None,
                }}
                <div class="preview" node_ref=preview></div>
            </div>
        </div>
    }
}

/// Whether the widget's loader is served on this origin; when it is, its
/// script tag is added (once). The embed and program pages' live widgets.
pub(crate) async fn load_loader_if_served() -> bool {
    let found = gloo_net::http::Request::get(LOADER)
        .send()
        .await
        .map(|r| r.ok())
        .unwrap_or(false);
    if found {
        load_loader();
    }
    found
}

/// Adds the loader's script tag once (a second one would be a no-op anyway).
fn load_loader() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document
        .get_element_by_id("loyalty-widget-loader")
        .is_some()
    {
        return;
    }
    if let Some(script) = document
        .create_element("script")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlScriptElement>().ok())
    {
        script.set_id("loyalty-widget-loader");
        script.set_src(LOADER);
        script.set_async(true);
        if let Some(head) = document.head() {
            let _ = head.append_child(&script);
        }
    }
}

/// The chosen widget as an element (a guest's view: the console has no
/// customer token). Colours are set through the CSSOM, which the console's
/// `style-src 'self'` allows.
fn live_widget(options: &EmbedOptions) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let widget = document.create_element("loyalty-widget").ok()?;
    for (name, value) in options.attributes() {
        let _ = widget.set_attribute(name, &value);
    }
    if let Some(html) = widget.dyn_ref::<web_sys::HtmlElement>() {
        for (name, value) in options.custom_colours() {
            let _ = html.style().set_property(name, &css_colour(&value));
        }
    }
    Some(widget)
}
