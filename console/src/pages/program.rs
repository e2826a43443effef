//! The active program as customers see it (`GET /v1/program?lang=`, the
//! public route), in the language chosen.

use crate::client;
use crate::format;
use crate::i18n::T;
use crate::route::encode;
use crate::state::Ctx;
use crate::widgets::{ErrorNote, Scroll};
use leptos::prelude::*;
use loyalty_core::contract::Program;

/// The program page.
#[component]
pub fn ProgramPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = RwSignal::new(ctx.lang.get_untracked().tag().to_string());
    let data = LocalResource::new(move || {
        let tag = lang.get();
        async move { client::get::<Program>(ctx, &format!("/v1/program?lang={}", encode(&tag))).await }
    });
    view! {
        <h1>{move || ctx.t(T::NavProgram)}</h1>
        <div class="field">
            <label for="program-lang">{move || ctx.t(T::ProgramLanguage)}</label>
            <select id="program-lang" prop:value=move || lang.get()
                on:change:target=move |ev| lang.set(ev.target().value())>
                <option value="en" lang="en">"English"</option>
                <option value="de" lang="de">"Deutsch"</option>
                <option value="fr" lang="fr">"Français"</option>
                <option value="es" lang="es">"Español"</option>
                <option value="it" lang="it">"Italiano"</option>
                <option value="nl" lang="nl">"Nederlands"</option>
                <option value="pl" lang="pl">"Polski"</option>
            </select>
        </div>
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
