//! Provisioning (docs/DESIGN.md: GitHub and the org sync): before any mix step, the project's code
//! and docs repositories exist on GitHub. A repository that does not exist is created (in the
//! organization its URL names, or the signed-in user's account; private); one that exists and is
//! empty is adopted; one that holds this setup's own commit (a retried job) is kept; one with
//! commits CodeMySpec did not make is refused, naming it, before anything runs. The repositories'
//! GitHub ids are recorded on the project. Repositories on another host than the configured
//! GitHub (a plain git server) are left as they are. The clone URL GitHub answers with is
//! where the pushes go, and it gets the token only when it is on the token's own host.

use super::preflight::Check;
use super::publish::{self, RemoteState};
use crate::github::{self, Endpoints};
use crate::ids::{AccountId, ProjectId};
use crate::jobs::{FailureClass, Job};
use crate::lifecycle::Stage;
use crate::projects::Project;
use crate::repo_kind::RepoKind;
use crate::runner::JobFailure;
use crate::secret::Secret;
use crate::secrets::{host_of, SecretStore};
use crate::store::Store;
use codemyspec_github::{Client, GitHubError, Repo};
use std::sync::Arc;

/// One of the project's repositories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: RepoKind,
    pub url: String,
    pub owner: String,
    pub name: String,
}

/// The project's repositories that live on the configured GitHub.
pub fn targets(project: &Project, at: &Endpoints) -> Vec<Target> {
    RepoKind::ALL
        .iter()
        .filter_map(|&kind| {
            let url = project.repo(kind)?;
            if host_of(url)? != at.host {
                return None;
            }
            let path = url.split_once("://")?.1.split_once('/')?.1;
            let (owner, name) = path.split_once('/')?;
            Some(Target { kind, url: url.clone(), owner: owner.to_owned(), name: name.to_owned() })
        })
        .collect()
}

/// The job meta key holding the clone URL GitHub gave for a repository.
pub fn clone_key(kind: RepoKind) -> String {
    format!("clone_{kind}")
}

/// The job meta key holding the commit this job pushed to a repository.
pub fn pushed_key(kind: RepoKind) -> String {
    format!("pushed_{kind}")
}

fn failure(e: GitHubError) -> JobFailure {
    let class = if e.is_transient() { FailureClass::Infrastructure } else { FailureClass::Step };
    let message = match &e {
        GitHubError::Unauthorized => {
            "GitHub refused the profile's token (401): sign in again with `codemyspec github login`"
                .to_owned()
        }
        _ => e.to_string(),
    };
    JobFailure::new(class, message)
}

/// Makes sure every target exists and may be pushed to; returns what it did, a line each.
pub async fn provision(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
    job: &Job,
) -> Result<Vec<String>, JobFailure> {
    let infra = |e: crate::Error| JobFailure::new(FailureClass::Infrastructure, e.to_string());
    // A github_api_url that is not the host's own API will not mend itself: not retried.
    let at = github::endpoints(store).await.map_err(|e| match e {
        crate::Error::ApiNotOfHost(_) => JobFailure::new(FailureClass::Step, e.to_string()),
        e => infra(e),
    })?;
    let targets = targets(project, &at);
    if targets.is_empty() {
        return Ok(vec![format!(
            "no repository of this project is on {}: nothing to create",
            at.host
        )]);
    }
    let token = crate::secrets::token(secrets, actor, &at.host)
        .await
        .map_err(|e| JobFailure::new(FailureClass::Step, e.to_string()))?
        .ok_or_else(|| {
            JobFailure::new(
                FailureClass::Step,
                format!(
                    "sign in to GitHub ({}) first: `codemyspec github login`, or Settings → GitHub",
                    at.host
                ),
            )
        })?;
    let client = Client::new(&at.api, Some(token.expose())).map_err(failure)?;
    let login = client.user().await.map_err(failure)?.login;
    let mut done = Vec::new();
    for target in &targets {
        let (repo, line) =
            ensure(&client, project.public_repos, &login, target, (&at.host, &token), job).await?;
        record(store, actor, project, target, &repo).await.map_err(|e| match e {
            // Another project stands for this repository: a retry would meet it again.
            crate::Error::Conflict { .. } => JobFailure::new(FailureClass::Step, e.to_string()),
            e => infra(e),
        })?;
        // Pushes go where GitHub says the repository is, not to a URL built by hand.
        if let Some(clone) = &repo.clone_url {
            crate::jobs::set_meta(store, job.id, &[(&clone_key(target.kind), Some(clone))])
                .await
                .map_err(infra)?;
        }
        done.push(line);
    }
    Ok(done)
}

