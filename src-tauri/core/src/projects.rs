//! Projects (docs/DESIGN.md: The domain); their members are in
//! [`crate::memberships`].
//! A project is created in stage `draft` with setup status `created`; its creator is its
//! owner. Every call names the acting account and sees only projects it belongs to.

use crate::access::{self, Need, Role};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::lifecycle::Stage;
use crate::store::{unique_as_conflict, Store};
use crate::text_enum::text_enum;
use crate::validate;
use serde::{Deserialize, Serialize};

text_enum! {
    pub enum Framework ("framework") {
        Phoenix = "phoenix",
        Elixir = "elixir",
        /// A discovered project's, until its code is cloned and its `mix.exs` read: never a
        /// person's choice, and never generated.
        Unknown = "unknown",
    }
}

impl Framework {
    /// The framework a project's `mix.exs` says it is: a Phoenix dependency makes it Phoenix.
    pub fn of_mix_exs(text: &str) -> Framework {
        let phoenix = text.lines().map(str::trim_start).filter(|l| !l.starts_with('#')).any(|l| {
            l.contains("{:phoenix,") || l.contains("{:phoenix ,") || l.contains("{ :phoenix,")
        });
        if phoenix {
            Framework::Phoenix
        } else {
            Framework::Elixir
        }
    }
}

/// A person names the framework to generate: `unknown` is only what a discovered project has.
fn chosen(checks: &mut validate::Checks, framework: Option<Framework>) {
    if framework == Some(Framework::Unknown) {
        checks.fail(
            "framework",
            "unknown is what a discovered project has until its code is read; choose phoenix or elixir",
        );
    }
}

text_enum! {
    /// The database a Phoenix project is generated for (`mix phx.new --database`).
    pub enum Database ("database") {
        Postgres = "postgres",
        Sqlite3 = "sqlite3",
        Mysql = "mysql",
    }
}

text_enum! {
    /// The setup pipeline's status (docs/DESIGN.md: State machines).
    pub enum SetupStatus ("setup status") {
        Created = "created",
        SetupQueued = "setup_queued",
        /// Creating (or adopting) the code and docs repositories on GitHub.
        CreatingRepositories = "creating_repositories",
        /// A project whose code exists: checking this profile may read its repositories.
        CheckingAccess = "checking_access",
        /// Cloning the code repository into the work dir.
        Cloning = "cloning",
        /// Bringing the spec in from the docs repository (the docs sync's first pull).
        ImportingSpec = "importing_spec",
        Initializing = "initializing",
        DepsInstalling = "deps_installing",
        SettingUpAuth = "setting_up_auth",
        Compiling = "compiling",
        Testing = "testing",
        Committing = "committing",
        Ready = "ready",
        Failed = "failed",
    }
}

impl SetupStatus {
    /// Queued or running: the project's generated files are being made.
    pub fn is_running(self) -> bool {
        !matches!(self, SetupStatus::Created | SetupStatus::Ready | SetupStatus::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub module_name: String,
    pub description: Option<String>,
    pub framework: Framework,
    pub database: Database,
    pub code_repo: Option<String>,
    pub docs_repo: Option<String>,
    // Exported to TypeScript as `number`: versions and GitHub ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub github_repo_id: Option<i64>,
    /// The docs repository's GitHub id (renames are followed by id).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub docs_repo_id: Option<i64>,
    pub github_repo_name: Option<String>,
    pub stage: Stage,
    pub setup_status: SetupStatus,
    pub setup_error: Option<String>,
    pub executive_summary: Option<String>,
    pub executive_summary_approved: bool,
    pub setup_complete: bool,
    pub context_mapping_approved: bool,
    /// Whether the repositories its setup creates on GitHub are public (default: private).
    pub public_repos: bool,
    /// Where the set-up project's tree is on disk (in the workspace folder), once it is.
    pub local_path: Option<String>,
    pub owner_id: AccountId,
    pub inserted_at: String,
    pub updated_at: String,
}

impl Project {
    /// The URL of its code or docs repository, if it has one.
    pub fn repo(&self, kind: crate::repo_kind::RepoKind) -> Option<&String> {
        match kind {
            crate::repo_kind::RepoKind::Code => self.code_repo.as_ref(),
            crate::repo_kind::RepoKind::Docs => self.docs_repo.as_ref(),
        }
    }
}

pub(crate) const COLUMNS: &str = "p.id, p.name, p.module_name, p.description, p.framework, \
    p.database, p.code_repo, p.docs_repo, p.github_repo_id, p.docs_repo_id, p.github_repo_name, p.stage, \
    p.setup_status, p.setup_error, p.executive_summary, p.executive_summary_approved, \
    p.setup_complete, p.context_mapping_approved, p.public_repos, p.local_path, p.owner_id, p.inserted_at, \
    p.updated_at";

/// A new project; the name is needed, the rest has defaults (Phoenix, sqlite3, no repositories).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewProject {
    pub name: String,
    pub description: Option<String>,
    pub framework: Option<Framework>,
    pub database: Option<Database>,
    pub code_repo: Option<String>,
    pub docs_repo: Option<String>,
    /// Create the GitHub repositories public (default: private).
    #[serde(default)]
    pub public_repos: bool,
}

/// A partial update: `None` leaves a field alone; for the optional text fields and repos,
/// `Some("")` clears them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub framework: Option<Framework>,
    pub database: Option<Database>,
    pub code_repo: Option<String>,
    pub docs_repo: Option<String>,
    pub executive_summary: Option<String>,
    pub executive_summary_approved: Option<bool>,
    pub context_mapping_approved: Option<bool>,
}

