//! Entry point of the shipped WebAssembly: mounts every embed on the page.

fn main() {
    loyalty_widget::edge::embed::start();
}
