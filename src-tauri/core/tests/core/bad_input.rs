//! Every kind of bad input gets a typed error with the right code and field, and leaves the
//! database exactly as it was.

use crate::support::*;
use codemyspec_core::components::{self, ComponentChanges, ComponentType, NewComponent};
use codemyspec_core::contexts::{self, ContextChanges, ContextType, NewContext};
use codemyspec_core::projects::{self, NewProject, ProjectChanges};
use codemyspec_core::sessions::{self, NewSession, SessionStatus, SessionType, TargetType};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::ProjectId;
use codemyspec_core::{
    dependencies, design_docs, lifecycle, memberships, Code, Result, Role, Stage,
};
use std::future::Future;
use std::pin::Pin;

type Case<'a> =
    (&'static str, Code, Option<&'static str>, Pin<Box<dyn Future<Output = Result<()>> + 'a>>);

fn case<'a, T>(
    label: &'static str,
    code: Code,
    field: Option<&'static str>,
    fut: impl Future<Output = Result<T>> + 'a,
) -> Case<'a> {
    (label, code, field, Box::pin(async move { fut.await.map(|_| ()) }))
}

fn project_named(name: &str) -> NewProject {
    NewProject { name: name.into(), ..Default::default() }
}

fn with_repo(repo: &str) -> NewProject {
    NewProject { name: "fine_name".into(), code_repo: Some(repo.into()), ..Default::default() }
}

#[tokio::test]
async fn bad_input_of_every_kind_is_refused_and_leaves_the_database_as_it_was() {
    let f = fixture().await;
    let s = &f.store;
    let ada = account(s, "ada@example.com").await;
    let vic = account(s, "vic@example.com").await;
    let eve = account(s, "eve@example.com").await;
    let p = project(s, &ada, "my_shop").await;
    let other = project(s, &eve, "eves_app").await;
    memberships::add(s, &ada.id, &p.id, &vic.id, Role::Viewer).await.unwrap();
    let story =
        stories::create(s, &ada.id, &p.id, NewStory { title: "Pay".into(), ..Default::default() })
            .await
            .unwrap();
    let story = stories::update(
        s,
        &ada.id,
        &story.id,
        1,
        StoryChanges { title: Some("Pay now".into()), ..Default::default() },
    )
    .await
    .unwrap();
    let ctx = contexts::create(
        s,
        &ada.id,
        &p.id,
        NewContext {
            name: "Payments".into(),
            kind: ContextType::Domain,
            purpose: "Money".into(),
            description: None,
        },
    )
    .await
    .unwrap();
    let comp = |name: &str, path: &str| NewComponent {
        name: name.into(),
        kind: ComponentType::Schema,
        file_path: path.into(),
        description: None,
        context_id: None,
    };
    let a = components::create(s, &ada.id, &p.id, comp("A", "lib/a.ex")).await.unwrap();
    let b = components::create(s, &ada.id, &p.id, comp("B", "lib/b.ex")).await.unwrap();
    let x = components::create(s, &eve.id, &other.id, comp("X", "lib/x.ex")).await.unwrap();
    dependencies::add(s, &ada.id, &a.id, &b.id).await.unwrap();
    design_docs::save(s, &ada.id, &a.id, None, "# A").await.unwrap();
    let session = sessions::create(
        s,
        &ada.id,
        &p.id,
        NewSession {
            session_type: SessionType::Design,
            target_type: TargetType::Component,
            target_id: Some(a.id.into()),
        },
    )
    .await
    .unwrap();
    let before = snapshot(s).await;

    use Code::*;
    let (me, viewer) = (&ada.id, &vic.id);
    let cases: Vec<Case> = vec![
        case("empty name", InvalidInput, Some("name"), projects::create(s, me, project_named(""))),
        case(
            "capital",
            InvalidInput,
            Some("name"),
            projects::create(s, me, project_named("MyApp")),
        ),
        case("dash", InvalidInput, Some("name"), projects::create(s, me, project_named("my-app"))),
        case(
            "reserved",
            InvalidInput,
            Some("name"),
            projects::create(s, me, project_named("server")),
        ),
        case(
            "taken module",
            InvalidInput,
            Some("name"),
            projects::create(s, me, project_named("string")),
        ),
        case(
            "too long",
            InvalidInput,
            Some("name"),
            projects::create(s, me, project_named(&"a".repeat(65))),
        ),
        case(
            "duplicate",
            Conflict,
            Some("name"),
            projects::create(s, me, project_named("my_shop")),
        ),
        case(
            "not github",
            InvalidInput,
            Some("code_repo"),
            projects::create(s, me, with_repo("https://gitlab.com/a/b")),
        ),
        case(
            "token in url",
            InvalidInput,
            Some("code_repo"),
            projects::create(s, me, with_repo("https://ghp_x@github.com/a/b")),
        ),
        case(
            "plain http",
            InvalidInput,
            Some("code_repo"),
            projects::create(s, me, with_repo("http://github.com/a/b")),
        ),
        case(
            "deep path",
            InvalidInput,
            Some("code_repo"),
            projects::create(s, me, with_repo("https://github.com/a/b/c")),
        ),
        case("malformed id", InvalidInput, Some("project_id"), async {
            ProjectId::parse("project_id", "42")
        }),
        case("other's project", NotFound, None, projects::get(s, me, &other.id)),
        case("other's story list", NotFound, None, stories::list(s, me, &other.id)),
        case(
            "viewer edits",
            Forbidden,
            None,
            stories::create(s, viewer, &p.id, NewStory { title: "t".into(), ..Default::default() }),
        ),
        case(
            "viewer manages",
            Forbidden,
            None,
            projects::update(s, viewer, &p.id, ProjectChanges::default()),
        ),
        case(
            "blank title",
            InvalidInput,
            Some("title"),
            stories::create(s, me, &p.id, NewStory::default()),
        ),
        case(
            "stale story",
            Conflict,
            Some("version"),
            stories::update(
                s,
                me,
                &story.id,
                1,
                StoryChanges { title: Some("lost".into()), ..Default::default() },
            ),
        ),
        case("stale approval", Conflict, Some("version"), stories::approve(s, me, &story.id, 1)),
        case(
            "stale context",
            Conflict,
            Some("version"),
            contexts::update(
                s,
                me,
                &ctx.id,
                9,
                ContextChanges { purpose: Some("x".into()), ..Default::default() },
            ),
        ),
        case(
            "bad context name",
            InvalidInput,
            Some("name"),
            contexts::create(
                s,
                me,
                &p.id,
                NewContext {
                    name: "1x".into(),
                    kind: ContextType::Domain,
                    purpose: "p".into(),
                    description: None,
                },
            ),
        ),
        case(
            "absolute path",
            InvalidInput,
            Some("file_path"),
            components::create(s, me, &p.id, comp("C", "/lib/c.ex")),
        ),
        case(
            "dot-dot path",
            InvalidInput,
            Some("file_path"),
            components::update(
                s,
                me,
                &a.id,
                ComponentChanges { file_path: Some("lib/../../c.ex".into()), ..Default::default() },
            ),
        ),
        case("cycle", Conflict, Some("depends_on"), dependencies::add(s, me, &b.id, &a.id)),
        case(
            "self dependency",
            Conflict,
            Some("depends_on"),
            dependencies::add(s, me, &a.id, &a.id),
        ),
        case(
            "cross-project dependency",
            InvalidInput,
            Some("depends_on_id"),
            dependencies::add(s, me, &a.id, &x.id),
        ),
        case("other's component", NotFound, None, dependencies::add(s, me, &x.id, &a.id)),
        case(
            "stale design doc",
            Conflict,
            Some("version"),
            design_docs::save(s, me, &a.id, Some(0), "# lost"),
        ),
        case(
            "illegal stage move",
            Conflict,
            Some("to"),
            lifecycle::transition(s, me, &p.id, Stage::Active, "go"),
        ),
        case(
            "setup-only stage move",
            Conflict,
            Some("to"),
            lifecycle::transition(s, me, &p.id, Stage::Provisioning, "go"),
        ),
        case(
            "illegal session move",
            Conflict,
            Some("status"),
            sessions::update_status(s, me, &session.id, SessionStatus::Complete),
        ),
        case("unknown stage text", InvalidInput, Some("to"), async {
            Stage::parse("to", "shipped")
        }),
        case(
            "owner role",
            InvalidInput,
            Some("role"),
            memberships::add(s, me, &p.id, &eve.id, Role::Owner),
        ),
    ];
    let total = cases.len();
    for (label, code, field, fut) in cases {
        let err = fut.await.expect_err(label);
        assert_eq!((err.code(), err.field()), (code, field), "{label}: {err}");
        assert!(!err.to_string().is_empty(), "{label} has a message");
        assert_eq!(snapshot(s).await, before, "{label} changed the database");
    }
    assert_eq!(total, 33);
}

