//! The widget's views are built with this small DOM builder on Leptos'
//! reactive system (signals, effects, owners), not with `view!`.
//!
//! Why: `view!` compiles every view into its own nest of generic types, and
//! the build, rebuild, mount and drop code of each was 69 KB brotli of the
//! 99 KB WebAssembly (measured by mounting the same client, texts and
//! arithmetic with no views at all: 29 KB). Here every function is compiled
//! once: closures are boxed on the way in, and every element is a plain
//! DOM node.
//!
//! The rules are Leptos' own:
//! - what a reactive closure reads, it follows ([`El::text_with`],
//!   [`El::attr_with`], [`El::part`]);
//! - a [`El::part`] rebuilds its nodes under a fresh owner, so the effects,
//!   listeners and signals of the nodes it replaces are disposed with them;
//! - listeners ([`El::on`]) live as long as the owner that built them.
//!
//! This is the only view code that touches web-sys; components describe
//! their markup with [`el`] and these methods.

use leptos::prelude::{on_cleanup, RenderEffect};
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, Event, HtmlElement, HtmlInputElement, KeyboardEvent, Node, Text};

thread_local! {
    /// The page's document: the widget only ever runs in a window.
    static DOCUMENT: Document = web_sys::window()
        .and_then(|window| window.document())
        .expect_throw("[loyalty-widget] no document");
    /// An element that asked for focus before it was on the page.
    static FOCUS: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// One element (or a fragment: several siblings) being built. Cheap to
/// clone: a handle to the same node.
#[derive(Clone)]
pub struct El(pub Node);

/// A new `<tag class=..>` (no class attribute when `class` is empty).
pub fn el(tag: &str, class: &str) -> El {
    let element = DOCUMENT
        .with(|document| document.create_element(tag))
        .expect_throw("[loyalty-widget] createElement");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    El(element.into())
}

/// Several siblings without an element around them: what is appended to it
/// lands, in order, where the fragment is put.
pub fn siblings() -> El {
    El(DOCUMENT.with(Document::create_document_fragment).into())
}

fn text_node(text: &str) -> Text {
    DOCUMENT.with(|document| document.create_text_node(text))
}

/// Runs `run` now and again whenever what it read changes, until the
/// current owner is cleaned up.
fn follow(run: Box<dyn Fn()>) {
    let effect = RenderEffect::new(move |_: Option<()>| run());
    let effect = SendWrapper::new(effect);
    on_cleanup(move || drop(effect));
}

impl El {
    fn element(&self) -> &Element {
        self.0.unchecked_ref()
    }

    /// Sets an attribute.
    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.element().set_attribute(name, value);
        self
    }

    /// Sets one CSS property through the CSSOM: unlike a `style` attribute,
    /// allowed under a `style-src 'self'` policy.
    pub fn style(self, property: &str, value: &str) -> El {
        if let Some(element) = self.0.dyn_ref::<HtmlElement>() {
            let _ = element.style().set_property(property, value);
        }
        self
    }

    /// Appends a text.
    pub fn text(self, text: &str) -> El {
        let _ = self.0.append_child(&text_node(text));
        self
    }

    /// Appends a child element.
    pub fn child(self, child: El) -> El {
        let _ = self.0.append_child(&child.0);
        self
    }

    /// Appends a child element when there is one.
    pub fn maybe(self, child: Option<El>) -> El {
        match child {
            Some(child) => self.child(child),
            None => self,
        }
    }

    /// Appends child elements.
    pub fn children(self, children: Vec<El>) -> El {
        children.into_iter().fold(self, El::child)
    }

    /// An attribute that follows `value` (`None` removes it).
    pub fn attr_with(self, name: &'static str, value: impl Fn() -> Option<String> + 'static) -> El {
        self.attr_boxed(name, Box::new(value))
    }

    fn attr_boxed(self, name: &'static str, value: Box<dyn Fn() -> Option<String>>) -> El {
        let element = self.element().clone();
        follow(Box::new(move || {
            let _ = match value() {
                Some(value) => element.set_attribute(name, &value),
                None => element.remove_attribute(name),
            };
        }));
        self
    }

    /// A text that follows `text`.
    pub fn text_with(self, text: impl Fn() -> String + 'static) -> El {
        self.text_boxed(Box::new(text))
    }

    fn text_boxed(self, text: Box<dyn Fn() -> String>) -> El {
        let node = text_node("");
        let _ = self.0.append_child(&node);
        follow(Box::new(move || node.set_data(&text())));
        self
    }

    /// Children that follow `build`: when what it read changes, the nodes it
    /// built are removed (and their owner disposed) and it builds anew.
    pub fn part(self, build: impl Fn() -> Vec<El> + 'static) -> El {
        self.part_boxed(Box::new(build))
    }

    fn part_boxed(self, build: Box<dyn Fn() -> Vec<El>>) -> El {
        // The part's nodes are the siblings between two empty texts, which
        // move with it if it is built inside a fragment.
        let (start, end): (Node, Node) = (text_node("").into(), text_node("").into());
        let _ = self.0.append_child(&start);
        let _ = self.0.append_child(&end);
        follow(Box::new(move || {
            let Some(parent) = end.parent_node() else {
                return;
            };
            while let Some(old) = start.next_sibling().filter(|node| *node != end) {
                let _ = parent.remove_child(&old);
            }
            for node in build() {
                let _ = parent.insert_before(&node.0, Some(&end));
            }
            take_focus();
        }));
        self
    }

    /// Listens to `event` while the current owner lives.
    pub fn on(self, event: &str, handler: impl FnMut(Event) + 'static) -> El {
        self.on_boxed(event, Box::new(handler))
    }

    fn on_boxed(self, event: &str, handler: Box<dyn FnMut(Event)>) -> El {
        let closure = Closure::wrap(handler);
        let _ = self
            .0
            .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        // Off the element before the closure goes: an element that outlives
        // its owner never calls into a dropped closure.
        let (target, event) = (SendWrapper::new(self.0.clone()), event.to_owned());
        let closure = SendWrapper::new(closure);
        on_cleanup(move || {
            let _ = target
                .remove_event_listener_with_callback(&event, closure.as_ref().unchecked_ref());
        });
        self
    }

    /// Moves the keyboard focus here (the element must be on the page).
    pub fn focus(&self) {
        if let Some(element) = self.0.dyn_ref::<HtmlElement>() {
            let _ = element.focus();
        }
    }

    /// Asks for the focus once the element is on the page (see
    /// [`El::focus`]).
    pub fn focus_when_shown(self) -> El {
        let element = self.0.dyn_ref::<HtmlElement>().cloned();
        FOCUS.with(|focus| *focus.borrow_mut() = element);
        self
    }
}

/// Whether the checkbox an event came from is ticked.
pub fn is_checked(event: &Event) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

/// The key a keyboard event is about (`"Escape"`), if it is one.
pub fn key(event: &Event) -> Option<String> {
    event.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key)
}

/// Focuses the element that asked for it, once it is on the page.
fn take_focus() {
    let pending = FOCUS.with(|focus| focus.borrow_mut().take_if(|element| element.is_connected()));
    if let Some(element) = pending {
        let _ = element.focus();
    }
}
