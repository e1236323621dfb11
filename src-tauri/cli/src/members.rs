//! `codemyspec member …`: a project's members and their roles.

use crate::output::opt;
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::{accounts, memberships, Result, Role};

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Add a profile to a project.
    Add {
        project: String,
        email: String,
        /// viewer, member (default) or admin.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Remove a profile from a project.
    Remove { project: String, email: String },
    /// List a project's members.
    List { project: String },
}

pub async fn run(ctx: &Ctx, cmd: MemberCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    match cmd {
        MemberCmd::Add { project, email, role } => {
            let p = ctx.project(&project).await?;
            let role = Role::parse("role", &role)?;
            let account = accounts::get_by_email(store, &email).await?;
            ctx.out.record(&memberships::add(store, &actor, &p.id, &account.id, role).await?);
        }
        MemberCmd::Remove { project, email } => {
            let p = ctx.project(&project).await?;
            let account = accounts::get_by_email(store, &email).await?;
            memberships::remove(store, &actor, &p.id, &account.id).await?;
            ctx.out.done(&format!("removed {} from {}", account.email, p.name));
        }
        MemberCmd::List { project } => {
            let p = ctx.project(&project).await?;
            let members = memberships::list(store, &actor, &p.id).await?;
            ctx.out.table(&members, &["email", "name", "role"], |m| {
                vec![m.email.clone(), opt(&m.name), m.role.to_string()]
            });
        }
    }
    Ok(())
}
