//! A value that is kept only when it has the expected type, for the few
//! places where a wrong type means "not given" rather than "broken": a
//! token's `sub` claim, a token URL's `token`, a shop's text override.

use serde::{Deserialize, Deserializer};

/// `Some` when the JSON value deserializes as `T`, `None` for anything else
/// (another type, `null`, missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

/// What a JSON value turned out to be.
#[derive(Deserialize)]
#[serde(untagged)]
enum Either<T> {
    Wanted(T),
    Other(serde::de::IgnoredAny),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Lenient(match Either::deserialize(deserializer)? {
            Either::Wanted(value) => Some(value),
            Either::Other(_) => None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_expected_type_only() {
        let read = |json: &str| serde_json::from_str::<Lenient<String>>(json).map(|l| l.0);
        assert_eq!(read(r#""abc""#).ok(), Some(Some("abc".to_owned())));
        for other in ["5", "null", "[1, [2]]", r#"{"a": {"b": 1}}"#, "true"] {
            assert_eq!(read(other).ok(), Some(None), "{other}");
        }
        assert!(read("[1, ").is_err());
    }
}
