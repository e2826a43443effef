//! The figures (`GET /admin/v1/analytics`): a period, each figure beside
//! the previous period's with the change and its definition one click away,
//! members beside non-members, charts with their tables, and the members
//! at risk of not coming back.

use crate::api::{self, Analytics};
use crate::client;
use crate::dates;
use crate::format::{self, Kind};
use crate::i18n::{P, T};
use crate::route::{encode, Route};
use crate::state::Ctx;
use crate::widgets::{bar_svg, trend_svg, Chart, ErrorNote, Link, Scroll};
use leptos::prelude::*;

/// A figure of the analytics: where it is, how it is written, its name,
/// definition and why it can be missing.
struct Def {
    path: &'static str,
    kind: Kind,
    name: T,
    definition: T,
    none: T,
}

const fn def(path: &'static str, kind: Kind, name: T, definition: T, none: T) -> Def {
    Def {
        path,
        kind,
        name,
        definition,
        none,
    }
}

/// Figures split by membership.
const SPLIT: &[Def] = &[
    def(
        "customers_ordering",
        Kind::Count,
        T::FCustomersOrdering,
        T::DCustomersOrdering,
        T::NoneNoData,
    ),
    def(
        "customers_repeating",
        Kind::Count,
        T::FCustomersRepeating,
        T::DCustomersRepeating,
        T::NoneNoData,
    ),
    def(
        "repeat_purchase_rate",
        Kind::Rate,
        T::FRepeatRate,
        T::DRepeatRate,
        T::NoneNoOrders,
    ),
    def("orders", Kind::Count, T::FOrders, T::DOrders, T::NoneNoData),
    def(
        "revenue_minor",
        Kind::Money,
        T::FRevenue,
        T::DRevenue,
        T::NoneNoData,
    ),
    def(
        "average_order_value_minor",
        Kind::Money,
        T::FAov,
        T::DAov,
        T::NoneNoOrders,
    ),
    def(
        "revenue_per_customer_minor",
        Kind::Money,
        T::FRevenuePerCustomer,
        T::DRevenuePerCustomer,
        T::NoneNoOrders,
    ),
    def(
        "lifetime_value_minor",
        Kind::Money,
        T::FLifetimeValue,
        T::DLifetimeValue,
        T::NoneNoOrders,
    ),
];

/// Figures of the whole program.
const PROGRAM: &[Def] = &[
    def(
        "members",
        Kind::Count,
        T::FMembers,
        T::DMembers,
        T::NoneNoData,
    ),
    def(
        "new_members",
        Kind::Count,
        T::FNewMembers,
        T::DNewMembers,
        T::NoneNoData,
    ),
    def(
        "active_members",
        Kind::Count,
        T::FActiveMembers,
        T::DActiveMembers,
        T::NoneNoData,
    ),
    def(
        "retention_rate",
        Kind::Rate,
        T::FRetention,
        T::DRetention,
        T::NoneNoPrevious,
    ),
    def(
        "churn_rate",
        Kind::Rate,
        T::FChurn,
        T::DChurn,
        T::NoneNoPrevious,
    ),
    def(
        "retention.start",
        Kind::Count,
        T::FRetentionStart,
        T::DRetentionStart,
        T::NoneNoData,
    ),
    def(
        "retention.retained",
        Kind::Count,
        T::FRetentionRetained,
        T::DRetentionRetained,
        T::NoneNoData,
    ),
    def(
        "retention.new",
        Kind::Count,
        T::FRetentionNew,
        T::DRetentionNew,
        T::NoneNoData,
    ),
    def(
        "points_issued",
        Kind::Count,
        T::FPointsIssued,
        T::DPointsIssued,
        T::NoneNoData,
    ),
    def(
        "points_redeemed",
        Kind::Count,
        T::FPointsRedeemed,
        T::DPointsRedeemed,
        T::NoneNoData,
    ),
    def(
        "points_expired",
        Kind::Count,
        T::FPointsExpired,
        T::DPointsExpired,
        T::NoneNoData,
    ),
    def(
        "redemption_rate",
        Kind::Rate,
        T::FRedemptionRate,
        T::DRedemptionRate,
        T::NoneNoPointsIssued,
    ),
    def(
        "points_outstanding",
        Kind::Count,
        T::FPointsOutstanding,
        T::DPointsOutstanding,
        T::NoneNoData,
    ),
    def(
        "points_outstanding_value_minor",
        Kind::Money,
        T::FPointsOutstandingValue,
        T::DPointsOutstandingValue,
        T::NoneNoData,
    ),
    def(
        "redemptions",
        Kind::Count,
        T::FRedemptions,
        T::DRedemptions,
        T::NoneNoData,
    ),
    def(
        "codes_issued",
        Kind::Count,
        T::FCodesIssued,
        T::DCodesIssued,
        T::NoneNoData,
    ),
    def(
        "codes_used",
        Kind::Count,
        T::FCodesUsed,
        T::DCodesUsed,
        T::NoneNoData,
    ),
    def(
        "referrals.links_shared",
        Kind::Count,
        T::FLinksShared,
        T::DLinksShared,
        T::NoneNotTracked,
    ),
    def(
        "referrals.friends_joined",
        Kind::Count,
        T::FFriendsJoined,
        T::DFriendsJoined,
        T::NoneNoData,
    ),
    def(
        "referrals.friends_ordered",
        Kind::Count,
        T::FFriendsOrdered,
        T::DFriendsOrdered,
        T::NoneNoData,
    ),
    def(
        "referrals.conversion_rate",
        Kind::Rate,
        T::FReferralConversion,
        T::DReferralConversion,
        T::NoneNoFriends,
    ),
];

