//! Functions a reader can hold (issue 20): no function of the core or the CLI is longer than
//! [`MAX_LINES`], counted from its `fn` line to the closing brace at the same indent. Test code
//! (`#[cfg(test)]` onwards, `tests.rs` files) is left out. The few that were longer when the
//! check came are listed with their length then: they may shrink, never grow, and leave the
//! list once they fit.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 80;

/// Longer when this check was added: (crate/file under its src/, function, its length then).
const KNOWN: &[(&str, &str, usize)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// Every function of `text` (up to its test module): its name and its length in lines.
fn lengths(text: &str) -> Vec<(String, usize)> {
    let start = regex::Regex::new(
        r"^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)",
    )
    .expect("regex");
    let lines: Vec<&str> = text.lines().take_while(|l| l.trim() != "#[cfg(test)]").collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = start.captures(line) else { continue };
        let close = format!("{}}}", &c[1]);
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            out.push((c[2].to_owned(), end + 2));
        }
    }
    out
}

#[test]
fn no_function_of_the_core_or_the_cli_is_longer_than_80_lines() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut too_long = Vec::new();
    let mut still_long = Vec::new();
    for (krate, src) in [("core", crates.join("src")), ("cli", crates.join("../cli/src"))] {
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read source");
            let relative = file.strip_prefix(&src).unwrap_or(&file).display().to_string();
            let name = format!("{krate}/{relative}");
            for (function, n) in lengths(&text) {
                let allowed = KNOWN
                    .iter()
                    .find(|(f, g, _)| *f == name && *g == function)
                    .map_or(MAX_LINES, |k| k.2);
                if n > MAX_LINES {
                    still_long.push((name.clone(), function.clone()));
                }
                if n > allowed {
                    too_long.push(format!("{name}: {function} is {n} lines (at most {allowed})"));
                }
            }
        }
    }
    assert!(too_long.is_empty(), "functions to split into named steps:\n{}", too_long.join("\n"));
    let fit: Vec<_> = KNOWN
        .iter()
        .filter(|(f, g, _)| !still_long.iter().any(|(file, function)| file == f && function == g))
        .collect();
    assert!(fit.is_empty(), "these fit in {MAX_LINES} lines now: take them off KNOWN: {fit:?}");
}

#[test]
fn the_length_check_counts_a_function_to_its_closing_brace() {
    let sample = "fn a() {\n    if x {\n    }\n}\n\n    pub(crate) async fn b(\n        x: u8,\n    ) {\n    }\n#[cfg(test)]\nfn c() {\n}\n";
    assert_eq!(lengths(sample), [("a".to_owned(), 4), ("b".to_owned(), 4)]);
}
