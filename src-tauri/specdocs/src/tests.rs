use super::merge::{merge, Clash};
use super::*;
use proptest::prelude::*;
use serde_json::json;

const ID: &str = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
const OTHER: &str = "11111111-2222-4333-8444-555555555555";

fn story(title: &str, description: &str, criteria: Option<&str>) -> Fields {
    canonical(
        Kind::Story,
        Fields::from([
            ("title".into(), json!(title)),
            ("status".into(), json!("draft")),
            ("approved".into(), json!(false)),
            ("description".into(), json!(description)),
            ("acceptance_criteria".into(), json!(criteria)),
        ]),
    )
}

#[test]
fn a_story_renders_to_front_matter_and_body_and_reads_back_the_same() {
    let doc = Doc {
        id: ID.into(),
        version: 3,
        fields: story("Pay by card", "As a buyer…\n\nMore.", Some("- it works")),
    };
    let text = render(Kind::Story, &doc);
    assert!(
        text.starts_with(
            "---\nid: \"0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9\"\ntitle: \"Pay by card\"\n"
        ),
        "{text}"
    );
    assert!(text.contains("\nversion: 3\n---\n\n# Pay by card\n\nAs a buyer…\n\nMore.\n\n## Acceptance criteria\n\n- it works\n"), "{text}");
    assert_eq!(parse(Kind::Story, &text), Ok(doc.clone()));
    assert_eq!(render(Kind::Story, &doc), text, "deterministic");
}

#[test]
fn a_file_a_person_edited_by_hand_is_read_with_plain_yaml_and_crlf() {
    let text = format!(
        "---\r\nid: {ID}\r\ntitle: Pay by card, twice\r\nstatus: ready\r\napproved: true\r\n---\r\n\r\n# Whatever heading\r\n\r\nNew text.\r\n\r\n## Acceptance criteria\r\n\r\n1. one\r\n"
    );
    let doc = parse(Kind::Story, &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.fields["title"], json!("Pay by card, twice"));
    assert_eq!(doc.fields["status"], json!("ready"));
    assert_eq!(doc.fields["description"], json!("New text."));
    assert_eq!(doc.fields["acceptance_criteria"], json!("1. one"));
    assert_eq!(doc.version, 0, "no version written by hand");
}

#[test]
fn yes_is_not_a_boolean_in_yaml_1_2_so_it_is_reported() {
    let text = format!("---\nid: {ID}\ntitle: T\nstatus: draft\napproved: maybe\n---\n");
    assert_eq!(
        parse(Kind::Story, &text),
        Err(ParseError::Field { field: "approved", problem: "is not true or false" })
    );
}

#[test]
fn broken_files_say_what_is_wrong() {
    assert_eq!(parse(Kind::Story, "# just a heading\n"), Err(ParseError::NoFrontMatter));
    assert!(matches!(parse(Kind::Story, "---\ntitle: [unclosed\n---\n"), Err(ParseError::Yaml(_))));
    assert_eq!(parse(Kind::Story, "---\ntitle: T\nstatus: draft\n---\n"), Err(ParseError::NoId));
    assert_eq!(parse(Kind::Story, "---\nid: 42\ntitle: T\n---\n"), Err(ParseError::NoId));
    assert_eq!(
        parse(Kind::Story, &format!("---\nid: {ID}\nstatus: draft\n---\n")),
        Err(ParseError::Field { field: "title", problem: "is missing or not text" })
    );
    assert_eq!(
        parse(
            Kind::Context,
            &format!("---\nid: {ID}\nname: N\ntype: domain\npurpose: P\nstories: [nope]\n---\n")
        ),
        Err(ParseError::Field { field: "stories", problem: "holds a non-id" })
    );
}

#[test]
fn a_reserved_heading_inside_a_code_block_or_a_quote_stays_text() {
    let description =
        "Intro\n\n```\n## Acceptance criteria\n```\n\n> ## Acceptance criteria\n\nEnd.";
    let doc = Doc { id: ID.into(), version: 1, fields: story("T", description, Some("real")) };
    let back = parse(Kind::Story, &render(Kind::Story, &doc)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.fields["description"], json!(description));
    assert_eq!(back.fields["acceptance_criteria"], json!("real"));
}

