//! Ships the widget's stylesheet minified: the WebAssembly carries
//! `$OUT_DIR/widget.min.css`, made from `style/widget.css` (the file people
//! edit) by lightningcss, printed minified. Its rule-merging pass is left
//! out: the shipped sheet keeps exactly the source's rules, which
//! e2e/hostile.test.mjs reads back rule for rule; no browser targets are given,
//! so nothing is prefixed or lowered.

use lightningcss::stylesheet::{ParserOptions, PrinterOptions, StyleSheet};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let source = "style/widget.css";
    println!("cargo::rerun-if-changed={source}");
    let css = std::fs::read_to_string(source)?;
    let sheet = StyleSheet::parse(&css, ParserOptions::default())
        .map_err(|err| format!("{source}: {err}"))?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .map_err(|err| format!("{source}: {err}"))?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("widget.min.css");
    std::fs::write(out, printed.code)?;
    Ok(())
}