/// The period asked for: none is the API's default (the last 30 days).
type Period = Option<(String, String)>;

/// The overview page.
#[component]
pub fn Overview() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let period = RwSignal::new(None::<(String, String)>);
    let preset = RwSignal::new("30".to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // The last day of the last answer: the presets count back from it (the
    // endpoint's today, not the browser's).
    let anchor = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        let asked: Period = period.get();
        async move {
            let path = match &asked {
                Some((from, to)) => format!(
                    "/admin/v1/analytics?from={}&to={}",
                    encode(from),
                    encode(to)
                ),
                None => "/admin/v1/analytics".to_string(),
            };
            client::get::<Analytics>(ctx, &path).await
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(answer)) = data.get() {
            if anchor.get_untracked().is_none() {
                anchor.set(Some(answer.to.clone()));
            }
            from.set(answer.from.clone());
            to.set(answer.to.clone());
            ctx.announce(
                ctx.t(T::FiguresFor)
                    .replace("{from}", &answer.from)
                    .replace("{to}", &answer.to),
            );
        }
    });
    let choose = move |value: String| {
        preset.set(value.clone());
        if let Ok(days) = value.parse::<i64>() {
            let end = anchor.get_untracked().unwrap_or_else(|| to.get_untracked());
            period.set(dates::period_ending(&end, days));
        }
    };
    let apply_dates = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        preset.set("custom".into());
        period.set(Some((from.get_untracked(), to.get_untracked())));
    };
    view! {
        <h1>{move || ctx.t(T::NavOverview)}</h1>
        <form class="period" on:submit=apply_dates>
            <div class="field">
                <label for="period">{move || ctx.t(T::Period)}</label>
                <select id="period" on:change:target=move |ev| choose(ev.target().value())
                    prop:value=move || preset.get()>
                    <option value="30">{move || ctx.t(T::Last30)}</option>
                    <option value="90">{move || ctx.t(T::Last90)}</option>
                    <option value="365">{move || ctx.t(T::Last365)}</option>
                    <option value="custom">{move || ctx.t(T::CustomPeriod)}</option>
                </select>
            </div>
            <div class="field">
                <label for="from">{move || ctx.t(T::From)}</label>
                <input id="from" type="date" required prop:value=move || from.get()
                    on:input:target=move |ev| from.set(ev.target().value())/>
            </div>
            <div class="field">
                <label for="to">{move || ctx.t(T::To)}</label>
                <input id="to" type="date" required prop:value=move || to.get()
                    on:input:target=move |ev| to.set(ev.target().value())/>
            </div>
            <button type="submit">{move || ctx.t(T::ShowPeriod)}</button>
        </form>
        {move || match data.get() {
            None => view! { <p class="loading">{ctx.t(T::Loading)}</p> }.into_any(),
            Some(Err(err)) => view! { <ErrorNote error=err/> }.into_any(),
            Some(Ok(answer)) => figures(ctx, answer).into_any(),
        }}
    }
}

