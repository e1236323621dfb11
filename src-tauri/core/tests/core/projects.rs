use crate::support::*;
use codemyspec_core::access::user_has_access;
use codemyspec_core::projects::{
    self, Database, Framework, NewProject, ProjectChanges, ProjectRow, SetupStatus,
};
use codemyspec_core::{memberships, settings, Code, Role, Stage};

#[tokio::test]
async fn a_new_project_is_a_draft_with_setup_created_and_its_creator_as_owner() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = projects::create(
        &f.store,
        &ada.id,
        NewProject {
            name: "my_shop".into(),
            description: Some("A shop".into()),
            framework: Some(Framework::Elixir),
            code_repo: Some("https://github.com/acme/my_shop.git".into()),
            docs_repo: Some("https://github.com/acme/my_shop_docs".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(p.module_name, "MyShop");
    assert_eq!((p.stage, p.setup_status), (Stage::Draft, SetupStatus::Created));
    assert_eq!((p.framework, p.database), (Framework::Elixir, Database::Sqlite3));
    assert_eq!(p.code_repo.as_deref(), Some("https://github.com/acme/my_shop"));
    assert_eq!(p.owner_id, ada.id);
    assert!(!p.setup_complete && !p.executive_summary_approved);
    let summary = ProjectChanges {
        executive_summary: Some("Sell \"things\"\n".into()),
        executive_summary_approved: Some(true),
        ..Default::default()
    };
    let p = projects::update(&f.store, &ada.id, &p.id, summary).await.unwrap();
    assert_eq!(projects::list(&f.store, &ada.id).await.unwrap(), vec![p.clone()], "list == get");
    let members = memberships::list(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].user_id, members[0].role), (ada.id, Role::Owner));
}

#[tokio::test]
async fn another_accounts_project_is_invisible_and_untouchable() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let before = snapshot(&f.store).await;

    assert!(projects::list(&f.store, &eve.id).await.unwrap().is_empty());
    assert_eq!(projects::get(&f.store, &eve.id, &p.id).await.unwrap_err().code(), Code::NotFound);
    assert_eq!(
        projects::find(&f.store, &eve.id, "my_shop").await.unwrap_err().code(),
        Code::NotFound
    );
    let changes = ProjectChanges { description: Some("mine now".into()), ..Default::default() };
    let err = projects::update(&f.store, &eve.id, &p.id, changes).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(
        projects::delete(&f.store, &eve.id, &p.id).await.unwrap_err().code(),
        Code::NotFound
    );
    let err = memberships::add(&f.store, &eve.id, &p.id, &eve.id, Role::Admin).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(!user_has_access(&f.store, &eve.id, &p.id).await.unwrap());
    assert!(user_has_access(&f.store, &ada.id, &p.id).await.unwrap());
    assert_eq!(snapshot(&f.store).await, before, "nothing changed");
}

#[tokio::test]
async fn members_see_the_project_and_roles_limit_what_they_do() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let bob = account(&f.store, "bob@example.com").await;
    let vic = account(&f.store, "vic@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    memberships::add(&f.store, &ada.id, &p.id, &bob.id, Role::Member).await.unwrap();
    memberships::add(&f.store, &ada.id, &p.id, &vic.id, Role::Viewer).await.unwrap();

    assert_eq!(projects::list(&f.store, &bob.id).await.unwrap()[0].id, p.id);
    assert_eq!(projects::get(&f.store, &vic.id, &p.id).await.unwrap().id, p.id);
    let changes = ProjectChanges { description: Some("x".into()), ..Default::default() };
    let err = projects::update(&f.store, &bob.id, &p.id, changes).await.unwrap_err();
    assert_eq!(err.code(), Code::Forbidden, "a member does not manage settings");
    let err = projects::delete(&f.store, &bob.id, &p.id).await.unwrap_err();
    assert_eq!(err.code(), Code::Forbidden);
    let err = memberships::add(&f.store, &ada.id, &p.id, &bob.id, Role::Admin).await.unwrap_err();
    assert_eq!(err.code(), Code::Conflict, "already a member");
    let err = memberships::add(&f.store, &ada.id, &p.id, &vic.id, Role::Owner).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("role")));
    let err = memberships::remove(&f.store, &ada.id, &p.id, &ada.id).await.unwrap_err();
    assert_eq!(err.code(), Code::Forbidden, "the owner stays");

    memberships::remove(&f.store, &ada.id, &p.id, &bob.id).await.unwrap();
    assert_eq!(projects::get(&f.store, &bob.id, &p.id).await.unwrap_err().code(), Code::NotFound);
    let members = memberships::list(&f.store, &vic.id, &p.id).await.unwrap();
    let emails: Vec<&str> = members.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(emails, ["ada@example.com", "vic@example.com"]);
}

