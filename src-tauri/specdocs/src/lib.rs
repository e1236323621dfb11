//! The docs repository's format (docs/DOCS_SYNC.md): one markdown file per story, bounded
//! context and component; YAML front matter for the entity's fields, its id and its
//! published version; the body for its long texts. Rendering is deterministic (the same
//! record gives the same bytes) and [`parse`] reads back what [`render`] wrote, and what a
//! person changed by hand. [`merge`] is the three-way, per-field merge the sync applies.
//!
//! A record is the entity's fields as JSON values: strings, `null`, booleans, and sorted
//! arrays of ids for the link sets (a context's stories, a component's dependencies).

pub mod merge;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An entity's fields by name.
pub type Fields = BTreeMap<String, Value>;

/// The entities that have a file of their own; serialized by name (`story`, `context`, `component`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Story,
    Context,
    Component,
}

/// What a field holds and where it lives in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A string that must be there (front matter).
    Text,
    /// A string or nothing (front matter).
    OptText,
    Bool,
    /// A set of ids, kept sorted (front matter).
    Set,
    /// The long text under the title heading ("" when empty).
    Main,
    /// The long text under the title heading, `null` when empty.
    OptMain,
    /// The long text of an `## <heading>` section, `null` when the section is absent.
    Section(&'static str),
}

struct Field {
    name: &'static str,
    shape: Shape,
}

const fn f(name: &'static str, shape: Shape) -> Field {
    Field { name, shape }
}

const STORY: &[Field] = &[
    f("title", Shape::Text),
    f("status", Shape::Text),
    f("approved", Shape::Bool),
    f("description", Shape::Main),
    f("acceptance_criteria", Shape::Section("Acceptance criteria")),
];
const CONTEXT: &[Field] = &[
    f("name", Shape::Text),
    f("type", Shape::Text),
    f("purpose", Shape::Text),
    f("approved", Shape::Bool),
    f("stories", Shape::Set),
    f("description", Shape::OptMain),
];
const COMPONENT: &[Field] = &[
    f("name", Shape::Text),
    f("type", Shape::Text),
    f("file_path", Shape::Text),
    f("context", Shape::OptText),
    f("docs_complete", Shape::Bool),
    f("code_complete", Shape::Bool),
    f("tests_complete", Shape::Bool),
    f("depends_on", Shape::Set),
    f("design_approved", Shape::Bool),
    f("description", Shape::OptMain),
    f("design", Shape::Section("Design")),
];

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Story, Kind::Context, Kind::Component];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Story => "story",
            Kind::Context => "context",
            Kind::Component => "component",
        }
    }

    pub fn parse_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The repository folder of this kind's files.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Story => "stories",
            Kind::Context => "contexts",
            Kind::Component => "components",
        }
    }

    /// The kind whose files live at `path`: a markdown file in the kind's folder or in one
    /// sub-folder of it (`stories/1a/x.md`, the layout written now; `stories/x.md`, the flat
    /// one older versions wrote and people may still add by hand) → story; none for other
    /// files, or ones deeper down.
    pub fn of_path(path: &str) -> Option<Kind> {
        let (dir, rest) = path.split_once('/')?;
        let file = match rest.split_once('/') {
            Some((folder, file)) if !folder.is_empty() => file,
            Some(_) => return None,
            None => rest,
        };
        if file.contains('/') || !file.ends_with(".md") {
            return None;
        }
        Kind::ALL.into_iter().find(|k| k.dir() == dir)
    }

    /// The field a file is named and titled after.
    pub fn label_field(self) -> &'static str {
        match self {
            Kind::Story => "title",
            Kind::Context | Kind::Component => "name",
        }
    }

    /// The fields that are sets of ids (merged element by element).
    pub fn set_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Story => &[],
            Kind::Context => &["stories"],
            Kind::Component => &["depends_on"],
        }
    }

    fn fields(self) -> &'static [Field] {
        match self {
            Kind::Story => STORY,
            Kind::Context => CONTEXT,
            Kind::Component => COMPONENT,
        }
    }

    /// Every field name, in file order.
    pub fn field_names(self) -> impl Iterator<Item = &'static str> {
        self.fields().iter().map(|f| f.name)
    }
}

/// A kind as stored (a database column): the name must be one of [`Kind::ALL`]'s.
impl TryFrom<String> for Kind {
    type Error = String;

    fn try_from(name: String) -> Result<Kind, String> {
        Kind::parse_name(&name).ok_or_else(|| format!("unknown entity kind {name}"))
    }
}