#[test]
fn a_component_keeps_its_design_and_sorted_dependencies() {
    let fields = canonical(
        Kind::Component,
        Fields::from([
            ("name".into(), json!("Accounts")),
            ("type".into(), json!("context")),
            ("file_path".into(), json!("lib/app/accounts.ex")),
            ("context".into(), Value::Null),
            ("depends_on".into(), json!([OTHER, ID, OTHER])),
            ("description".into(), json!("")),
            ("design".into(), json!("## not a section\n\nText")),
        ]),
    );
    assert_eq!(fields["depends_on"], json!([ID, OTHER]));
    assert_eq!(fields["description"], Value::Null);
    let doc = Doc { id: ID.into(), version: 1, fields };
    let text = render(Kind::Component, &doc);
    assert!(text.contains("\n## Design\n\n## not a section\n\nText\n"), "{text}");
    assert_eq!(parse(Kind::Component, &text), Ok(doc));
}

#[test]
fn paths_are_the_id_folder_then_words_and_the_id_start() {
    assert_eq!(path_for(Kind::Story, ID, "Pay by card!"), "stories/0f/pay-by-card-0f1e2d3c.md");
    assert_eq!(path_for(Kind::Context, ID, "***"), "contexts/0f/0f1e2d3c.md");
}

#[test]
fn files_in_the_flat_layout_and_in_sub_folders_are_both_read() {
    assert_eq!(Kind::of_path("components/x.md"), Some(Kind::Component));
    assert_eq!(Kind::of_path("stories/x.md"), Some(Kind::Story));
    assert_eq!(Kind::of_path("stories/0f/x.md"), Some(Kind::Story));
    assert_eq!(Kind::of_path("stories/drafts/x.md"), Some(Kind::Story));
    assert_eq!(Kind::of_path("README.md"), None);
    assert_eq!(Kind::of_path("stories/0f/x.txt"), None);
    assert_eq!(Kind::of_path("stories//x.md"), None);
    assert_eq!(Kind::of_path("stories/a/b/x.md"), None);
    assert_eq!(Kind::of_path("notes/0f/x.md"), None);
}

#[test]
fn a_flat_file_moves_to_its_id_folder_with_its_name_kept() {
    assert_eq!(
        moved_path("stories/pay-by-card-0f1e2d3c.md", ID).as_deref(),
        Some("stories/0f/pay-by-card-0f1e2d3c.md")
    );
    assert_eq!(
        moved_path("contexts/renamed-by-hand.md", ID).as_deref(),
        Some("contexts/0f/renamed-by-hand.md")
    );
    assert_eq!(moved_path("stories/0f/pay-by-card-0f1e2d3c.md", ID), None);
    assert_eq!(moved_path("README.md", ID), None);
}

fn with(mut f: Fields, field: &str, value: Value) -> Fields {
    f.insert(field.into(), value);
    f
}

#[test]
fn fields_only_one_side_changed_are_both_taken() {
    let base = story("T", "D", None);
    let mine = with(base.clone(), "title", json!("Mine"));
    let theirs = with(base.clone(), "acceptance_criteria", json!("added"));
    let m = merge(Some(&base), Some(&mine), Some(&theirs), &[]);
    let both = with(mine.clone(), "acceptance_criteria", json!("added"));
    assert_eq!((m.local.as_ref(), m.repo.as_ref(), m.clashes.len()), (Some(&both), Some(&both), 0));
}

#[test]
fn the_same_field_changed_differently_is_a_clash_with_both_values_kept() {
    let base = story("T", "D", None);
    let mine = with(base.clone(), "title", json!("Mine"));
    let theirs = with(base.clone(), "title", json!("Theirs"));
    let m = merge(Some(&base), Some(&mine), Some(&theirs), &[]);
    assert_eq!(m.local.as_ref().map(|f| &f["title"]), Some(&json!("Mine")));
    assert_eq!(m.repo.as_ref().map(|f| &f["title"]), Some(&json!("Theirs")));
    assert_eq!(
        m.clashes,
        vec![Clash::Field { field: "title".into(), base: json!("T"), theirs: json!("Theirs") }]
    );
    let same = merge(Some(&base), Some(&mine), Some(&mine), &[]);
    assert!(same.clashes.is_empty());
}

#[test]
fn an_edit_against_a_delete_is_a_clash_either_way() {
    let base = story("T", "D", None);
    let edited = with(base.clone(), "title", json!("E"));
    let m = merge(Some(&base), None, Some(&edited), &[]);
    assert_eq!((m.local, m.repo.clone()), (None, Some(edited.clone())));
    assert_eq!(m.clashes, vec![Clash::Entity { theirs: Some(edited.clone()) }]);
    let m = merge(Some(&base), Some(&edited), None, &[]);
    assert_eq!((m.local, m.repo), (Some(edited), None));
    assert_eq!(m.clashes, vec![Clash::Entity { theirs: None }]);
    let gone = merge(Some(&base), None, Some(&base), &[]);
    assert_eq!(
        (gone.local, gone.repo, gone.clashes.len()),
        (None, None, 0),
        "a delete alone is taken"
    );
}