fn repo(field: &str, raw: Option<&str>, host: &validate::RepoHost) -> Result<Option<String>> {
    match raw {
        Some(url) if !url.trim().is_empty() => validate::repo_url(field, url, host).map(Some),
        _ => Ok(None),
    }
}

pub async fn create(store: &Store, actor: &AccountId, new: NewProject) -> Result<Project> {
    let host = store.repo_host().await?;
    let framework = new.framework.unwrap_or(Framework::Phoenix);
    let mut checks = validate::Checks::new();
    chosen(&mut checks, new.framework);
    let name = checks.check(validate::project_name_for(
        "name",
        &new.name,
        framework == Framework::Phoenix,
    ));
    let description =
        checks.check(validate::optional_text("description", new.description.as_deref()));
    let code_repo = checks.check(repo("code_repo", new.code_repo.as_deref(), &host));
    let docs_repo = checks.check(repo("docs_repo", new.docs_repo.as_deref(), &host));
    if code_repo.as_ref().is_some_and(Option::is_some) && code_repo == docs_repo {
        checks.fail("docs_repo", "the docs repo must differ from the code repo");
    }
    checks.finish()?;
    let (name, description) = (name.unwrap_or_default(), description.unwrap_or_default());
    let (code_repo, docs_repo) = (code_repo.unwrap_or_default(), docs_repo.unwrap_or_default());
    let id = ProjectId::new();
    let now = store.now();
    let mut tx = store.write().await?;
    let owner_exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE id = ?")
        .bind(actor)
        .fetch_optional(&mut *tx)
        .await?;
    if owner_exists.is_none() {
        return Err(Error::not_found("account"));
    }
    sqlx::query(
        "INSERT INTO projects (id, name, module_name, description, framework, database, \
         code_repo, docs_repo, public_repos, owner_id, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&name)
    .bind(validate::module_name(&name))
    .bind(&description)
    .bind(framework)
    .bind(new.database.unwrap_or(Database::Sqlite3))
    .bind(&code_repo)
    .bind(&docs_repo)
    .bind(new.public_repos)
    .bind(actor)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "name", "you already have a project with this name"))?;
    crate::memberships::insert(&mut tx, &id, actor, Role::Owner, &now).await?;
    tx.commit().await?;
    get(store, actor, &id).await
}

pub async fn get(store: &Store, actor: &AccountId, id: &ProjectId) -> Result<Project> {
    fetch_visible(store.pool(), actor, id).await
}

pub(crate) async fn fetch_visible<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    actor: &AccountId,
    id: &ProjectId,
) -> Result<Project> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM projects p \
         JOIN project_memberships m ON m.project_id = p.id AND m.user_id = ? \
         WHERE p.id = ?"
    )))
    .bind(actor)
    .bind(id)
    .fetch_optional(exec)
    .await?
    .ok_or(Error::not_found("project"))
}

/// A project by id whoever asks: for the job runner, which acts for the system.
pub(crate) async fn fetch_any<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    id: &ProjectId,
) -> Result<Project> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM projects p WHERE p.id = ?")))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("project"))
}

