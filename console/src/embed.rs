//! The embed snippets (README.md "Embed it"): for plain HTML, the
//! `<loyalty-widget>` element with the attributes chosen, the theme's custom
//! properties in a stylesheet when they differ from the widget's own, and
//! the loader's script tag; for a Shopify theme, the same in Liquid with the
//! app proxy's token URL; for WooCommerce, the WordPress plugin's settings
//! in `wp-config.php` and its shortcode. Pure: tested natively.

/// The Shopify app proxy's token path (README.md "Shopify theme").
pub const SHOPIFY_TOKEN_URL: &str = "/apps/loyalty/token";

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

    /// The stylesheet for the colours that differ from the widget's own
    /// (empty when none do).
    fn style_block(&self) -> String {
        let colours = self.custom_colours();
        if colours.is_empty() {
            return String::new();
        }
        let mut out = String::from("<style>\n  loyalty-widget {");
        for (name, value) in &colours {
            out.push_str(&format!(" {name}: {};", css_colour(value)));
        }
        out.push_str(" }\n</style>\n");
        out
    }

    /// The snippet to paste into the shop's page.
    pub fn snippet(&self) -> String {
        let mut out = self.style_block();
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

    /// The snippet for a Shopify theme (`layout/theme.liquid`, before
    /// `</body>`): the token from the app proxy, the storefront's language
    /// unless one is chosen, Shopify's account pages to join and sign in.
    /// Every value is escaped for HTML and cannot open a Liquid tag.
    pub fn shopify_snippet(&self) -> String {
        let mut out = String::from("{% if customer %}\n");
        out.push_str(&self.style_block());
        out.push_str("<loyalty-widget");
        let mut attributes = self.attributes();
        attributes.insert(1, ("token-url", SHOPIFY_TOKEN_URL.to_string()));
        for (name, value) in attributes {
            if name == "lang" {
                continue;
            }
            out.push_str(&format!("\n  {name}=\"{}\"", liquid_escape(&value)));
        }
        if self.lang.is_empty() {
            out.push_str("\n  lang=\"{{ request.locale.iso_code }}\"");
        } else {
            out.push_str(&format!("\n  lang=\"{}\"", liquid_escape(&self.lang)));
        }
        out.push_str("\n  join-url=\"/account/register\"\n  signin-url=\"/account/login\"></loyalty-widget>\n");
        out.push_str(&format!(
            "<script async src=\"{}\"></script>\n{{% endif %}}\n",
            liquid_escape(&self.script_src)
        ));
        out
    }

    /// The settings of the WordPress plugin
    /// (`integrations/wordpress/loyalty-widget.php`) for WooCommerce: its
    /// constants in `wp-config.php` (the secret read from the server's
    /// environment, never pasted) and the shortcode for a page other than
    /// "My account". The plugin writes the language from WordPress' own and
    /// knows no theme or colours. Every value is a PHP string, escaped.
    pub fn woocommerce_snippet(&self) -> String {
        let mut out = String::from(
            "// wp-config.php, for the plugin integrations/wordpress/loyalty-widget.php\n",
        );
        out.push_str(&format!(
            "define( 'LOYALTY_ENDPOINT', '{}' );\n",
            php_escape(&self.endpoint)
        ));
        out.push_str(&format!(
            "define( 'LOYALTY_WIDGET_SRC', '{}' );\n",
            php_escape(&self.script_src)
        ));
        out.push_str("define( 'LOYALTY_SECRET', getenv( 'LOYALTY_SECRET' ) );\n");
        let shortcode = if self.mode == "launcher" {
            "[loyalty_widget mode=\"launcher\"]"
        } else {
            "[loyalty_widget]"
        };
        out.push_str(&format!(
            "// The widget shows on \"My account\"; on any other page, this shortcode:\n// {shortcode}\n"
        ));
        out
    }
}

