//! The console's pages as paths under `/admin/`, and moving between them
//! with the History API (a path switch of a few lines: leptos_router would
//! bring its matching, nested routes and forms for six flat pages).

/// Where the console's pages live.
pub const BASE: &str = "/admin";

/// A page of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Figures (`/admin/`).
    Overview,
    /// The customer search (`/admin/customers`).
    Customers,
    /// One customer (`/admin/customers/{id}`).
    Customer(String),
    /// The importer (`/admin/import`).
    Import,
    /// The snippet builder (`/admin/embed`).
    Embed,
    /// The program (`/admin/program`).
    Program,
}

impl Route {
    /// The page of a path (`location.pathname`); an unknown one is the overview.
    pub fn parse(path: &str) -> Route {
        let rest = path.strip_prefix(BASE).unwrap_or(path).trim_matches('/');
        let mut parts = rest.splitn(2, '/');
        match (parts.next().unwrap_or(""), parts.next()) {
            ("customers", None) => Route::Customers,
            ("customers", Some(id)) if !id.is_empty() => Route::Customer(decode(id)),
            ("import", None) => Route::Import,
            ("embed", None) => Route::Embed,
            ("program", None) => Route::Program,
            _ => Route::Overview,
        }
    }

    /// The page's path.
    pub fn path(&self) -> String {
        match self {
            Route::Overview => format!("{BASE}/"),
            Route::Customers => format!("{BASE}/customers"),
            Route::Customer(id) => format!("{BASE}/customers/{}", encode(id)),
            Route::Import => format!("{BASE}/import"),
            Route::Embed => format!("{BASE}/embed"),
            Route::Program => format!("{BASE}/program"),
        }
    }
}

/// Percent-encodes a path segment or query value (everything but
/// unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (a malformed escape stays as it is).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for route in [
            Route::Overview,
            Route::Customers,
            Route::Customer("cust anna/ä".into()),
            Route::Import,
            Route::Embed,
            Route::Program,
        ] {
            assert_eq!(Route::parse(&route.path()), route);
        }
        assert_eq!(Route::parse("/admin"), Route::Overview);
        assert_eq!(Route::parse("/admin/nowhere"), Route::Overview);
        assert_eq!(Route::parse("/admin/customers/"), Route::Customers);
        assert_eq!(decode("100%"), "100%");
    }
}
