//! What GitHub shows of a project (issue 21): the "Last change on GitHub" line and the notice
//! of commits this machine does not have (in `project show`), `sync now`'s poll of the
//! activity feed, and `pull`.

use crate::Ctx;
use codemyspec_core::activity::{self, ActivityRun, LastChange, Trigger};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::Result;
use std::sync::Arc;

/// The line the window shows too.
pub fn last_change_line(c: &LastChange) -> String {
    format!("Last change on GitHub: {}, {}, {}", c.who, c.when, c.title)
}

/// "N commits on GitHub you do not have here", when there are some.
pub fn behind_notice(c: &LastChange) -> Option<String> {
    match c.behind {
        Some(1) => Some("1 commit on GitHub you do not have here (codemyspec pull)".into()),
        Some(n) if n > 1 => {
            Some(format!("{n} commits on GitHub you do not have here (codemyspec pull)"))
        }
        _ => None,
    }
}

/// `project show`: the project, then what GitHub shows of it (`last_change` in JSON).
pub async fn show(ctx: &Ctx, shown: &crate::projects::Shown<'_>) -> Result<()> {
    let actor = ctx.actor().await?;
    let last = activity::last_change(&ctx.store, &actor, &shown.project.id).await?;
    if ctx.out.json {
        let mut value = serde_json::to_value(shown).unwrap_or_default();
        value["last_change"] = serde_json::to_value(&last).unwrap_or_default();
        ctx.out.json_value(&value);
        return Ok(());
    }
    ctx.out.record(shown);
    if let Some(c) = &last {
        println!("{}", last_change_line(c));
        if let Some(notice) = behind_notice(c) {
            println!("{notice}");
        }
    }
    Ok(())
}

/// `sync now`'s poll of the feed, after its listing.
pub async fn poll_now(ctx: &Ctx, secrets: &Arc<dyn SecretStore>) -> Result<ActivityRun> {
    let actor = ctx.actor().await?;
    activity::poll(&ctx.store, &ctx.events, secrets, &actor, Trigger::Person, true).await
}

/// `pull PROJECT`.
pub async fn pull(ctx: &Ctx, project: &str) -> Result<()> {
    let p = ctx.project(project).await?;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    let pulled = activity::pull(&ctx.store, &secrets, &ctx.actor().await?, &p.id).await?;
    if ctx.out.json {
        ctx.out.json_value(&pulled);
    } else if pulled.commits == 0 {
        println!("{} is up to date with GitHub", p.name);
    } else {
        println!(
            "{}: {} commit(s) from GitHub, fast-forwarded {}..{}",
            p.name,
            pulled.commits,
            &pulled.from[..7.min(pulled.from.len())],
            &pulled.to[..7.min(pulled.to.len())]
        );
    }
    Ok(())
}
