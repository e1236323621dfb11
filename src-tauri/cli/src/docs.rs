//! `codemyspec docs …`: the project's spec and its docs repository.

use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::{outbox, Result};

#[derive(Debug, Subcommand)]
pub enum DocsCmd {
    /// What of the project's spec is not yet published to its docs repository (the outbox).
    Status { project: String },
}

pub async fn run_docs(ctx: &Ctx, cmd: DocsCmd) -> Result<()> {
    match cmd {
        DocsCmd::Status { project } => {
            let p = ctx.project(&project).await?;
            let pending = outbox::pending(&ctx.store, &ctx.actor().await?, &p.id).await?;
            if ctx.out.json {
                ctx.out.json_value(&serde_json::json!({ "project": p.name, "outbox": pending }));
            } else {
                println!(
                    "{}: {} entities changed ({} changes) not yet published to the docs repository",
                    p.name, pending.entities, pending.changes
                );
            }
        }
    }
    Ok(())
}
