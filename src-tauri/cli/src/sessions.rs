//! `codemyspec session …`.

use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::sessions::{self, NewSession, SessionStatus, SessionType, TargetType};
use codemyspec_core::{EntityId, Result, SessionId};

#[derive(Debug, Subcommand)]
pub enum SessionCmd {
    /// Start a session (pending) on a component, a context or the project.
    Create {
        #[arg(long, short)]
        project: String,
        /// design, test, implementation or setup.
        #[arg(long = "type")]
        kind: String,
        /// component, context or project.
        #[arg(long, default_value = "project")]
        target_type: String,
        /// The target's id (not needed for the project itself).
        #[arg(long, default_value = "")]
        target: String,
    },
    /// List a project's sessions (--active: pending and in progress only).
    List {
        #[arg(long, short)]
        project: String,
        #[arg(long)]
        active: bool,
    },
    /// Show a session.
    Show { id: String },
    /// Move a session: pending → in_progress → complete | failed.
    Status { id: String, status: String },
}

pub async fn run(ctx: &Ctx, cmd: SessionCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        SessionCmd::Create { project, kind, target_type, target } => {
            let p = ctx.project(&project).await?;
            let new = NewSession {
                session_type: SessionType::parse("type", &kind)?,
                target_type: TargetType::parse("target_type", &target_type)?,
                // None: the project itself.
                target_id: match target.trim() {
                    "" => None,
                    raw => Some(EntityId::parse("target_id", raw)?),
                },
            };
            out.record(&sessions::create(store, &actor, &p.id, new).await?);
        }
        SessionCmd::List { project, active } => {
            let p = ctx.project(&project).await?;
            let list = if active {
                sessions::list_active(store, &actor, &p.id).await?
            } else {
                sessions::list(store, &actor, &p.id).await?
            };
            out.table(&list, &["type", "target", "status", "started", "id"], |s| {
                vec![
                    s.session_type.to_string(),
                    format!("{} {}", s.target_type, s.target_id),
                    s.status.to_string(),
                    s.inserted_at.clone(),
                    s.id.to_string(),
                ]
            });
        }
        SessionCmd::Show { id } => {
            let id = SessionId::parse("session_id", &id)?;
            out.record(&sessions::get(store, &actor, &id).await?)
        }
        SessionCmd::Status { id, status } => {
            let (id, status) =
                (SessionId::parse("session_id", &id)?, SessionStatus::parse("status", &status)?);
            out.record(&sessions::update_status(store, &actor, &id, status).await?);
        }
    }
    Ok(())
}