#[tokio::test]
async fn projects_are_listed_by_name_and_found_by_name_or_id() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    for name in ["zeta", "alpha", "mid"] {
        project(&f.store, &ada, name).await;
    }
    let names: Vec<String> =
        projects::list(&f.store, &ada.id).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
    let mid = projects::find(&f.store, &ada.id, "mid").await.unwrap();
    assert_eq!(projects::find(&f.store, &ada.id, &mid.id.to_string()).await.unwrap(), mid);
    let err = projects::create(
        &f.store,
        &ada.id,
        NewProject { name: "mid".into(), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("name")));
}

#[tokio::test]
async fn updates_validate_and_editing_the_summary_clears_its_approval() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let summary = ProjectChanges {
        executive_summary: Some("Sell things".into()),
        executive_summary_approved: Some(true),
        ..Default::default()
    };
    let p = projects::update(&f.store, &ada.id, &p.id, summary).await.unwrap();
    assert!(p.executive_summary_approved);
    let edit =
        ProjectChanges { executive_summary: Some("Sell more things".into()), ..Default::default() };
    let p = projects::update(&f.store, &ada.id, &p.id, edit).await.unwrap();
    assert!(!p.executive_summary_approved);

    let renamed = ProjectChanges {
        name: Some("big_shop".into()),
        code_repo: Some("https://github.com/acme/big_shop".into()),
        ..Default::default()
    };
    let p = projects::update(&f.store, &ada.id, &p.id, renamed).await.unwrap();
    assert_eq!((p.name.as_str(), p.module_name.as_str()), ("big_shop", "BigShop"));
    let clear = ProjectChanges { code_repo: Some(String::new()), ..Default::default() };
    assert_eq!(projects::update(&f.store, &ada.id, &p.id, clear).await.unwrap().code_repo, None);
}

#[tokio::test]
async fn what_the_setup_generates_from_is_fixed_once_a_setup_ran() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    sqlx::query("UPDATE projects SET setup_status = 'compiling' WHERE id = ?")
        .bind(p.id)
        .execute(f.store.pool())
        .await
        .unwrap();
    let rename = ProjectChanges { name: Some("other".into()), ..Default::default() };
    let err = projects::update(&f.store, &ada.id, &p.id, rename).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("name")));
    assert!(err.to_string().contains("while a setup is running"), "{err}");
    let describe = ProjectChanges { description: Some("fine".into()), ..Default::default() };
    projects::update(&f.store, &ada.id, &p.id, describe).await.unwrap();
    let err = projects::delete(&f.store, &ada.id, &p.id).await.unwrap_err();
    assert_eq!(err.code(), Code::Conflict, "no delete under a running setup");
}

#[tokio::test]
async fn deleting_a_project_removes_everything_in_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let before = snapshot(&f.store).await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = codemyspec_core::stories::create(
        &f.store,
        &ada.id,
        &p.id,
        codemyspec_core::stories::NewStory { title: "Buy".into(), ..Default::default() },
    )
    .await
    .unwrap();
    projects::delete(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(
        codemyspec_core::stories::get(&f.store, &ada.id, &s.id).await.unwrap_err().code(),
        Code::NotFound
    );
    let after = snapshot(&f.store).await;
    assert_eq!(after, before, "only the deleted project's rows differed");
    let left = projects::removed_after(&f.store, &ada.id, 0).await.unwrap();
    assert_eq!(left.projects, vec![p.id], "what is left behind: the note that it left the list");
}

