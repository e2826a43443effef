//! One widget mounted into a container: the unit the loader drives.
//!
//! The container sits inside a shadow root, which keeps the shop's CSS out
//! and the widget's CSS in. Styles are applied as a constructable stylesheet
//! (one, shared by every instance), so the shop's Content Security Policy
//! needs no `'unsafe-inline'`.
//!
//! An [`Instance`] remounts from scratch when the customer changes (a new
//! token, a logout) or on refresh, and unmounts completely when dropped or
//! destroyed: Leptos disposes its effects, resources and listeners with it.

use crate::components::widget::Widget;
use crate::edge::client::{HeadStart, TokenFunction};
use crate::edge::events::{self, Emitter};
use crate::edge::{cache, console};
use js_sys::Function;
use leptos::prelude::*;
use loyalty_core::config::{Config, ConfigError, Options};
use loyalty_core::events::{ErrorDetail, Event, Reason};
use loyalty_core::i18n::{Built, Key, Lang, Text};
use send_wrapper::SendWrapper;
use std::any::Any;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The widget's whole stylesheet: `style/widget.css`, minified by build.rs.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

/// The class of the element inside the shadow root that Leptos renders into.
pub const ROOT_CLASS: &str = "lw-root";

thread_local! {
    /// The parsed stylesheet, shared by every instance on the page.
    static SHEET: Option<CssStyleSheet> = CssStyleSheet::new()
        .and_then(|sheet| sheet.replace_sync(CSS).map(|()| sheet))
        .map_err(|err| console::warn(&format!("styles not applied: {err:?}")))
        .ok();
}

/// Adds the widget's stylesheet to `root`'s adopted sheets, once, keeping
/// the sheets that are already there (the loader's).
fn adopt_styles(root: &ShadowRoot) {
    SHEET.with(|sheet| {
        let Some(sheet) = sheet else {
            return;
        };
        let sheets = root.adopted_style_sheets();
        if !sheets.includes(sheet, 0) {
            sheets.push(sheet);
            root.set_adopted_style_sheets(&sheets);
        }
    });
}

/// What the loader hands over besides the element: the token (read and
/// removed from the page before the widget exists), the shop's token
/// function and the event function.
#[derive(Default)]
pub struct Lent {
    /// The customer token, if the page has one.
    pub token: Option<String>,
    /// A function returning a fresh token, or a promise of one.
    pub token_function: Option<Function>,
    /// `emit(name, detail)`, dispatching DOM events on the embed.
    pub emit: Option<Function>,
    /// The loader's first answers, already in flight for `token`.
    pub head_start: Option<HeadStart>,
    /// The language pack the loader fetched for this embed (`None` for
    /// English, which is built in, or when it did not arrive).
    pub pack: Option<Built>,
}

/// A language pack as the loader hands it over (the parsed JSON of
/// `i18n/<hash>/<lang>.json`, an array read by position: see [`Built`]);
/// `None` for anything else.
pub fn pack_from_js(value: JsValue) -> Option<Built> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let built = js_sys::Array::is_array(&value)
        .then(|| {
            Built::from_items(
                js_sys::Array::from(&value)
                    .iter()
                    .map(|item| item.as_string()),
            )
        })
        .flatten();
    if built.is_none() {
        console::warn("the language pack is unreadable");
    }
    built
}

/// One mounted widget.
pub struct Instance {
    host: Element,
    container: HtmlElement,
    lent: Lent,
    /// Leptos' unmount handle: dropping it removes the view and disposes
    /// everything reactive it owned.
    mounted: Option<Box<dyn Any>>,
}

impl Instance {
    /// Mounts a widget configured by `host`'s attributes into `container`
    /// (which must be inside a shadow root for the styles to apply).
    pub fn new(host: Element, container: HtmlElement, lent: Lent) -> Instance {
        let mut instance = Instance {
            host,
            container,
            lent,
            mounted: None,
        };
        instance.mount();
        instance
    }

    /// Mounts a widget into a fresh shadow root of `host`, as the browser
    /// tests embed it without the loader.
    pub fn attach(host: &Element, lent: Lent) -> Result<Instance, JsValue> {
        let root = match host.shadow_root() {
            Some(root) => root,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        root.set_text_content(None);
        let document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("host element has no document"))?;
        let container: HtmlElement = document.create_element("div")?.dyn_into()?;
        container.set_class_name(ROOT_CLASS);
        root.append_child(&container)?;
        Ok(Instance::new(host.clone(), container, lent))
    }

