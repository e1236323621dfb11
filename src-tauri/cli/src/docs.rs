//! `codemyspec docs …`: the project's spec and its docs repository — where it stands, a
//! sync now, and the clashes that wait for a choice.

use crate::Ctx;
use clap::{Subcommand, ValueEnum};
use codemyspec_core::docs_sync::{self, Resolution};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::{AccountId, EntityId};
use codemyspec_core::{Error, Result};
use std::io::Read as _;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Keep {
    Mine,
    Theirs,
}

#[derive(Debug, Subcommand)]
pub enum DocsCmd {
    /// Where the spec stands with its docs repository: edits not yet published (the
    /// outbox), the last synced commit, conflicts and unreadable files.
    Status { project: String },
    /// Syncs now (fetch, merge, commit, push) and waits for it.
    Sync { project: String },
    /// The clashes waiting for a choice, with both values.
    Conflicts { project: String },
    /// Settles the clashes on one entity: keep mine or theirs, or give an edited text
    /// (`--merged -` reads it from stdin).
    Resolve {
        project: String,
        entity_id: String,
        #[arg(long, value_enum, conflicts_with = "merged", required_unless_present = "merged")]
        keep: Option<Keep>,
        /// The edited text, or `-` for stdin.
        #[arg(long)]
        merged: Option<String>,
        /// The field the edited text is for, when several clash.
        #[arg(long, requires = "merged")]
        field: Option<String>,
    },
}

pub async fn run_docs(ctx: &Ctx, cmd: DocsCmd) -> Result<()> {
    let actor = ctx.actor().await?;
    match cmd {
        DocsCmd::Status { project } => status(ctx, &actor, project).await,
        DocsCmd::Sync { project } => sync(ctx, &actor, project).await,
        DocsCmd::Conflicts { project } => conflicts(ctx, &actor, project).await,
        DocsCmd::Resolve { project, entity_id, keep, merged, field } => {
            resolve(ctx, &actor, project, entity_id, keep, merged, field).await
        }
    }
}

/// `docs status`: the project's publish line: where its spec stands with its docs repository.
async fn status(ctx: &Ctx, actor: &AccountId, project: String) -> Result<()> {
    let p = ctx.project(&project).await?;
    let s = docs_sync::status(&ctx.store, actor, &p.id).await?;
    if ctx.out.json {
        ctx.out.json_value(&s);
        return Ok(());
    }
    let state = match s.state {
        docs_sync::PublishState::NoRepository => "no docs repository".to_owned(),
        docs_sync::PublishState::Published => "published".to_owned(),
        docs_sync::PublishState::Pending => format!("{} pending", s.outbox.entities),
        docs_sync::PublishState::Offline => {
            format!("offline — {} edits not published", s.outbox.entities)
        }
        docs_sync::PublishState::Failing => "the last sync failed".to_owned(),
        docs_sync::PublishState::Conflicts => format!("{} conflicts", s.conflicts),
    };
    if s.added > 0 {
        println!("{}: {state}, {} added on GitHub", p.name, s.added);
    } else {
        println!("{}: {state}", p.name);
    }
    println!(
        "  outbox: {} entities changed ({} changes) not yet published",
        s.outbox.entities, s.outbox.changes
    );
    match (&s.synced_commit, &s.synced_at) {
        (Some(c), Some(at)) => println!("  last synced: {} at {at}", &c[..c.len().min(12)]),
        _ => println!("  never synced"),
    }
    if let Some(e) = &s.error {
        println!("  last attempt failed: {e}");
    }
    for problem in &s.problems {
        println!("  cannot read {}: {}", problem.path, problem.message);
    }
    Ok(())
}

/// `docs sync`: a sync now, waited for (a signal stops it with nothing lost).
async fn sync(ctx: &Ctx, actor: &AccountId, project: String) -> Result<()> {
    let p = ctx.project(&project).await?;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    let cancel = tokio_util::sync::CancellationToken::new();
    let done = tokio::select! {
        r = docs_sync::sync_now(&ctx.store, &secrets, actor, &p.id, &cancel) => r,
        signal = crate::worker::stop_signal() => {
            cancel.cancel();
            return Err(Error::Unavailable {
                message: format!("{signal}: the sync stopped; nothing was lost, run it again"),
            });
        }
    };
    let report = done?;
    if ctx.out.json {
        ctx.out.json_value(&report);
        return Ok(());
    }
    match &report.commit {
        Some(c) => println!(
            "{}: published {} entities in {}",
            p.name,
            report.published,
            &c[..c.len().min(12)]
        ),
        None => println!("{}: nothing to publish", p.name),
    }
    if report.imported > 0 {
        println!("  {} entities changed from the repository", report.imported);
    }
    if report.added > 0 {
        println!("  {} added on GitHub (files without an id, now entities)", report.added);
    }
    if report.conflicts > 0 {
        println!(
            "  {} conflicts wait: see `codemyspec docs conflicts {}`",
            report.conflicts, p.name
        );
    }
    for problem in &report.problems {
        println!("  cannot read {}: {} (skipped)", problem.path, problem.message);
    }
    Ok(())
}

/// `docs conflicts`: the clashes waiting for a choice, with both values.
async fn conflicts(ctx: &Ctx, actor: &AccountId, project: String) -> Result<()> {
    let p = ctx.project(&project).await?;
    let list = docs_sync::conflicts(&ctx.store, actor, &p.id).await?;
    if ctx.out.json {
        ctx.out.json_value(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("{}: no conflicts", p.name);
    }
    for c in &list {
        let what = if c.unreadable {
            "their file cannot be read (--keep mine replaces it, --keep theirs undoes \
             the edit here)"
                .to_owned()
        } else if c.field.is_whole() {
            "edited against a delete".to_owned()
        } else {
            c.field.to_string()
        };
        let kind = c.kind.as_str();
        println!("{kind} {} \"{}\" ({}): {what}", c.entity_id, c.label, c.at);
        println!("  mine:   {}", c.mine.as_deref().unwrap_or("(deleted)"));
        println!("  theirs: {}", c.theirs.as_deref().unwrap_or("(deleted)"));
    }
    Ok(())
}

/// `docs resolve`: settles one entity's clashes.
async fn resolve(
    ctx: &Ctx,
    actor: &AccountId,
    project: String,
    entity_id: String,
    keep: Option<Keep>,
    merged: Option<String>,
    field: Option<String>,
) -> Result<()> {
    let entity_id = EntityId::parse("entity_id", &entity_id)?;
    let p = ctx.project(&project).await?;
    let choice = match (keep, merged) {
        (Some(Keep::Mine), _) => Resolution::Mine,
        (Some(Keep::Theirs), _) => Resolution::Theirs,
        (None, Some(text)) => {
            let text = if text == "-" {
                let mut buf = String::new();
                std::io::stdin().read_to_string(&mut buf).map_err(|source| Error::Io {
                    context: "cannot read the merged text from stdin".into(),
                    source,
                })?;
                buf
            } else {
                text
            };
            Resolution::Merged { field, text }
        }
        (None, None) => return Err(Error::invalid("keep", "say --keep mine|theirs or --merged")),
    };
    let left = docs_sync::resolve(&ctx.store, actor, &p.id, &entity_id, choice).await?;
    if ctx.out.json {
        ctx.out.json_value(&serde_json::json!({ "resolved": entity_id, "conflicts": left }));
    } else {
        println!(
            "resolved; {} conflicts left. The choice is published at the next sync (`codemyspec docs sync {}`)",
            left.len(),
            p.name
        );
    }
    Ok(())
}