#[tokio::test]
async fn a_form_with_several_bad_fields_gets_every_problem_at_once_and_nothing_is_written() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let new = NewProject {
        name: "Bad Name".into(),
        code_repo: Some("https://github.com/-acme/shop".into()),
        docs_repo: Some("ftp://github.com/acme/docs".into()),
        ..Default::default()
    };
    let err = projects::create(&f.store, &ada.id, new).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidInput);
    let view = err.to_view();
    let fields: Vec<&str> = view.fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "code_repo", "docs_repo"], "{view:?}");
    assert!(view.fields[1].message.contains("not an owner name GitHub allows"), "{view:?}");
    assert!(projects::list(&f.store, &ada.id).await.unwrap().is_empty());

    let p = project(&f.store, &ada, "shop").await;
    let story = stories::create(
        &f.store,
        &ada.id,
        &p.id,
        NewStory { title: "T".into(), description: "D".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let changes = StoryChanges {
        title: Some(" ".into()),
        description: Some("\0".into()),
        ..Default::default()
    };
    let err =
        stories::update(&f.store, &ada.id, &story.id, story.version, changes).await.unwrap_err();
    let fields: Vec<String> = err.to_view().fields.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["title", "description"]);
    let unchanged = stories::get(&f.store, &ada.id, &story.id).await.unwrap();
    assert_eq!((unchanged.title.as_str(), unchanged.version), ("T", story.version));
}