/// Finds a project by id, or by name among the projects the actor can see.
pub async fn find(store: &Store, actor: &AccountId, id_or_name: &str) -> Result<Project> {
    if let Ok(id) = ProjectId::parse("project", id_or_name) {
        return get(store, actor, &id).await;
    }
    let found: Vec<Project> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM projects p \
         JOIN project_memberships m ON m.project_id = p.id AND m.user_id = ? \
         WHERE p.name = ? ORDER BY p.owner_id = ? DESC, p.inserted_at LIMIT 2"
    )))
    .bind(actor)
    .bind(id_or_name.trim())
    .bind(actor)
    .fetch_all(store.pool())
    .await?;
    match found.as_slice() {
        [] => Err(Error::not_found("project")),
        [one] => Ok(one.clone()),
        [mine, _] if mine.owner_id == *actor => Ok(mine.clone()),
        _ => Err(Error::conflict(
            Some("project"),
            format!("several projects shared with you are named {id_or_name}; use its id"),
        )),
    }
}

/// A project as one JSON array built by SQLite, its values in the field order of [`Project`]
/// (serde reads a struct from an array in field order). An array, not an object: the keys
/// were half of the text SQLite built and serde read back (issue 22). The flags become
/// JSON booleans: `json('true')` is a constant SQLite computes once, not once a row.
const PROJECT_ROW: &str = "json_array(p.id, p.name, p.module_name, p.description, \
    p.framework, p.database, p.code_repo, p.docs_repo, p.github_repo_id, p.docs_repo_id, \
    p.github_repo_name, p.stage, p.setup_status, p.setup_error, p.executive_summary, \
    iif(p.executive_summary_approved, json('true'), json('false')), \
    iif(p.setup_complete, json('true'), json('false')), \
    iif(p.context_mapping_approved, json('true'), json('false')), \
    iif(p.public_repos, json('true'), json('false')), p.local_path, p.owner_id, \
    p.inserted_at, p.updated_at)";

/// The original design's `list_projects/1` (docs/DESIGN.md): every project the account owns or is a
/// member of, by name.
///
/// The rows come back as one JSON array built by SQLite: for 10k projects that is several
/// times faster than decoding 10k rows of 20 columns through sqlx (see `make bench`).
pub async fn list(store: &Store, actor: &AccountId) -> Result<Vec<Project>> {
    listed(store, actor, PROJECT_ROW, |p: &Project| (&p.name, &p.id)).await
}

/// The actor's projects, each read from `row` (a `json_array` in `T`'s field order) in one
/// JSON array that SQLite builds, by name.
async fn listed<T: serde::de::DeserializeOwned>(
    store: &Store,
    actor: &AccountId,
    row: &str,
    key: impl Fn(&T) -> (&String, &ProjectId),
) -> Result<Vec<T>> {
    let packed: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT json_group_array({row}) FROM project_memberships m \
         JOIN projects p ON p.id = m.project_id WHERE m.user_id = ?"
    )))
    .bind(actor)
    .fetch_one(store.pool())
    .await?;
    let list: Vec<T> = serde_json::from_str(&packed)
        .map_err(|e| Error::Internal(format!("cannot read the project list: {e}")))?;
    Ok(by_name(list, key))
}

/// A project as the project list shows it (the window's dashboard): the fields its rows
/// show and its search reads, and nothing else. For 10,000 projects the list of these is
/// about a third of the JSON of the whole projects, which the window reads on every start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub description: Option<String>,
    pub framework: Framework,
    pub stage: Stage,
    pub setup_status: SetupStatus,
    pub setup_error: Option<String>,
    pub updated_at: String,
}

impl From<&Project> for ProjectRow {
    fn from(p: &Project) -> Self {
        ProjectRow {
            id: p.id,
            name: p.name.clone(),
            description: p.description.clone(),
            framework: p.framework,
            stage: p.stage,
            setup_status: p.setup_status,
            setup_error: p.setup_error.clone(),
            updated_at: p.updated_at.clone(),
        }
    }
}

/// [`list`], each project as its row in the list: the same projects in the same order.
pub async fn list_rows(store: &Store, actor: &AccountId) -> Result<Vec<ProjectRow>> {
    const ROW: &str = "json_array(p.id, p.name, p.description, p.framework, p.stage, \
        p.setup_status, p.setup_error, p.updated_at)";
    listed(store, actor, ROW, |p: &ProjectRow| (&p.name, &p.id)).await
}