    /// The configuration: the host's attributes (which `init()` options
    /// and the script tag's `data-` attributes become) as one JS object,
    /// `texts` parsed by the browser's `JSON.parse`, deserialized into
    /// [`Options`] with serde_wasm_bindgen, plus the lent token.
    fn config(&self) -> Result<Config, ConfigError> {
        let object = js_sys::Object::new();
        for name in self.host.get_attribute_names().iter() {
            let Some(name) = name.as_string() else {
                continue;
            };
            let Some(value) = self.host.get_attribute(&name) else {
                continue;
            };
            let value = match name.as_str() {
                // Text that is not JSON stays text, and only warns.
                "texts" => js_sys::JSON::parse(&value).unwrap_or_else(|_| value.into()),
                _ => value.into(),
            };
            let _ = js_sys::Reflect::set(&object, &name.into(), &value);
        }
        let mut options: Options = serde_wasm_bindgen::from_value(object.into())
            .map_err(|err| ConfigError::Unreadable(err.to_string()))?;
        options.token = self.lent.token.clone();
        // A guest who arrives through a referral link: `?ref=` (or an old
        // app's parameter, see `REFERRAL_PARAMS`) in the page's address,
        // unless the shop gave the code itself.
        if options.referral_code.is_none() {
            options.referral_code = web_sys::window()
                .and_then(|window| window.location().search().ok())
                .and_then(|search| loyalty_core::config::referral_from_query(&search));
        }
        Config::from_options(&options, page_lang(&self.host).as_deref(), &browser_langs())
    }

    /// The texts of the pack for `config`'s language. Without its pack (it
    /// did not arrive, or is another language's) the widget speaks English
    /// throughout, and says so once.
    fn pack_texts(&self, config: &mut Config) -> Vec<Text> {
        let mut texts = Vec::new();
        if config.lang == Lang::En {
            return texts;
        }
        match &self.lent.pack {
            Some(pack) if pack.lang == config.lang.tag() => texts.clone_from(&pack.texts),
            _ => {
                console::warn(&format!(
                    "the \"{}\" language pack did not arrive; using \"en\"",
                    config.lang.tag()
                ));
                config.lang = Lang::En;
                config.locale = Lang::En.tag().to_owned();
            }
        }
        texts
    }

    fn mount(&mut self) {
        self.mounted = None;
        self.container.set_text_content(None);
        if let Some(root) = self
            .container
            .get_root_node()
            .dyn_ref::<ShadowRoot>()
            .cloned()
        {
            adopt_styles(&root);
        }
        let mut config = match self.config() {
            Ok(config) => config,
            Err(err) => return self.show_config_error(&err),
        };
        for warning in &config.warnings {
            console::warn(warning);
        }
        let pack = self.pack_texts(&mut config);
        let emitter = self.lent.emit.clone().map(Emitter::new);
        let token_function = self
            .lent
            .token_function
            .clone()
            .map(|function| TokenFunction(SendWrapper::new(function)));
        // Taken by the first mount only: a remount asks afresh.
        let head_start = self.lent.head_start.take().map(SendWrapper::new);
        let handle = leptos::mount::mount_to(self.container.clone(), move || {
            if let Some(emitter) = emitter {
                emitter.provide();
            }
            let head_start = head_start.map(SendWrapper::take);
            view! {
                <Widget config=config token_function=token_function head_start=head_start pack=pack/>
            }
        });
        self.mounted = Some(Box::new(handle));
        let _ = self.host.set_attribute("data-state", "mounted");
    }

    /// One precise console message and a quiet translated notice.
    fn show_config_error(&self, err: &ConfigError) {
        let message = err.to_string();
        console::error(&message);
        // In the pack's language when it is here, else in English.
        let text = self.lent.pack.as_ref().and_then(|pack| {
            pack.texts
                .iter()
                .find(|text| text.key == Key::ErrorConfig)
                .map(|text| text.template.clone())
        });
        self.container
            .set_text_content(Some(text.as_deref().unwrap_or(Key::ErrorConfig.text())));
        let _ = self.host.set_attribute("data-state", "config-error");
        if let Some(emit) = &self.lent.emit {
            events::send(
                emit,
                &Event::Error(ErrorDetail {
                    reason: Reason::Config,
                    message,
                }),
            );
        }
    }

    /// Switches to another customer (or, with neither a token nor a
    /// function, to the guest view).
    pub fn set_token(&mut self, token: Option<String>, token_function: Option<Function>) {
        if token.is_none() && token_function.is_none() {
            cache::clear_all();
        }
        self.lent.token = token;
        self.lent.token_function = token_function;
        self.mount();
    }

    /// Signs the customer out of the widget: forgets the token and the
    /// visit's customer data and shows the guest view.
    pub fn logout(&mut self) {
        self.set_token(None, None);
    }

    /// Asks the endpoint again (cheaply, with the cached ETags), keeping what
    /// is cached to fall back on.
    pub fn refresh(&mut self) {
        cache::expire_all();
        self.mount();
    }

    /// Unmounts the widget and empties its container.
    pub fn destroy(&mut self) {
        self.mounted = None;
        self.container.set_text_content(None);
        let _ = self.host.remove_attribute("data-state");
    }
}

/// The browser's `navigator.languages`, in order of preference.
fn browser_langs() -> Vec<String> {
    web_sys::window()
        .map(|window| {
            window
                .navigator()
                .languages()
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect()
        })
        .unwrap_or_default()
}

fn page_lang(element: &Element) -> Option<String> {
    element
        .owner_document()
        .and_then(|doc| doc.document_element())
        .and_then(|html| html.get_attribute("lang"))
}
