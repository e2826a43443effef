//! One customer: details, summary, ledger, orders and redemptions; adjust
//! their points with a reason, export everything about them, erase them.

use crate::api::{id_text, CodeOutcome, CustomerDetail, Erased, Ledger};
use crate::client::{self, ApiError, Body};
use crate::format;
use crate::i18n::{self, P, T};
use crate::route::{encode, Route};
use crate::state::Ctx;
use crate::widgets::{focus_main, ErrorNote, Link, Scroll};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;

/// What the page loaded: the customer and their ledger.
type Loaded = Result<(CustomerDetail, Ledger), ApiError>;

/// A customer's page.
#[component]
pub fn CustomerPage(
    /// The customer's id.
    id: String,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let base = format!("/admin/v1/customers/{}", encode(&id));
    let data = {
        let base = base.clone();
        LocalResource::new(move || {
            let base = base.clone();
            async move {
                let detail = client::get::<CustomerDetail>(ctx, &base).await?;
                let ledger = client::get::<Ledger>(ctx, &format!("{base}/ledger")).await?;
                Ok((detail, ledger)) as Loaded
            }
        })
    };
    view! {
        <p class="back"><Link to=Route::Customers>{move || ctx.t(T::BackToCustomers)}</Link></p>
        {move || match data.get() {
            None => view! { <h1>{id.clone()}</h1><p class="loading">{ctx.t(T::Loading)}</p> }.into_any(),
            Some(Err(err)) => view! { <h1>{id.clone()}</h1><ErrorNote error=err/> }.into_any(),
            Some(Ok((detail, ledger))) => {
                let reload = move || data.refetch();
                details(ctx, base.clone(), detail, ledger, reload).into_any()
            }
        }}
    }
}