#[test]
fn links_added_on_both_sides_are_all_kept_and_a_removal_stays_removed() {
    let base = Fields::from([("depends_on".into(), json!([ID]))]);
    let mine = Fields::from([("depends_on".into(), json!([ID, OTHER]))]);
    let third = "22222222-2222-4333-8444-555555555555";
    let theirs = Fields::from([("depends_on".into(), json!([third]))]);
    let m = merge(Some(&base), Some(&mine), Some(&theirs), &["depends_on"]);
    assert!(m.clashes.is_empty());
    assert_eq!(m.repo.map(|f| f["depends_on"].clone()), Some(json!([OTHER, third])));
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Markdown-ish lines, never a reserved heading of its own.
    proptest::collection::vec("[a-zA-Z0-9 *_`#>\\-]{0,20}", 0..6)
        .prop_map(|lines| lines.join("\n"))
        .prop_filter("no reserved heading", |t| !t.lines().any(|l| l.trim_start().starts_with('#')))
}

proptest! {
    #[test]
    fn every_canonical_story_reads_back_as_rendered(
        title in "[^\n\r]{1,40}",
        description in text_strategy(),
        criteria in proptest::option::of(text_strategy()),
        version in 0i64..1000,
    ) {
        prop_assume!(!title.trim().is_empty());
        let doc = Doc { id: ID.into(), version, fields: story(&title, &description, criteria.as_deref()) };
        let text = render(Kind::Story, &doc);
        prop_assert_eq!(parse(Kind::Story, &text), Ok(doc));
    }
}

// Issue 23: front matter as people write it. Each variant of a canonical file — keys in any
// order, optional keys left out, plain (unquoted) strings, lists `[a, b]` or one `- a` per
// line, CRLF or LF, a UTF-8 byte order mark — reads the same as the canonical file.

fn an_id() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}"
}

fn words() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{1,8}( [a-z]{1,8}){0,3}"
}

/// How a person wrote one front matter line (or left it out).
#[derive(Debug, Clone)]
struct Style {
    plain: bool,
    block_list: bool,
    omit_default: bool,
}

fn styles(n: usize) -> impl Strategy<Value = Vec<Style>> {
    prop::collection::vec(
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(plain, block_list, omit_default)| Style { plain, block_list, omit_default },
        ),
        n,
    )
}

/// The front matter line(s) for `name: value` in `style`; none when a default is left out.
fn written(name: &str, value: &Value, style: &Style) -> Option<String> {
    let reserved = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        )
    };
    match value {
        Value::Null if style.omit_default => None,
        Value::Null => Some(format!("{name}:")),
        Value::Bool(false) if style.omit_default => None,
        Value::Bool(b) => Some(format!("{name}: {b}")),
        Value::Array(items) if items.is_empty() && style.omit_default => None,
        Value::Array(items) if items.is_empty() => Some(format!("{name}: []")),
        Value::Array(items) => {
            let ids: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            Some(if style.block_list {
                let lines: Vec<String> = ids.iter().map(|i| format!("  - {i}")).collect();
                format!("{name}:\n{}", lines.join("\n"))
            } else {
                format!("{name}: [{}]", ids.join(", "))
            })
        }
        Value::String(s) if style.plain && !reserved(s) && !s.is_empty() => {
            Some(format!("{name}: {s}"))
        }
        other => Some(format!("{name}: {other}")),
    }
}

/// A person's file for `doc`: its front matter lines in `order`, each in its style.
fn by_hand(
    kind: Kind,
    doc: &Doc,
    order: &[usize],
    styles: &[Style],
    crlf: bool,
    bom: bool,
) -> String {
    let mut lines = vec![format!("id: {}", doc.id), format!("version: {}", doc.version)];
    for field in kind.fields() {
        if matches!(field.shape, Shape::Text | Shape::OptText | Shape::Bool | Shape::Set) {
            lines.push(field.name.to_owned());
        }
    }
    let mut out = String::from("---\n");
    for i in order {
        let line = &lines[*i];
        let text = if line.contains(':') {
            Some(line.clone())
        } else {
            written(line, &doc.fields[line.as_str()], &styles[*i])
        };
        if let Some(t) = text {
            out.push_str(&t);
            out.push('\n');
        }
    }
    let rendered = render(kind, doc);
    let body = rendered.splitn(3, "---\n").nth(2).unwrap_or_default();
    out.push_str("---\n");
    out.push_str(body);
    if crlf {
        out = out.replace('\n', "\r\n");
    }
    if bom {
        out.insert(0, '\u{feff}');
    }
    out
}

