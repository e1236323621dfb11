//! The project lifecycle (docs/DESIGN.md: State machines): a forward chain from `draft`
//! to `active`, a maintenance loop, and three detours — `error`, `archived`, `missing` —
//! that each return to the stage they were entered from. Every move is checked against the
//! table below and recorded in `stage_transitions`.

use crate::access::{self, Need};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::projects::{self, Project};
pub use crate::stage::Stage;
use crate::store::{new_id, Store};
use crate::text_enum::text_enum;
use crate::validate;
use serde::Serialize;
use sqlx::SqliteConnection;

text_enum! {
    /// Who moves a project: a person, the setup pipeline, or the org sync.
    pub enum Trigger ("trigger") {
        User = "user",
        Setup = "setup",
        Sync = "sync",
    }
}

use Stage::*;

/// The forward chain; each stage moves to the next one by a person's hand, except the moves
/// into and out of `provisioning`, which belong to the setup pipeline.
const CHAIN: &[Stage] = &[
    Draft,
    Estimated,
    Provisioning,
    Initialized,
    Designing,
    Designed,
    Implementing,
    Implemented,
    Verifying,
    Verified,
    Deploying,
    Active,
];

/// The part of [`CHAIN`] whose code is on GitHub, from [`Stage::Initialized`] on: what the
/// evidence on GitHub may walk too ([`crate::stage_rules`]).
pub(crate) fn with_code() -> &'static [Stage] {
    let first = CHAIN.iter().position(|s| *s == Initialized).unwrap_or(CHAIN.len());
    &CHAIN[first..]
}

/// Stages where work is under way, which can fail into `error`.
const IN_FLIGHT: &[Stage] =
    &[Provisioning, Designing, Implementing, Verifying, Deploying, Maintenance, Active];

/// Stages whose repository exists on GitHub, so that its disappearance is an incident.
const MATERIALISED: &[Stage] = &[
    Initialized,
    Designing,
    Designed,
    Implementing,
    Implemented,
    Verifying,
    Verified,
    Deploying,
    Active,
    Maintenance,
    Error,
];

/// Detours remember the stage they were entered from and return to it.
pub fn is_detour(stage: Stage) -> bool {
    matches!(stage, Error | Archived | Missing)
}

/// One allowed move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Move {
    pub to: Stage,
    pub trigger: Trigger,
}

/// Every move out of `from`. `returns` is the detour stack (newest last): leaving a detour
/// goes back to its top.
pub fn moves(from: Stage, returns: &[Stage]) -> Vec<Move> {
    let mut out = Vec::new();
    let mut add = |to: Stage, trigger: Trigger| out.push(Move { to, trigger });
    if let Some(i) = CHAIN.iter().position(|s| *s == from) {
        if let Some(&next) = CHAIN.get(i + 1) {
            let by = if matches!(next, Provisioning) || from == Provisioning {
                Trigger::Setup
            } else {
                Trigger::User
            };
            add(next, by);
            // What GitHub shows moves a project forward too, from the first stage with code
            // on GitHub (crate::stage_rules), one legal move at a time.
            if by == Trigger::User && with_code().contains(&from) {
                add(next, Trigger::Sync);
            }
        }
    }
    match from {
        Draft => add(Provisioning, Trigger::Setup),
        Active => add(Maintenance, Trigger::User),
        Maintenance => add(Designing, Trigger::User),
        // A discovered project is brought onto a machine by setting it up (its code cloned):
        // a stage that says code exists here is reached only when it does.
        Discovered => add(Provisioning, Trigger::Setup),
        _ => {}
    }
    if IN_FLIGHT.contains(&from) {
        add(Error, Trigger::User);
        // A failing check on the default branch (crate::stage_rules).
        if from != Provisioning {
            add(Error, Trigger::Sync);
        }
        if from == Provisioning {
            add(Error, Trigger::Setup);
        }
    }
    if is_detour(from) {
        if let Some(&back) = returns.last() {
            // A failed setup goes back to provisioning only by being set up again (or
            // retried): by hand, nothing would run there.
            let by = match (from, back) {
                (Missing, _) => Trigger::Sync,
                (Error, Provisioning) => Trigger::Setup,
                _ => Trigger::User,
            };
            add(back, by);
            // A failing check's error ends when the checks pass again (crate::stage_rules).
            if (from, by) == (Error, Trigger::User) {
                add(back, Trigger::Sync);
            }
        }
    }
    if from != Archived {
        add(Archived, Trigger::User);
    }
    if MATERIALISED.contains(&from) {
        add(Missing, Trigger::Sync);
    }
    out
}