fn details(
    ctx: Ctx,
    base: String,
    detail: CustomerDetail,
    ledger: Ledger,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Tracked: the page is drawn again in the other language.
    let lang = ctx.lang.get();
    let c = detail.customer.clone();
    let erased = c.row.state == "erased";
    let title = match (&c.row.first_name, erased) {
        (_, true) => format!("{} ({})", c.row.id, T::Erased.get(lang)),
        (Some(name), false) => format!("{name} ({})", c.row.id),
        (None, false) => c.row.id.clone(),
    };
    let none = || format::NONE.to_string();
    let currency = detail
        .summary
        .pointer("/points_value/currency")
        .and_then(Value::as_str)
        .unwrap_or("EUR")
        .to_string();
    let points = |name: &str| {
        detail
            .summary
            .pointer(&format!("/points/{name}"))
            .and_then(Value::as_i64)
            .map(|v| format::count(v, lang))
            .unwrap_or_else(none)
    };
    let tier_name = detail
        .summary
        .pointer("/tier/name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| c.row.tier.clone())
        .unwrap_or_else(none);
    let row = |key: T, value: String| view! { <dt>{key.get(lang)}</dt><dd>{value}</dd> };
    let club = match c.club_member {
        Some(true) => T::Yes.get(lang).to_string(),
        Some(false) => T::No.get(lang).to_string(),
        None => none(),
    };
    view! {
        <h1>{title.clone()}</h1>
        {erased.then(|| view! { <p class="notice" id="erased-note">{T::ErasedNote.get(lang)}</p> })}
        <div class="columns">
            <section aria-labelledby="h-details">
                <h2 id="h-details">{T::Details.get(lang)}</h2>
                <dl>
                    {row(T::CustomerId, c.row.id.clone())}
                    {row(T::FirstName, c.row.first_name.clone().unwrap_or_else(none))}
                    {row(T::Email, c.row.email.clone().unwrap_or_else(none))}
                    {row(T::Birthday, c.birthday.clone().unwrap_or_else(none))}
                    {row(T::ReferralCode, c.referral_code.clone().unwrap_or_else(none))}
                    {row(T::ReferredBy, c.referred_by.clone().unwrap_or_else(none))}
                    {row(T::ClubMember, club)}
                    {row(T::Joined, c.row.created_on.clone().unwrap_or_else(none))}
                    {row(T::LastOrder, c.row.last_order_at.as_deref().map(format::day).unwrap_or_else(none))}
                </dl>
            </section>
            <section aria-labelledby="h-summary">
                <h2 id="h-summary">{T::Summary.get(lang)}</h2>
                <dl>
                    <dt>{T::Balance.get(lang)}</dt>
                    <dd id="balance" data-value=c.row.balance.to_string()>{format::count(c.row.balance, lang)}</dd>
                    {row(T::Pending, points("pending"))}
                    {row(T::Spent, points("spent"))}
                    {row(T::Lifetime, points("lifetime"))}
                    {row(T::Tier, tier_name)}
                </dl>
            </section>
        </div>
        {(!erased).then(|| view! { <Adjust base=base.clone() reload=reload/> })}
        <section aria-labelledby="h-ledger">
            <h2 id="h-ledger">{T::Ledger.get(lang)}</h2>
            <Scroll label=T::Ledger.get(lang).to_string()>
                <table class="ledger">
                    <thead><tr>
                        <th scope="col">{T::Day.get(lang)}</th>
                        <th scope="col">{T::Kind.get(lang)}</th>
                        <th scope="col">{T::Points.get(lang)}</th>
                        <th scope="col">{T::Reason.get(lang)}</th>
                        <th scope="col">{T::Expires.get(lang)}</th>
                    </tr></thead>
                    <tbody>
                        {ledger.entries.iter().map(|e| view! {
                            <tr>
                                <td>{e.booked_on.clone()}</td>
                                <td>{i18n::ledger_kind(&e.kind, lang)}</td>
                                <td class="num">{format!("{}{}", if e.points > 0 { "+" } else { "" }, format::count(e.points, lang))}</td>
                                <td>{e.reason.clone().unwrap_or_else(none)}</td>
                                <td>{e.expires_on.clone().unwrap_or_else(none)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scroll>
        </section>
        <section aria-labelledby="h-orders">
            <h2 id="h-orders">{T::Orders.get(lang)}</h2>
            {detail.orders.is_empty().then(|| view! { <p>{T::NoOrders.get(lang)}</p> })}
            {(!detail.orders.is_empty()).then(|| view! {
            <Scroll label=T::Orders.get(lang).to_string()>
                <table>
                    <thead><tr>
                        <th scope="col">{T::OrderNumber.get(lang)}</th>
                        <th scope="col">{T::Day.get(lang)}</th>
                        <th scope="col">{T::Total.get(lang)}</th>
                        <th scope="col">{T::Refunded.get(lang)}</th>
                        <th scope="col">{T::Points.get(lang)}</th>
                    </tr></thead>
                    <tbody>
                        {detail.orders.iter().map(|o| view! {
                            <tr>
                                <th scope="row">{o.number.clone().unwrap_or_else(|| o.id.clone())}</th>
                                <td>{o.placed_at.as_deref().map(format::day).unwrap_or_else(none)}</td>
                                <td class="num">{format::money(o.total_minor, &currency, lang)}</td>
                                <td class="num">{format::money(o.refunded_minor, &currency, lang)}</td>
                                <td class="num">{format::count(o.points, lang)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scroll>
            })}
        </section>
        <section aria-labelledby="h-redemptions">
            <h2 id="h-redemptions">{T::Redemptions.get(lang)}</h2>
            {detail.redemptions.is_empty().then(|| view! { <p>{T::NoRedemptions.get(lang)}</p> })}
            {(!detail.redemptions.is_empty()).then(|| view! {
            <Scroll label=T::Redemptions.get(lang).to_string()>
                <table>
                    <thead><tr>
                        <th scope="col">{T::Reward.get(lang)}</th>
                        <th scope="col">{T::Day.get(lang)}</th>
                        <th scope="col">{T::Points.get(lang)}</th>
                        <th scope="col">{T::Code.get(lang)}</th>
                        <th scope="col">{T::State.get(lang)}</th>
                        <th scope="col">{T::RedemptionAction.get(lang)}</th>
                    </tr></thead>
                    <tbody>
                        {detail.redemptions.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.reward_id.clone()}</th>
                                <td>{r.created_at.as_deref().map(format::day).unwrap_or_else(none)}</td>
                                <td class="num">{format::count(r.points_spent, lang)}</td>
                                <td>{r.code.clone().unwrap_or_else(none)}</td>
                                <td>{r.state.clone()}</td>
                                <td>{match r.state.as_str() {
                                    "pending" => view! { <CodeButton id=id_text(&r.id) action=CodeAction::Retry reload=reload/> }.into_any(),
                                    _ if r.reissuable => view! { <CodeButton id=id_text(&r.id) action=CodeAction::Reissue reload=reload/> }.into_any(),
                                    _ if r.reissued_as.is_some() => view! {
                                        <span class="note">{T::ReissuedAs.get(lang).replace("{id}", r.reissued_as.as_deref().unwrap_or_default())}</span>
                                    }.into_any(),
                                    "released" | "expired" => view! { <span class="note">{T::NoReissue.get(lang)}</span> }.into_any(),
                                    _ => view! { <span>{none()}</span> }.into_any(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Scroll>
            })}
        </section>
        <section aria-labelledby="h-data">
            <h2 id="h-data">{T::PersonalData.get(lang)}</h2>
            <Export base=base.clone() id=c.row.id.clone()/>
            {(!erased).then(|| view! { <Erase base=base.clone() name=title.clone() reload=reload/> })}
        </section>
    }
}

/// Add or take points with a reason, booked once (`Idempotency-Key`: the
/// same key again for the same points and reason after a lost answer).
#[component]
fn Adjust(base: String, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let invalid = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // The last attempt's body and key: reused while the body is the same.
    let last = RwSignal::new(None::<(String, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let amount = points
            .get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p != 0);
        let why = reason.get_untracked().trim().to_string();
        let (Some(amount), false) = (amount, why.is_empty()) else {
            invalid.set(true);
            return;
        };
        invalid.set(false);
        let body = serde_json::json!({ "points": amount, "reason": why }).to_string();
        let key = match last.get_untracked() {
            Some((b, k)) if b == body => k,
            _ => client::random_key(),
        };
        last.set(Some((body.clone(), key.clone())));
        busy.set(true);
        error.set(None);
        let path = format!("{base}/adjustments");
        spawn_local(async move {
            let answer = client::send(ctx, "POST", &path, Body::Json(body), Some(&key)).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    last.set(None);
                    points.set(String::new());
                    reason.set(String::new());
                    ctx.announce(format::plural(
                        P::Adjusted,
                        amount,
                        ctx.lang.get_untracked(),
                    ));
                    // The page is drawn again with the new balance: the
                    // focus goes to its start rather than nowhere.
                    focus_main();
                    reload();
                }
                Err(err) => {
                    if !matches!(err, ApiError::Network) {
                        last.set(None);
                    }
                    ctx.announce(err.describe(ctx.lang.get_untracked()));
                    error.set(Some(err));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="h-adjust">
            <h2 id="h-adjust">{move || ctx.t(T::AdjustPoints)}</h2>
            <form class="adjust" on:submit=submit>
                <div class="field">
                    <label for="adjust-points">{move || ctx.t(T::PointsToAdd)}</label>
                    <input id="adjust-points" type="number" step="1" required inputmode="numeric"
                        aria-describedby="adjust-help"
                        prop:value=move || points.get() on:input:target=move |ev| points.set(ev.target().value())/>
                </div>
                <div class="field">
                    <label for="adjust-reason">{move || ctx.t(T::Reason)}</label>
                    <input id="adjust-reason" type="text" maxlength="120" required
                        prop:value=move || reason.get() on:input:target=move |ev| reason.set(ev.target().value())/>
                </div>
                <p id="adjust-help" class="help">{move || ctx.t(T::AdjustHelp)}</p>
                <button type="submit" disabled=move || busy.get()>{move || ctx.t(T::Book)}</button>
            </form>
            <Show when=move || invalid.get()>
                <p class="error" role="alert">{move || ctx.t(T::AdjustInvalid)}</p>
            </Show>
            {move || error.get().map(|err| view! { <ErrorNote error=err/> })}
        </section>
    }
}

/// Downloads everything about the customer as JSON.
#[component]
fn Export(base: String, id: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let export = move |_| {
        let path = format!("{base}/export");
        let filename = format!("customer-{id}.json");
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = match client::send(ctx, "GET", &path, Body::Empty, None).await {
                Ok(response) => response.text().await.map_err(|_| ApiError::Network),
                Err(err) => Err(err),
            };
            busy.set(false);
            match answer {
                Ok(text) => {
                    download(&filename, &text);
                    ctx.announce(ctx.t(T::Exported).replace("{file}", &filename));
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <button type="button" class="secondary" id="export" on:click=export disabled=move || busy.get()>
            {move || ctx.t(T::Export)}
        </button>
        {move || error.get().map(|err| view! { <ErrorNote error=err/> })}
    }
}

/// Saves `text` as a file through a blob link.
fn download(filename: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(filename);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Erases the customer's personal data, after a dialog that names them.
#[component]
fn Erase(
    base: String,
    name: String,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let dialog = NodeRef::<html::Dialog>::new();
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let open = move |_| {
        if let Some(d) = dialog.get() {
            let _ = d.show_modal();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get() {
            d.close();
        }
    };
    let confirm = move |_| {
        let path = format!("{base}/erase");
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = match client::send(ctx, "POST", &path, Body::Empty, None).await {
                Ok(response) => client::json::<Erased>(response).await,
                Err(err) => Err(err),
            };
            busy.set(false);
            close();
            match answer {
                Ok(done) => {
                    ctx.announce(ctx.t(T::ErasedAt).replace("{at}", &done.erased_at));
                    focus_main();
                    reload();
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let question = T::EraseQuestion
        .get(ctx.lang.get_untracked())
        .replace("{name}", &name);
    view! {
        <button type="button" class="danger" id="erase" on:click=open>{move || ctx.t(T::Erase)}</button>
        {move || error.get().map(|err| view! { <ErrorNote error=err/> })}
        <dialog node_ref=dialog aria-labelledby="erase-title" aria-describedby="erase-text">
            <h2 id="erase-title">{question}</h2>
            <p id="erase-text">{move || ctx.t(T::EraseText)}</p>
            <div class="inline">
                <button type="button" class="danger" id="erase-confirm" disabled=move || busy.get() on:click=confirm>
                    {move || ctx.t(T::EraseConfirm)}
                </button>
                <button type="button" class="secondary" on:click=move |_| close()>{move || ctx.t(T::Cancel)}</button>
            </div>
        </dialog>
    }
}

/// What a redemption's button in the customer's page does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeAction {
    /// Tries a pending redemption's code on the platform again
    /// (`POST /admin/v1/redemptions/{id}/retry`).
    Retry,
    /// Reissues a code that expired unused, its points kept
    /// (`POST /admin/v1/redemptions/{id}/reissue`: a new code at no
    /// points). A code whose points came back is not reissued: the
    /// customer redeems again.
    Reissue,
}

/// A redemption's button: [`CodeAction`]'s request, then how it ended
/// (with the new code, for a reissue) in the live region and the page
/// read again.
#[component]
fn CodeButton(
    /// The redemption's id.
    id: String,
    /// What the button does.
    action: CodeAction,
    /// Reloads the page after it.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let busy = RwSignal::new(false);
    let (segment, name, class) = match action {
        CodeAction::Retry => ("retry", T::RetryCode, "secondary retry"),
        CodeAction::Reissue => ("reissue", T::ReissueCode, "secondary reissue"),
    };
    let label = format!("{} ({id})", name.get(ctx.lang.get_untracked()));
    let send = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let path = format!("/admin/v1/redemptions/{}/{segment}", encode(&id));
            busy.set(true);
            spawn_local(async move {
                let answer = match client::send(ctx, "POST", &path, Body::Empty, None).await {
                    Ok(response) => client::json::<CodeOutcome>(response).await,
                    Err(err) => Err(err),
                };
                busy.set(false);
                match answer {
                    Ok(done) => {
                        let key = match (action, done.outcome.as_str()) {
                            (CodeAction::Retry, "confirmed") => T::RetryConfirmed,
                            (CodeAction::Retry, "released") => T::RetryReleased,
                            (CodeAction::Retry, "pending") => T::RetryPending,
                            (CodeAction::Retry, _) => T::RetryNothing,
                            (CodeAction::Reissue, "released") => T::ReissueRefused,
                            (CodeAction::Reissue, "pending") => T::ReissuePending,
                            (CodeAction::Reissue, _) => T::ReissueDone,
                        };
                        let code = done
                            .redemption
                            .and_then(|line| line.code)
                            .unwrap_or_default();
                        ctx.announce(ctx.t(key).replace("{id}", &id).replace("{code}", &code));
                        reload();
                    }
                    Err(err) => ctx.announce(err.describe(ctx.lang.get_untracked())),
                }
            });
        }
    };
    view! {
        <button type="button" class=class aria-label=label
            disabled=move || busy.get() on:click=send>
            {move || ctx.t(name)}
        </button>
    }
}
