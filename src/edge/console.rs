//! Namespaced console messages: one line per problem, prefixed so shop owners
//! can filter for it.

/// The prefix of every console message the widget writes.
pub const PREFIX: &str = "[loyalty-widget]";

/// Logs a problem the shop owner should fix or know about.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("{PREFIX} {message}").into());
}

/// Logs a configuration error that stops an embed from working.
pub fn error(message: &str) {
    web_sys::console::error_1(&format!("{PREFIX} {message}").into());
}
