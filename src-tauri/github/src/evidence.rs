//! What the stage rules look at on a commit (issue 21): whether a path exists at it (the
//! contents API), its checks (the combined commit status and the check runs — GitHub keeps the
//! two apart: statuses from services that post them, check runs from Actions and apps), and
//! whether one commit is an ancestor of another (the compare API), which says that a branch's
//! pushed head was merged into the default branch.

use crate::client::{failure, Client};
use crate::error::Result;
use serde::Deserialize;

/// One check on a commit, status or check run alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The status's `context` or the check run's `name`.
    pub name: String,
    pub state: CheckState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    /// Queued, in progress, or a `pending` status.
    Pending,
    /// `success`, or a check run that ended `neutral` or `skipped`.
    Passed,
    /// `failure`, `error`, or a run that ended `cancelled`, `timed_out`, `action_required`,
    /// `stale` or `startup_failure`.
    Failed,
}

#[derive(Deserialize)]
struct CombinedStatus {
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Status {
    context: String,
    state: String,
}

#[derive(Deserialize)]
struct CheckRuns {
    #[serde(default)]
    check_runs: Vec<CheckRun>,
}

#[derive(Deserialize)]
struct CheckRun {
    name: String,
    status: String,
    conclusion: Option<String>,
}

#[derive(Deserialize)]
struct Comparison {
    status: String,
}

fn status_state(state: &str) -> CheckState {
    match state {
        "success" => CheckState::Passed,
        "pending" => CheckState::Pending,
        _ => CheckState::Failed,
    }
}

fn run_state(status: &str, conclusion: Option<&str>) -> CheckState {
    match (status, conclusion) {
        ("completed", Some("success" | "neutral" | "skipped")) => CheckState::Passed,
        ("completed", _) => CheckState::Failed,
        _ => CheckState::Pending,
    }
}

impl Client {
    /// `GET /repos/{full_name}/contents/{path}?ref={git_ref}`: whether a file or folder is
    /// there at that commit (404: it is not).
    pub async fn path_exists(&self, full_name: &str, path: &str, git_ref: &str) -> Result<bool> {
        let url = format!("/repos/{full_name}/contents/{path}?ref={git_ref}");
        let answer = self.send(http::Method::GET, &url, None, Default::default()).await?;
        match answer.status.as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(failure(&answer, &format!("{path} in {full_name}"))),
        }
    }

    /// Every check on `sha`: its commit statuses (`GET …/commits/{sha}/status`, the newest
    /// per context) and its check runs (`GET …/commits/{sha}/check-runs`, first 100).
    pub async fn checks(&self, full_name: &str, sha: &str) -> Result<Vec<Check>> {
        let what = format!("the checks of {full_name} at {sha}");
        let path = format!("/repos/{full_name}/commits/{sha}/status");
        let answer = self.send(http::Method::GET, &path, None, Default::default()).await?;
        if answer.status.as_u16() != 200 {
            return Err(failure(&answer, &what));
        }
        let combined: CombinedStatus = answer.json("a combined status")?;
        let mut out: Vec<Check> = combined
            .statuses
            .into_iter()
            .map(|s| Check { state: status_state(&s.state), name: s.context })
            .collect();
        let path = format!("/repos/{full_name}/commits/{sha}/check-runs?per_page=100");
        let answer = self.send(http::Method::GET, &path, None, Default::default()).await?;
        if answer.status.as_u16() != 200 {
            return Err(failure(&answer, &what));
        }
        let runs: CheckRuns = answer.json("check runs")?;
        out.extend(
            runs.check_runs.into_iter().map(|r| Check {
                state: run_state(&r.status, r.conclusion.as_deref()),
                name: r.name,
            }),
        );
        Ok(out)
    }

    /// `GET /repos/{full_name}/compare/{base}...{head}`: whether `base` is `head` or one of
    /// its ancestors (GitHub says `identical` or `ahead`), i.e. `head` contains it.
    pub async fn contains(&self, full_name: &str, base: &str, head: &str) -> Result<bool> {
        let path = format!("/repos/{full_name}/compare/{base}...{head}?per_page=1");
        let answer = self.send(http::Method::GET, &path, None, Default::default()).await?;
        match answer.status.as_u16() {
            200 => {
                let c: Comparison = answer.json("a comparison")?;
                Ok(matches!(c.status.as_str(), "identical" | "ahead"))
            }
            // A commit GitHub no longer has (a force-push dropped it) is not contained.
            404 => Ok(false),
            _ => Err(failure(&answer, &format!("a comparison in {full_name}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_check_runs_read_as_github_documents_them() {
        let combined: CombinedStatus = serde_json::from_str(include_str!(
            "../../../tests/support/github-api/get-combined-status.200.json"
        ))
        .unwrap();
        assert_eq!(combined.statuses[0].context, "continuous-integration/jenkins");
        assert_eq!(status_state(&combined.statuses[0].state), CheckState::Passed);
        let runs: CheckRuns = serde_json::from_str(include_str!(
            "../../../tests/support/github-api/list-check-runs.200.json"
        ))
        .unwrap();
        let run = &runs.check_runs[0];
        assert_eq!(run_state(&run.status, run.conclusion.as_deref()), CheckState::Passed);
    }

    #[test]
    fn a_run_still_going_is_pending_and_a_cancelled_one_failed() {
        assert_eq!(run_state("in_progress", None), CheckState::Pending);
        assert_eq!(run_state("queued", None), CheckState::Pending);
        assert_eq!(run_state("completed", Some("skipped")), CheckState::Passed);
        assert_eq!(run_state("completed", Some("cancelled")), CheckState::Failed);
        assert_eq!(run_state("completed", Some("timed_out")), CheckState::Failed);
        assert_eq!(status_state("error"), CheckState::Failed);
        assert_eq!(status_state("pending"), CheckState::Pending);
    }
}
