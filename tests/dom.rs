//! Browser tests of the DOM builder the views are made with
//! (`edge::dom`): parts redraw in place and dispose what they replace,
//! reactive attributes come and go, listeners end with their owner, and
//! focus waits until an element is on the page.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use leptos::prelude::{on_cleanup, Get, GetUntracked, Owner, RwSignal, Set, Update};
use loyalty_widget::edge::dom::{el, siblings, El};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element on the page to build into.
fn stage() -> Element {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let body = document().body().expect("a body");
    let stage = document().create_element("div").expect("a div");
    body.append_child(&stage).expect("on the page");
    stage
}

fn put(stage: &Element, built: El) {
    stage.append_child(&built.0).expect("appended");
}

/// The text of every child element, in order.
fn items(parent: &Element) -> Vec<String> {
    let children = parent.children();
    (0..children.length())
        .filter_map(|i| children.item(i))
        .map(|child| text_of(&child))
        .collect()
}

#[wasm_bindgen_test]
async fn a_part_redraws_between_its_neighbours_and_disposes_what_it_replaced() {
    let stage = stage();
    let owner = Owner::new();
    let count = RwSignal::new(2);
    let disposed = Arc::new(AtomicUsize::new(0));
    let built = {
        let disposed = Arc::clone(&disposed);
        owner.with(move || {
            el("ul", "list")
                .child(el("li", "").text("first"))
                .part(move || {
                    let disposed = Arc::clone(&disposed);
                    on_cleanup(move || {
                        disposed.fetch_add(1, Ordering::SeqCst);
                    });
                    (0..count.get())
                        .map(|n| el("li", "").text(&format!("item {n}")))
                        .collect()
                })
                .child(el("li", "").text("last"))
        })
    };
    put(&stage, built);
    let list = stage
        .query_selector("ul.list")
        .ok()
        .flatten()
        .expect("the list");
    assert_eq!(items(&list), ["first", "item 0", "item 1", "last"]);
    count.set(3);
    tick(0).await;
    assert_eq!(
        items(&list),
        ["first", "item 0", "item 1", "item 2", "last"]
    );
    assert_eq!(
        disposed.load(Ordering::SeqCst),
        1,
        "the first drawing's owner"
    );
    count.set(0);
    tick(0).await;
    assert_eq!(items(&list), ["first", "last"]);
    assert_eq!(disposed.load(Ordering::SeqCst), 2);
    owner.cleanup();
    count.set(1);
    tick(0).await;
    assert_eq!(items(&list), ["first", "last"], "no redraw after cleanup");
    stage.remove();
}

#[wasm_bindgen_test]
async fn a_part_built_among_siblings_still_follows_once_they_are_placed() {
    let stage = stage();
    let owner = Owner::new();
    let word = RwSignal::new("one");
    let built = owner.with(|| {
        siblings()
            .child(el("p", "").text("before"))
            .part(move || vec![el("p", "").text(word.get())])
            .child(el("p", "").text("after"))
    });
    put(&stage, built);
    assert_eq!(items(&stage), ["before", "one", "after"]);
    word.set("two");
    tick(0).await;
    assert_eq!(items(&stage), ["before", "two", "after"]);
    owner.cleanup();
    stage.remove();
}

#[wasm_bindgen_test]
async fn attributes_and_texts_follow_their_signals() {
    let stage = stage();
    let owner = Owner::new();
    let open = RwSignal::new(false);
    let built = owner.with(|| {
        el("div", "panel")
            .attr_with("hidden", move || (!open.get()).then(String::new))
            .attr_with("aria-expanded", move || Some(open.get().to_string()))
            .text_with(move || if open.get() { "open" } else { "closed" }.to_owned())
    });
    put(&stage, built);
    let panel = stage
        .query_selector(".panel")
        .ok()
        .flatten()
        .expect("the panel");
    assert!(panel.has_attribute("hidden"));
    assert_eq!(
        panel.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(text_of(&panel), "closed");
    open.set(true);
    tick(0).await;
    assert!(!panel.has_attribute("hidden"));
    assert_eq!(
        panel.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(text_of(&panel), "open");
    owner.cleanup();
    stage.remove();
}

#[wasm_bindgen_test]
async fn a_listener_ends_with_its_owner() {
    let stage = stage();
    let owner = Owner::new();
    let clicks = RwSignal::new(0);
    let built = owner.with(|| {
        el("button", "press")
            .attr("type", "button")
            .on("click", move |_| clicks.update(|n| *n += 1))
    });
    put(&stage, built);
    let button = stage
        .query_selector(".press")
        .ok()
        .flatten()
        .expect("the button");
    click(&button);
    assert_eq!(clicks.get_untracked(), 1);
    owner.cleanup();
    // Still on the page, but its listener is gone (and calling a dropped
    // closure would have thrown).
    click(&button);
    assert_eq!(clicks.get_untracked(), 1);
    stage.remove();
}

#[wasm_bindgen_test]
async fn focus_waits_until_the_part_has_put_the_element_on_the_page() {
    let stage = stage();
    let owner = Owner::new();
    let asking = RwSignal::new(false);
    let built = owner.with(|| {
        el("div", "").part(move || {
            if asking.get() {
                vec![el("button", "confirm")
                    .attr("type", "button")
                    .focus_when_shown()]
            } else {
                Vec::new()
            }
        })
    });
    put(&stage, built);
    asking.set(true);
    tick(0).await;
    let confirm = stage
        .query_selector(".confirm")
        .ok()
        .flatten()
        .expect("the confirm button");
    let active = document().active_element().expect("something has focus");
    assert!(
        active.is_same_node(Some(&confirm)),
        "focus is on the new button"
    );
    assert!(confirm.dyn_ref::<HtmlElement>().is_some());
    owner.cleanup();
    stage.remove();
}
