//! Stages from evidence (issue 21), through the store: what GitHub shows on a project's default
//! branch moves it, with the evidence in its history and GitHub as the actor.

use crate::support::*;
use codemyspec_core::notices::{self, Claimer};
use codemyspec_core::stage_rules::{self, Checks, Evidence};
use codemyspec_core::{lifecycle, Stage, Trigger};

async fn at_stage(
    store: &codemyspec_core::Store,
    project_id: &codemyspec_core::ProjectId,
    stage: &str,
) {
    sqlx::query("UPDATE projects SET stage = ?, setup_status = 'ready' WHERE id = ?")
        .bind(stage)
        .bind(project_id)
        .execute(store.pool())
        .await
        .unwrap();
}

fn main_with(files: &[&str], checks: Checks, head: &str) -> Evidence {
    Evidence {
        branch: "main".into(),
        head: Some(head.into()),
        files: files.iter().map(|s| s.to_string()).collect(),
        checks,
        merged: vec![],
    }
}

#[tokio::test]
async fn implementation_md_committed_moves_initialized_to_designed_with_the_evidence_in_the_history(
) {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    at_stage(&f.store, &p.id, "initialized").await;

    let why = stage_rules::why(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(why.evidence, None, "nothing read from GitHub yet");
    assert_eq!(
        why.rules[0].missing,
        ["none of IMPLEMENTATION.md, docs/architecture on the default branch"]
    );

    let evidence = main_with(&["IMPLEMENTATION.md"], Checks::None, "9f8e7d6c5b4a");
    let moved = stage_rules::follow(&f.store, &p.id, &evidence).await.unwrap();
    assert_eq!(moved, [Stage::Designing, Stage::Designed]);

    let history = lifecycle::history(&f.store, &ada.id, &p.id).await.unwrap();
    let last: Vec<_> = history.iter().rev().take(2).rev().collect();
    assert_eq!((last[0].from_stage, last[0].to_stage), (Stage::Initialized, Stage::Designing));
    assert_eq!((last[1].from_stage, last[1].to_stage), (Stage::Designing, Stage::Designed));
    for t in &last {
        assert_eq!((t.trigger, t.actor_id), (Trigger::Sync, None));
        assert!(t.reason.contains("IMPLEMENTATION.md on main at 9f8e7d6"), "{}", t.reason);
    }
    let why = stage_rules::why(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(why.stage, Stage::Designed);
    assert_eq!(why.evidence, Some(evidence));
    assert_eq!(why.rules[0].missing, ["no branch matching feature/* merged into main"]);
}

#[tokio::test]
async fn checks_failing_on_an_active_project_raise_error_with_a_notice_and_passing_return_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    at_stage(&f.store, &p.id, "active").await;

    let failing = Checks::Failed { names: vec!["ci / test".into()] };
    let moved = stage_rules::follow(&f.store, &p.id, &main_with(&[], failing, "aaaa111")).await;
    assert_eq!(moved.unwrap(), [Stage::Error]);
    let shown = notices::claim(&f.store, Claimer::Worker).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (shown[0].kind.as_str(), shown[0].summary.as_str()),
        ("incident", "my_shop: checks are failing on GitHub")
    );
    assert!(
        shown[0].body.contains("checks failing on main at aaaa111: ci / test"),
        "{}",
        shown[0].body
    );

    let passing = Checks::Passed { names: vec!["ci / test".into()] };
    let moved = stage_rules::follow(&f.store, &p.id, &main_with(&[], passing, "bbbb222")).await;
    assert_eq!(moved.unwrap(), [Stage::Active]);
    let history = lifecycle::history(&f.store, &ada.id, &p.id).await.unwrap();
    let back = history.last().unwrap();
    assert_eq!(
        (back.from_stage, back.to_stage, back.trigger),
        (Stage::Error, Stage::Active, Trigger::Sync)
    );
    assert!(back.reason.contains("checks pass again on main at bbbb222"), "{}", back.reason);
}

#[tokio::test]
async fn a_persons_move_is_not_undone_by_evidence_that_already_held() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    at_stage(&f.store, &p.id, "active").await;
    let passing = main_with(&[], Checks::Passed { names: vec!["ci".into()] }, "cccc333");
    assert!(stage_rules::follow(&f.store, &p.id, &passing).await.unwrap().is_empty());

    // Ada raises the error herself: the same passing checks read again do not end it.
    lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Error, "prod is down").await.unwrap();
    assert!(stage_rules::follow(&f.store, &p.id, &passing).await.unwrap().is_empty());
    let passing_later = main_with(&[], Checks::Passed { names: vec!["ci".into()] }, "dddd444");
    assert!(stage_rules::follow(&f.store, &p.id, &passing_later).await.unwrap().is_empty());
    assert_eq!(
        codemyspec_core::projects::get(&f.store, &ada.id, &p.id).await.unwrap().stage,
        Stage::Error
    );
}

#[tokio::test]
async fn nothing_moves_while_a_setup_runs_and_the_next_read_catches_up() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    at_stage(&f.store, &p.id, "initialized").await;
    sqlx::query("UPDATE projects SET setup_status = 'compiling' WHERE id = ?")
        .bind(p.id)
        .execute(f.store.pool())
        .await
        .unwrap();
    let evidence = main_with(&["docs/architecture"], Checks::None, "eeee555");
    assert!(stage_rules::follow(&f.store, &p.id, &evidence).await.unwrap().is_empty());
    at_stage(&f.store, &p.id, "initialized").await;
    assert_eq!(
        stage_rules::follow(&f.store, &p.id, &evidence).await.unwrap(),
        [Stage::Designing, Stage::Designed]
    );
}
