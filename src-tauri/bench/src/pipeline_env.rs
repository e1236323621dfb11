//! What the setup benchmarks start from: a data dir with a profile, a workspace folder, and a
//! runner with the pipeline's workers (written once for `setup` and `warm`).

use crate::seed;
use codemyspec_core::accounts::Account;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::Backoff;
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::runner::{Runner, RunnerConfig, RunnerHandle};
use codemyspec_core::secrets::Keyring;
use codemyspec_core::{settings, Error, Result, Store};
use std::sync::Arc;
use std::time::Duration;

pub struct PipelineEnv {
    /// The data dir (removed when this is dropped).
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub events: Broadcaster,
    pub actor: Account,
    pub runner: RunnerHandle,
}

/// Starts it; `backoff` is the runner's retry delay (its default when `None`).
pub async fn start(backoff: Option<Backoff>) -> Result<PipelineEnv> {
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let store = Store::open(dir.path()).await?;
    let events = Broadcaster::new();
    let actor = seed::account(&store).await?;
    let workspace = dir.path().join("workspace").display().to_string();
    settings::set(&store, settings::Setting::WorkspaceDir, &workspace).await?;
    let config = Arc::new(PipelineConfig::new(Arc::new(Keyring)));
    let mut runner_config = RunnerConfig { poll: Duration::from_millis(100), ..Default::default() };
    if let Some(backoff) = backoff {
        runner_config.backoff = backoff;
    }
    let runner = pipeline::register_workers(Runner::new(&store, &events, runner_config), config)
        .start()
        .await?;
    Ok(PipelineEnv { dir, store, events, actor, runner })
}
