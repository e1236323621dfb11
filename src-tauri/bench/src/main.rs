//! `make bench`: builds large data sets in real SQLite files through the core API and prints
//! how fast the core is on them. Figures only; nothing here asserts a time.
//!
//! Targets. Foundation: dirty propagation over 100k components < 100 ms, one
//! `add_dependency` < 10 ms, listing 10k projects < 50 ms. Job runner: enqueue 10k jobs
//! < 1 s, no SQLITE_BUSY and no double claim with 8 claimers, enqueue-to-start p50 < 5 ms,
//! pipeline overhead over a plain shell script <= 1.10. Docs sync: an unchanged sync of a
//! 10,000-entity spec makes no commit in < 200 ms; a sync's cost follows the change.
//! Issue 22 raised the goals of `list_projects`, dirty propagation and the org sync's reconcile
//! to < 20 ms each; the table prints each figure beside its goal.

mod activity;
mod docs;
mod github;
mod jobs;
mod pipeline_env;
mod report;
mod seed;
mod setup;
mod spec;
mod warm;

use clap::{Parser, ValueEnum};
use codemyspec_core::Result;
use report::Report;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Only {
    All,
    Spec,
    Jobs,
    Setup,
    /// The GitHub org sync against the local stand-in (10,000 repositories).
    Github,
    /// Following GitHub: the events feed and per-project reads (100 projects, real git).
    Activity,
    /// The docs sync against a local git server (a 10,000-entity spec).
    Docs,
    /// A cold Phoenix setup, then a warm one (the dependency cache), on an offline Hex
    /// repository (`make bench-warm`; not part of `all`).
    Warm,
    /// Only seed `--data-dir` with a profile and `--projects` projects (for the app benchmark).
    Seed,
}

#[derive(Debug, Parser)]
#[command(about = "Benchmark the CodeMySpec core on real database files")]
pub struct Args {
    /// Which figures: the spec's, the job runner's, the setup pipeline's, or all.
    #[arg(long, value_enum, default_value_t = Only::All)]
    only: Only,
    /// Projects for one account.
    #[arg(long, default_value_t = 10_000)]
    pub projects: usize,
    /// Stories, spread over 100 of those projects.
    #[arg(long, default_value_t = 100_000)]
    pub stories: usize,
    /// Components in each of two graphs: a deep chain and a wide fan-in.
    #[arg(long, default_value_t = 100_000)]
    pub components: usize,
    /// Jobs to enqueue and claim.
    #[arg(long, default_value_t = 10_000)]
    pub jobs: usize,
    /// Repetitions of each timed operation (the median and the worst are printed).
    #[arg(long, default_value_t = 15)]
    pub runs: usize,
    /// Keep the spec figures' database here instead of in a temp dir.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.only == Only::Seed {
        return seed::for_app(&args).await;
    }
    let mut report = Report::new();
    if args.only == Only::Warm {
        warm::run(&mut report).await?;
        report.print();
        return Ok(());
    }
    if matches!(args.only, Only::All | Only::Spec) {
        spec::run(&args, &mut report).await?;
    }
    if matches!(args.only, Only::All | Only::Jobs) {
        jobs::run(&args, &mut report).await?;
    }
    if matches!(args.only, Only::All | Only::Setup) {
        setup::run(&args, &mut report).await?;
    }
    if matches!(args.only, Only::All | Only::Github) {
        github::run(&mut report).await?;
    }
    if matches!(args.only, Only::All | Only::Activity) {
        activity::run(&mut report).await?;
    }
    if matches!(args.only, Only::All | Only::Docs) {
        docs::run(&mut report).await?;
    }
    report.print();
    Ok(())
}