/// An entity as the repository holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub id: String,
    /// How many times this entity was published changed (1 for its first file).
    pub version: i64,
    pub fields: Fields,
}

/// Why a file cannot be read; the sync reports it with the file's path and skips the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the file does not start with front matter (a line `---`, the fields, a line `---`)")]
    NoFrontMatter,
    #[error("the front matter is not valid YAML: {0}")]
    Yaml(String),
    #[error("the front matter has no `id`, or it is not an id")]
    NoId,
    #[error("`{field}` {problem}")]
    Field { field: &'static str, problem: &'static str },
}

/// A long text as the repository keeps it: no blank lines before, no whitespace after.
pub fn canonical_text(text: &str) -> String {
    text.trim_end().trim_start_matches(['\n', '\r']).to_owned()
}

/// The canonical form of a record: long texts trimmed, empty optional ones `null`, sets
/// sorted and without repeats. Both sides of a comparison are canonical.
pub fn canonical(kind: Kind, mut fields: Fields) -> Fields {
    for field in kind.fields() {
        let value = fields.remove(field.name).unwrap_or(Value::Null);
        let value = match (field.shape, value) {
            (Shape::Main, Value::String(s)) => Value::String(canonical_text(&s)),
            (Shape::Main, _) => Value::String(String::new()),
            (Shape::OptMain | Shape::Section(_), Value::String(s)) => {
                let s = canonical_text(&s);
                if s.is_empty() {
                    Value::Null
                } else {
                    Value::String(s)
                }
            }
            (Shape::Set, Value::Array(items)) => {
                let mut ids: Vec<String> =
                    items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                ids.sort();
                ids.dedup();
                Value::Array(ids.into_iter().map(Value::String).collect())
            }
            (Shape::Set, _) => Value::Array(Vec::new()),
            (Shape::Bool, Value::Bool(b)) => Value::Bool(b),
            (Shape::Bool, _) => Value::Bool(false),
            (_, v) => v,
        };
        fields.insert(field.name.to_owned(), value);
    }
    fields
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The sub-folder of an entity's file: the first two hex digits of its id. Ids are random
/// (uuid v4), so 256 folders fill evenly and stay under GitHub's 1,000 listed files a folder
/// up to ~200,000 entities of a kind (docs/DECISIONS.md, "The docs repository's layout").
pub fn folder_of(id: &str) -> &str {
    id.get(..2).unwrap_or(id)
}

/// The path a new entity's file gets: its kind's folder, its id's sub-folder, its title as
/// words and the start of its id (`stories/1a/pay-by-card-1a2b3c4d.md`). The path is chosen
/// once: later edits keep it, and the entity is known by the id inside, so a file a person
/// renames or moves stays the same entity.
pub fn path_for(kind: Kind, id: &str, label: &str) -> String {
    let short = id.get(..8).unwrap_or(id);
    let folder = folder_of(id);
    match slug(label) {
        s if s.is_empty() => format!("{}/{folder}/{short}.md", kind.dir()),
        s => format!("{}/{folder}/{s}-{short}.md", kind.dir()),
    }
}

/// Where a file of the flat layout (`stories/pay-by-card-1a2b3c4d.md`, directly in its kind's
/// folder) moves to hold entity `id`: the same file name in the id's sub-folder. `None` for
/// a path that is not in the flat layout.
pub fn moved_path(path: &str, id: &str) -> Option<String> {
    let (dir, file) = path.split_once('/')?;
    if file.contains('/') {
        return None;
    }
    Kind::of_path(path)?;
    Some(format!("{dir}/{}/{file}", folder_of(id)))
}

/// A front-matter scalar: a JSON string is a YAML double-quoted scalar once the characters
/// YAML does not allow raw (DEL, the C1 controls, U+FFFE/U+FFFF) are escaped too.
fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => quoted(s),
        Value::Array(items) => {
            let items: Vec<String> =
                items.iter().map(|v| quoted(v.as_str().unwrap_or_default())).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn text_of<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

/// The file for an entity (its fields canonical).
pub fn render(kind: Kind, doc: &Doc) -> String {
    let mut out = format!("---\nid: {}\n", quoted(&doc.id));
    for field in kind.fields() {
        if matches!(field.shape, Shape::Text | Shape::OptText | Shape::Bool | Shape::Set) {
            let value = doc.fields.get(field.name).unwrap_or(&Value::Null);
            let _ = writeln!(out, "{}: {}", field.name, scalar(value));
        }
    }
    let _ = write!(out, "version: {}\n---\n\n", doc.version);
    let label = text_of(&doc.fields, kind.label_field()).unwrap_or_default();
    let _ = writeln!(out, "# {}", label.replace('\n', " "));
    for field in kind.fields() {
        let text = text_of(&doc.fields, field.name).filter(|t| !t.is_empty());
        match (field.shape, text) {
            (Shape::Main | Shape::OptMain, Some(text)) => {
                let _ = write!(out, "\n{text}\n");
            }
            (Shape::Section(heading), Some(text)) => {
                let _ = write!(out, "\n## {heading}\n\n{text}\n");
            }
            _ => {}
        }
    }
    out
}

/// Splits `---\n<yaml>\n---\n<body>`.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    if let Some(body) = rest.strip_prefix("---\n") {
        return Some(("", body));
    }
    let end = rest
        .find("\n---\n")
        .map(|i| (i, i + 5))
        .or_else(|| rest.strip_suffix("\n---").map(|yaml| (yaml.len(), rest.len())))?;
    Some((&rest[..end.0], &rest[end.1..]))
}