/// An attribute value for a Liquid template: escaped for HTML, and its
/// braces as character references, so it can never open `{{` or `{%`.
pub fn liquid_escape(text: &str) -> String {
    escape(text).replace('{', "&#123;").replace('}', "&#125;")
}

/// A value for a single-quoted PHP string.
pub fn php_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
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

    #[test]
    fn shopify_snippet_is_the_readmes_with_the_app_proxy() {
        let mut options = EmbedOptions::for_origin("https://loyalty.example");
        options.mode = "launcher".into();
        assert_eq!(
            options.shopify_snippet(),
            "{% if customer %}\n<loyalty-widget\n  endpoint=\"https://loyalty.example\"\n  \
             token-url=\"/apps/loyalty/token\"\n  mode=\"launcher\"\n  \
             lang=\"{{ request.locale.iso_code }}\"\n  join-url=\"/account/register\"\n  \
             signin-url=\"/account/login\"></loyalty-widget>\n\
             <script async src=\"https://loyalty.example/widget/loyalty-widget.js\"></script>\n\
             {% endif %}\n"
        );
        options.lang = "de".into();
        let snippet = options.shopify_snippet();
        assert!(snippet.contains("\n  lang=\"de\""));
        assert!(!snippet.contains("request.locale"));
    }

    #[test]
    fn shopify_snippet_escapes_every_value_and_opens_no_liquid_tag() {
        let mut options = EmbedOptions::for_origin("https://x.example/{{ shop.secret }}\"><b>&");
        options.lang = "de\"{% raw %}".into();
        options.colours[1] = "#00FF00".into();
        let snippet = options.shopify_snippet();
        assert!(snippet.contains(
            "endpoint=\"https://x.example/&#123;&#123; shop.secret &#125;&#125;&quot;&gt;&lt;b&gt;&amp;\""
        ));
        assert!(snippet.contains("lang=\"de&quot;&#123;% raw %&#125;\""));
        assert!(snippet.contains("src=\"https://x.example/&#123;&#123; shop.secret &#125;&#125;&quot;&gt;&lt;b&gt;&amp;/widget/loyalty-widget.js\""));
        assert!(snippet.contains("--lw-accent-text: #00ff00;"));
        // The only Liquid in it is the snippet's own if and endif (a chosen
        // language replaces the storefront's).
        assert_eq!(snippet.matches("{{").count(), 0);
        assert_eq!(snippet.matches("{%").count(), 2);
        assert!(!snippet.contains("<b>"));
    }

    #[test]
    fn woocommerce_snippet_sets_the_plugins_constants() {
        let mut options = EmbedOptions::for_origin("https://loyalty.example");
        assert_eq!(
            options.woocommerce_snippet(),
            "// wp-config.php, for the plugin integrations/wordpress/loyalty-widget.php\n\
             define( 'LOYALTY_ENDPOINT', 'https://loyalty.example' );\n\
             define( 'LOYALTY_WIDGET_SRC', 'https://loyalty.example/widget/loyalty-widget.js' );\n\
             define( 'LOYALTY_SECRET', getenv( 'LOYALTY_SECRET' ) );\n\
             // The widget shows on \"My account\"; on any other page, this shortcode:\n\
             // [loyalty_widget]\n"
        );
        options.mode = "launcher".into();
        assert!(options
            .woocommerce_snippet()
            .ends_with("// [loyalty_widget mode=\"launcher\"]\n"));
    }

    #[test]
    fn woocommerce_snippet_escapes_every_value_as_a_php_string() {
        let options = EmbedOptions::for_origin("https://x.example/a'b\\c");
        let snippet = options.woocommerce_snippet();
        assert!(snippet.contains("define( 'LOYALTY_ENDPOINT', 'https://x.example/a\\'b\\\\c' );"));
        assert!(snippet.contains("'https://x.example/a\\'b\\\\c/widget/loyalty-widget.js'"));
        assert_eq!(php_escape("it's \\'"), "it\\'s \\\\\\'");
    }
}
