//! What a visitor without a customer token sees.

use super::earn::earn;
use super::i18n::{I18n, Say};
use super::task::Task;
use super::{loaded, Load};
use crate::edge::client::Client;
use crate::edge::dom::{el, siblings, El};
use crate::edge::events;
use leptos::prelude::*;
use loyalty_core::contract::Program;
use loyalty_core::events::{Event, Ready};
use loyalty_core::i18n::Key;

/// The program's pitch and ways to earn (public data, loaded with `client`,
/// which has no customer), and the shop's join and sign-in links where
/// configured.
pub fn guest(client: Client, join_url: Option<String>, signin_url: Option<String>) -> El {
    let i18n = expect_context::<I18n>();
    // The same signal type as the dashboard's (each new one costs wasm).
    let program: Load<Program> = RwSignal::new(None);
    // The guest view is complete once the program is known (or failed,
    // which leaves the pitch and links).
    Task::new().start(async move { client.program().await }, move |result| {
        program.set(Some(result));
        events::emit(&Event::Ready(Ready {
            customer: false,
            points: None,
            stale: None,
        }));
    });
    let card = el("div", "lw-card lw-guest")
        .part(move || {
            loaded(program, |program| {
                let mut lines = vec![el("p", "lw-program-name").text(&program.name)];
                if !program.pitch.is_empty() {
                    lines.push(el("p", "lw-pitch").text(&program.pitch));
                }
                lines
            })
            .unwrap_or_default()
        })
        .child(el("p", "lw-pitch").say(i18n, Key::GuestPitch))
        .child(
            el("p", "lw-actions")
                .maybe(join_url.map(|href| {
                    el("a", "lw-button")
                        .attr("href", &href)
                        .say(i18n, Key::Join)
                }))
                .maybe(signin_url.map(|href| {
                    el("a", "lw-link")
                        .attr("href", &href)
                        .say(i18n, Key::SignIn)
                })),
        );
    siblings().child(card).part(move || {
        loaded(program, |program| {
            earn(&program.earning).into_iter().collect()
        })
        .unwrap_or_default()
    })
}
