//! `codemyspec sync …`: the GitHub org sync — run one now, the runs, the status, and the
//! repositories it leaves alone.

use crate::output::opt;
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::sync::{self, IgnoredRepo, SyncRun};
use codemyspec_core::AccountId;
use codemyspec_core::Result;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Sync with GitHub now (the profile's organization, or its own account) and show the run.
    Now,
    /// The profile's sync runs, newest first.
    Runs {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// The last run, the next heartbeat, since when offline, the rate budget.
    Status,
    /// Leave a repository alone: the sync never imports it again (nor its docs repository).
    /// A discovered project that stands for it is deleted, if nobody worked on it.
    Ignore {
        /// OWNER/NAME, the repository's URL, or the discovered project's name.
        repo: String,
    },
    /// Let the sync import an ignored repository again (at its next run).
    Unignore {
        /// OWNER/NAME, the repository's URL, or its GitHub id (see `sync ignored`).
        repo: String,
    },
    /// The repositories this profile's sync leaves alone.
    Ignored,
}

fn show_ignored(ctx: &Ctx, list: &[IgnoredRepo]) {
    ctx.out.table(list, &["repository", "id", "since", "url"], |r| {
        vec![r.full_name.clone(), r.repo_id.to_string(), r.ignored_at.clone(), r.html_url.clone()]
    });
}

fn show_runs(ctx: &Ctx, runs: &[SyncRun]) {
    ctx.out.table(
        runs,
        &[
            "id",
            "owner",
            "status",
            "started",
            "requests",
            "304",
            "new",
            "missing",
            "renamed",
            "back",
            "rate left",
            "error",
        ],
        |r| {
            vec![
                r.id.to_string(),
                r.owner.clone(),
                r.status.clone(),
                r.started_at.clone(),
                r.requests.to_string(),
                r.not_modified.to_string(),
                r.discovered.to_string(),
                r.missing.to_string(),
                r.renamed.to_string(),
                r.reappeared.to_string(),
                opt(&r.rate_remaining.map(|n| n.to_string())),
                opt(&r.error),
            ]
        },
    );
}

pub async fn run_sync(ctx: &Ctx, cmd: SyncCmd) -> Result<()> {
    let actor = ctx.actor().await?;
    match cmd {
        SyncCmd::Now => sync_now(ctx, &actor).await?,
        SyncCmd::Runs { limit } => {
            let runs = sync::runs(&ctx.store, &actor, limit).await?;
            if ctx.out.json {
                ctx.out.json_value(&runs);
            } else {
                show_runs(ctx, &runs);
            }
        }
        SyncCmd::Status => show_status(ctx, &sync::status(&ctx.store, &actor).await?),
        SyncCmd::Ignore { repo } => {
            let done = sync::ignore(&ctx.store, &actor, &repo).await?;
            if ctx.out.json {
                ctx.out.json_value(&done);
                return Ok(());
            }
            let removed = done
                .removed_project
                .map(|p| format!("; its discovered project {} is deleted", p.name))
                .unwrap_or_default();
            println!(
                "ignored {}: the sync leaves it alone (`codemyspec sync unignore {}` undoes it){removed}",
                done.ignored.full_name, done.ignored.full_name
            );
        }
        SyncCmd::Unignore { repo } => {
            let back = sync::unignore(&ctx.store, &actor, &repo).await?;
            ctx.out.done(&format!(
                "{} is no longer ignored: the next sync imports it",
                back.full_name
            ));
        }
        SyncCmd::Ignored => show_ignored(ctx, &sync::ignored(&ctx.store, &actor).await?),
    }
    Ok(())
}

/// `sync now`: the listing, then the activity feed (issue 21): pushes, and the heads that moved.
async fn sync_now(ctx: &Ctx, actor: &AccountId) -> Result<()> {
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    let run = sync::run_once(&ctx.store, &ctx.events, &secrets, actor).await?;
    let activity = crate::activity::poll_now(ctx, &secrets).await?;
    if ctx.out.json {
        let mut value = serde_json::to_value(&run).unwrap_or_default();
        value["activity"] = serde_json::to_value(&activity).unwrap_or_default();
        ctx.out.json_value(&value);
    } else {
        show_runs(ctx, std::slice::from_ref(&run));
        println!(
            "activity: {} ({} requests, {} unchanged, {} events, {} heads changed){}",
            activity.status,
            activity.requests,
            activity.not_modified,
            activity.events,
            activity.heads_changed,
            activity.error.map(|e| format!(": {e}")).unwrap_or_default()
        );
    }
    Ok(())
}

/// `sync status`: what is synced, how often, the last run and the next.
fn show_status(ctx: &Ctx, status: &sync::SyncStatus) {
    if ctx.out.json {
        ctx.out.json_value(status);
        return;
    }
    println!(
        "syncing {} every {} s",
        status.org.as_deref().unwrap_or("your own account"),
        status.interval_secs
    );
    match &status.last {
        Some(r) => println!(
            "last run: {} at {}{}",
            r.status,
            r.started_at,
            r.error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
        ),
        None => println!("no run yet: `codemyspec sync now`"),
    }
    if let Some(next) = &status.next_at {
        println!("next run: {next}");
    }
    if let Some(since) = &status.offline_since {
        println!("offline since {since}");
    }
    if let Some(rate) = status.last.as_ref().and_then(|r| r.rate_remaining) {
        println!("rate budget left: {rate}");
    }
}
