//! Sizes the shipped WebAssembly's stack. Rust's default for wasm32 is 1 MiB,
//! which the page pays for as linear memory from the first byte; the widget's
//! deepest call chains (rendering the dashboard, decoding an answer) use a
//! small part of it (BENCHMARKS.md, "Memory"). Release builds only: debug
//! builds keep the default, their frames are many times larger.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=65536");
    }
}
