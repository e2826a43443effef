//! The active program: the installed file's version, `program check`'s
//! findings and what changed since the version before
//! (`GET /admin/v1/program`), the real widget for a sample customer
//! (`POST /admin/v1/preview-token`), and the program as customers see it
//! (`GET /v1/program?lang=`, the public route), in the language chosen.

use crate::api::{change_value, PreviewToken, ProgramPage as Installed};
use crate::client::{self, Body};
use crate::format;
use crate::i18n::T;
use crate::pages::embed::load_loader_if_served;
use crate::route::encode;
use crate::state::Ctx;
use crate::widgets::{ErrorNote, Scroll};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loyalty_core::contract::Program;

/// A language's own name for the picker (the tag itself when not known).
pub fn language_name(tag: &str) -> &str {
    match tag {
        "ar" => "العربية",
        "cs" => "Čeština",
        "da" => "Dansk",
        "de" => "Deutsch",
        "en" => "English",
        "es" => "Español",
        "fi" => "Suomi",
        "fr" => "Français",
        "he" => "עברית",
        "it" => "Italiano",
        "nb" => "Norsk bokmål",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "pt" => "Português",
        "sv" => "Svenska",
        other => other,
    }
}

/// The languages offered before the program's are known.
const FALLBACK_LANGUAGES: [&str; 7] = ["en", "de", "fr", "es", "it", "nl", "pl"];

