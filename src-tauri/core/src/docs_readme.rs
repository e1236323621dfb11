//! The docs repository's README: an introduction written with the first tree, and an
//! overview section (stories, contexts, components, each linking to its file) that the docs
//! sync keeps current. Below both of its writers — the setup's first tree
//! ([`crate::pipeline::docs`]) and the docs sync's commits ([`crate::docs_sync`]).

use crate::projects::Project;
use codemyspec_specdocs::{Fields, Kind};

/// The README's introduction, written with the first tree; people may edit it, the sync
/// only keeps the overview section below it current ([`with_overview`]).
pub fn readme(project: &Project) -> String {
    let mut readme = format!("# {} — specification\n\n", project.module_name);
    if let Some(d) = &project.description {
        readme.push_str(&format!("{d}\n\n"));
    }
    readme.push_str(
        "One file per story (`stories/`), bounded context (`contexts/`) and component \
         (`components/`), kept in step with CodeMySpec by its docs sync. Edit them here or in \
         the app; the front matter's `id` names an entity, not its file name.\n",
    );
    readme
}

/// An entity as the setup's tree publishes it (version 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub kind: Kind,
    pub id: String,
    pub path: String,
    pub fields: Fields,
}

const OVERVIEW_START: &str =
    "<!-- codemyspec:overview — written by the docs sync; edit the files it links to -->";
const OVERVIEW_END: &str = "<!-- /codemyspec:overview -->";

/// `readme` with its overview section (the stories with status and approval, the contexts
/// with their stories, the components with their context and completion flags, each linking
/// to its file) replaced by one of `listed`, or appended when it has none. Deterministic: the
/// same entities give the same bytes, so the README changes only when what it lists does,
/// and two machines never clash over it. The text around the section is left as people wrote it.
pub fn with_overview(readme: &str, listed: &[Published]) -> String {
    let section = overview(listed);
    let start = readme.find(OVERVIEW_START);
    let end = readme.find(OVERVIEW_END).map(|i| i + OVERVIEW_END.len());
    match (start, end) {
        (Some(s), Some(e)) if s < e => format!("{}{section}{}", &readme[..s], &readme[e..]),
        _ => format!("{}\n\n{section}\n", readme.trim_end()),
    }
}

/// A label as a markdown link text: one line, brackets and table bars escaped.
fn cell(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '[' | ']' | '\\' | '*' | '_' | '`' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn overview(listed: &[Published]) -> String {
    let o = Overview::new(listed);
    let mut out = format!("{OVERVIEW_START}\n");
    let stories = o.of_kind(Kind::Story).into_iter().map(|s| {
        format!("| {} | {} | {} |", o.link(s), cell(&text(s, "status")), flag(s, "approved"))
    });
    section(&mut out, "Stories", "| Story | Status | Approved |\n|---|---|---|", stories);
    let contexts = o.of_kind(Kind::Context).into_iter().map(|c| {
        let ids = c.fields.get("stories").and_then(|v| v.as_array()).cloned().unwrap_or_default();
        let mut stories: Vec<&Published> =
            ids.iter().filter_map(|v| v.as_str()).filter_map(|id| o.by_id(id)).collect();
        stories.sort_by(|a, b| (text(a, "title"), &a.id).cmp(&(text(b, "title"), &b.id)));
        let names: Vec<String> = stories.into_iter().map(|s| o.link(s)).collect();
        format!("| {} | {} |", o.link(c), names.join(", "))
    });
    section(&mut out, "Bounded contexts", "| Context | Stories |\n|---|---|", contexts);
    let components = o.of_kind(Kind::Component).into_iter().map(|c| {
        let context = c
            .fields
            .get("context")
            .and_then(|v| v.as_str())
            .and_then(|id| o.by_id(id))
            .map(|p| o.link(p))
            .unwrap_or_else(|| "—".into());
        format!(
            "| {} | {} | {} | {} | {} |",
            o.link(c),
            context,
            flag(c, "docs_complete"),
            flag(c, "code_complete"),
            flag(c, "tests_complete")
        )
    });
    let header = "| Component | Context | Docs | Code | Tests |\n|---|---|---|---|---|";
    section(&mut out, "Components", header, components);
    out.push('\n');
    out.push_str(OVERVIEW_END);
    out
}

/// One part of the overview: its heading, then its table, or "None yet."
fn section(out: &mut String, title: &str, header: &str, rows: impl Iterator<Item = String>) {
    out.push_str(&format!("\n## {title}\n\n"));
    let rows: Vec<String> = rows.collect();
    if rows.is_empty() {
        out.push_str("None yet.\n");
        return;
    }
    out.push_str(header);
    out.push('\n');
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
}

/// A text field of a published entity ("" when it has none).
fn text(p: &Published, name: &str) -> String {
    p.fields.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

fn flag(p: &Published, name: &str) -> &'static str {
    if p.fields.get(name).and_then(|v| v.as_bool()).unwrap_or(false) {
        "yes"
    } else {
        "no"
    }
}

/// The published entities, with the lookup every link of every context and component uses:
/// a map, not a scan of the list.
struct Overview<'a> {
    listed: &'a [Published],
    ids: std::collections::HashMap<&'a str, &'a Published>,
}

