//! The loyalty widget: Leptos components plus one thin browser edge.
//!
//! - [`loyalty_core`] (a separate crate) holds everything pure: configuration,
//!   the endpoint contract, arithmetic, URL checks, texts.
//! - [`edge`] is the only place that touches browser APIs: mounting into a
//!   shadow root, HTTP, `Intl` formatting, the console.
//! - [`components`] are small views over the core's types.
//!
//! The shipped WebAssembly is built from the `web/` crate, a cdylib that
//! exports [`edge::mount::Instance`] to the loader.

pub mod components;
pub mod edge;

pub use edge::mount::Instance;
pub use loyalty_core as core;