/// Checks a move; the error names the moves this trigger may make instead.
pub fn check(from: Stage, to: Stage, trigger: Trigger, returns: &[Stage]) -> Result<()> {
    let all = moves(from, returns);
    if all.iter().any(|m| m.to == to && m.trigger == trigger) {
        return Ok(());
    }
    let allowed: Vec<Stage> = all.iter().filter(|m| m.trigger == trigger).map(|m| m.to).collect();
    let by_other = all.iter().find(|m| m.to == to).map(|m| m.trigger);
    let why = match by_other {
        Some(t) => format!("only the {} can move a project from {from} to {to}", trigger_name(t)),
        None => format!("a project cannot move from {from} to {to}"),
    };
    let list = if allowed.is_empty() {
        "none".to_owned()
    } else {
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    };
    Err(Error::IllegalTransition {
        message: format!("{why}; allowed from {from}: {list}"),
        allowed,
    })
}

fn trigger_name(t: Trigger) -> &'static str {
    match t {
        Trigger::User => "user",
        Trigger::Setup => "setup pipeline",
        Trigger::Sync => "GitHub sync",
    }
}

pub(crate) fn parse_returns(text: &str) -> Vec<Stage> {
    text.split(',').filter_map(Stage::from_text).collect()
}

fn format_returns(stack: &[Stage]) -> String {
    stack.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// An audit row: one stage move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageTransition {
    pub id: String,
    pub project_id: ProjectId,
    pub from_stage: Stage,
    pub to_stage: Stage,
    pub reason: String,
    pub trigger: Trigger,
    pub actor_id: Option<AccountId>,
    pub inserted_at: String,
}

/// The moves a person can make now, for buttons in the UI.
pub async fn allowed_transitions(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<Move>> {
    let project = projects::get(store, actor, project_id).await?;
    let returns = stage_returns(store.pool(), &project.id).await?;
    Ok(moves(project.stage, &returns).into_iter().filter(|m| m.trigger == Trigger::User).collect())
}

/// A person moves a project to another stage.
pub async fn transition(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    to: Stage,
    reason: &str,
) -> Result<Project> {
    let reason = validate::required_line("reason", reason, 500)?;
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Write).await?;
    let status = projects::fetch_any(&mut *tx, project_id).await?.setup_status;
    if status.is_running() {
        return Err(Error::conflict(
            Some("stage"),
            format!(
                "a setup is running for this project ({status}); cancel it first, or wait for it to end"
            ),
        ));
    }
    apply(&mut tx, store, project_id, to, &reason, Trigger::User, Some(actor)).await?;
    tx.commit().await?;
    projects::get(store, actor, project_id).await
}

/// Applies a checked move inside the caller's transaction and records it. Used by
/// [`transition`] and by the setup pipeline and org sync with their own triggers.
pub(crate) async fn apply(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    to: Stage,
    reason: &str,
    trigger: Trigger,
    actor: Option<&AccountId>,
) -> Result<()> {
    let (from, returns_text): (Stage, String) =
        sqlx::query_as("SELECT stage, stage_return FROM projects WHERE id = ?")
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(Error::not_found("project"))?;
    let mut returns = parse_returns(&returns_text);
    check(from, to, trigger, &returns)?;
    if is_detour(from) && returns.last() == Some(&to) {
        returns.pop();
    } else if is_detour(to) {
        returns.push(from);
    }
    sqlx::query("UPDATE projects SET stage = ?, stage_return = ?, updated_at = ? WHERE id = ?")
        .bind(to)
        .bind(format_returns(&returns))
        .bind(store.now())
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    record(conn, store, project_id, (from, to), reason, trigger, actor).await
}

/// A line in the project's history that is not a stage move (the org sync followed a
/// rename, say): from and to are the stage it is in.
pub(crate) async fn note(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    reason: &str,
    trigger: Trigger,
) -> Result<()> {
    let stage: Stage = sqlx::query_scalar("SELECT stage FROM projects WHERE id = ?")
        .bind(project_id)
        .fetch_one(&mut *conn)
        .await?;
    record(conn, store, project_id, (stage, stage), reason, trigger, None).await
}

