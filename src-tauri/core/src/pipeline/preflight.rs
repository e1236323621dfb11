//! What a setup needs, checked before its first step instead of a step failing minutes
//! later: the programs its recipe runs, for Phoenix the hex and phx_new archives and a
//! reachable database, a token for each repository host, a writable workspace folder.
//! `codemyspec doctor` shows the same checks.

use super::path::SetupPath;
use super::recipe::{Recipe, Work};
use super::tools::SearchPath;
use super::PipelineConfig;
use crate::projects::Project;
use crate::secrets::host_of;
use crate::settings;
use crate::store::Store;
use crate::AccountId;
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

fn check(name: impl Into<String>, ok: bool, detail: impl Into<String>) -> Check {
    Check { name: name.into(), ok, detail: detail.into() }
}

/// The first `program` on `path`, as the step would find it.
pub fn find_program(program: &str, path: &OsStr) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| super::tools::is_executable(candidate))
}

/// Where `program` is on the steps' path and where that folder came from ("PATH", "login
/// shell", "tools_path"), or why it is not there.
fn program_check(search: &SearchPath, program: &str, missing: &str) -> Check {
    match search.find(program) {
        Some((at, source)) => {
            check(format!("program {program}"), true, format!("{} (from {source})", at.display()))
        }
        None => check(format!("program {program}"), false, missing),
    }
}

/// The steps' search path as the setting and the login shell decide it now; what was last
/// resolved if the setting cannot be read.
async fn search_path(store: &Store, config: &PipelineConfig) -> SearchPath {
    match config.resolve_tools(store).await {
        Ok(search) => search,
        Err(e) => {
            tracing::warn!("cannot read tools_path: {e}");
            config.search_path()
        }
    }
}

/// Where mix keeps archives: `$MIX_HOME/archives`, else `~/.mix/archives`.
fn mix_archives(config: &PipelineConfig) -> Option<PathBuf> {
    config
        .mix_home
        .clone()
        .or_else(|| std::env::var_os("MIX_HOME").map(PathBuf::from))
        .or_else(|| dirs::home_dir().map(|h| h.join(".mix")))
        .map(|m| m.join("archives"))
}

fn has_archive(dir: &Path, prefix: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with(prefix))
    })
}

/// What a Phoenix app needs of the machine: a Hex repository that answers and Erlang's
/// headers for NIFs (docs/PIPELINE.md).
pub async fn machine_checks(config: &PipelineConfig) -> Vec<Check> {
    let mirror = std::env::var("HEX_MIRROR").ok();
    let home = config.hex_home.clone().or_else(super::machine::hex_home);
    let hex = tokio::task::spawn_blocking(move || {
        super::machine::hex_check(mirror.as_deref(), home.as_deref())
    });
    let root = super::machine::erlang_root(&config.path()).await;
    let mut out = Vec::new();
    match hex.await {
        Ok(c) => out.push(c),
        Err(e) => out.push(check("Hex repository", false, format!("not checked: {e}"))),
    }
    out.push(super::machine::nif_check(root.as_deref()));
    out
}

