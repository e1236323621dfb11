//! How results reach the terminal: aligned tables and `key: value` blocks for people,
//! pretty JSON with `--json` for scripts. Errors go to stderr with a stable exit code.

use codemyspec_core::{Code, Error};
use serde::Serialize;
use std::io::Write;

/// Exit statuses, one per error class, so scripts can branch without parsing text.
pub fn exit_code(code: Code) -> u8 {
    match code {
        Code::InvalidInput => 3,
        Code::NotFound => 4,
        Code::Conflict | Code::AlreadyCompleted => 5,
        Code::Forbidden => 6,
        Code::Unauthenticated | Code::Locked => 7,
        Code::Unavailable | Code::Internal => 1,
    }
}

pub struct Out {
    pub json: bool,
}

impl Out {
    /// A list: a table with these columns for people, the values as JSON for scripts.
    pub fn table<T: Serialize>(
        &self,
        items: &[T],
        headers: &[&str],
        row: impl Fn(&T) -> Vec<String>,
    ) {
        if self.json {
            return self.json_value(&items);
        }
        if items.is_empty() {
            println!("(none)");
            return;
        }
        let rows: Vec<Vec<String>> = items.iter().map(row).collect();
        print!("{}", render_table(headers, &rows));
    }

    /// One record: `key: value` lines for people, the value as JSON for scripts.
    pub fn record<T: Serialize>(&self, value: &T) {
        if self.json {
            return self.json_value(value);
        }
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => {
                let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
                for (k, v) in map {
                    println!("{k:<width$}  {}", plain(&v));
                }
            }
            Ok(other) => println!("{}", plain(&other)),
            Err(e) => eprintln!("cannot show the result: {e}"),
        }
    }

    /// A confirmation with no data: a sentence for people, `{"ok": true, ...}` for scripts.
    pub fn done(&self, message: &str) {
        if self.json {
            self.json_value(&serde_json::json!({ "ok": true, "message": message }));
        } else {
            println!("{message}");
        }
    }

    pub fn json_value<T: Serialize + ?Sized>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("cannot encode the result: {e}"),
        }
    }

    pub fn error(&self, err: &Error) {
        let mut view = err.to_view();
        if let Some(hint) = hint(err) {
            view.message = format!("{}; {hint}", view.message);
        }
        let mut stderr = std::io::stderr().lock();
        if self.json {
            let text = serde_json::to_string(&serde_json::json!({ "error": view }))
                .unwrap_or_else(|_| format!("{{\"error\":{{\"message\":{:?}}}}}", view.message));
            let _ = writeln!(stderr, "{text}");
        } else {
            let field = view.field.map(|f| format!(" (field: {f})")).unwrap_or_default();
            let _ = writeln!(stderr, "error[{}]: {}{field}", view.code, view.message);
        }
    }
}

/// What to type to put an error right, for the errors whose own text (shared with the
/// window) says what to change but not the command that changes it.
fn hint(err: &Error) -> Option<&'static str> {
    match err {
        Error::ApiNotOfHost(_) => Some("empty it with `codemyspec config set github_api_url \"\"`"),
        _ => None,
    }
}

/// A JSON value as a person reads it: strings bare, null as "-".
pub fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

pub fn flag(v: bool) -> String {
    if v { "yes" } else { "no" }.into()
}

/// Renders rows under headers, columns padded to their widest cell; long cells are cut.
pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    const MAX: usize = 60;
    let cut = |s: &str| -> String {
        let one_line = s.replace(['\n', '\r'], " ");
        if one_line.chars().count() > MAX {
            one_line.chars().take(MAX - 1).collect::<String>() + "…"
        } else {
            one_line
        }
    };
    let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| cut(c)).collect()).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &cells {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |values: Vec<String>| -> String {
        let padded: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{v:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_uppercase()).collect());
    for row in cells {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_cut_long_cells() {
        let rows = vec![
            vec!["a".to_string(), "x".repeat(70)],
            vec!["longer".to_string(), "two\nlines".to_string()],
        ];
        let text = render_table(&["name", "note"], &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME    NOTE");
        assert_eq!(lines[1], format!("a       {}…", "x".repeat(59)));
        assert_eq!(lines[2], "longer  two lines");
    }

    #[test]
    fn every_error_class_has_its_own_exit_code() {
        let codes = [
            Code::InvalidInput,
            Code::NotFound,
            Code::Conflict,
            Code::Forbidden,
            Code::Unauthenticated,
        ];
        let exits: std::collections::HashSet<u8> = codes.iter().map(|c| exit_code(*c)).collect();
        assert_eq!(exits.len(), codes.len());
        assert!(!exits.contains(&0) && !exits.contains(&2), "0 is success, 2 is a usage error");
    }
}