/// The long texts of a body: the text after the first `# heading` up to the first reserved
/// `## section` heading, and each reserved section's text. Only headings at the top level
/// count (not inside a quote, a list or a code block).
fn body_texts(body: &str, sections: &[&'static str]) -> (String, BTreeMap<&'static str, String>) {
    // (where the heading starts, where its text starts, which section; None = the title)
    let mut marks: Vec<(usize, usize, Option<&'static str>)> = Vec::new();
    let mut depth = 0usize;
    let mut heading: Option<(HeadingLevel, std::ops::Range<usize>, String)> = None;
    let mut seen_title = false;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
                depth = depth.saturating_sub(1)
            }
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                heading = Some((level, range, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, range, text)) = heading.take() {
                    if level == HeadingLevel::H1 && !seen_title && marks.is_empty() {
                        seen_title = true;
                        marks.push((range.start, range.end, None));
                    } else if level == HeadingLevel::H2 {
                        if let Some(s) = sections.iter().find(|s| **s == text.trim()) {
                            marks.push((range.start, range.end, Some(*s)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut main_start = 0;
    let mut main_end = body.len();
    let mut found = BTreeMap::new();
    for (i, (start, text_start, section)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map(|m| m.0).unwrap_or(body.len());
        match section {
            None => main_start = *text_start,
            Some(name) => {
                if main_end == body.len() {
                    main_end = *start;
                }
                found.entry(*name).or_insert_with(|| canonical_text(&body[*text_start..end]));
            }
        }
    }
    let main = body.get(main_start..main_end.max(main_start)).unwrap_or_default();
    (canonical_text(main), found)
}

fn looks_like_id(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn yaml_text(value: &serde_yaml_ng::Value) -> Option<String> {
    match value {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The front matter and body of a file: CRLF or LF, with or without a UTF-8 byte order mark.
fn front_and_body(text: &str) -> Result<(serde_yaml_ng::Mapping, String), ParseError> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (yaml, body) = split_front_matter(&text).ok_or(ParseError::NoFrontMatter)?;
    let front: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(yaml).map_err(|e| ParseError::Yaml(e.to_string()))?;
    let front = match front {
        serde_yaml_ng::Value::Mapping(m) => m,
        serde_yaml_ng::Value::Null => serde_yaml_ng::Mapping::new(),
        _ => {
            return Err(ParseError::Yaml("the front matter is not a list of `name: value`".into()))
        }
    };
    Ok((front, body.to_owned()))
}

fn get<'a>(front: &'a serde_yaml_ng::Mapping, name: &str) -> Option<&'a serde_yaml_ng::Value> {
    front.get(name).filter(|v| !v.is_null())
}

/// Reads a file of `kind` back into its id, version and canonical fields.
pub fn parse(kind: Kind, text: &str) -> Result<Doc, ParseError> {
    let (front, body) = front_and_body(text)?;
    let id = get(&front, "id")
        .and_then(yaml_text)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| looks_like_id(s))
        .ok_or(ParseError::NoId)?;
    let version = match get(&front, "version") {
        None => 0,
        Some(v) => v
            .as_i64()
            .ok_or(ParseError::Field { field: "version", problem: "is not a whole number" })?,
    };
    let fields = fields_of(kind, &front, &body)?;
    Ok(Doc { id, version, fields })
}

/// A file a person added by hand, without an `id` (none at all: a malformed one is a problem):
/// the fields it has, defaults for the rest. Its title (a story) or name is all it needs.
/// `None` when the file is not one (it has an id, or no front matter).
pub fn parse_handmade(kind: Kind, text: &str) -> Option<Result<Fields, ParseError>> {
    let (mut front, body) = front_and_body(text).ok()?;
    if front.contains_key("id") {
        return None;
    }
    let label = kind.label_field();
    let named = get(&front, label).and_then(yaml_text).is_some_and(|s| !s.trim().is_empty());
    if !named {
        let problem = match kind {
            Kind::Story => "is missing: add a line `title: ...` to the front matter",
            Kind::Context | Kind::Component => {
                "is missing: add a line `name: ...` to the front matter"
            }
        };
        return Some(Err(ParseError::Field { field: label, problem }));
    }
    let name = get(&front, label).and_then(yaml_text).unwrap_or_default();
    let defaults: Vec<(&str, String)> = match kind {
        Kind::Story => vec![("status", "draft".into())],
        // A purpose is required of a context; a placeholder says it is still to be written.
        Kind::Context => vec![("type", "domain".into()), ("purpose", "To be written.".into())],
        Kind::Component => {
            vec![("type", "other".into()), ("file_path", module_path(&name))]
        }
    };
    for (key, value) in defaults {
        if get(&front, key).is_none() {
            front.insert(key.into(), serde_yaml_ng::Value::String(value));
        }
    }
    Some(fields_of(kind, &front, &body))
}

/// Where Elixir keeps a module's file: `Payments.CardCharge` → `lib/payments/card_charge.ex`.
fn module_path(module: &str) -> String {
    let parts: Vec<String> = module
        .split('.')
        .map(|part| {
            let mut out = String::new();
            let mut prev_lower = false;
            for c in part.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                if c.is_ascii_uppercase() && prev_lower {
                    out.push('_');
                }
                prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                out.push(c.to_ascii_lowercase());
            }
            out
        })
        .filter(|p| !p.is_empty())
        .collect();
    match parts.is_empty() {
        true => "lib/component.ex".into(),
        false => format!("lib/{}.ex", parts.join("/")),
    }
}

fn fields_of(kind: Kind, front: &serde_yaml_ng::Mapping, body: &str) -> Result<Fields, ParseError> {
    let get = |name: &str| get(front, name);
    let sections: Vec<&'static str> = kind
        .fields()
        .iter()
        .filter_map(|f| match f.shape {
            Shape::Section(h) => Some(h),
            _ => None,
        })
        .collect();
    let (main, found) = body_texts(body, &sections);
    let mut fields = Fields::new();
    for field in kind.fields() {
        let name = field.name;
        let value = match field.shape {
            Shape::Text => Value::String(
                get(name)
                    .and_then(yaml_text)
                    .ok_or(ParseError::Field { field: name, problem: "is missing or not text" })?,
            ),
            Shape::OptText => match get(name) {
                None => Value::Null,
                Some(v) => Value::String(
                    yaml_text(v)
                        .ok_or(ParseError::Field { field: name, problem: "is not text" })?,
                ),
            },
            Shape::Bool => {
                match get(name) {
                    None => Value::Bool(false),
                    Some(v) => Value::Bool(v.as_bool().ok_or(ParseError::Field {
                        field: name,
                        problem: "is not true or false",
                    })?),
                }
            }
            Shape::Set => match get(name) {
                None => Value::Array(Vec::new()),
                Some(serde_yaml_ng::Value::Sequence(items)) => Value::Array(
                    items
                        .iter()
                        .map(|v| {
                            yaml_text(v)
                                .map(|s| Value::String(s.trim().to_ascii_lowercase()))
                                .filter(|s| s.as_str().is_some_and(looks_like_id))
                                .ok_or(ParseError::Field { field: name, problem: "holds a non-id" })
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(_) => {
                    return Err(ParseError::Field { field: name, problem: "is not a list of ids" })
                }
            },
            Shape::Main | Shape::OptMain => Value::String(main.clone()),
            Shape::Section(heading) => {
                found.get(heading).cloned().map(Value::String).unwrap_or(Value::Null)
            }
        };
        fields.insert(name.to_owned(), value);
    }
    Ok(canonical(kind, fields))
}

#[cfg(test)]
mod tests;