fn figures(ctx: Ctx, a: Analytics) -> impl IntoView {
    let lang = ctx.lang.get();
    let currency = a.currency.clone();
    let cell = |def: &Def, path: String| {
        let now = api::figure(&a.current, &path);
        let was = api::figure(&a.previous, &path);
        let change = format::change(now, was, def.kind);
        let raw = now.map(|v| v.to_string()).unwrap_or_else(|| "null".into());
        let shown = format::value(now, def.kind, &currency, lang);
        let why = now.is_none().then(|| def.none.get(lang));
        let before = format::value(was, def.kind, &currency, lang);
        let (arrow, class) = match change.map(format::Change::direction) {
            Some(1) => ("↑", "delta up"),
            Some(-1) => ("↓", "delta down"),
            _ => ("", "delta"),
        };
        let change_text = change
            .map(|c| format!("{arrow} {}", c.text(lang)))
            .unwrap_or_else(|| format::NONE.to_string());
        view! {
            <span class="now" data-figure=path data-value=raw>{shown}</span>
            {why.map(|w| view! { <span class="why">{format!(" ({w})")}</span> })}
            <span class="was">{format!("{}: {before}", T::Previous.get(lang))}</span>
            <span class=class>{format!("{}: {change_text}", T::Change.get(lang))}</span>
        }
    };
    let name_cell = |def: &Def| {
        view! {
            <th scope="row">
                <details class="definition">
                    <summary>{def.name.get(lang)}</summary>
                    <p>{def.definition.get(lang)}</p>
                </details>
            </th>
        }
    };
    let split_rows = SPLIT
        .iter()
        .map(|def| {
            view! {
                <tr>
                    {name_cell(def)}
                    <td>{cell(def, format!("{}.all", def.path))}</td>
                    <td>{cell(def, format!("{}.members", def.path))}</td>
                    <td>{cell(def, format!("{}.non_members", def.path))}</td>
                </tr>
            }
        })
        .collect_view();
    let program_rows = PROGRAM
        .iter()
        .map(|def| view! { <tr>{name_cell(def)}<td>{cell(def, def.path.to_string())}</td></tr> })
        .collect_view();
    let split_table = view! {
        <table class="figures">
            <thead><tr>
                <th scope="col">{T::Figure.get(lang)}</th>
                <th scope="col">{T::Everyone.get(lang)}</th>
                <th scope="col">{T::Members.get(lang)}</th>
                <th scope="col">{T::NonMembers.get(lang)}</th>
            </tr></thead>
            <tbody>{split_rows}</tbody>
        </table>
    };
    let program_table = view! {
        <table class="figures">
            <thead><tr>
                <th scope="col">{T::Figure.get(lang)}</th>
                <th scope="col">{T::ThisPeriod.get(lang)}</th>
            </tr></thead>
            <tbody>{program_rows}</tbody>
        </table>
    };

    // The trend: revenue per bucket, members beside non-members.
    let labels: Vec<String> = a
        .trend
        .iter()
        .map(|b| format!("{} – {}", b.start, b.end))
        .collect();
    let members: Vec<f64> = a
        .trend
        .iter()
        .map(|b| b.revenue_minor.members.unwrap_or(0.0))
        .collect();
    let others: Vec<f64> = a
        .trend
        .iter()
        .map(|b| b.revenue_minor.non_members.unwrap_or(0.0))
        .collect();
    let trend_title = T::TrendTitle.get(lang).to_string();
    let trend_rows = a
        .trend
        .iter()
        .zip(&labels)
        .map(|(b, label)| {
            view! {
                <tr>
                    <th scope="row">{label.clone()}</th>
                    <td>{format::value(b.revenue_minor.members, Kind::Money, &currency, lang)}</td>
                    <td>{format::value(b.revenue_minor.non_members, Kind::Money, &currency, lang)}</td>
                    <td>{format::value(b.orders.all, Kind::Count, &currency, lang)}</td>
                    <td>{format::value(b.points_issued, Kind::Count, &currency, lang)}</td>
                    <td>{format::value(b.new_members, Kind::Count, &currency, lang)}</td>
                </tr>
            }
        })
        .collect_view();
    let trend_inner = view! {
        <table>
            <caption>{trend_title.clone()}</caption>
            <thead><tr>
                <th scope="col">{T::Week.get(lang)}</th>
                <th scope="col">{T::Members.get(lang)}</th>
                <th scope="col">{T::NonMembers.get(lang)}</th>
                <th scope="col">{T::FOrders.get(lang)}</th>
                <th scope="col">{T::FPointsIssued.get(lang)}</th>
                <th scope="col">{T::FNewMembers.get(lang)}</th>
            </tr></thead>
            <tbody>{trend_rows}</tbody>
        </table>
    };
    let trend_table = view! { <Scroll label=trend_title.clone()>{trend_inner}</Scroll> }.into_any();
    let trend_name = format::plural(P::TrendName, a.trend.len() as i64, lang);

    let bar_chart = |title: T, rows: Vec<(String, f64)>, head: T| {
        let title = title.get(lang).to_string();
        let shown: Vec<String> = rows
            .iter()
            .map(|(_, v)| format::value(Some(*v), Kind::Count, &currency, lang))
            .collect();
        let svg = bar_svg(title.clone(), &rows, &shown, lang.dir() == "rtl");
        let body = rows
            .iter()
            .zip(&shown)
            .map(|((label, _), v)| view! { <tr><th scope="row">{label.clone()}</th><td>{v.clone()}</td></tr> })
            .collect_view();
        let inner = view! {
            <table>
                <caption>{title.clone()}</caption>
                <thead><tr><th scope="col">{T::Name.get(lang)}</th><th scope="col">{head.get(lang)}</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        };
        let table = view! { <Scroll label=title.clone()>{inner}</Scroll> }.into_any();
        view! { <Chart title=title svg=svg table=table/> }
    };
    let rewards = api::bars(&a.current, "rewards", "title", "redemptions");
    let tiers = api::bars(&a.current, "tiers", "name", "members");
    let cohort_title = T::CohortsTitle.get(lang).to_string();
    let at_risk = a.at_risk.clone();
    let cohort_rows = a
        .cohorts
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.month.clone()}</th>
                    <td>{format::value(c.members, Kind::Count, &currency, lang)}</td>
                    <td>{format::value(c.revenue_minor, Kind::Money, &currency, lang)}</td>
                    <td>{format::value(c.lifetime_value_minor, Kind::Money, &currency, lang)}</td>
                </tr>
            }
        })
        .collect_view();
    let cohort_table = view! {
        <table>
            <caption class="visually-hidden">{cohort_title.clone()}</caption>
            <thead><tr>
                <th scope="col">{T::Month.get(lang)}</th>
                <th scope="col">{T::FMembers.get(lang)}</th>
                <th scope="col">{T::FRevenue.get(lang)}</th>
                <th scope="col">{T::FLifetimeValue.get(lang)}</th>
            </tr></thead>
            <tbody>{cohort_rows}</tbody>
        </table>
    };

    view! {
        <p class="period-text">
            {T::PeriodText.get(lang)
                .replace("{from}", &a.from).replace("{to}", &a.to)
                .replace("{days}", &format::plural(P::Days, i64::from(a.days), lang))
                .replace("{pfrom}", &a.previous_from).replace("{pto}", &a.previous_to)}
        </p>
        <section aria-labelledby="h-customers">
            <h2 id="h-customers">{T::CustomersAndOrders.get(lang)}</h2>
            <Scroll label=T::CustomersAndOrders.get(lang).to_string()>{split_table}</Scroll>
        </section>
        <section aria-labelledby="h-program">
            <h2 id="h-program">{T::TheProgram.get(lang)}</h2>
            <Scroll label=T::TheProgram.get(lang).to_string()>{program_table}</Scroll>
        </section>
        <section aria-labelledby="h-charts">
            <h2 id="h-charts">{T::Charts.get(lang)}</h2>
            <div class="charts">
                <Chart title=trend_title.clone() svg=trend_svg(trend_name, &members, &others) table=trend_table/>
                {bar_chart(T::RewardsTitle, rewards, T::FRedemptions)}
                {bar_chart(T::TiersTitle, tiers, T::FMembers)}
            </div>
            <p class="legend"><span class="key members"></span>{T::Members.get(lang)}" "<span class="key others"></span>{T::NonMembers.get(lang)}</p>
            <h3>{cohort_title.clone()}</h3>
            <Scroll label=cohort_title.clone()>{cohort_table}</Scroll>
        </section>
        <section aria-labelledby="h-risk">
            <h2 id="h-risk">{T::AtRiskTitle.get(lang)}</h2>
            <p>{format::plural(P::AtRiskText, i64::try_from(at_risk.count).unwrap_or(i64::MAX), lang)}</p>
            <ul class="at-risk">
                {at_risk.customers.into_iter().map(|c| {
                    let name = c.first_name.clone().unwrap_or_else(|| c.id.clone());
                    let detail = T::AtRiskLine.get(lang)
                        .replace("{points}", &format::plural(P::AtRiskPoints, c.points, lang))
                        .replace("{last}", &c.days_since_order.map(|d| format::plural(P::AtRiskLastOrder, d.round() as i64, lang)).unwrap_or_else(|| format::NONE.into()))
                        .replace("{usual}", &c.usual_gap_days.map(|d| format::plural(P::AtRiskUsually, d.round() as i64, lang)).unwrap_or_else(|| format::NONE.into()));
                    view! {
                        <li><Link to=Route::Customer(c.id.clone())>{name}</Link>" "{detail}</li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
