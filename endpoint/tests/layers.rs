//! The layers hold (ARCHITECTURE.md): http -> domain -> store, nothing
//! importing a layer above it, no SQL or axum in the domain, and no two
//! modules of a layer importing each other, directly or through others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every `.rs` file under `dir` (relative to `src/`) with its text.
fn files(dir: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let root = Path::new(SRC).join(dir);
    let mut stack = vec![root];
    while let Some(at) = stack.pop() {
        if at.is_dir() {
            for entry in std::fs::read_dir(&at).expect("a source folder") {
                stack.push(entry.expect("an entry").path());
            }
        } else if at.extension().is_some_and(|ext| ext == "rs") {
            let name = at
                .strip_prefix(SRC)
                .expect("under src")
                .display()
                .to_string();
            found.push((name, std::fs::read_to_string(&at).expect("source")));
        }
    }
    assert!(!found.is_empty(), "no sources in {dir}");
    found
}

/// The code of a file without its comments and tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn refuse(layer: &str, banned: &[&str]) {
    for (file, text) in files(layer) {
        let code = code(&text);
        for word in banned {
            assert!(!code.contains(word), "{file} uses {word:?}");
        }
    }
}

#[test]
fn no_layer_imports_one_above_it() {
    refuse(
        "store",
        &[
            "crate::domain",
            "crate::http",
            "crate::app",
            "crate::config",
        ],
    );
    refuse(
        "domain",
        &[
            "crate::http",
            "crate::app",
            "crate::config",
            "axum",
            "sqlx",
            "SELECT ",
            "INSERT ",
            "UPDATE ",
        ],
    );
    refuse(
        "platform",
        &[
            "crate::domain",
            "crate::http",
            "crate::app",
            "crate::config",
            "crate::store",
            "axum",
            "sqlx",
        ],
    );
    refuse("http", &["crate::app"]);
}

/// The sibling modules each module of `layer` imports (`super::x`,
/// `crate::layer::x`).
fn imports(layer: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    let files = files(layer);
    let names: BTreeSet<String> = files
        .iter()
        .filter_map(|(file, _)| {
            let stem = Path::new(file).file_stem()?.to_str()?.to_owned();
            (stem != "mod").then_some(stem)
        })
        .collect();
    for (file, text) in &files {
        let Some(me) = Path::new(file).file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let code = code(text);
        let used: BTreeSet<String> = names
            .iter()
            .filter(|other| *other != me)
            .filter(|other| {
                code.contains(&format!("super::{other}"))
                    || code.contains(&format!("crate::{layer}::{other}"))
            })
            .cloned()
            .collect();
        graph.insert(me.to_owned(), used);
    }
    graph
}

fn cycle_from(
    graph: &BTreeMap<String, BTreeSet<String>>,
    at: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|seen| seen == at) {
        let mut cycle = path[start..].to_vec();
        cycle.push(at.to_owned());
        return Some(cycle);
    }
    path.push(at.to_owned());
    for next in graph.get(at).into_iter().flatten() {
        if let Some(cycle) = cycle_from(graph, next, path) {
            return Some(cycle);
        }
    }
    path.pop();
    None
}

#[test]
fn no_two_modules_import_each_other() {
    for layer in ["http", "domain", "store", "platform"] {
        let graph = imports(layer);
        for module in graph.keys() {
            let cycle = cycle_from(&graph, module, &mut Vec::new());
            assert!(cycle.is_none(), "{layer}: {cycle:?}");
        }
    }
}
