//! Small pieces the pages share: links that move within the console, an
//! error note, a scrollable table region, and the SVG charts (each with its
//! table one click away).

use crate::client::ApiError;
use crate::i18n::T;
use crate::route::Route;
use crate::state::Ctx;
use leptos::prelude::*;

/// A link to a console page: a real `href` (open in a new tab works), moved
/// to in place on a plain click.
#[component]
pub fn Link(
    /// Where it leads.
    to: Route,
    /// `aria-current` (`page`) when it is the page shown.
    #[prop(optional, into)]
    current: Option<Signal<Option<&'static str>>>,
    /// The link's text.
    children: Children,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let href = to.path();
    let on_click = move |ev: web_sys::MouseEvent| {
        if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key()
        {
            ev.prevent_default();
            ctx.go(to.clone());
            focus_main();
        }
    };
    view! {
        <a href=href on:click=on_click aria-current=move || current.and_then(|c| c.get())>
            {children()}
        </a>
    }
}

/// Moves the focus to the page's content (after a move within the console,
/// as a page load would).
pub fn focus_main() {
    use wasm_bindgen::JsCast;
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

/// A failed call, said in words (as an alert: it appears after an action).
#[component]
pub fn ErrorNote(
    /// What failed.
    error: ApiError,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! { <p class="error" role="alert">{move || error.describe(ctx.lang.get())}</p> }
}

/// A table that may be wider than the screen: it scrolls within itself and
/// can be scrolled with the keyboard.
#[component]
pub fn Scroll(
    /// The region's name (the table's caption).
    #[prop(into)]
    label: Signal<String>,
    /// The table.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="scroll" role="region" tabindex="0" aria-label=move || label.get()>
            {children()}
        </div>
    }
}

/// A chart: the SVG (`role="img"` with its name) and, one click away, the
/// same figures as a table.
#[component]
pub fn Chart(
    /// Its heading and accessible name.
    #[prop(into)]
    title: Signal<String>,
    /// The SVG.
    svg: AnyView,
    /// The table with the same figures.
    table: AnyView,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <figure class="chart">
            <figcaption>{move || title.get()}</figcaption>
            {svg}
            <details class="as-table">
                <summary>{move || ctx.t(T::ShowAsTable)}</summary>
                {table}
            </details>
        </figure>
    }
}

/// Horizontal bars, one per label, longest the widest; mirrored when the
/// language is written from right to left (`rtl`: the label on the right,
/// the bar growing to the left, the value on the left).
pub fn bar_svg(name: String, rows: &[(String, f64)], shown: &[String], rtl: bool) -> AnyView {
    let max = rows
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let row_height = 28.0;
    let height = (rows.len().max(1) as f64) * row_height;
    let bars = rows
        .iter()
        .zip(shown)
        .enumerate()
        .map(|(i, ((label, v), text))| {
            let y = i as f64 * row_height;
            let width = 60.0 * v / max;
            // text-anchor start/end follow the text's direction.
            let (label_x, bar_x, value_x) = if rtl {
                ("100%", format!("{:.1}%", 62.0 - width), "0")
            } else {
                ("0", "38%".to_string(), "100%")
            };
            view! {
                <g>
                    <text x=label_x y=format!("{:.1}", y + 18.0) class="bar-label">{label.clone()}</text>
                    <rect x=bar_x y=format!("{:.1}", y + 6.0) width=format!("{width:.1}%") height="16" class="bar"></rect>
                    <text x=value_x y=format!("{:.1}", y + 18.0) text-anchor="end" class="bar-value">{text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg role="img" aria-label=name width="100%" height=format!("{height}") class="bars">
            {bars}
        </svg>
    }
    .into_any()
}

/// Vertical bars over time, members and non-members side by side per bucket.
pub fn trend_svg(name: String, members: &[f64], non_members: &[f64]) -> AnyView {
    let max = members
        .iter()
        .chain(non_members)
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let n = members.len().max(1) as f64;
    let slot = 100.0 / n;
    let (w, h) = (100.0_f64, 60.0_f64);
    let bars = members
        .iter()
        .zip(non_members)
        .enumerate()
        .map(|(i, (m, o))| {
            let x = i as f64 * slot;
            let mh = h * m / max;
            let oh = h * o / max;
            view! {
                <rect x=format!("{:.2}", x + slot * 0.1) y=format!("{:.2}", h - mh)
                    width=format!("{:.2}", slot * 0.38) height=format!("{mh:.2}") class="bar members"></rect>
                <rect x=format!("{:.2}", x + slot * 0.52) y=format!("{:.2}", h - oh)
                    width=format!("{:.2}", slot * 0.38) height=format!("{oh:.2}") class="bar others"></rect>
            }
        })
        .collect_view();
    view! {
        <svg role="img" aria-label=name viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" class="trend">
            <line x1="0" y1=format!("{h}") x2=format!("{w}") y2=format!("{h}") class="axis"></line>
            {bars}
        </svg>
    }
    .into_any()
}