fn a_story() -> impl Strategy<Value = Doc> {
    (
        an_id(),
        words(),
        prop::sample::select(vec!["draft", "ready", "implemented"]),
        any::<bool>(),
        words(),
        1..50i64,
    )
        .prop_map(|(id, title, status, approved, description, version)| Doc {
            id,
            version,
            fields: canonical(
                Kind::Story,
                Fields::from([
                    ("title".into(), json!(title)),
                    ("status".into(), json!(status)),
                    ("approved".into(), json!(approved)),
                    ("description".into(), json!(description)),
                ]),
            ),
        })
}

fn a_component() -> impl Strategy<Value = Doc> {
    (
        an_id(),
        words(),
        "lib/[a-z]{2,8}/[a-z_]{2,8}\\.ex",
        prop::option::of(an_id()),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        prop::collection::vec(an_id(), 0..3),
        words(),
    )
        .prop_map(|(id, name, file_path, context, (d, c, t, a), deps, description)| Doc {
            id,
            version: 2,
            fields: canonical(
                Kind::Component,
                Fields::from([
                    ("name".into(), json!(name)),
                    ("type".into(), json!("schema")),
                    ("file_path".into(), json!(file_path)),
                    ("context".into(), json!(context)),
                    ("docs_complete".into(), json!(d)),
                    ("code_complete".into(), json!(c)),
                    ("tests_complete".into(), json!(t)),
                    ("depends_on".into(), json!(deps)),
                    ("design_approved".into(), json!(a)),
                    ("description".into(), json!(description)),
                ]),
            ),
        })
}

fn a_variant(kind: Kind, doc: Doc) -> impl Strategy<Value = (Doc, String)> {
    let n = 2 + kind
        .fields()
        .iter()
        .filter(|f| !matches!(f.shape, Shape::Main | Shape::OptMain | Shape::Section(_)))
        .count();
    (Just((0..n).collect::<Vec<_>>()).prop_shuffle(), styles(n), any::<bool>(), any::<bool>())
        .prop_map(move |(order, styles, crlf, bom)| {
            let text = by_hand(kind, &doc, &order, &styles, crlf, bom);
            (doc.clone(), text)
        })
}

proptest! {
    #[test]
    fn a_story_written_by_hand_in_any_form_reads_as_the_canonical_one(
        (doc, text) in a_story().prop_flat_map(|d| a_variant(Kind::Story, d))
    ) {
        let canonical_file = parse(Kind::Story, &render(Kind::Story, &doc));
        prop_assert_eq!(&canonical_file, &Ok(doc.clone()));
        prop_assert_eq!(parse(Kind::Story, &text), canonical_file, "{}", text);
    }

    #[test]
    fn a_component_written_by_hand_in_any_form_reads_as_the_canonical_one(
        (doc, text) in a_component().prop_flat_map(|d| a_variant(Kind::Component, d))
    ) {
        let canonical_file = parse(Kind::Component, &render(Kind::Component, &doc));
        prop_assert_eq!(&canonical_file, &Ok(doc.clone()));
        prop_assert_eq!(parse(Kind::Component, &text), canonical_file, "{}", text);
    }
}

#[test]
fn a_file_without_an_id_but_with_a_title_is_a_new_story_with_defaults() {
    let fields =
        parse_handmade(Kind::Story, "\u{feff}---\r\ntitle: Wishlist\r\n---\r\nKeep it.\r\n");
    let fields = fields.expect("a file without an id").expect("a title is enough");
    assert_eq!(fields["title"], json!("Wishlist"));
    assert_eq!(fields["status"], json!("draft"));
    assert_eq!(fields["description"], json!("Keep it."));
    assert_eq!(parse_handmade(Kind::Story, &format!("---\nid: {ID}\n---\n")), None);
    let component = parse_handmade(Kind::Component, "---\nname: Payments.CardCharge\n---\n");
    let component = component.unwrap().unwrap();
    assert_eq!(component["file_path"], json!("lib/payments/card_charge.ex"));
    assert_eq!(component["type"], json!("other"));
    let no_title = parse_handmade(Kind::Story, "---\nstatus: ready\n---\n").unwrap();
    assert!(no_title.unwrap_err().to_string().contains("add a line `title: ...`"));
}