/// The clone path's check (issue 18): the profile may read the project's repositories on
/// GitHub (read is enough: nothing is pushed). Their ids are recorded as provisioning does.
/// A code repository that cannot be read fails the setup; a docs repository that cannot be
/// is a warning (the spec is then not brought in). Returns the lines for the step's log
/// and the warnings.
pub async fn access(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
) -> Result<(Vec<String>, Vec<String>), JobFailure> {
    let infra = |e: crate::Error| JobFailure::new(FailureClass::Infrastructure, e.to_string());
    let at = github::endpoints(store).await.map_err(|e| match e {
        crate::Error::ApiNotOfHost(_) => JobFailure::new(FailureClass::Step, e.to_string()),
        e => infra(e),
    })?;
    let (mut lines, mut warnings) = (Vec::new(), Vec::new());
    for &kind in RepoKind::ALL {
        if let Some(url) = project.repo(kind).filter(|u| host_of(u).as_deref() != Some(&at.host)) {
            lines.push(format!(
                "{url} is not on {}: the {kind} repository's access is checked by git",
                at.host
            ));
        }
    }
    let targets = targets(project, &at);
    if targets.is_empty() {
        return Ok((lines, warnings));
    }
    let token = crate::secrets::token(secrets, actor, &at.host)
        .await
        .map_err(|e| JobFailure::new(FailureClass::Step, e.to_string()))?;
    let client = Client::new(&at.api, token.as_ref().map(|t| t.expose())).map_err(failure)?;
    for target in &targets {
        match client.repo(&target.owner, &target.name).await.map_err(failure)? {
            Some(repo) => {
                record(store, actor, project, target, &repo).await.map_err(|e| match e {
                    crate::Error::Conflict { .. } => {
                        JobFailure::new(FailureClass::Step, e.to_string())
                    }
                    e => infra(e),
                })?;
                let push = repo.permissions.is_some_and(|p| p.push);
                lines.push(format!(
                    "{} can be read{}",
                    repo.full_name,
                    if push { " and pushed to" } else { " (not pushed to: read-only)" }
                ));
            }
            None if target.kind == RepoKind::Code => {
                return Err(JobFailure::new(
                    FailureClass::Step,
                    format!(
                        "{} cannot be read: it does not exist, or the signed-in account has no \
                         access to it (ask for access, or check the URL)",
                        target.url
                    ),
                ))
            }
            None => warnings.push(format!(
                "the docs repository {} does not exist or cannot be read: the spec is not \
                 brought in (create it, or set another one; the docs sync publishes there)",
                target.url
            )),
        }
    }
    Ok((lines, warnings))
}

/// The token for a clone URL GitHub answered with: `token`, kept for `host`, only when the
/// URL is on that same host; a clone URL elsewhere gets no credentials from us.
fn token_for<'a>(clone_url: &str, (host, token): (&str, &'a Secret)) -> Option<&'a Secret> {
    (host_of(clone_url).as_deref() == Some(host)).then_some(token)
}

/// Why a clone URL on another host than the token's failed, or goes without the token.
pub(crate) fn elsewhere(clone_url: &str, host: &str, e: impl std::fmt::Display) -> String {
    format!(
        "GitHub answered with the clone URL {clone_url}, which is not on {host}: the token kept \
         for {host} is not sent there ({e})"
    )
}

/// One repository: created, adopted, kept, or refused.
async fn ensure(
    client: &Client,
    public: bool,
    login: &str,
    target: &Target,
    (host, token): (&str, &Secret),
    job: &Job,
) -> Result<(Repo, String), JobFailure> {
    let existing = client.repo(&target.owner, &target.name).await.map_err(failure)?;
    let repo = match existing {
        None => {
            let org = (!target.owner.eq_ignore_ascii_case(login)).then_some(target.owner.as_str());
            match client.create_repo(org, &target.name, !public).await {
                Ok(repo) => {
                    let seen = if repo.private { "private" } else { "public" };
                    let line = format!(
                        "created {} ({seen}) for the {} repository",
                        repo.full_name, target.kind
                    );
                    return Ok((repo, line));
                }
                // Made meanwhile (another setup, a person): look at it like any existing one.
                Err(GitHubError::NameExists { .. }) => {
                    client.repo(&target.owner, &target.name).await.map_err(failure)?.ok_or_else(
                        || failure(GitHubError::NotFound { what: target.url.clone() }),
                    )?
                }
                Err(e) => return Err(failure(e)),
            }
        }
        Some(repo) => repo,
    };
    if repo.permissions.is_some_and(|p| !p.push) {
        return Err(JobFailure::new(
            FailureClass::Step,
            format!(
                "the signed-in GitHub account ({login}) may not push to {}; ask for write access or point the project's {} repository elsewhere",
                target.url, target.kind
            ),
        ));
    }
    let url = repo.clone_url.clone().unwrap_or_else(|| target.url.clone());
    let (u, t) = (url.clone(), token_for(&url, (host, token)).cloned());
    let state = tokio::task::spawn_blocking(move || publish::remote_state(&u, t.as_ref()))
        .await
        .map_err(|e| JobFailure::new(FailureClass::Infrastructure, e.to_string()))?
        .map_err(|e| {
            let mut failure = publish::failure(e);
            if token_for(&url, (host, token)).is_none() {
                failure.message = elsewhere(&url, host, &failure.message);
            }
            failure
        })?;
    let ours = job.meta.get(&pushed_key(target.kind));
    match state {
        RemoteState::Empty => {
            let line = format!("adopted {}: it exists and is empty", repo.full_name);
            Ok((repo, line))
        }
        RemoteState::Main(head) if ours == Some(&head) => {
            let line = format!("{} already holds this setup's commit", repo.full_name);
            Ok((repo, line))
        }
        _ => Err(JobFailure::new(
            FailureClass::Step,
            format!(
                "{} already has commits that CodeMySpec did not make; nothing was run or pushed. \
                 Point the project's {} repository at a new or empty one, then set it up again",
                target.url, target.kind
            ),
        )),
    }
}

