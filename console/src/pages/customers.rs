//! The customer search (`GET /admin/v1/customers?q=`): by id, e-mail or
//! first name, a page at a time with "Load more".

use crate::api::{CustomerPage, CustomerRow};
use crate::client::{self, ApiError};
use crate::format;
use crate::i18n::{P, T};
use crate::route::{encode, Route};
use crate::state::Ctx;
use crate::widgets::{ErrorNote, Link, Scroll};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The customers page.
#[component]
pub fn Customers() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let query = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<CustomerRow>::new());
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let searched = RwSignal::new(false);

    // Asks for a page: the first of a new search, or the next one.
    let load = move |more: bool| {
        let q = query.get_untracked();
        let mut path = format!("/admin/v1/customers?limit=25&q={}", encode(q.trim()));
        if more {
            match cursor.get_untracked() {
                Some(c) => path.push_str(&format!("&cursor={}", encode(&c))),
                None => return,
            }
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = client::get::<CustomerPage>(ctx, &path).await;
            busy.set(false);
            match answer {
                Ok(page) => {
                    let added = page.customers.len();
                    rows.update(|list| {
                        if !more {
                            list.clear();
                        }
                        list.extend(page.customers);
                    });
                    cursor.set(page.next_cursor);
                    searched.set(true);
                    let total = rows.with_untracked(Vec::len);
                    let key = if more {
                        P::MoreCustomersFound
                    } else {
                        P::CustomersFound
                    };
                    let lang = ctx.lang.get_untracked();
                    ctx.announce(
                        format::plural(key, added as i64, lang)
                            .replace("{total}", &format::count(total as i64, lang)),
                    );
                }
                Err(err) => {
                    ctx.announce(err.describe(ctx.lang.get_untracked()));
                    error.set(Some(err));
                }
            }
        });
    };
    load(false);

    view! {
        <h1>{move || ctx.t(T::NavCustomers)}</h1>
        <form role="search" class="search" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            load(false);
        }>
            <label for="q">{move || ctx.t(T::SearchLabel)}</label>
            <div class="inline">
                <input id="q" type="search" autocomplete="off" prop:value=move || query.get()
                    on:input:target=move |ev| query.set(ev.target().value())/>
                <button type="submit" disabled=move || busy.get()>{move || ctx.t(T::Search)}</button>
            </div>
        </form>
        {move || error.get().map(|err| view! { <ErrorNote error=err/> })}
        <Show when=move || searched.get() && rows.with(Vec::is_empty)>
            <p>{move || ctx.t(T::NoCustomers)}</p>
        </Show>
        <Show when=move || !rows.with(Vec::is_empty)>
            <Scroll label=Signal::derive(move || ctx.t(T::NavCustomers).to_string())>
                <table class="customers">
                    <thead><tr>
                        <th scope="col">{move || ctx.t(T::Customer)}</th>
                        <th scope="col">{move || ctx.t(T::Email)}</th>
                        <th scope="col">{move || ctx.t(T::Balance)}</th>
                        <th scope="col">{move || ctx.t(T::Tier)}</th>
                        <th scope="col">{move || ctx.t(T::LastOrder)}</th>
                    </tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|row| {
                            let lang = ctx.lang.get();
                            let name = match (&row.first_name, row.state.as_str()) {
                                (_, "erased") => format!("{} ({})", row.id, T::Erased.get(lang)),
                                (Some(n), _) => format!("{n} ({})", row.id),
                                (None, _) => row.id.clone(),
                            };
                            view! {
                                <tr>
                                    <th scope="row"><Link to=Route::Customer(row.id.clone())>{name}</Link></th>
                                    <td>{row.email.clone().unwrap_or_else(|| format::NONE.into())}</td>
                                    <td class="num" data-balance=row.id.clone()>{format::count(row.balance, lang)}</td>
                                    <td>{row.tier.clone().unwrap_or_else(|| format::NONE.into())}</td>
                                    <td>{row.last_order_at.as_deref().map(format::day).unwrap_or_else(|| format::NONE.into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Scroll>
        </Show>
        <Show when=move || cursor.with(Option::is_some)>
            <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| load(true)>
                {move || ctx.t(T::LoadMore)}
            </button>
        </Show>
    }
}
