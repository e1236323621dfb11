//! Builds the benchmark's data set through the core API (edges excepted, see main.rs).

use codemyspec_core::accounts::{self, Account, NewAccount};
use codemyspec_core::components::{self, ComponentType, NewComponent};
use codemyspec_core::projects::{self, NewProject};
use codemyspec_core::stories::{self, NewStory};
use codemyspec_core::{ComponentId, ProjectId};
use codemyspec_core::{Result, Secret, Store};

/// A project's components in creation order.
pub struct Graph {
    pub project_id: ProjectId,
    pub ids: Vec<ComponentId>,
}

impl Graph {
    /// What everything else depends on: the chain's first link, the fan's hub.
    pub fn bottom(&self) -> &ComponentId {
        &self.ids[0]
    }

    pub fn top(&self) -> &ComponentId {
        &self.ids[self.ids.len() - 1]
    }
}

pub async fn account(store: &Store) -> Result<Account> {
    let new = NewAccount {
        email: "bench@example.com".into(),
        password: Secret::new("benchmark password"),
        name: Some("Bench".into()),
    };
    accounts::create(store, new).await
}

pub async fn projects(store: &Store, actor: &Account, n: usize) -> Result<Vec<ProjectId>> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let new = NewProject {
            name: format!("project_{i:05}"),
            description: Some(format!("Benchmark project {i}")),
            code_repo: Some(format!("https://github.com/bench/project_{i:05}")),
            ..Default::default()
        };
        ids.push(projects::create(store, &actor.id, new).await?.id);
    }
    Ok(ids)
}

pub async fn stories(
    store: &Store,
    actor: &Account,
    projects: &[ProjectId],
    n: usize,
) -> Result<()> {
    let spread = projects.len().clamp(1, 100);
    for i in 0..n {
        let new = NewStory {
            title: format!("Story {i}"),
            description: "As a user I want a benchmark so that I know".into(),
            acceptance_criteria: Some("- it is fast\n- it is honest".into()),
        };
        stories::create(store, &actor.id, &projects[i % spread], new).await?;
    }
    Ok(())
}

pub async fn component(
    store: &Store,
    actor: &Account,
    project_id: &ProjectId,
    name: &str,
) -> Result<ComponentId> {
    let new = NewComponent {
        name: name.into(),
        kind: ComponentType::Other,
        file_path: format!("lib/bench/{}.ex", name.to_lowercase()),
        description: None,
        context_id: None,
    };
    Ok(components::create(store, &actor.id, project_id, new).await?.id)
}

pub async fn components(store: &Store, actor: &Account, name: &str, n: usize) -> Result<Graph> {
    let project =
        projects::create(store, &actor.id, NewProject { name: name.into(), ..Default::default() })
            .await?;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(component(store, actor, &project.id, &format!("C{i:06}")).await?);
    }
    Ok(Graph { project_id: project.id, ids })
}

async fn bulk_edges(
    store: &Store,
    project_id: &ProjectId,
    pairs: impl Iterator<Item = (usize, usize)>,
    ids: &[ComponentId],
) -> Result<()> {
    let mut tx = store.write().await?;
    let seqs: Vec<(ComponentId, i64)> =
        sqlx::query_as("SELECT id, seq FROM components WHERE project_id = ?")
            .bind(project_id)
            .fetch_all(&mut *tx)
            .await?;
    let seq: std::collections::HashMap<ComponentId, i64> = seqs.into_iter().collect();
    for (i, (from, to)) in pairs.enumerate() {
        sqlx::query(
            "INSERT INTO component_dependencies \
             (id, project_id, component_seq, depends_on_seq, inserted_at, updated_at) \
             VALUES (?, ?, ?, ?, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(format!("{project_id}-{i}"))
        .bind(project_id)
        .bind(seq[&ids[from]])
        .bind(seq[&ids[to]])
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// C(i+1) depends on C(i): a chain as deep as the graph.
pub async fn chain_edges(store: &Store, g: &Graph) -> Result<()> {
    bulk_edges(store, &g.project_id, (1..g.ids.len()).map(|i| (i, i - 1)), &g.ids).await
}

/// Every component depends on the first: a fan-in as wide as the graph.
pub async fn fan_edges(store: &Store, g: &Graph) -> Result<()> {
    bulk_edges(store, &g.project_id, (1..g.ids.len()).map(|i| (i, 0)), &g.ids).await
}

/// Every dirty mark goes (the bench's projects are marked and measured one at a time).
pub async fn clean(store: &Store) -> Result<()> {
    sqlx::query("DELETE FROM component_dirty_ranges").execute(store.pool()).await?;
    Ok(())
}

/// How many of the project's components are marked: the keys its ranges cover.
pub async fn dirty_count(store: &Store, project_id: &ProjectId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM components c JOIN component_dirty_ranges r \
         ON c.seq BETWEEN r.lo AND r.hi WHERE c.project_id = ?",
    )
    .bind(project_id)
    .fetch_one(store.pool())
    .await?)
}

/// A project value for messages that never touch the database.
pub fn sample_project() -> codemyspec_core::projects::Project {
    use codemyspec_core::projects::{Database, Framework, Project, SetupStatus};
    Project {
        id: "00000000-0000-4000-8000-000000000000".parse().expect("an id"),
        name: "bench".into(),
        module_name: "Bench".into(),
        description: None,
        framework: Framework::Elixir,
        database: Database::Sqlite3,
        code_repo: None,
        docs_repo: None,
        github_repo_id: None,
        docs_repo_id: None,
        github_repo_name: None,
        stage: codemyspec_core::Stage::Provisioning,
        setup_status: SetupStatus::Compiling,
        setup_error: None,
        executive_summary: None,
        executive_summary_approved: false,
        setup_complete: false,
        context_mapping_approved: false,
        public_repos: false,
        local_path: None,
        owner_id: codemyspec_core::AccountId::new(),
        inserted_at: "2026-01-01T00:00:00.000000Z".into(),
        updated_at: "0".into(),
    }
}

/// `--only seed`: a profile and `args.projects` projects in `--data-dir`, for the app benchmark.
pub async fn for_app(args: &crate::Args) -> Result<()> {
    let dir = args.data_dir.clone().ok_or_else(|| {
        codemyspec_core::Error::invalid("data-dir", "--only seed needs --data-dir")
    })?;
    let store = Store::open(&dir).await?;
    let actor = account(&store).await?;
    projects(&store, &actor, args.projects).await?;
    store.close().await;
    Ok(())
}
