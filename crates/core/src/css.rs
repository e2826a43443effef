//! The widget's stylesheet, made small for shipping: comments out and
//! white space folded. Used at build time (the root crate's `build.rs`), so
//! the WebAssembly carries the short form; the readable file stays the one
//! people edit.

/// `css` without comments and with the white space that carries no meaning
/// removed: runs of white space become one space, none is kept next to `{`,
/// `}` or `;`, before `,` or after `:`, and a rule's last `;` goes.
/// Everything else stays as it is: spaces inside quoted strings, before a
/// `:` in a selector (`.lw :focus` is not `.lw:focus`), and after a comma
/// (a custom property's value is kept as written, `var(--a, red)` included,
/// so the browser reads exactly the rules of the source).
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut quote = None;
    let mut space = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut last = ' ';
            for c in chars.by_ref() {
                if last == '*' && c == '/' {
                    break;
                }
                last = c;
            }
            space = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let tight_before = matches!(c, '{' | '}' | ';' | ',');
        let tight_after = out.ends_with(['{', '}', ';', ':']);
        if space && !out.is_empty() && !tight_before && !tight_after {
            out.push(' ');
        }
        space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn comments_and_spacing_go() {
        let css = "/* theme */\n.lw {\n  color: red; /* why */\n  margin: 0 auto;\n}\n\n.a,\n.b { x: y }\n";
        assert_eq!(minify(css), ".lw{color:red;margin:0 auto}.a, .b{x:y}");
    }

    #[test]
    fn meaningful_spaces_stay() {
        assert_eq!(
            minify(".lw  :focus-visible {a:b}"),
            ".lw :focus-visible{a:b}"
        );
        assert_eq!(minify(".lw >\n .x {a:b}"), ".lw > .x{a:b}");
        assert_eq!(
            minify("p { font: 400 medium/1.5 var(--f, \"Segoe  UI\", sans-serif); }"),
            "p{font:400 medium/1.5 var(--f, \"Segoe  UI\", sans-serif)}"
        );
        assert_eq!(
            minify("p{content:'a /* b */ c'}"),
            "p{content:'a /* b */ c'}"
        );
        assert_eq!(
            minify("@media (x) {\n .a { b: c; }\n}"),
            "@media (x){.a{b:c}}"
        );
    }

    /// The shipped sheet: shorter, no comment left, and the same text but
    /// for white space and each rule's last `;`.
    #[test]
    fn the_widget_sheet_keeps_every_rule() {
        let css = include_str!("../../../style/widget.css");
        let small = minify(css);
        assert!(
            small.len() * 10 < css.len() * 8,
            "{} of {} bytes",
            small.len(),
            css.len()
        );
        assert!(!small.contains("/*"));
        let without_comments = {
            let mut text = String::new();
            let mut rest = css;
            while let Some(start) = rest.find("/*") {
                text.push_str(&rest[..start]);
                rest = rest[start..]
                    .find("*/")
                    .map_or("", |end| &rest[start + end + 2..]);
            }
            text + rest
        };
        let solid = |s: &str| {
            let text: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            text.replace(";}", "}")
        };
        assert_eq!(solid(&small), solid(&without_comments));
    }
}