#[tokio::test]
async fn a_project_deleted_or_left_in_another_process_is_named_once_to_each_member_who_lost_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let blog = project(&f.store, &ada, "blog").await;
    for p in [&shop, &blog] {
        memberships::add(&f.store, &ada.id, &p.id, &eve.id, Role::Member).await.unwrap();
    }
    let start = projects::removed_after(&f.store, &ada.id, i64::MAX).await.unwrap();
    assert_eq!((start.projects.len(), start.missed), (0, false));

    // The CLI, say: another connection pool on the same file.
    let other = codemyspec_core::Store::open(f.dir.path()).await.unwrap();
    projects::delete(&other, &ada.id, &shop.id).await.unwrap();
    memberships::remove(&other, &ada.id, &blog.id, &eve.id).await.unwrap();

    let ada_lost = projects::removed_after(&f.store, &ada.id, start.newest).await.unwrap();
    assert_eq!(ada_lost.projects, vec![shop.id], "ada still has the blog");
    let eve_lost = projects::removed_after(&f.store, &eve.id, start.newest).await.unwrap();
    assert_eq!(eve_lost.projects, vec![shop.id, blog.id], "oldest removal first");
    assert!(!eve_lost.missed && eve_lost.newest > start.newest);
    let again = projects::removed_after(&f.store, &eve.id, eve_lost.newest).await.unwrap();
    assert_eq!((again.projects.len(), again.newest), (0, eve_lost.newest), "nothing new");
    assert_eq!(projects::newest_removal(&other).await.unwrap(), eve_lost.newest);

    memberships::add(&other, &ada.id, &blog.id, &eve.id, Role::Viewer).await.unwrap();
    let back = projects::removed_after(&f.store, &eve.id, start.newest).await.unwrap();
    assert_eq!(back.projects, vec![shop.id], "a project eve belongs to again did not leave");
}

#[tokio::test]
async fn a_reader_more_than_ten_thousand_removals_behind_is_told_it_missed_some() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let start = projects::removed_after(&f.store, &eve.id, i64::MAX).await.unwrap();
    let mut tx = f.store.pool().begin().await.unwrap();
    for i in 0..10_001 {
        sqlx::query(
            "INSERT INTO project_memberships (id, project_id, user_id, role, inserted_at, updated_at) \
             VALUES (?, ?, ?, 'member', '2026-01-01', '2026-01-01')",
        )
        .bind(format!("m{i}"))
        .bind(shop.id)
        .bind(eve.id)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("DELETE FROM project_memberships WHERE user_id = ?")
            .bind(eve.id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM membership_removals")
        .fetch_one(f.store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 10_000, "only the newest are kept");
    let late = projects::removed_after(&f.store, &eve.id, start.newest).await.unwrap();
    assert!(late.missed, "the first removal after start is gone: reload");
    assert_eq!(late.projects, vec![shop.id]);
    let recent = projects::removed_after(&f.store, &eve.id, late.newest - 5).await.unwrap();
    assert!(!recent.missed, "the last five are all kept");
}

#[tokio::test]
async fn repo_urls_follow_the_configured_github_host() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    settings::set(&f.store, settings::Setting::GithubHost, "ghe.acme.dev").await.unwrap();
    let on_ghe = NewProject {
        name: "on_ghe".into(),
        code_repo: Some("https://ghe.acme.dev/team/on_ghe".into()),
        ..Default::default()
    };
    projects::create(&f.store, &ada.id, on_ghe).await.unwrap();
    let on_github = NewProject {
        name: "on_github".into(),
        code_repo: Some("https://github.com/team/on_github".into()),
        ..Default::default()
    };
    let err = projects::create(&f.store, &ada.id, on_github).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("code_repo")));
    let err = settings::Setting::parse("key", "colour").unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("key")));
}