/// What `codemyspec doctor PROJECT` and the window's "Check requirements" say about the
/// project's GitHub repositories, asked now: the sign-in works, and each repository will be
/// created, adopted (empty), or refused (someone else's commits) — before minutes of
/// compiling.
pub async fn checks(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
) -> Vec<Check> {
    let at = match github::endpoints(store).await {
        Ok(at) => at,
        Err(e) => return vec![check("GitHub API".into(), false, e.to_string())],
    };
    let targets = targets(project, &at);
    if targets.is_empty() {
        return Vec::new();
    }
    let sign_in = format!("GitHub sign-in ({})", at.host);
    let (client, login, token) = match signed_in(secrets, actor, &at).await {
        Ok(signed) => signed,
        Err(why) => return vec![check(sign_in, false, why)],
    };
    let mut out = vec![check(sign_in, true, format!("signed in as {login}"))];
    for target in &targets {
        out.push(target_check(&client, &login, (&at.host, &token), target, project).await);
    }
    out
}

fn check(name: String, ok: bool, detail: String) -> Check {
    Check { name, ok, detail }
}

/// The client of the profile's token for `at`'s host, the login it signs in as and the token;
/// or why there is none.
async fn signed_in(
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    at: &Endpoints,
) -> std::result::Result<(Client, String, Secret), String> {
    let token = match crate::secrets::token(secrets, actor, &at.host).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Err("not signed in: run `codemyspec github login`, or Settings → GitHub".into())
        }
        Err(e) => return Err(e.to_string()),
    };
    let client = Client::new(&at.api, Some(token.expose())).map_err(|e| e.to_string())?;
    let login = client.user().await.map_err(|e| failure(e).message)?.login;
    Ok((client, login, token))
}

/// One repository the setup would create or adopt: it may (it does not exist yet, or it is
/// empty and ours to push to), or why it may not.
async fn target_check(
    client: &Client,
    login: &str,
    (host, token): (&str, &Secret),
    target: &Target,
    project: &Project,
) -> Check {
    let name = format!("{} repository {}/{}", target.kind, target.owner, target.name);
    match client.repo(&target.owner, &target.name).await {
        Ok(None) => {
            let place = if target.owner.eq_ignore_ascii_case(login) {
                "your account".to_owned()
            } else {
                format!("the organization {}", target.owner)
            };
            let visibility = if project.public_repos { "public" } else { "private" };
            check(
                name,
                true,
                format!("does not exist yet: the setup creates it ({visibility}) in {place}"),
            )
        }
        Ok(Some(repo)) if repo.permissions.is_some_and(|p| !p.push) => check(
            name,
            false,
            format!("{login} may not push to it: ask for write access or use another repository"),
        ),
        Ok(Some(repo)) => {
            let url = repo.clone_url.clone().unwrap_or_else(|| target.url.clone());
            let offered = token_for(&url, (host, token)).cloned();
            let (u, t) = (url.clone(), offered.clone());
            match tokio::task::spawn_blocking(move || publish::remote_state(&u, t.as_ref())).await {
                Ok(Ok(RemoteState::Empty)) => check(name, true, "exists and is empty: the setup adopts it".into()),
                Ok(Ok(_)) => check(
                    name,
                    false,
                    "has commits CodeMySpec did not make: the setup would refuse it; point the project at a new or empty repository".into(),
                ),
                Ok(Err(e)) if offered.is_none() => check(name, false, elsewhere(&url, host, e)),
                Ok(Err(e)) => check(name, false, e.to_string()),
                Err(e) => check(name, false, e.to_string()),
            }
        }
        Err(e) => check(name, false, failure(e).message),
    }
}

