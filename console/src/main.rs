//! The shop owner's console (issue #30): a Leptos CSR app built by Trunk
//! into dist/admin/ and served by the endpoint under /admin/.

mod api;
mod app;
mod client;
mod dates;
mod embed;
mod format;
mod i18n;
mod packs;
mod pages;
mod route;
mod state;
mod widgets;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