/// The dependency cache's size, where it is and how to empty it (never a failed check).
pub async fn cache_check(store: &Store) -> Check {
    match super::depcache::DepCache::new(store).summary().await {
        Ok(s) => check(
            "dependency cache",
            true,
            format!(
                "{} entries, {} of {} in {}; `codemyspec cache clear` empties it",
                s.entries,
                super::depcache::human(s.bytes),
                super::depcache::human(s.max_bytes),
                s.root.display()
            ),
        ),
        Err(e) => check("dependency cache", false, e.to_string()),
    }
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map(|(n, _)| n).unwrap_or(host);
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// Every check for `actor` (whose tokens the pushes use) setting `project` up with `recipe`.
pub async fn checks(
    store: &Store,
    config: &PipelineConfig,
    actor: &AccountId,
    project: &Project,
    recipe: &Recipe,
) -> Vec<Check> {
    let search = search_path(store, config).await;
    let mut out = Vec::new();
    let mut programs: Vec<&str> = Vec::new();
    let mut runs_phx_new = false;
    for step in &recipe.steps {
        if let Work::Run { program, args } = &step.work {
            if !programs.contains(&program.as_str()) {
                programs.push(program);
            }
            runs_phx_new |= args.first().is_some_and(|a| a == "phx.new");
        }
    }
    for program in programs.iter().copied() {
        out.push(program_check(&search, program, &not_found(program)));
    }
    let runs_elixir = programs.iter().any(|p| matches!(*p, "mix" | "elixir"));
    out.extend(toolchain_checks(config, runs_phx_new, runs_elixir).await);
    if runs_phx_new {
        let archives = mix_archives(config);
        for (archive, install) in
            [("hex", "mix local.hex"), ("phx_new", "mix archive.install hex phx_new")]
        {
            let ok = archives.as_deref().is_some_and(|d| has_archive(d, &format!("{archive}-")));
            let detail =
                if ok { "installed".to_owned() } else { format!("missing: run `{install}`") };
            out.push(check(format!("mix archive {archive}"), ok, detail));
        }
        out.extend(machine_checks(config).await);
        let pgport = std::env::var("PGPORT").ok();
        let port = super::machine::database_port(project.database, pgport.as_deref());
        out.extend(super::machine::database_check(project.database, port));
    }
    for url in [&project.code_repo, &project.docs_repo].into_iter().flatten() {
        if let Some(host) = host_of(url) {
            out.push(token_check(config, actor, &host).await);
        }
    }
    out.push(workspace_check(store).await);
    out
}

/// What a missing program's check says: where it was looked for, and how to point there.
fn not_found(program: &str) -> String {
    format!(
        "{program} is not installed (not on PATH, nor on your login shell's PATH); if it is \
         installed, set `tools_path` to its folder (`codemyspec config set tools_path DIR`)"
    )
}

/// Whether `actor` has a token for `host` in the OS keyring.
pub async fn token_check(config: &PipelineConfig, actor: &AccountId, host: &str) -> Check {
    let name = format!("token for {host}");
    match crate::secrets::token(&config.secrets, actor, host).await {
        Ok(Some(_)) => check(name, true, "set (in the OS keyring)"),
        Ok(None) if is_loopback(host) => {
            check(name, true, "none; a local server may not ask for one")
        }
        Ok(None) => check(name, false, "missing: run `codemyspec github login`"),
        Err(e) => check(name, false, e.to_string()),
    }
}

/// What `codemyspec doctor` and the window's "Check requirements" show: for a project,
/// everything its setup needs, GitHub asked now; with none, what this machine has (mix and
/// elixir, their versions, the token for the GitHub host, the workspace folder).
pub async fn doctor(
    store: &Store,
    config: &PipelineConfig,
    actor: &AccountId,
    project: Option<&Project>,
) -> crate::Result<Vec<Check>> {
    if let Some(project) = project {
        // Which way the setup would go, asked of the code repository now.
        let (path, mut out) = match super::path::decide(&config.secrets, actor, project).await {
            Ok(c) => (c.path, vec![check("setup path", true, format!("{}: {}", c.path, c.reason))]),
            Err(u) => (SetupPath::Generate, vec![check("setup path", false, u.message)]),
        };
        let recipe = match super::recipe::for_setup(store.data_dir(), project, path) {
            Ok(recipe) => recipe,
            Err(e) if !out[0].ok => {
                let _ = e; // the path check already says why nothing can be generated
                return Ok(out);
            }
            Err(e) => return Err(e),
        };
        out.extend(checks(store, config, actor, project, &recipe).await);
        if path == SetupPath::Generate {
            // Cloning only reads, and the path check above already read the code repository.
            out.extend(super::provision::checks(store, &config.secrets, actor, project).await);
        }
        out.push(cache_check(store).await);
        return Ok(out);
    }
    let search = search_path(store, config).await;
    let mut out: Vec<Check> = ["mix", "elixir"]
        .into_iter()
        .map(|program| program_check(&search, program, &not_found(program)))
        .collect();
    out.extend(toolchain_checks(config, false, true).await);
    out.extend(machine_checks(config).await);
    match crate::github::endpoints(store).await {
        Ok(at) => out.push(token_check(config, actor, &at.host).await),
        // Said here, not as doctor's own failure: the other checks still show.
        Err(e @ crate::Error::ApiNotOfHost(_)) => {
            out.push(check("GitHub API", false, e.to_string()))
        }
        Err(e) => return Err(e),
    }
    out.push(workspace_check(store).await);
    out.push(cache_check(store).await);
    Ok(out)
}

/// Elixir/OTP and, where the generator is installed, whether it fits them. Only a recipe
/// that runs `mix`/`elixir` (or `doctor` with no project, `runs_elixir`) needs Elixir.
pub async fn toolchain_checks(
    config: &PipelineConfig,
    runs_phx_new: bool,
    runs_elixir: bool,
) -> Vec<Check> {
    if !runs_elixir {
        return Vec::new();
    }
    let found = super::toolchain::versions(&config.path()).await;
    let phx_new = mix_archives(config).and_then(|d| super::toolchain::phx_new_version(&d));
    super::toolchain::checks(found.as_ref(), phx_new.as_ref(), runs_phx_new)
}

/// Whether the workspace folder (set, or the default) can be made and written.
pub async fn workspace_check(store: &Store) -> Check {
    match settings::workspace_dir(store).await {
        Ok(dir) => {
            let ok = std::fs::create_dir_all(&dir).is_ok() && tempfile::tempfile_in(&dir).is_ok();
            let detail = if ok {
                dir.display().to_string()
            } else {
                format!("{} cannot be written; pick another in Settings", dir.display())
            };
            check("workspace folder", ok, detail)
        }
        Err(e) => check("workspace folder", false, e.to_string()),
    }
}

/// The failed checks as one sentence, or `None` when everything is there.
pub fn problems(checks: &[Check]) -> Option<String> {
    let failed: Vec<String> =
        checks.iter().filter(|c| !c.ok).map(|c| format!("{}: {}", c.name, c.detail)).collect();
    (!failed.is_empty()).then(|| format!("preflight failed — {}", failed.join("; ")))
}