/// Sorts by name (then id) moving each project once: sorting the projects themselves moved
/// their ~500 bytes at every swap.
fn by_name<T>(list: Vec<T>, key: impl Fn(&T) -> (&String, &ProjectId)) -> Vec<T> {
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_unstable_by(|&a, &b| key(&list[a]).cmp(&key(&list[b])));
    let mut slots: Vec<Option<T>> = list.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The projects that left an account's list after removal number `after`: deleted, or the
/// account's membership ended — here or in another process (`membership_removals`, kept by a
/// trigger). Ask with `i64::MAX` for the newest number only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removals {
    /// Each project once, most recently removed last; none the account belongs to again.
    pub projects: Vec<ProjectId>,
    /// The number to ask after next time.
    pub newest: i64,
    /// Removals after `after` are no longer kept (only the newest 10,000 are): whoever asked
    /// reloads the whole list.
    pub missed: bool,
}

pub async fn removed_after(store: &Store, actor: &AccountId, after: i64) -> Result<Removals> {
    let (oldest, newest) = removal_numbers(store).await?;
    if after >= newest {
        return Ok(Removals { projects: Vec::new(), newest, missed: false });
    }
    let projects = sqlx::query_scalar(
        "SELECT r.project_id FROM membership_removals r WHERE r.user_id = ? AND r.seq > ? \
         AND r.seq <= ? AND NOT EXISTS (SELECT 1 FROM project_memberships m \
                         WHERE m.user_id = r.user_id AND m.project_id = r.project_id) \
         GROUP BY r.project_id ORDER BY max(r.seq)",
    )
    .bind(actor)
    .bind(after)
    .bind(newest)
    .fetch_all(store.pool())
    .await?;
    Ok(Removals { projects, newest, missed: after + 1 < oldest })
}

/// The newest removal's number (whoever's it was): where a watch that starts now begins.
pub async fn newest_removal(store: &Store) -> Result<i64> {
    Ok(removal_numbers(store).await?.1)
}

/// The oldest and the newest removal numbers kept (0 and 0 when none is).
async fn removal_numbers(store: &Store) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM membership_removals",
    )
    .fetch_one(store.pool())
    .await?)
}

