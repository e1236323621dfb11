//! Stages from evidence (issue 21): the rules that move a project forward from what GitHub
//! shows on its default branch, and the incident a failing check raises. The rules are data
//! beside the recipes, one file per framework (`recipes/<framework>.stages.toml`, built in for
//! phoenix and elixir; a file of that name in the data dir's `recipes/` replaces it).
//!
//! [`plan`] and [`explain`] are pure: the evidence in, the moves (or what is missing) out.
//! [`follow`] keeps the evidence and makes the moves in one transaction, each a legal move
//! of the lifecycle by the GitHub trigger, recorded with the evidence that made it.

use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::Framework;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::path::Path;

const BUILT_IN: &[(&str, &str)] = &[
    ("phoenix", include_str!("../recipes/phoenix.stages.toml")),
    ("elixir", include_str!("../recipes/elixir.stages.toml")),
];

/// One framework's rules, in stage order.
#[derive(Debug, Clone)]
pub struct Rules {
    pub rules: Vec<Rule>,
    /// Stages in which a failing check raises the `error` detour.
    pub checks_fail_in: Vec<Stage>,
}

/// A stage and the evidence that reaches it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub stage: Stage,
    pub any_file: Vec<String>,
    pub merged: Option<glob::Pattern>,
    pub checks_passed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesText {
    #[serde(default)]
    rules: Vec<RuleText>,
    #[serde(default)]
    incident: IncidentText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    stage: Stage,
    when: WhenText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenText {
    #[serde(default)]
    any_file: Vec<String>,
    merged: Option<String>,
    checks: Option<ChecksWanted>,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum ChecksWanted {
    Passed,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct IncidentText {
    #[serde(default)]
    checks_fail_in: Vec<Stage>,
}

/// Reads a rules file; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Rules> {
    let bad = |why: String| Error::invalid("stage_rules", format!("{source}: {why}"));
    let parsed: RulesText = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let mut rules = Vec::new();
    for rule in parsed.rules {
        let Some(at) = lifecycle::with_code().iter().position(|s| *s == rule.stage) else {
            return Err(bad(format!("{} is not a stage evidence can reach", rule.stage)));
        };
        if rules.last().is_some_and(|r: &Rule| rank(r.stage) >= Some(at)) {
            return Err(bad(format!("the rule for {} is out of stage order", rule.stage)));
        }
        let when = rule.when;
        if when.any_file.is_empty() && when.merged.is_none() && when.checks.is_none() {
            return Err(bad(format!("the rule for {} names no evidence", rule.stage)));
        }
        let merged = when
            .merged
            .map(|glob| glob::Pattern::new(&glob).map_err(|e| bad(format!("merged {glob:?}: {e}"))))
            .transpose()?;
        rules.push(Rule {
            stage: rule.stage,
            any_file: when.any_file,
            merged,
            checks_passed: when.checks == Some(ChecksWanted::Passed),
        });
    }
    Ok(Rules { rules, checks_fail_in: parsed.incident.checks_fail_in })
}

/// The rules for a framework: `data_dir/recipes/<framework>.stages.toml` if there is one, else
/// the built-in; a project of unknown framework (discovered) follows the Elixir rules.
pub fn for_framework(data_dir: &Path, framework: Framework) -> Result<Rules> {
    let name = match framework {
        Framework::Unknown => "elixir",
        other => other.as_str(),
    };
    let file = data_dir.join("recipes").join(format!("{name}.stages.toml"));
    if file.is_file() {
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            context: format!("cannot read {}", file.display()),
            source,
        })?;
        return parse(&text, &file.display().to_string());
    }
    let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).unwrap_or(&BUILT_IN[1]);
    parse(text, "built-in")
}

fn rank(stage: Stage) -> Option<usize> {
    lifecycle::with_code().iter().position(|s| *s == stage)
}

/// What GitHub last showed about a project's default branch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    /// The default branch's name.
    pub branch: String,
    /// Its head commit (short sha is shown; the full one is kept).
    pub head: Option<String>,
    /// Which of the paths the rules name exist on the default branch.
    pub files: Vec<String>,
    pub checks: Checks,
    /// Branches known to have been merged into the default branch.
    pub merged: Vec<String>,
}

/// The checks on the default branch's head: commit statuses and check runs together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Checks {
    /// Not read yet, or the head has none.
    #[default]
    None,
    /// Some are still queued or running.
    Pending,
    /// Every one passed (or was skipped or neutral).
    Passed { names: Vec<String> },
    /// These failed (or were cancelled or timed out).
    Failed { names: Vec<String> },
}