#[tokio::test]
async fn unknown_is_a_discovered_projects_framework_never_a_persons_choice() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let new = NewProject {
        name: "guess".into(),
        framework: Some(Framework::Unknown),
        ..Default::default()
    };
    let err = projects::create(&f.store, &ada.id, new).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("framework")), "{err}");
    let p = project(&f.store, &ada, "shop").await;
    let changes =
        projects::ProjectChanges { framework: Some(Framework::Unknown), ..Default::default() };
    let err = projects::update(&f.store, &ada.id, &p.id, changes).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("framework")), "{err}");
    assert!(format!("{err:?}").contains("choose phoenix or elixir"), "{err:?}");
    assert_eq!(projects::get(&f.store, &ada.id, &p.id).await.unwrap().framework, p.framework);
}

#[test]
fn a_mix_exs_with_a_phoenix_dependency_is_phoenix_and_any_other_is_elixir() {
    let phoenix = "defp deps do\n  [\n    {:phoenix, \"~> 1.7.14\"},\n    {:ecto_sql, \"~> 3.10\"}\n  ]\nend\n";
    let commented =
        "defp deps do\n  [\n    # {:phoenix, \"~> 1.7\"},\n    {:jason, \"~> 1.2\"}\n  ]\nend\n";
    let html_only = "defp deps do\n  [{:phoenix_html, \"~> 4.0\"}]\nend\n";
    assert_eq!(Framework::of_mix_exs(phoenix), Framework::Phoenix);
    assert_eq!(Framework::of_mix_exs(commented), Framework::Elixir);
    assert_eq!(Framework::of_mix_exs(html_only), Framework::Elixir);
    assert_eq!(Framework::of_mix_exs(""), Framework::Elixir);
}

/// The list reads each project as an array in the order of `Project`'s fields (issue 22): a
/// field read in another's place would show here. Two projects between them give every pair
/// of flags different values.
#[tokio::test]
async fn the_project_list_and_its_rows_show_each_project_as_opening_it_does() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    for (name, id, flags) in [("shop", 11, (1, 0, 1, 0)), ("blog", 33, (1, 1, 0, 0))] {
        let p = project(&f.store, &ada, name).await;
        sqlx::query(
            "UPDATE projects SET description = 'the ' || name, \
             code_repo = 'https://github.com/acme/' || name, \
             docs_repo = 'https://github.com/acme/' || name || '-docs', github_repo_id = ?, \
             docs_repo_id = ? + 1, github_repo_name = name || '-gh', stage = 'missing', \
             setup_status = 'failed', setup_error = 'no ' || name, \
             executive_summary = 'sells \"' || name || '\"', executive_summary_approved = ?, \
             setup_complete = ?, context_mapping_approved = ?, public_repos = ?, \
             local_path = '/work/' || name, inserted_at = '2026-01-01T00:00:00Z', \
             updated_at = '2026-02-02T00:00:00Z' WHERE id = ?",
        )
        .bind(id)
        .bind(id)
        .bind(flags.0)
        .bind(flags.1)
        .bind(flags.2)
        .bind(flags.3)
        .bind(p.id)
        .execute(f.store.pool())
        .await
        .unwrap();
    }
    let listed = projects::list(&f.store, &ada.id).await.unwrap();
    let mut opened = Vec::new();
    for p in &listed {
        opened.push(projects::get(&f.store, &ada.id, &p.id).await.unwrap());
    }
    assert_eq!(listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["blog", "shop"]);
    assert_eq!(listed, opened);
    let rows = projects::list_rows(&f.store, &ada.id).await.unwrap();
    assert_eq!(
        rows,
        opened.iter().map(ProjectRow::from).collect::<Vec<_>>(),
        "same order, same fields"
    );
}
