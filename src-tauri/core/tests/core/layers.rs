//! The core's modules form layers (docs/ARCHITECTURE.md, "Layers"): a module may use its own
//! layer and the ones below, never one above. This reads the sources and fails on an upward
//! `crate::…` path, naming the file and both modules. Test code (`#[cfg(test)]` onwards,
//! `tests.rs` files) may reach anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every module of the core and its layer: 0 ground, 1 the domain, 2 processes, 3 what
/// assembles views for the clients. A new module must be added here.
const LAYERS: &[(&str, u8)] = &[
    // ground: errors, time, text enums, secrets' type, ids, the store, input rules, settings
    ("error", 0),
    ("clock", 0),
    ("text_enum", 0),
    ("secret", 0),
    ("store", 0),
    ("validate", 0),
    ("ids", 0),
    ("graph", 0),
    ("dirty", 0),
    ("settings", 0),
    ("stage", 0),
    ("repo_kind", 0),
    // the domain
    ("access", 1),
    ("accounts", 1),
    ("memberships", 1),
    ("projects", 1),
    ("lifecycle", 1),
    ("stage_rules", 1),
    ("stories", 1),
    ("contexts", 1),
    ("components", 1),
    ("dependencies", 1),
    ("design_docs", 1),
    ("sessions", 1),
    ("outbox", 1),
    ("change_watch", 1),
    ("notices", 1),
    ("secrets", 1),
    ("github", 1),
    // git plumbing, under both the pipeline and the docs sync
    ("git", 1),
    ("docs_readme", 1),
    // processes
    ("jobs", 2),
    ("runner", 2),
    ("events", 2),
    ("pipeline", 2),
    ("sync", 2),
    ("docs_sync", 2),
    ("team", 2),
    ("background", 2),
    ("activity", 2),
    // views for the clients
    ("links", 3),
    ("settings_view", 3),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module (first path segment under src/) of every source file, test files left out.
fn sources() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, module: &str, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, module, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push((module.to_owned(), path));
            }
        }
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(src()).expect("read src") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        if path.is_dir() {
            walk(&path, &stem, &mut out);
        } else if path.extension().is_some_and(|e| e == "rs") && stem != "lib" {
            out.push((stem, path));
        }
    }
    out
}

/// The code of a file without its comments and without its test module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The modules a piece of code names through `crate::`: paths, and the items of grouped
/// `use crate::{a, b::c}`.
fn used_modules(code: &str) -> Vec<String> {
    let path = regex::Regex::new(r"crate::([a-z_][a-z0-9_]*)").expect("regex");
    let group = regex::Regex::new(r"use crate::\{([^}]*)\}").expect("regex");
    let item = regex::Regex::new(r"(?:^|,)\s*([a-z_][a-z0-9_]*)").expect("regex");
    let mut found: Vec<String> = path.captures_iter(code).map(|c| c[1].to_owned()).collect();
    for g in group.captures_iter(code) {
        found.extend(item.captures_iter(&g[1]).map(|c| c[1].to_owned()));
    }
    found
}

#[test]
fn no_core_module_uses_a_module_of_a_layer_above_its_own() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut unplaced = Vec::new();
    let mut upward = Vec::new();
    for (module, path) in sources() {
        let Some(&own) = layers.get(module.as_str()) else {
            unplaced.push(module);
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("read source");
        for used in used_modules(&code(&text)) {
            if let Some(&theirs) = layers.get(used.as_str()) {
                if theirs > own {
                    let file = path.strip_prefix(src()).unwrap_or(&path).display().to_string();
                    upward.push(format!(
                        "{file}: {module} (layer {own}) uses {used} (layer {theirs})"
                    ));
                }
            }
        }
    }
    unplaced.sort();
    unplaced.dedup();
    assert!(unplaced.is_empty(), "modules with no layer in tests/core/layers.rs: {unplaced:?}");
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "upward uses:\n{}", upward.join("\n"));
}

#[test]
fn the_layer_check_sees_an_upward_use_in_any_form() {
    let sample = "use crate::{error::Error, sync};\nfn f() { crate::pipeline::QUEUE; }\n// crate::team\n#[cfg(test)]\nuse crate::links;";
    let used = used_modules(&code(sample));
    assert_eq!(used, ["pipeline", "error", "sync"]);
}
