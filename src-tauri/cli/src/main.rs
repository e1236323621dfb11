//! `codemyspec`: headless access to the CodeMySpec core — the same functions the desktop
//! window calls, on the same database file.

mod accounts;
mod activity;
mod cache;
mod components;
mod docs;
mod github;
mod jobs;
mod members;
mod notices;
mod output;
mod projects;
mod secret_input;
mod sessions;
mod setup;
mod spec;
mod sync;
mod worker;

use clap::{Parser, Subcommand};
use codemyspec_core::accounts::Account;
use codemyspec_core::{store, AccountId, Error, Result, Store};
use output::Out;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "codemyspec", version, about = "Manage CodeMySpec projects from the command line")]
#[command(after_help = "Exit status: 0 ok, 1 internal error, 2 usage error, 3 invalid input, \
                        4 not found, 5 conflict, 6 forbidden, 7 not signed in or locked.")]
struct Cli {
    /// Where the database lives (default: the OS app-data dir, as the desktop app uses).
    #[arg(long, global = true, env = store::DATA_DIR_ENV, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Print results (and errors) as JSON.
    #[arg(long, global = true)]
    json: bool,

    /// The profile to act as (default: the last one used, or the only one).
    #[arg(long = "as", global = true, env = "CODEMYSPEC_AS", value_name = "EMAIL")]
    as_email: Option<String>,

    /// Say what happens on stderr: -v for each step, -vv for details (`RUST_LOG` filters
    /// further, e.g. `RUST_LOG=codemyspec_core::docs_sync=debug`).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Local profiles: create, list, sign in.
    #[command(subcommand)]
    Account(accounts::AccountCmd),
    /// App settings (the GitHub host).
    #[command(subcommand)]
    Config(accounts::ConfigCmd),
    /// Projects: create, list, show, update, delete.
    #[command(subcommand)]
    Project(projects::ProjectCmd),
    /// Project members and their roles.
    #[command(subcommand)]
    Member(members::MemberCmd),
    /// The project lifecycle: allowed moves, move, history.
    #[command(subcommand)]
    Stage(projects::StageCmd),
    /// User stories.
    #[command(subcommand)]
    Story(spec::StoryCmd),
    /// Bounded contexts and their stories.
    #[command(subcommand)]
    Context(spec::ContextCmd),
    /// Components and their dependencies.
    #[command(subcommand)]
    Component(components::ComponentCmd),
    /// A component's design doc.
    #[command(subcommand)]
    Doc(components::DocCmd),
    /// The spec's docs repository: what is not yet published.
    #[command(subcommand)]
    Docs(docs::DocsCmd),
    /// Agent sessions.
    #[command(subcommand)]
    Session(sessions::SessionCmd),
    /// Set a project up: generate it, test it, commit and push it (--wait shows each step).
    Setup {
        project: String,
        /// Follow the setup step by step until it ends; exit non-zero if it fails.
        #[arg(long)]
        wait: bool,
    },
    /// The job queue: list, show, cancel, retry, pause, resume, prune.
    #[command(subcommand)]
    Jobs(jobs::JobsCmd),
    /// Run this data dir's jobs until stopped (Ctrl-C or SIGTERM).
    Worker,
    /// GitHub: sign in (a checked token, or the device flow), status, sign out.
    #[command(subcommand)]
    Github(github::GitHubCmd),
    /// The GitHub org sync: run one now, the runs, the status, ignored repositories.
    #[command(subcommand)]
    Sync(sync::SyncCmd),
    /// Bring GitHub's default branch into the project's working copy here (fast-forward
    /// only: a diverged copy or uncommitted changes in the way are reported, never merged).
    Pull { project: String },
    /// A token for a git host, unchecked (use `github login` for GitHub).
    #[command(subcommand)]
    Token(github::TokenCmd),
    /// Check what a setup needs (for a project, or in general).
    Doctor { project: Option<String> },
    /// The cache of compiled Mix dependencies that makes later setups warm: show, clear.
    #[command(subcommand)]
    Cache(cache::CacheCmd),
}

/// What every command needs: the store, the output style and the acting profile.
pub struct Ctx {
    pub store: Store,
    pub events: codemyspec_core::events::Broadcaster,
    pub out: Out,
    as_email: Option<String>,
}

impl Ctx {
    /// The acting profile's id.
    pub async fn actor(&self) -> Result<AccountId> {
        Ok(self.actor_account().await?.id)
    }

    pub async fn actor_account(&self) -> Result<Account> {
        codemyspec_core::accounts::current(&self.store, self.as_email.as_deref()).await
    }

    /// A project the actor can see, by id or name.
    pub async fn project(&self, id_or_name: &str) -> Result<codemyspec_core::projects::Project> {
        codemyspec_core::projects::find(&self.store, &self.actor().await?, id_or_name).await
    }
}

async fn run(cli: Cli, out: Out) -> Result<()> {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => store::default_data_dir()?,
    };
    let ctx = Ctx {
        store: Store::open(&data_dir).await?,
        events: codemyspec_core::events::Broadcaster::new(),
        out,
        as_email: cli.as_email,
    };
    let result = match cli.command {
        Command::Account(cmd) => accounts::run_account(&ctx, cmd).await,
        Command::Config(cmd) => accounts::run_config(&ctx, cmd).await,
        Command::Project(cmd) => projects::run_project(&ctx, cmd).await,
        Command::Member(cmd) => members::run(&ctx, cmd).await,
        Command::Stage(cmd) => projects::run_stage(&ctx, cmd).await,
        Command::Story(cmd) => spec::run_story(&ctx, cmd).await,
        Command::Context(cmd) => spec::run_context(&ctx, cmd).await,
        Command::Component(cmd) => components::run_component(&ctx, cmd).await,
        Command::Doc(cmd) => components::run_doc(&ctx, cmd).await,
        Command::Session(cmd) => sessions::run(&ctx, cmd).await,
        Command::Setup { project, wait } => setup::setup(&ctx, &project, wait).await,
        Command::Jobs(cmd) => jobs::run(&ctx, cmd).await,
        Command::Worker => worker::worker(&ctx).await,
        Command::Github(cmd) => github::run_github(&ctx, cmd).await,
        Command::Docs(cmd) => docs::run_docs(&ctx, cmd).await,
        Command::Sync(cmd) => sync::run_sync(&ctx, cmd).await,
        Command::Token(cmd) => github::run_token(&ctx, cmd).await,
        Command::Doctor { project } => setup::doctor(&ctx, project).await,
        Command::Cache(cmd) => cache::run(&ctx, cmd).await,
        Command::Pull { project } => activity::pull(&ctx, &project).await,
    };
    ctx.store.close().await;
    result
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    codemyspec_logging::to_stderr(cli.verbose);
    let out = Out { json: cli.json };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, Out { json: out.json })) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::from(output::exit_code(err.code()))
        }
    }
}

/// Reads a text value: `-` means standard input (for markdown and long descriptions).
pub fn text_arg(value: String) -> Result<String> {
    if value != "-" {
        return Ok(value);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|source| Error::Io { context: "cannot read standard input".into(), source })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