async fn record(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    (from, to): (Stage, Stage),
    reason: &str,
    trigger: Trigger,
    actor: Option<&AccountId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stage_transitions \
         (id, project_id, from_stage, to_stage, reason, trigger, actor_id, inserted_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(project_id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(trigger)
    .bind(actor)
    .bind(store.now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The audit trail of a project, oldest first.
pub async fn history(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<StageTransition>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    Ok(sqlx::query_as(
        "SELECT id, project_id, from_stage, to_stage, reason, trigger, actor_id, inserted_at \
         FROM stage_transitions WHERE project_id = ? ORDER BY inserted_at, rowid",
    )
    .bind(project_id)
    .fetch_all(store.pool())
    .await?)
}

pub(crate) async fn stage_returns<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    project_id: &ProjectId,
) -> Result<Vec<Stage>> {
    let text: String = sqlx::query_scalar("SELECT stage_return FROM projects WHERE id = ?")
        .bind(project_id)
        .fetch_one(exec)
        .await?;
    Ok(parse_returns(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_moves(from: Stage, returns: &[Stage]) -> Vec<Stage> {
        moves(from, returns)
            .into_iter()
            .filter(|m| m.trigger == Trigger::User)
            .map(|m| m.to)
            .collect()
    }

    #[test]
    fn the_chain_moves_forward_one_stage_at_a_time() {
        assert_eq!(user_moves(Draft, &[]), vec![Estimated, Archived]);
        assert_eq!(user_moves(Designing, &[]), vec![Designed, Error, Archived]);
        assert_eq!(user_moves(Deploying, &[]), vec![Active, Error, Archived]);
        assert!(check(Designing, Active, Trigger::User, &[]).is_err());
        assert!(check(Verified, Designing, Trigger::User, &[]).is_err());
    }

    #[test]
    fn provisioning_belongs_to_the_setup_pipeline() {
        assert!(check(Draft, Provisioning, Trigger::Setup, &[]).is_ok());
        assert!(check(Estimated, Provisioning, Trigger::Setup, &[]).is_ok());
        assert!(check(Provisioning, Initialized, Trigger::Setup, &[]).is_ok());
        assert!(check(Provisioning, Error, Trigger::Setup, &[]).is_ok());
        let err = check(Estimated, Provisioning, Trigger::User, &[]).unwrap_err();
        assert_eq!(err.code(), crate::Code::Conflict);
        assert!(err.to_string().contains("only the setup pipeline"), "{err}");
    }

    #[test]
    fn maintenance_loops_back_to_designing() {
        assert!(user_moves(Active, &[]).contains(&Maintenance));
        assert!(user_moves(Maintenance, &[]).contains(&Designing));
    }

    #[test]
    fn detours_return_where_they_came_from() {
        assert_eq!(user_moves(Error, &[Implementing]), vec![Implementing, Archived]);
        assert_eq!(user_moves(Archived, &[Draft]), vec![Draft]);
        assert_eq!(user_moves(Archived, &[Implementing, Error]), vec![Error]);
        assert!(check(Missing, Active, Trigger::Sync, &[Active]).is_ok());
        assert!(check(Missing, Active, Trigger::User, &[Active]).is_err());
    }

    #[test]
    fn only_sync_marks_a_materialised_project_missing() {
        assert!(check(Initialized, Missing, Trigger::Sync, &[]).is_ok());
        assert!(check(Active, Missing, Trigger::Sync, &[]).is_ok());
        assert!(check(Draft, Missing, Trigger::Sync, &[]).is_err());
        assert!(check(Provisioning, Missing, Trigger::Sync, &[]).is_err());
        assert!(check(Active, Missing, Trigger::User, &[]).is_err());
    }

    #[test]
    fn a_discovered_project_reaches_initialized_only_through_its_setup() {
        assert_eq!(user_moves(Discovered, &[]), vec![Archived]);
        assert!(check(Discovered, Initialized, Trigger::User, &[]).is_err());
        assert!(check(Discovered, Provisioning, Trigger::Setup, &[]).is_ok());
    }

    #[test]
    fn an_illegal_move_names_the_allowed_ones() {
        let err = check(Designing, Active, Trigger::User, &[]).unwrap_err();
        match &err {
            Error::IllegalTransition { allowed, .. } => {
                assert_eq!(allowed, &[Designed, Stage::Error, Archived])
            }
            other => panic!("expected IllegalTransition, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "a project cannot move from designing to active; \
             allowed from designing: designed, error, archived"
        );
    }

    #[test]
    fn every_stage_can_be_archived_and_every_detour_left() {
        for &stage in Stage::ALL {
            if stage != Archived {
                assert!(check(stage, Archived, Trigger::User, &[]).is_ok(), "{stage}");
            }
            if is_detour(stage) {
                assert!(!moves(stage, &[Draft]).iter().all(|m| m.to == Archived), "{stage}");
            }
        }
    }
}
