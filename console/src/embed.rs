//! The embed snippet for plain HTML (README.md "Embed it"): the
//! `<loyalty-widget>` element with the attributes chosen, the theme's custom
//! properties in a stylesheet when they differ from the widget's own, and
//! the loader's script tag. Pure: tested natively.

/// The widget's own colours (README.md "Styling"): a colour left at its
/// default is not written into the snippet.
pub const DEFAULT_COLOURS: [(&str, &str); 4] = [
    ("--lw-accent", "#005f73"),
    ("--lw-accent-text", "#ffffff"),
    ("--lw-bg", "#ffffff"),
    ("--lw-fg", "#1b1b1b"),
];

/// What the shop owner chose.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedOptions {
    /// The loyalty endpoint's base URL.
    pub endpoint: String,
    /// The loader's URL.
    pub script_src: String,
    /// `inline` or `launcher`.
    pub mode: String,
    /// The launcher's corner.
    pub corner: String,
    /// The launcher's distance from the side, px.
    pub offset_x: u32,
    /// The launcher's distance from the top or bottom, px.
    pub offset_y: u32,
    /// `auto`, `light` or `dark`.
    pub theme: String,
    /// A BCP 47 tag, or empty for the page's language.
    pub lang: String,
    /// The four colours, in [`DEFAULT_COLOURS`]' order.
    pub colours: [String; 4],
}

impl EmbedOptions {
    /// The defaults for an endpoint at `origin`.
    pub fn for_origin(origin: &str) -> EmbedOptions {
        EmbedOptions {
            endpoint: origin.to_string(),
            script_src: format!("{origin}/widget/loyalty-widget.js"),
            mode: "inline".into(),
            corner: "bottom-right".into(),
            offset_x: 16,
            offset_y: 16,
            theme: "auto".into(),
            lang: String::new(),
            colours: DEFAULT_COLOURS.map(|(_, v)| v.to_string()),
        }
    }

    /// The element's attributes, in the order the snippet writes them (the
    /// token is the shop's to fill in, and not in the live preview).
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("endpoint", self.endpoint.clone())];
        if !self.lang.is_empty() {
            out.push(("lang", self.lang.clone()));
        }
        if self.theme != "auto" {
            out.push(("theme", self.theme.clone()));
        }
        if self.mode == "launcher" {
            out.push(("mode", "launcher".into()));
            if self.corner != "bottom-right" {
                out.push(("corner", self.corner.clone()));
            }
            if self.offset_x != 16 {
                out.push(("offset-x", self.offset_x.to_string()));
            }
            if self.offset_y != 16 {
                out.push(("offset-y", self.offset_y.to_string()));
            }
        }
        out
    }

    /// The colours that differ from the widget's own.
    pub fn custom_colours(&self) -> Vec<(&'static str, String)> {
        DEFAULT_COLOURS
            .iter()
            .zip(&self.colours)
            .filter(|((_, default), chosen)| !chosen.eq_ignore_ascii_case(default))
            .map(|((name, _), chosen)| (*name, chosen.to_lowercase()))
            .collect()
    }

    /// The snippet to paste into the shop's page.
    pub fn snippet(&self) -> String {
        let mut out = String::new();
        let colours = self.custom_colours();
        if !colours.is_empty() {
            out.push_str("<style>\n  loyalty-widget {");
            for (name, value) in &colours {
                out.push_str(&format!(" {name}: {};", css_colour(value)));
            }
            out.push_str(" }\n</style>\n");
        }
        out.push_str("<loyalty-widget");
        for (name, value) in self.attributes() {
            out.push_str(&format!("\n  {name}=\"{}\"", escape(&value)));
        }
        out.push_str("\n  token=\"{{ customer_token }}\"></loyalty-widget>\n");
        out.push_str(&format!(
            "<script async src=\"{}\"></script>\n",
            escape(&self.script_src)
        ));
        out
    }
}

/// A colour as `#rrggbb` (what a colour input gives), or the default black.
pub fn css_colour(value: &str) -> String {
    let hex = value.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("#{}", hex.to_ascii_lowercase())
    } else {
        "#000000".into()
    }
}

/// Escapes an attribute value for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_inline_snippet() {
        let snippet = EmbedOptions::for_origin("https://loyalty.example").snippet();
        assert_eq!(
            snippet,
            "<loyalty-widget\n  endpoint=\"https://loyalty.example\"\n  token=\"{{ customer_token }}\"></loyalty-widget>\n\
             <script async src=\"https://loyalty.example/widget/loyalty-widget.js\"></script>\n"
        );
    }

    #[test]
    fn launcher_with_colours_and_escaping() {
        let mut options = EmbedOptions::for_origin("https://x.example/?a=1&b=\"2\"");
        options.mode = "launcher".into();
        options.corner = "bottom-left".into();
        options.offset_y = 96;
        options.lang = "de".into();
        options.theme = "dark".into();
        options.colours[0] = "#AA0000".into();
        options.colours[3] = "javascript:alert(1)".into();
        let snippet = options.snippet();
        assert!(snippet.starts_with(
            "<style>\n  loyalty-widget { --lw-accent: #aa0000; --lw-fg: #000000; }\n</style>\n"
        ));
        assert!(snippet.contains("endpoint=\"https://x.example/?a=1&amp;b=&quot;2&quot;\""));
        assert!(
            snippet.contains("\n  mode=\"launcher\"\n  corner=\"bottom-left\"\n  offset-y=\"96\"")
        );
        assert!(!snippet.contains("offset-x"));
        assert!(snippet.contains("lang=\"de\"") && snippet.contains("theme=\"dark\""));
    }

    #[test]
    fn inline_leaves_out_the_launchers_options() {
        let mut options = EmbedOptions::for_origin("https://x.example");
        options.corner = "top-left".into();
        assert!(!options.snippet().contains("corner"));
    }
}
