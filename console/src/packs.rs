//! Choosing the console's language: the packs of `console/i18n/` (copied to
//! dist/admin/i18n/ by Trunk) fetched when a language is chosen, the choice
//! remembered in localStorage (the tag only), and English with a
//! `[loyalty-console]` console line when a pack cannot be had.

use crate::i18n::{self, Lang};
use crate::state::Ctx;
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The localStorage entry holding the chosen language's tag.
const STORAGE_KEY: &str = "loyalty-console-lang";

/// The language to start in: the one chosen before on this browser, else
/// the first of the browser's languages the console speaks.
pub fn initial() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::En;
    };
    let stored = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    if let Some(tag) = stored {
        return Lang::from_tag(&tag);
    }
    let navigator = window.navigator();
    let tags: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .chain(navigator.language())
        .collect();
    Lang::from_tags(tags.iter().map(String::as_str))
}

/// Switches to `lang` (remembered) once its texts are at hand; English if
/// its pack cannot be loaded. A later choice wins over a slower earlier one.
pub fn choose(ctx: Ctx, lang: Lang) {
    remember(lang);
    show(ctx, lang);
}

/// Shows `lang` once its texts are at hand (not remembered: the start).
pub fn show(ctx: Ctx, lang: Lang) {
    ctx.wanted.set(lang);
    if i18n::is_loaded(lang) {
        ctx.lang.set(lang);
        return;
    }
    spawn_local(async move {
        let loaded = load(lang).await;
        if ctx.wanted.get_untracked() != lang {
            return;
        }
        match loaded {
            Ok(()) => ctx.lang.set(lang),
            Err(why) => {
                web_sys::console::warn_1(
                    &format!(
                        "[loyalty-console] the {} texts could not be loaded ({why}); showing English",
                        lang.tag()
                    )
                    .into(),
                );
                ctx.wanted.set(Lang::En);
                ctx.lang.set(Lang::En);
            }
        }
    });
}

fn remember(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang.tag());
    }
}

async fn load(lang: Lang) -> Result<(), String> {
    let url = format!("/admin/i18n/{}.json", lang.tag());
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    let pack = i18n::read_pack(&text).map_err(|e| format!("{url}: {e}"))?;
    i18n::install(lang, pack);
    Ok(())
}
