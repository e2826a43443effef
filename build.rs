//! Ships the widget's stylesheet minified: the WebAssembly carries
//! `$OUT_DIR/widget.min.css`, made from `style/widget.css` (the file people
//! edit) by `loyalty_core::css::minify`.

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let source = "style/widget.css";
    println!("cargo::rerun-if-changed={source}");
    let css = std::fs::read_to_string(source)?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("widget.min.css");
    std::fs::write(out, loyalty_core::css::minify(&css))?;
    Ok(())
}
