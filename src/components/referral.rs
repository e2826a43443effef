//! The customer's referral link: copy, share, and how many friends joined.

use super::copy_button::copy_button;
use super::i18n::{I18n, Say};
use super::task::Task;
use super::{loaded, Load};
use crate::edge::clipboard;
use crate::edge::dom::{el, El};
use leptos::prelude::*;
use loyalty_core::contract::{Program, Referral as ReferralData};
use loyalty_core::events::Copied;
use loyalty_core::i18n::Key;
use loyalty_core::url::safe_link;

/// "Give X, get Y", the link and code with copy buttons, the native share
/// sheet where the browser has one, e-mail and messenger fallbacks, and the
/// number of friends who joined: the customer's `referral` data, and the
/// `program` as loaded, for its "give X, get Y" text.
pub fn referral(referral: &ReferralData, program: Load<Program>) -> El {
    let i18n = expect_context::<I18n>();
    // A link that is not http(s) is shown as text only, never offered.
    let url = safe_link(&referral.url);
    let shown_url = url.clone().unwrap_or_else(|| referral.url.clone());
    let message = i18n.fill(Key::ReferralMessage, &[("url", &shown_url)]);
    let friends = match referral.friends_joined {
        0 => i18n.t(Key::FriendsNone),
        1 => i18n.t(Key::FriendsOne),
        n => i18n.fill(Key::FriendsOther, &[("n", &n.to_string())]),
    };
    let task = Task::new();
    let share = move |title: String, text: String, url: String| {
        task.start(
            async move { clipboard::share(&title, &text, &url).await },
            drop,
        );
    };
    let sharing = url.clone().filter(|_| clipboard::can_share());
    let fallbacks = url.clone().map(|_| {
        let encoded = js_sys::encode_uri_component(&message)
            .as_string()
            .unwrap_or_default();
        (
            format!("mailto:?body={encoded}"),
            format!("https://wa.me/?text={encoded}"),
        )
    });
    let code = &referral.code;
    let link_row = el("p", "lw-row").child(
        el("span", "lw-code lw-grow lw-break")
            .attr("data-testid", "referral-url")
            .text(&shown_url),
    );
    let link_row = match url {
        Some(url) => {
            let label = format!("{} {}", i18n.t(Key::Copy), i18n.t(Key::ReferralLink));
            copy_button(link_row, url, &label, Copied::ReferralLink)
        }
        None => link_row,
    };
    let code_row = el("p", "lw-row").child(
        el("code", "lw-code lw-grow")
            .attr("data-testid", "referral-code")
            .text(code),
    );
    let code_label = i18n.fill(Key::CopyCode, &[("code", code)]);
    let code_row = copy_button(code_row, code.clone(), &code_label, Copied::ReferralCode);
    let actions = el("p", "lw-actions").maybe(sharing.map(|url| {
        let message = message.clone();
        el("button", "lw-button")
            .attr("type", "button")
            .on("click", move |_| {
                share(i18n.t(Key::ReferralTitle), message.clone(), url.clone());
            })
            .say(i18n, Key::ReferralShare)
    }));
    let actions = match fallbacks {
        Some((mail, messenger)) => actions
            .child(
                el("a", "lw-link")
                    .attr("href", &mail)
                    .say(i18n, Key::ReferralEmail),
            )
            .child(
                el("a", "lw-link")
                    .attr("href", &messenger)
                    .attr("target", "_blank")
                    .attr("rel", "noopener noreferrer")
                    .say(i18n, Key::ReferralMessenger),
            ),
        None => actions,
    };
    el("section", "lw-section")
        .attr("aria-labelledby", "lw-referral-title")
        .child(
            el("h3", "lw-heading")
                .attr("id", "lw-referral-title")
                .say(i18n, Key::ReferralTitle),
        )
        .part(move || {
            let text = loaded(program, |p| p.referral_text.clone()).flatten();
            text.map(|text| el("p", "lw-pitch").text(&text))
                .into_iter()
                .collect()
        })
        .child(el("p", "lw-label").say(i18n, Key::ReferralLink))
        .child(link_row)
        .child(el("p", "lw-label").say(i18n, Key::ReferralCode))
        .child(code_row)
        .child(actions)
        .child(
            el("p", "lw-muted")
                .attr("data-testid", "friends")
                .text(&friends),
        )
}