impl Evidence {
    fn at(&self) -> String {
        let branch = self.branch();
        match &self.head {
            Some(sha) => format!("{branch} at {}", &sha[..sha.len().min(7)]),
            None => branch.to_owned(),
        }
    }

    /// The branch's name, or what it is before anything was read.
    fn branch(&self) -> &str {
        if self.branch.is_empty() {
            "the default branch"
        } else {
            &self.branch
        }
    }
}

/// Whether a rule holds, with what showed it or what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RuleStatus {
    pub stage: Stage,
    pub holds: bool,
    /// The evidence that holds ("IMPLEMENTATION.md on main at 1a2b3c4").
    pub shown: Vec<String>,
    /// What is still missing ("none of IMPLEMENTATION.md, docs/architecture on main").
    pub missing: Vec<String>,
}

/// Checks one rule against the evidence.
pub fn status(rule: &Rule, evidence: &Evidence) -> RuleStatus {
    let (mut shown, mut missing) = (Vec::new(), Vec::new());
    let at = evidence.at();
    if !rule.any_file.is_empty() {
        match rule.any_file.iter().find(|f| evidence.files.contains(f)) {
            Some(file) => shown.push(format!("{file} on {at}")),
            None => missing.push(format!("none of {} on {at}", rule.any_file.join(", "))),
        }
    }
    if let Some(pattern) = &rule.merged {
        match evidence.merged.iter().find(|b| pattern.matches(b)) {
            Some(branch) => shown.push(format!("{branch} merged into {}", evidence.branch())),
            None => missing
                .push(format!("no branch matching {pattern} merged into {}", evidence.branch)),
        }
    }
    if rule.checks_passed {
        match &evidence.checks {
            Checks::Passed { names } => {
                shown.push(format!("checks passed on {at} ({})", names.join(", ")))
            }
            Checks::Failed { names } => {
                missing.push(format!("checks failing on {at}: {}", names.join(", ")))
            }
            Checks::Pending => missing.push(format!("checks still running on {at}")),
            Checks::None => missing.push(format!("no checks on {at}")),
        }
    }
    RuleStatus { stage: rule.stage, holds: missing.is_empty(), shown, missing }
}

/// For `codemyspec stage why`: each rule ahead of `stage`, in order, and whether it holds.
pub fn explain(stage: Stage, rules: &Rules, evidence: &Evidence) -> Vec<RuleStatus> {
    let Some(now) = rank(stage) else { return Vec::new() };
    rules.rules.iter().filter(|r| rank(r.stage) > Some(now)).map(|r| status(r, evidence)).collect()
}

/// One move the evidence makes, with the history line that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub to: Stage,
    pub reason: String,
}

/// The moves the evidence makes from `stage`: the `error` detour for a failing check (and the
/// way back when GitHub raised it and the checks pass again), else forward along the chain to
/// the furthest stage whose rule holds with every rule before it, one move at a time.
/// `raised_by_github` says whether the project's current `error` was raised by a check.
pub fn plan(
    stage: Stage,
    returns: &[Stage],
    raised_by_github: bool,
    rules: &Rules,
    evidence: &Evidence,
) -> Vec<Hop> {
    let at = evidence.at();
    match (&evidence.checks, stage) {
        (Checks::Failed { names }, s) if rules.checks_fail_in.contains(&s) => {
            return vec![Hop {
                to: Stage::Error,
                reason: format!("GitHub: checks failing on {at}: {}", names.join(", ")),
            }]
        }
        (Checks::Passed { .. }, Stage::Error) if raised_by_github => {
            return match returns.last() {
                Some(&back) => {
                    vec![Hop { to: back, reason: format!("GitHub: checks pass again on {at}") }]
                }
                None => Vec::new(),
            }
        }
        _ => {}
    }
    let Some(now) = rank(stage) else { return Vec::new() };
    let mut target = None;
    for rule in rules.rules.iter().filter(|r| rank(r.stage) > Some(now)) {
        let status = status(rule, evidence);
        if !status.holds {
            break;
        }
        target = Some((rule.stage, status.shown.join("; ")));
    }
    let Some((target, shown)) = target else { return Vec::new() };
    let to = rank(target).unwrap_or(now);
    lifecycle::with_code()[now + 1..=to]
        .iter()
        .map(|&s| Hop { to: s, reason: format!("GitHub: {shown} (rule for {target})") })
        .collect()
}