/// Records the repository's GitHub id (and, for the code repository, its name). A repository
/// id stands for one project of the data dir: when the heartbeat imported this repository as
/// a `discovered` project before the id was recorded here (it listed the repository between
/// its creation and this write, or before this project named it), that untouched placeholder
/// gives way, in the same transaction. A project someone has worked on is never removed: the
/// setup stops with a conflict naming it instead.
async fn record(
    store: &Store,
    actor: &AccountId,
    project: &Project,
    target: &Target,
    repo: &Repo,
) -> crate::Result<()> {
    let id = i64::try_from(repo.id).unwrap_or(i64::MAX);
    let mut tx = store.write().await?;
    let holder: Option<(ProjectId, String, Stage)> =
        sqlx::query_as("SELECT id, name, stage FROM projects WHERE github_repo_id = ? AND id <> ?")
            .bind(id)
            .bind(project.id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((holder, name, stage)) = holder {
        if !is_placeholder(&mut tx, &holder).await? {
            // Named only to whom may see it.
            let seen = crate::access::role(&mut *tx, actor, &holder).await.is_ok();
            let which =
                if seen { format!("project {name} ({stage})") } else { "another project".into() };
            return Err(crate::Error::conflict(
                Some(&format!("{}_repo", target.kind)),
                format!(
                    "{} is already the code repository of {which} in this data dir; point this \
                     project's {} repository elsewhere, or delete that project",
                    target.url, target.kind
                ),
            ));
        }
        tracing::info!(
            project = %project.id,
            placeholder = %holder,
            "a discovered project gives way"
        );
        sqlx::query("DELETE FROM projects WHERE id = ?").bind(holder).execute(&mut *tx).await?;
    }
    if target.kind == RepoKind::Code {
        sqlx::query(
            "UPDATE projects SET github_repo_id = ?, github_repo_name = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(id)
        .bind(&repo.name)
        .bind(store.now())
        .bind(project.id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("UPDATE projects SET docs_repo_id = ?, updated_at = ? WHERE id = ?")
            .bind(id)
            .bind(store.now())
            .bind(project.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether a project is only what the heartbeat imported: `discovered`, never set up, with no
/// summary, description, docs repository (but the one the heartbeat paired with its code
/// repository, recorded by id), spec or other member. Removing it loses nothing (the
/// repositories stay on GitHub).
pub(crate) async fn is_placeholder(
    conn: &mut sqlx::SqliteConnection,
    id: &ProjectId,
) -> crate::Result<bool> {
    let untouched: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM projects p WHERE p.id = ?1 AND p.stage = 'discovered' \
         AND p.setup_status = 'created' AND p.executive_summary IS NULL \
         AND p.description IS NULL AND (p.docs_repo IS NULL OR p.docs_repo_id IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM stories WHERE project_id = ?1) \
         AND NOT EXISTS (SELECT 1 FROM contexts WHERE project_id = ?1) \
         AND NOT EXISTS (SELECT 1 FROM components WHERE project_id = ?1) \
         AND NOT EXISTS (SELECT 1 FROM sessions WHERE project_id = ?1) \
         AND (SELECT count(*) FROM project_memberships WHERE project_id = ?1) <= 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(untouched.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_repositories_on_the_configured_github_are_provisioned() {
        let at = Endpoints {
            api: "https://api.github.com".into(),
            web: "https://github.com".into(),
            host: "github.com".into(),
        };
        let project: Project = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-4000-8000-000000000001", "name": "shop", "module_name": "Shop", "description": null,
            "framework": "elixir", "database": "sqlite3",
            "code_repo": "https://github.com/acme/shop", "docs_repo": "http://127.0.0.1:9/acme/shop_docs",
            "github_repo_id": null, "docs_repo_id": null, "github_repo_name": null, "stage": "draft",
            "setup_status": "created", "setup_error": null, "executive_summary": null,
            "executive_summary_approved": false, "setup_complete": false,
            "context_mapping_approved": false, "public_repos": false, "local_path": null, "owner_id": "00000000-0000-4000-8000-0000000000a1",
            "inserted_at": "x", "updated_at": "x"
        }))
        .unwrap();
        let t = targets(&project, &at);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].kind, t[0].owner.as_str(), t[0].name.as_str()),
            (RepoKind::Code, "acme", "shop")
        );
    }
}