impl<'a> Overview<'a> {
    fn new(listed: &'a [Published]) -> Self {
        Overview { listed, ids: listed.iter().map(|p| (p.id.as_str(), p)).collect() }
    }

    fn by_id(&self, id: &str) -> Option<&'a Published> {
        self.ids.get(id).copied()
    }

    fn link(&self, p: &Published) -> String {
        format!("[{}]({})", cell(&text(p, p.kind.label_field())), p.path)
    }

    /// The entities of `kind`, by their label, then id.
    fn of_kind(&self, kind: Kind) -> Vec<&'a Published> {
        let mut items: Vec<&Published> = self.listed.iter().filter(|p| p.kind == kind).collect();
        items.sort_by(|a, b| {
            (text(a, kind.label_field()), &a.id).cmp(&(text(b, kind.label_field()), &b.id))
        });
        items
    }
}

/// The fields of a kind that its row in the overview shows (beside its kind and path).
fn shown(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Story => &["title", "status", "approved"],
        Kind::Context => &["name", "stories"],
        Kind::Component => &["name", "context", "docs_complete", "code_complete", "tests_complete"],
    }
}

/// Whether an entity's row (or a row it names: a context's stories, a component's context)
/// reads differently in the overview from `before` to `after`; an entity added or removed does.
pub fn lists_differently(before: Option<&Published>, after: Option<&Published>) -> bool {
    match (before, after) {
        (Some(a), Some(b)) => {
            a.kind != b.kind
                || a.path != b.path
                || shown(a.kind).iter().any(|f| a.fields.get(*f) != b.fields.get(*f))
        }
        (None, None) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_change_of_what_a_row_shows_rewrites_the_overview() {
        use super::{lists_differently, Published};
        use codemyspec_specdocs::Kind;
        use serde_json::json;
        let story = |title: &str, description: &str, path: &str| Published {
            kind: Kind::Story,
            id: "s1".into(),
            path: path.into(),
            fields: [
                ("title".to_owned(), json!(title)),
                ("status".to_owned(), json!("draft")),
                ("description".to_owned(), json!(description)),
            ]
            .into(),
        };
        let before = story("Pay", "As a buyer", "stories/s1/pay.md");
        let changed = |after: &Published| lists_differently(Some(&before), Some(after));
        assert!(!changed(&story("Pay", "As a buyer, I pay", "stories/s1/pay.md")));
        assert!(changed(&story("Pay by card", "As a buyer", "stories/s1/pay.md")));
        assert!(changed(&story("Pay", "As a buyer", "stories/pay.md")));
        assert!(lists_differently(Some(&before), None) && lists_differently(None, Some(&before)));
    }

    #[test]
    fn the_overview_lists_each_kind_with_links_and_keeps_the_text_around_it() {
        use super::{with_overview, Published};
        use codemyspec_specdocs::Kind;
        use serde_json::json;
        let story = |id: &str, title: &str, approved: bool| Published {
            kind: Kind::Story,
            id: id.into(),
            path: format!("stories/{}.md", title.to_lowercase()),
            fields: [
                ("title".to_owned(), json!(title)),
                ("status".to_owned(), json!("ready")),
                ("approved".to_owned(), json!(approved)),
            ]
            .into(),
        };
        let context = Published {
            kind: Kind::Context,
            id: "c1".into(),
            path: "contexts/payments.md".into(),
            fields: [
                ("name".to_owned(), json!("Payments")),
                ("stories".to_owned(), json!(["s2", "s1"])),
            ]
            .into(),
        };
        let component = Published {
            kind: Kind::Component,
            id: "k1".into(),
            path: "components/charge.md".into(),
            fields: [
                ("name".to_owned(), json!("Charge")),
                ("context".to_owned(), json!("c1")),
                ("docs_complete".to_owned(), json!(true)),
            ]
            .into(),
        };
        let listed =
            vec![component, story("s2", "Refunds", false), context, story("s1", "Checkout", true)];
        let readme = with_overview("# shop\n\nOur words.\n", &listed);
        assert!(readme.starts_with("# shop\n\nOur words.\n"), "{readme}");
        assert!(readme.contains("| [Checkout](stories/checkout.md) | ready | yes |\n| [Refunds](stories/refunds.md) | ready | no |"), "{readme}");
        assert!(readme.contains("| [Payments](contexts/payments.md) | [Checkout](stories/checkout.md), [Refunds](stories/refunds.md) |"), "{readme}");
        assert!(readme.contains("| [Charge](components/charge.md) | [Payments](contexts/payments.md) | yes | no | no |"), "{readme}");
        // Again over its own output: the same bytes (the section is replaced, not appended).
        let mut reversed = listed.clone();
        reversed.reverse();
        assert_eq!(with_overview(&readme, &reversed), readme);
        let edited = readme.replace("Our words.", "Our words, edited.") + "\nA footer.\n";
        let again = with_overview(&edited, &listed);
        assert_eq!(again, edited, "the person's text around the section is kept as it is");
    }
}