/// The evidence last kept for a project, if any.
pub async fn evidence(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Option<Evidence>> {
    crate::access::require(store.pool(), actor, project_id, crate::access::Need::Read).await?;
    kept(store.pool(), project_id).await?.map(|text| read_kept(&text)).transpose()
}

/// The kept evidence's JSON text, as stored.
pub(crate) async fn kept<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    project_id: &ProjectId,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT evidence FROM stage_evidence WHERE project_id = ?")
        .bind(project_id)
        .fetch_optional(exec)
        .await?)
}

/// Reads kept evidence back.
pub(crate) fn read_kept(text: &str) -> Result<Evidence> {
    serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("cannot read the stage evidence: {e}")))
}

/// What `codemyspec stage why` shows: the stage, the evidence last read and every rule ahead.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Why {
    pub stage: Stage,
    pub evidence: Option<Evidence>,
    pub rules: Vec<RuleStatus>,
}

/// Which rule would move the project next and what evidence is missing.
pub async fn why(store: &Store, actor: &AccountId, project_id: &ProjectId) -> Result<Why> {
    let project = crate::projects::get(store, actor, project_id).await?;
    let rules = for_framework(store.data_dir(), project.framework)?;
    let evidence = evidence(store, actor, &project.id).await?;
    let statuses = explain(project.stage, &rules, &evidence.clone().unwrap_or_default());
    Ok(Why { stage: project.stage, evidence, rules: statuses })
}

/// Keeps what GitHub showed about a project's default branch and makes the moves it calls
/// for, in one transaction; returns the stages moved through.
///
/// Only a change moves anything: evidence equal to what was kept last time makes no move, so
/// a person's own move (back into `designing` from maintenance, say) is not undone by a rule
/// that already held; the next push or check result is what counts. Nothing is kept or moved
/// while a setup runs (the pipeline owns the stage then); the next read catches up.
pub async fn follow(
    store: &Store,
    project_id: &ProjectId,
    evidence: &Evidence,
) -> Result<Vec<Stage>> {
    let text = serde_json::to_string(evidence)
        .map_err(|e| Error::Internal(format!("cannot write the stage evidence: {e}")))?;
    let mut tx = store.write().await?;
    let project = crate::projects::fetch_any(&mut *tx, project_id).await?;
    if project.setup_status.is_running() {
        return Ok(Vec::new());
    }
    if kept(&mut *tx, project_id).await?.as_deref() == Some(text.as_str()) {
        return Ok(Vec::new());
    }
    sqlx::query(
        "INSERT INTO stage_evidence (project_id, evidence, read_at) VALUES (?, ?, ?) \
         ON CONFLICT (project_id) DO UPDATE SET evidence = excluded.evidence, \
         read_at = excluded.read_at",
    )
    .bind(project_id)
    .bind(&text)
    .bind(store.now())
    .execute(&mut *tx)
    .await?;
    let rules = for_framework(store.data_dir(), project.framework)?;
    let returns = lifecycle::stage_returns(&mut *tx, project_id).await?;
    let raised = raised_by_github(&mut tx, project_id).await?;
    let mut moved = Vec::new();
    for hop in plan(project.stage, &returns, raised, &rules, evidence) {
        lifecycle::apply(&mut tx, store, project_id, hop.to, &hop.reason, Trigger::Sync, None)
            .await?;
        if hop.to == Stage::Error {
            crate::notices::record_incident(&mut tx, store, &project, &hop.reason).await?;
        }
        moved.push(hop.to);
    }
    tx.commit().await?;
    Ok(moved)
}

/// Whether the project's last move into `error` was a failing check's.
async fn raised_by_github(tx: &mut sqlx::SqliteConnection, project_id: &ProjectId) -> Result<bool> {
    let last: Option<(Trigger, String)> = sqlx::query_as(
        "SELECT trigger, reason FROM stage_transitions WHERE project_id = ? AND to_stage = 'error' \
         AND from_stage != 'error' ORDER BY inserted_at DESC, rowid DESC LIMIT 1",
    )
    .bind(project_id)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(last.is_some_and(|(trigger, reason)| {
        trigger == Trigger::Sync && reason.starts_with("GitHub: checks failing")
    }))
}

#[cfg(test)]
mod tests;
