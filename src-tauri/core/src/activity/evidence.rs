//! What the stage rules need, read per project only when something changed (issue 21): after
//! its head moved (or nothing was read for it yet), whether the paths the rules name exist at
//! the head, the head's checks — read again at each poll while some are still running, until
//! they settle — and which pushed branches matching a rule's pattern the head now contains.
//! The evidence then goes to [`crate::stage_rules::follow`], which moves the project.

use super::Tracked;
use crate::error::Result;
use crate::events::Broadcaster;
use crate::ids::{AccountId, ProjectId};
use crate::projects::Framework;
use crate::stage_rules::{self, Checks, Evidence, Rules};
use crate::store::Store;
use crate::sync::RATE_FLOOR;
use codemyspec_github::{CheckState, Client, GitHubError};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::time::SystemTime;

/// What the evidence reads cost and did.
#[derive(Debug, Default)]
pub(super) struct Followed {
    pub requests: u32,
    /// Projects whose stage moved.
    pub moved: Vec<ProjectId>,
}

/// Reads the evidence of each followed project that needs it and follows the rules. A rate
/// limit, no network or a budget at [`RATE_FLOOR`] stops the reads (the next poll goes on);
/// another failure skips that project until the next poll.
pub(super) async fn read_and_follow(
    store: &Store,
    client: &Client,
    tracked: &[Tracked],
    changed: &[ProjectId],
) -> Result<Followed> {
    let mut done = Followed::default();
    let known = heads_and_kept(store).await?;
    let mut rules_of: HashMap<Framework, Rules> = HashMap::new();
    for p in tracked.iter().filter(|p| p.followed) {
        let Some((head, kept)) = known.get(&p.project_id) else { continue };
        let settled = kept.as_ref().is_some_and(|k| {
            k.head.as_deref() == Some(head.as_str()) && k.checks != Checks::Pending
        });
        if settled && !changed.contains(&p.project_id) {
            continue;
        }
        if client.budget().is_some_and(|b| !b.allows_background(RATE_FLOOR, SystemTime::now())) {
            break;
        }
        let framework = crate::projects::fetch_any(store.pool(), &p.project_id).await?.framework;
        // Read once a poll per framework. A rules file someone broke is said in the log; it
        // stops only those projects' rules.
        let rules = match rules_of.entry(framework) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => match stage_rules::for_framework(store.data_dir(), framework) {
                Ok(rules) => slot.insert(rules),
                Err(e) => {
                    tracing::warn!(project = %p.project_id, "the stage rules cannot be read: {e}");
                    continue;
                }
            },
        };
        let read = read(store, client, p, rules, head, kept.as_ref()).await;
        let evidence = match read {
            Ok((evidence, requests)) => {
                done.requests += requests;
                evidence
            }
            Err(e @ (GitHubError::Offline { .. } | GitHubError::RateLimited { .. })) => {
                tracing::info!(project = %p.project_id, "evidence reads stop: {e}");
                break;
            }
            Err(e) => {
                tracing::warn!(project = %p.project_id, "cannot read the stage evidence: {e}");
                continue;
            }
        };
        if !stage_rules::follow(store, &p.project_id, &evidence).await?.is_empty() {
            done.moved.push(p.project_id);
        }
    }
    Ok(done)
}

/// Broadcasts the projects whose stage the evidence moved.
pub(super) async fn announce(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    moved: &[ProjectId],
) {
    for id in moved {
        if let Ok(p) = crate::projects::get(store, actor, id).await {
            events.broadcast_project_update(&p);
        }
    }
}

/// Each project's head as last read and the evidence kept for it, in one query (the follower
/// asks every minute).
async fn heads_and_kept(store: &Store) -> Result<HashMap<ProjectId, (String, Option<Evidence>)>> {
    let rows: Vec<(ProjectId, String, Option<String>)> = sqlx::query_as(
        "SELECT h.project_id, h.sha, e.evidence FROM project_heads h \
         LEFT JOIN stage_evidence e ON e.project_id = h.project_id WHERE h.sha IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sha, kept)| {
            // Unreadable kept evidence is read again from GitHub, as if none were kept.
            let kept = kept.and_then(|text| stage_rules::read_kept(&text).ok());
            (id, (sha, kept))
        })
        .collect())
}

/// The evidence at `head`: what was kept for the same head is not asked again (paths at a
/// commit never change), except checks still running.
async fn read(
    store: &Store,
    client: &Client,
    p: &Tracked,
    rules: &Rules,
    head: &str,
    kept: Option<&Evidence>,
) -> std::result::Result<(Evidence, u32), GitHubError> {
    let same_head = kept.filter(|k| k.head.as_deref() == Some(head));
    let mut requests = 0;
    let files = match same_head {
        Some(k) => k.files.clone(),
        None => {
            let mut files = Vec::new();
            for path in rules.rules.iter().flat_map(|r| r.any_file.iter()) {
                if files.contains(path) {
                    continue;
                }
                requests += 1;
                if client.path_exists(&p.full_name, path, head).await? {
                    files.push(path.clone());
                }
            }
            files
        }
    };
    let checks = match same_head.map(|k| &k.checks) {
        Some(settled @ (Checks::Passed { .. } | Checks::Failed { .. } | Checks::None)) => {
            settled.clone()
        }
        _ => {
            requests += 2;
            checks_of(client.checks(&p.full_name, head).await?)
        }
    };
    let mut merged = kept.map(|k| k.merged.clone()).unwrap_or_default();
    for (branch, branch_head) in pushed_branches(store, p, rules).await.unwrap_or_default() {
        if merged.contains(&branch) {
            continue;
        }
        requests += 1;
        if client.contains(&p.full_name, &branch_head, head).await? {
            merged.push(branch);
        }
    }
    let evidence =
        Evidence { branch: p.branch.clone(), head: Some(head.to_owned()), files, checks, merged };
    Ok((evidence, requests))
}

/// The branches (other than the default) the feed saw pushed, that a rule's `merged` pattern
/// matches, each with the last head pushed to it.
async fn pushed_branches(
    store: &Store,
    p: &Tracked,
    rules: &Rules,
) -> Result<Vec<(String, String)>> {
    let patterns: Vec<&glob::Pattern> =
        rules.rules.iter().filter_map(|r| r.merged.as_ref()).collect();
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT ref, head_sha FROM activity_events WHERE project_id = ? AND kind = 'PushEvent' \
         AND head_sha IS NOT NULL AND ref LIKE 'refs/heads/%' ORDER BY happened_at, event_id",
    )
    .bind(p.project_id)
    .fetch_all(store.pool())
    .await?;
    let mut last: Vec<(String, String)> = Vec::new();
    for (git_ref, sha) in rows {
        let branch = git_ref.trim_start_matches("refs/heads/").to_owned();
        if branch == p.branch || !patterns.iter().any(|pat| pat.matches(&branch)) {
            continue;
        }
        last.retain(|(b, _)| *b != branch);
        last.push((branch, sha));
    }
    Ok(last)
}

/// Statuses and check runs together: any failed is a failure, else any running is pending.
fn checks_of(found: Vec<codemyspec_github::Check>) -> Checks {
    let names = |state: CheckState| -> Vec<String> {
        found.iter().filter(|c| c.state == state).map(|c| c.name.clone()).collect()
    };
    if found.is_empty() {
        Checks::None
    } else if found.iter().any(|c| c.state == CheckState::Failed) {
        Checks::Failed { names: names(CheckState::Failed) }
    } else if found.iter().any(|c| c.state == CheckState::Pending) {
        Checks::Pending
    } else {
        Checks::Passed { names: names(CheckState::Passed) }
    }
}
