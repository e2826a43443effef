//! The program page of the console (issue #30, `GET /admin/v1/program`):
//! the installed program file as installed, the checks `program check`
//! runs on it, and what changed since the version installed before it.
//!
//! Each installed file's text is kept (`program_versions`) when it differs
//! from the last one kept; [`diff`] compares two files field by field.

use super::program::{self, Program};
use super::session::instant;
use crate::store::queries as q;
use crate::store::Db;
use serde::Serialize;
use serde_json::Value;

/// One finding of `program check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// `ok` (the summary of a valid file) or `error` (a rule it breaks).
    pub level: &'static str,
    /// What was found, naming the field for an error.
    pub message: String,
}

/// One field that differs between two program files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The field: keys joined by `.`, list items as `[n]`
    /// (`tiers.levels[1].threshold`).
    pub path: String,
    /// Its value before (`null` when it was added).
    pub before: Option<Value>,
    /// Its value after (`null` when it was removed).
    pub after: Option<Value>,
}

/// A kept version: its number and when it was installed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// Counts up with each different file installed.
    pub version: i64,
    /// RFC 3339, UTC.
    pub installed_at: String,
}

/// What `GET /admin/v1/program` answers.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramPage {
    /// The installed file's version (`null` when its text is not known).
    pub version: Option<i64>,
    /// When it was installed (`null` likewise).
    pub installed_at: Option<String>,
    /// `program check`'s one-line summary.
    pub summary: String,
    /// The program's languages; the first the console previews.
    pub languages: Vec<String>,
    /// The language answers fall back to.
    pub default_language: String,
    /// The file as installed, as JSON (`null` when its text is not known).
    pub file: Option<Value>,
    /// The file's TOML text as installed.
    pub source: Option<String>,
    /// `program check`'s findings on the file.
    pub checks: Vec<Finding>,
    /// The version installed before it, if any.
    pub previous: Option<Version>,
    /// What changed since `previous` (empty without one).
    pub changes: Vec<Change>,
}

/// The findings `program check` reports for a file's text: every problem
/// as an `error`, or the summary as `ok`.
pub fn check(source: &str) -> Vec<Finding> {
    match program::parse(source) {
        Ok(program) => vec![Finding {
            level: "ok",
            message: program.summary(),
        }],
        Err(problems) => problems
            .into_iter()
            .map(|message| Finding {
                level: "error",
                message,
            })
            .collect(),
    }
}

/// A TOML file's text as JSON (`null` when it is not TOML).
pub fn as_json(source: &str) -> Value {
    toml::from_str::<toml::Value>(source)
        .ok()
        .and_then(|value| serde_json::to_value(value).ok())
        .unwrap_or(Value::Null)
}

/// Every field that differs between two program files' texts, in the
/// order of the files (keys sorted): changed values, added and removed
/// fields and list items.
pub fn diff(before: &str, after: &str) -> Vec<Change> {
    let mut changes = Vec::new();
    walk("", &as_json(before), &as_json(after), &mut changes);
    changes
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let at = join(path, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => walk(&at, x, y, out),
                    (x, y) => out.push(Change {
                        path: at,
                        before: x.cloned(),
                        after: y.cloned(),
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for index in 0..a.len().max(b.len()) {
                let at = format!("{path}[{index}]");
                match (a.get(index), b.get(index)) {
                    (Some(x), Some(y)) => walk(&at, x, y, out),
                    (x, y) => out.push(Change {
                        path: at,
                        before: x.cloned(),
                        after: y.cloned(),
                    }),
                }
            }
        }
        (x, y) if x != y => out.push(Change {
            path: path.to_owned(),
            before: Some(x.clone()),
            after: Some(y.clone()),
        }),
        _ => {}
    }
}

/// Keeps an installed file's text, at `now` (seconds since 1970), unless
/// it is the same as the last one kept.
pub async fn record(db: &mut Db<'_>, source: &str, now: u64) -> super::Result<()> {
    let last = q::program_versions(db, 1).await?;
    if last.first().map(|(_, text, _)| text.as_str()) != Some(source) {
        q::put_program_version(db, source, &instant(now)).await?;
    }
    Ok(())
}

/// The program page for the program in force.
pub async fn page(db: &mut Db<'_>, program: &Program) -> super::Result<ProgramPage> {
    let kept = q::program_versions(db, 2).await?;
    let current = kept.first();
    let previous = kept.get(1);
    let checks = match current {
        Some((_, source, _)) => check(source),
        None => vec![Finding {
            level: "ok",
            message: program.summary(),
        }],
    };
    let changes = match (current, previous) {
        (Some((_, after, _)), Some((_, before, _))) => diff(before, after),
        _ => Vec::new(),
    };
    Ok(ProgramPage {
        version: current.map(|(id, _, _)| *id),
        installed_at: current.map(|(_, _, at)| at.clone()),
        summary: program.summary(),
        languages: program.languages(),
        default_language: program.default_language(),
        file: current.map(|(_, source, _)| as_json(source)),
        source: current.map(|(_, source, _)| source.clone()),
        checks,
        previous: previous.map(|(id, _, at)| Version {
            version: *id,
            installed_at: at.clone(),
        }),
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_file_has_no_changes() {
        assert_eq!(diff(program::DEMO, program::DEMO), Vec::new());
    }

    #[test]
    fn a_changed_value_names_its_path_with_before_and_after() {
        let after = program::DEMO.replacen("currency = \"EUR\"", "currency = \"CHF\"", 1);
        assert_ne!(
            after,
            program::DEMO,
            "the demo file sets currency = \"EUR\""
        );
        assert_eq!(
            diff(program::DEMO, &after),
            vec![Change {
                path: "currency".into(),
                before: Some(json!("EUR")),
                after: Some(json!("CHF")),
            }]
        );
    }

    #[test]
    fn nested_fields_and_list_items_are_named_added_and_removed() {
        let before = "a = 1\n[b]\nc = [1, 2]\nd = \"x\"\n";
        let after = "a = 1\n[b]\nc = [1, 3, 4]\ne = true\n";
        assert_eq!(
            diff(before, after),
            vec![
                Change {
                    path: "b.c[1]".into(),
                    before: Some(json!(2)),
                    after: Some(json!(3)),
                },
                Change {
                    path: "b.c[2]".into(),
                    before: None,
                    after: Some(json!(4)),
                },
                Change {
                    path: "b.d".into(),
                    before: Some(json!("x")),
                    after: None,
                },
                Change {
                    path: "b.e".into(),
                    before: None,
                    after: Some(json!(true)),
                },
            ]
        );
    }

    #[test]
    fn check_reports_the_summary_or_every_problem() {
        let ok = check(program::DEMO);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].level, "ok");
        assert!(ok[0].message.contains("tiers"), "{}", ok[0].message);
        let bad = check("name = 1\n");
        assert!(!bad.is_empty());
        assert!(bad.iter().all(|f| f.level == "error"));
    }

    #[test]
    fn a_file_that_is_not_toml_reads_as_null() {
        assert_eq!(as_json("= nope"), Value::Null);
        assert_eq!(as_json("a = 1"), json!({"a": 1}));
    }
}