pub async fn update(
    store: &Store,
    actor: &AccountId,
    id: &ProjectId,
    changes: ProjectChanges,
) -> Result<Project> {
    let host = store.repo_host().await?;
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, id, Need::Manage).await?;
    let mut p = fetch_visible(&mut *tx, actor, id).await?;
    let docs_repo_before = p.docs_repo.clone();
    let code_repo_before = p.code_repo.clone();
    let mut checks = validate::Checks::new();
    change_generated(&mut p, &changes, &host, &mut checks)?;
    change_texts(&mut p, changes.description, changes.executive_summary, &mut checks);
    if let Some(approved) = changes.executive_summary_approved {
        if approved && p.executive_summary.is_none() {
            checks.fail("executive_summary_approved", "there is no executive summary to approve");
        }
        p.executive_summary_approved = approved;
    }
    checks.finish()?;
    if let Some(approved) = changes.context_mapping_approved {
        p.context_mapping_approved = approved;
    }
    // The repository id belongs to the URL it was recorded for: another URL is another
    // repository, found again by its URL (the heartbeat) or when a setup provisions it.
    let same_repo = match (&code_repo_before, &p.code_repo) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a == b,
    };
    if !same_repo {
        p.github_repo_id = None;
        p.github_repo_name = None;
    }
    save(&mut tx, store, &p).await?;
    if !validate::same_repository(docs_repo_before.as_deref(), p.docs_repo.as_deref()) {
        // Another docs repository: the sync starts anew there (the whole spec is published),
        // and the repository id found for the old one is not this one's.
        forget_docs_sync(&mut tx, id).await?;
        sqlx::query("UPDATE projects SET docs_repo_id = NULL WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    get(store, actor, id).await
}

/// The changes to what the setup pipeline generates from (name, framework, database) and to
/// the repositories: refused once a setup has run (or while one runs, for the repositories).
fn change_generated(
    p: &mut Project,
    changes: &ProjectChanges,
    host: &validate::RepoHost,
    checks: &mut validate::Checks,
) -> Result<()> {
    let status = p.setup_status;
    let before_setup = matches!(status, SetupStatus::Created | SetupStatus::Failed);
    let generation_fixed = |field: &str| {
        let why = if status.is_running() {
            "while a setup is running; wait for it or cancel it".to_owned()
        } else {
            format!("once a setup has run (setup status {status})")
        };
        Error::conflict(Some(field), format!("the {field} cannot change {why}"))
    };
    chosen(checks, changes.framework);
    let framework = changes.framework.unwrap_or(p.framework);
    if let Some(name) = changes.name.as_ref().and_then(|n| {
        checks.check(validate::project_name_for("name", n, framework == Framework::Phoenix))
    }) {
        if name != p.name {
            if p.setup_status != SetupStatus::Created {
                return Err(generation_fixed("name"));
            }
            p.module_name = validate::module_name(&name);
            p.name = name;
        }
    }
    if let Some(framework) = changes.framework.filter(|f| *f != p.framework) {
        if !before_setup {
            return Err(generation_fixed("framework"));
        }
        p.framework = framework;
    }
    if let Some(database) = changes.database.filter(|d| *d != p.database) {
        if !before_setup {
            return Err(generation_fixed("database"));
        }
        p.database = database;
    }
    for (field, raw, slot) in [
        ("code_repo", &changes.code_repo, &mut p.code_repo),
        ("docs_repo", &changes.docs_repo, &mut p.docs_repo),
    ] {
        if let Some(url) = raw.as_ref().and_then(|raw| checks.check(repo(field, Some(raw), host))) {
            if url != *slot && status.is_running() {
                return Err(generation_fixed(field));
            }
            *slot = url;
        }
    }
    if p.code_repo.is_some() && p.code_repo == p.docs_repo && !checks.failed("docs_repo") {
        checks.fail("docs_repo", "the docs repo must differ from the code repo");
    }
    Ok(())
}

/// The description and the executive summary (a changed summary is no longer approved).
fn change_texts(
    p: &mut Project,
    description: Option<String>,
    executive_summary: Option<String>,
    checks: &mut validate::Checks,
) {
    if let Some(d) = description {
        if let Some(d) = checks.check(validate::optional_text("description", Some(&d))) {
            p.description = d;
        }
    }
    if let Some(summary) = executive_summary
        .and_then(|s| checks.check(validate::optional_text("executive_summary", Some(&s))))
    {
        if summary != p.executive_summary {
            p.executive_summary = summary;
            p.executive_summary_approved = false;
        }
    }
}

/// Writes the project's editable columns (a name the owner already uses is a conflict).
async fn save(tx: &mut sqlx::SqliteConnection, store: &Store, p: &Project) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET name = ?, module_name = ?, description = ?, framework = ?, \
         database = ?, code_repo = ?, docs_repo = ?, executive_summary = ?, \
         executive_summary_approved = ?, context_mapping_approved = ?, github_repo_id = ?, \
         github_repo_name = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&p.name)
    .bind(&p.module_name)
    .bind(&p.description)
    .bind(p.framework)
    .bind(p.database)
    .bind(&p.code_repo)
    .bind(&p.docs_repo)
    .bind(&p.executive_summary)
    .bind(p.executive_summary_approved)
    .bind(p.context_mapping_approved)
    .bind(p.github_repo_id)
    .bind(&p.github_repo_name)
    .bind(store.now())
    .bind(p.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "name", "the owner already has a project with this name"))?;
    Ok(())
}

/// The project points at another docs repository: what the docs sync knew belongs to the old
/// one
/// (its synced commit, the bases, the conflicts with it, its unreadable files). Nothing local
/// is deleted; the next sync publishes the whole spec to the new repository and merges with
/// whatever it holds. Part of the caller's transaction.
pub(crate) async fn forget_docs_sync(
    conn: &mut sqlx::SqliteConnection,
    project_id: &ProjectId,
) -> Result<()> {
    for table in ["docs_sync", "docs_entities", "docs_conflicts", "docs_problems"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE project_id = ?")))
            .bind(project_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes a project and everything in it. Only its owner may, and not while a setup runs.
pub async fn delete(store: &Store, actor: &AccountId, id: &ProjectId) -> Result<()> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, id, Need::Own).await?;
    let p = fetch_visible(&mut *tx, actor, id).await?;
    if p.setup_status.is_running() {
        return Err(Error::conflict(None, "a setup is running for this project; cancel it first"));
    }
    sqlx::query("DELETE FROM projects WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    remove_docs_clone(store, id);
    Ok(())
}

/// After a project's row is deleted: its docs repository's local clone goes too (the
/// repository itself stays where it is).
pub(crate) fn remove_docs_clone(store: &Store, id: &ProjectId) {
    let clone = store.docs_clone_dir(id);
    for path in [clone.clone(), clone.with_extension("lock")] {
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = gone {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(project = %id, "cannot remove {}: {e}", path.display());
            }
        }
    }
}
