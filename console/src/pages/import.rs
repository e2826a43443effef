//! Bring members and points over from another loyalty app (issue #39's
//! importer, `POST /admin/v1/imports`): a dry run first, its report, then
//! apply; the imports applied, each with undo.

use crate::api::{ImportReport, ImportUndone, Imports};
use crate::client::{self, ApiError, Body};
use crate::format;
use crate::i18n::{P, T};
use crate::route::encode;
use crate::state::Ctx;
use crate::widgets::{ErrorNote, Scroll};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The import page.
#[component]
pub fn Import() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let app = RwSignal::new(String::new());
    let mode = RwSignal::new("add".to_string());
    let file_input = NodeRef::<html::Input>::new();
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let list = LocalResource::new(move || async move {
        client::get::<Imports>(ctx, "/admin/v1/imports").await
    });

    let run =
        move |apply: bool| {
            let Some(file) = file_input
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                error.set(None);
                ctx.announce(ctx.t(T::ChooseFileFirst).to_string());
                report.set(None);
                return;
            };
            let json_lines = file.name().ends_with(".jsonl") || file.name().ends_with(".ndjson");
            let content_type = if json_lines {
                "application/x-ndjson"
            } else {
                "text/csv"
            }
            .to_string();
            let mut path = format!("/admin/v1/imports?mode={}", encode(&mode.get_untracked()));
            let dialect = app.get_untracked();
            if !dialect.is_empty() {
                path.push_str(&format!("&dialect={}", encode(&dialect)));
            }
            if apply {
                path.push_str("&apply=true");
            }
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let answer =
                    match client::send(ctx, "POST", &path, Body::File(file, content_type), None)
                        .await
                    {
                        Ok(response) => client::json::<ImportReport>(response).await,
                        Err(err) => Err(err),
                    };
                busy.set(false);
                match answer {
                    Ok(r) => {
                        let key = if r.applied {
                            P::ImportApplied
                        } else {
                            P::DryRunDone
                        };
                        let n = i64::try_from(r.rows).unwrap_or(i64::MAX);
                        ctx.announce(format::plural(key, n, ctx.lang.get_untracked()));
                        report.set(Some(r));
                        if apply {
                            list.refetch();
                        }
                    }
                    Err(err) => {
                        ctx.announce(err.describe(ctx.lang.get_untracked()));
                        error.set(Some(err));
                    }
                }
            });
        };
    let undo = move |id: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let path = format!("/admin/v1/imports/{}/undo", encode(&id));
            let answer = match client::send(ctx, "POST", &path, Body::Empty, None).await {
                Ok(response) => client::json::<ImportUndone>(response).await,
                Err(err) => Err(err),
            };
            busy.set(false);
            match answer {
                Ok(done) => {
                    let mut text =
                        format::plural(P::ImportUndone, done.points, ctx.lang.get_untracked());
                    for note in done.notes {
                        text.push(' ');
                        text.push_str(&note);
                    }
                    ctx.announce(text);
                    list.refetch();
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };

    view! {
        <h1>{move || ctx.t(T::NavImport)}</h1>
        <p>{move || ctx.t(T::ImportIntro)}</p>
        <form class="import" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); run(false); }>
            <div class="field">
                <label for="import-app">{move || ctx.t(T::ImportApp)}</label>
                <select id="import-app" on:change:target=move |ev| app.set(ev.target().value())>
                    <option value="">{move || ctx.t(T::AppByHeader)}</option>
                    <option value="loyaltylion">"LoyaltyLion"</option>
                </select>
            </div>
            <div class="field">
                <label for="import-mode">{move || ctx.t(T::ImportMode)}</label>
                <select id="import-mode" on:change:target=move |ev| mode.set(ev.target().value())>
                    <option value="add">{move || ctx.t(T::ModeAdd)}</option>
                    <option value="set">{move || ctx.t(T::ModeSet)}</option>
                </select>
            </div>
            <div class="field">
                <label for="import-file">{move || ctx.t(T::ImportFile)}</label>
                <input id="import-file" type="file" accept=".csv,.jsonl,.ndjson,.txt,text/csv" node_ref=file_input
                    on:change=move |_| report.set(None)/>
            </div>
            <button type="submit" disabled=move || busy.get()>{move || ctx.t(T::DryRun)}</button>
        </form>
        {move || error.get().map(|err| view! { <ErrorNote error=err/> })}
        {move || report.get().map(|r| {
            let lang = ctx.lang.get();
            let can_apply = !r.applied && r.already_imported.is_none();
            let title = if r.applied { P::ImportApplied } else { P::DryRunReport };
            let line = |key: T, value: String| view! { <dt>{key.get(lang)}</dt><dd>{value}</dd> };
            view! {
                <section aria-labelledby="h-report" class="report">
                    <h2 id="h-report">{format::plural(title, i64::try_from(r.rows).unwrap_or(i64::MAX), lang)}</h2>
                    {r.already_imported.clone().map(|when| view! { <p class="notice">{T::AlreadyImported.get(lang).replace("{when}", &when)}</p> })}
                    <dl>
                        {r.id.clone().map(|id| line(T::ImportId, id))}
                        {line(T::ImportApp, r.app.clone())}
                        {line(T::Rows, format::count(r.rows as i64, lang))}
                        {line(T::Matched, format::count(r.matched as i64, lang))}
                        {line(T::Created, format::count(r.created as i64, lang))}
                        {line(T::Unchanged, format::count(r.unchanged as i64, lang))}
                        {line(T::PointsAdded, format::count(r.points_added, lang))}
                        {line(T::PointsRemoved, format::count(r.points_removed, lang))}
                        {line(T::RefusedRows, format::count(r.refused.len() as i64, lang))}
                    </dl>
                    {(!r.refused.is_empty()).then(|| view! {
                        <Scroll label=T::RefusedRows.get(lang).to_string()>
                            <table>
                                <thead><tr><th scope="col">{T::Line.get(lang)}</th><th scope="col">{T::Reason.get(lang)}</th></tr></thead>
                                <tbody>
                                    {r.refused.iter().map(|x| view! { <tr><td>{x.line}</td><td>{x.reason.clone()}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                        </Scroll>
                    })}
                    {can_apply.then(|| view! {
                        <button type="button" id="import-apply" disabled=move || busy.get() on:click=move |_| run(true)>
                            {T::ApplyImport.get(lang)}
                        </button>
                    })}
                </section>
            }
        })}
        <section aria-labelledby="h-imports">
            <h2 id="h-imports">{move || ctx.t(T::ImportsApplied)}</h2>
            {move || match list.get() {
                None => view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorNote error=err/> }.into_any(),
                Some(Ok(imports)) if imports.imports.is_empty() => view! { <p>{ctx.t(T::NoImports)}</p> }.into_any(),
                Some(Ok(imports)) => {
                    let lang = ctx.lang.get();
                    view! {
                        <Scroll label=T::ImportsApplied.get(lang).to_string()>
                            <table>
                                <thead><tr>
                                    <th scope="col">{T::Day.get(lang)}</th>
                                    <th scope="col">{T::ImportApp.get(lang)}</th>
                                    <th scope="col">{T::Rows.get(lang)}</th>
                                    <th scope="col">{T::Points.get(lang)}</th>
                                    <th scope="col">{T::State.get(lang)}</th>
                                    <th scope="col"><span class="visually-hidden">{T::Undo.get(lang)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {imports.imports.into_iter().map(|i| {
                                        let id = i.id.clone();
                                        let label = T::UndoImport.get(lang).replace("{app}", &i.app).replace("{day}", &i.created_at);
                                        view! {
                                            <tr data-import=i.id.clone()>
                                                <td>{i.created_at.clone()}</td>
                                                <td>{i.app.clone()}</td>
                                                <td class="num">{format::count(i.rows as i64, lang)}</td>
                                                <td class="num">{format::count(i.points, lang)}</td>
                                                <td>{i.state.clone()}</td>
                                                <td>{(i.state == "applied").then(|| view! {
                                                    <button type="button" class="secondary" aria-label=label
                                                        disabled=move || busy.get()
                                                        on:click=move |_| undo(id.clone())>{T::Undo.get(lang)}</button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </Scroll>
                    }.into_any()
                }
            }}
        </section>
    }
}
