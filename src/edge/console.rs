//! Namespaced console messages: one line per problem, prefixed so shop owners
//! can filter for it.

/// The prefix of every console message the widget writes.
pub const PREFIX: &str = "[loyalty-widget]";

/// Logs a problem the shop owner should fix or know about.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("{PREFIX} {message}").into());
}

thread_local! {
    /// The lines [`warn_once`] has written on this page.
    static SAID: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Logs a problem once per page, however often it is met again (an answer
/// is read again from the visit cache, a section asks for it again).
pub fn warn_once(message: &str) {
    let new = SAID.with(|said| {
        let mut said = said.borrow_mut();
        let new = !said.iter().any(|line| line == message);
        if new {
            said.push(message.to_owned());
        }
        new
    });
    if new {
        warn(message);
    }
}

/// Logs a configuration error that stops an embed from working.
pub fn error(message: &str) {
    web_sys::console::error_1(&format!("{PREFIX} {message}").into());
}