/// The program page.
#[component]
pub fn ProgramPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = RwSignal::new(ctx.lang.get_untracked().tag().to_string());
    let data = LocalResource::new(move || {
        let tag = lang.get();
        async move { client::get::<Program>(ctx, &format!("/v1/program?lang={}", encode(&tag))).await }
    });
    let installed = LocalResource::new(move || async move {
        client::get::<Installed>(ctx, "/admin/v1/program").await
    });
    let preview = NodeRef::<html::Div>::new();
    let token = RwSignal::new(None::<String>);
    let loader_here = RwSignal::new(None::<bool>);
    // The widget's loader served here, and a token for the sample customer.
    spawn_local(async move {
        let found = load_loader_if_served().await;
        if found {
            let minted =
                client::send(ctx, "POST", "/admin/v1/preview-token", Body::Empty, None).await;
            match minted {
                Ok(response) => match client::json::<PreviewToken>(response).await {
                    Ok(minted) => token.set(Some(minted.token)),
                    Err(err) => ctx.announce(err.describe(ctx.lang.get_untracked())),
                },
                Err(err) => ctx.announce(err.describe(ctx.lang.get_untracked())),
            }
        }
        loader_here.set(Some(found));
    });
    // The live widget, afresh for each language (the token is read once
    // by each element, then removed from it).
    Effect::new(move |_| {
        let tag = lang.get();
        let Some(token) = token.get() else {
            return;
        };
        if let Some(host) = preview.get() {
            host.set_inner_html("");
            if let Some(widget) = preview_widget(&token, &tag) {
                let _ = host.append_child(&widget);
            }
        }
    });
    view! {
        <h1>{move || ctx.t(T::NavProgram)}</h1>
        <section aria-labelledby="h-installed">
            <h2 id="h-installed">{move || ctx.t(T::ProgramInstalled)}</h2>
            {move || match installed.get() {
                None => view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorNote error=err/> }.into_any(),
                Some(Ok(page)) => installed_view(ctx, page).into_any(),
            }}
        </section>
        <section aria-labelledby="h-preview">
            <h2 id="h-preview">{move || ctx.t(T::ProgramPreview)}</h2>
            <p>{move || ctx.t(T::PreviewNote)}</p>
            {move || match loader_here.get() {
                None => Some(view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any()),
                Some(false) => Some(view! { <p class="notice">{ctx.t(T::NoWidgetHere)}</p> }.into_any()),
                Some(true) => None,
            }}
            <div class="field">
                <label for="program-lang">{move || ctx.t(T::ProgramLanguage)}</label>
                <select id="program-lang" prop:value=move || lang.get()
                    on:change:target=move |ev| lang.set(ev.target().value())>
                    {move || {
                        let tags: Vec<String> = match installed.get() {
                            Some(Ok(page)) if !page.languages.is_empty() => page.languages.clone(),
                            _ => FALLBACK_LANGUAGES.iter().map(|t| t.to_string()).collect(),
                        };
                        let chosen = lang.get_untracked();
                        tags.into_iter().map(|tag| {
                            let selected = tag == chosen;
                            view! {
                                <option value=tag.clone() lang=tag.clone() selected=selected>
                                    {language_name(&tag).to_string()}
                                </option>
                            }
                        }).collect_view()
                    }}
                </select>
            </div>
            <div class="preview" id="program-preview" node_ref=preview></div>
        </section>
        {move || match data.get() {
            None => view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any(),
            Some(Err(err)) => view! { <ErrorNote error=err/> }.into_any(),
            Some(Ok(p)) => {
                let ui = ctx.lang.get();
                let tag = lang.get_untracked();
                view! {
                    <section lang=tag aria-labelledby="h-program-name">
                        <h2 id="h-program-name">{p.name.clone()}</h2>
                        <p>{p.pitch.clone()}</p>
                        <p lang=ui.tag()>{T::Currency.get(ui)}": "{p.currency.clone()}</p>
                        <h3 lang=ui.tag()>{T::Tiers.get(ui)}</h3>
                        <Scroll label=T::Tiers.get(ui).to_string()>
                            <table>
                                <thead lang=ui.tag()><tr>
                                    <th scope="col">{T::Name.get(ui)}</th>
                                    <th scope="col">{T::Threshold.get(ui)}</th>
                                    <th scope="col">{T::Perks.get(ui)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.tiers.iter().map(|t| view! {
                                        <tr>
                                            <th scope="row">{t.name.clone()}</th>
                                            <td class="num">{format::count(t.threshold as i64, ui)}</td>
                                            <td>{t.perks.join(" · ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </Scroll>
                        <h3 lang=ui.tag()>{T::WaysToEarn.get(ui)}</h3>
                        <ul>
                            {p.earning.iter().map(|e| view! { <li>{e.title.clone()}": "{e.points_text.clone()}</li> }).collect_view()}
                        </ul>
                        <h3 lang=ui.tag()>{T::Rewards.get(ui)}</h3>
                        <Scroll label=T::Rewards.get(ui).to_string()>
                            <table>
                                <thead lang=ui.tag()><tr>
                                    <th scope="col">{T::Reward.get(ui)}</th>
                                    <th scope="col">{T::Points.get(ui)}</th>
                                    <th scope="col">{T::MinTier.get(ui)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.rewards.iter().map(|r| view! {
                                        <tr>
                                            <th scope="row">{r.title.clone()}</th>
                                            <td class="num">{format::count(r.points_price as i64, ui)}</td>
                                            <td>{r.min_tier_id.clone().unwrap_or_else(|| format::NONE.into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </Scroll>
                        {p.referral_text.clone().map(|text| view! {
                            <h3 lang=ui.tag()>{T::Referrals.get(ui)}</h3>
                            <p>{text}</p>
                        })}
                    </section>
                }.into_any()
            }
        }}
    }
}

/// The installed version, its checks and its changes.
fn installed_view(ctx: Ctx, page: Installed) -> impl IntoView {
    let ui = ctx.lang.get();
    let version = match (page.version, page.installed_at.as_deref()) {
        (Some(v), Some(at)) => T::ProgramVersionLine
            .get(ui)
            .replace("{v}", &v.to_string())
            .replace("{at}", at),
        _ => T::ProgramVersionUnknown.get(ui).to_string(),
    };
    let changes_heading = match &page.previous {
        Some(previous) => T::ProgramChangesSince
            .get(ui)
            .replace("{v}", &previous.version.to_string()),
        None => T::ProgramChanges.get(ui).to_string(),
    };
    let changes = if page.previous.is_none() {
        view! { <p>{T::NoPreviousVersion.get(ui)}</p> }.into_any()
    } else if page.changes.is_empty() {
        view! { <p>{T::NoChanges.get(ui)}</p> }.into_any()
    } else {
        view! {
            <Scroll label=changes_heading.clone()>
                <table id="program-changes">
                    <thead><tr>
                        <th scope="col">{T::ChangeField.get(ui)}</th>
                        <th scope="col">{T::ChangeBefore.get(ui)}</th>
                        <th scope="col">{T::ChangeAfter.get(ui)}</th>
                    </tr></thead>
                    <tbody>
                        {page.changes.iter().map(|c| view! {
                            <tr>
                                <th scope="row"><code>{c.path.clone()}</code></th>
                                <td>{change_value(&c.before)}</td>
                                <td>{change_value(&c.after)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scroll>
        }
        .into_any()
    };
    view! {
        <p id="program-version">{version}</p>
        <h3 id="h-checks">{T::ProgramChecks.get(ui)}</h3>
        <ul id="program-checks" aria-labelledby="h-checks">
            {page.checks.iter().map(|f| {
                let label = if f.level == "ok" { T::CheckOk } else { T::CheckError };
                view! {
                    <li data-level=f.level.clone()>
                        <strong>{label.get(ui)}": "</strong>{f.message.clone()}
                    </li>
                }
            }).collect_view()}
        </ul>
        <h3>{changes_heading}</h3>
        {changes}
    }
}

/// The widget for the sample customer in `lang`, on this origin.
fn preview_widget(token: &str, lang: &str) -> Option<web_sys::Element> {
    let window = web_sys::window()?;
    let origin = window.location().origin().ok()?;
    let widget = window.document()?.create_element("loyalty-widget").ok()?;
    widget.set_attribute("endpoint", &origin).ok()?;
    widget.set_attribute("lang", lang).ok()?;
    widget.set_attribute("token", token).ok()?;
    Some(widget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_named_in_themselves() {
        assert_eq!(language_name("de"), "Deutsch");
        assert_eq!(language_name("sv"), "Svenska");
        assert_eq!(language_name("xx"), "xx");
    }
}
