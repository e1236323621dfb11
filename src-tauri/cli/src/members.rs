//! `codemyspec member …`: a project's members and their roles — local profiles by email,
//! and, with `--github LOGIN`, the people of its repositories on GitHub (issue 18): invited,
//! changed and removed there with the acting profile's token, then on this machine.

use crate::output::opt;
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::team::{self, Team, TeamChange};
use codemyspec_core::{accounts, memberships, Result, Role};
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Add a profile of this machine by email, or invite someone by GitHub login to the
    /// project's repositories on GitHub (and make the profile signed in as that login a
    /// member here).
    Add {
        project: String,
        #[arg(required_unless_present = "github", conflicts_with = "github")]
        email: Option<String>,
        /// Invite this GitHub login to every repository of the project on GitHub.
        #[arg(long, value_name = "LOGIN")]
        github: Option<String>,
        /// viewer, member (default) or admin; with --github also owner (GitHub's admin).
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Change a member's role: a profile by email here, or a GitHub login on GitHub and here.
    Role {
        project: String,
        #[arg(required_unless_present = "github", conflicts_with = "github")]
        email: Option<String>,
        #[arg(long, value_name = "LOGIN")]
        github: Option<String>,
        /// viewer, member or admin; with --github also owner (GitHub's admin).
        #[arg(long)]
        role: String,
    },
    /// Remove a profile by email from the project here, or a GitHub login from its
    /// repositories on GitHub (their invitations too) and here.
    Remove {
        project: String,
        #[arg(required_unless_present = "github", conflicts_with = "github")]
        email: Option<String>,
        #[arg(long, value_name = "LOGIN")]
        github: Option<String>,
    },
    /// List a project's members; with --github also the people GitHub says can reach its
    /// code repository, their GitHub permission shown as our role.
    List {
        project: String,
        #[arg(long)]
        github: bool,
    },
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(Keyring)
}

pub async fn run(ctx: &Ctx, cmd: MemberCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    match cmd {
        MemberCmd::Add { project, email, github, role } => {
            let p = ctx.project(&project).await?;
            let role = Role::parse("role", &role)?;
            if let Some(login) = github {
                let change = team::invite(store, &secrets(), &actor, &p.id, &login, role).await?;
                return changed(ctx, &change);
            }
            let account = accounts::get_by_email(store, email.as_deref().unwrap_or("")).await?;
            ctx.out.record(&memberships::add(store, &actor, &p.id, &account.id, role).await?);
        }
        MemberCmd::Role { project, email, github, role } => {
            let p = ctx.project(&project).await?;
            let role = Role::parse("role", &role)?;
            if let Some(login) = github {
                let change = team::set_role(store, &secrets(), &actor, &p.id, &login, role).await?;
                return changed(ctx, &change);
            }
            let account = accounts::get_by_email(store, email.as_deref().unwrap_or("")).await?;
            ctx.out.record(&memberships::set_role(store, &actor, &p.id, &account.id, role).await?);
        }
        MemberCmd::Remove { project, email, github } => {
            let p = ctx.project(&project).await?;
            if let Some(login) = github {
                let change = team::remove(store, &secrets(), &actor, &p.id, &login).await?;
                return changed(ctx, &change);
            }
            let account = accounts::get_by_email(store, email.as_deref().unwrap_or("")).await?;
            memberships::remove(store, &actor, &p.id, &account.id).await?;
            ctx.out.done(&format!("removed {} from {}", account.email, p.name));
        }
        MemberCmd::List { project, github: false } => {
            let p = ctx.project(&project).await?;
            let members = memberships::list(store, &actor, &p.id).await?;
            ctx.out.table(&members, &["email", "name", "role"], |m| {
                vec![m.email.clone(), opt(&m.name), m.role.to_string()]
            });
        }
        MemberCmd::List { project, github: true } => {
            let p = ctx.project(&project).await?;
            let team = team::overview(store, &secrets(), &actor, &p.id).await?;
            show(ctx, &team);
        }
    }
    Ok(())
}

/// The local members, then GitHub's people or why they are not shown.
fn show(ctx: &Ctx, team: &Team) {
    if ctx.out.json {
        return ctx.out.json_value(team);
    }
    println!("On this machine:");
    ctx.out.table(&team.members, &["email", "name", "role"], |m| {
        vec![m.email.clone(), opt(&m.name), m.role.to_string()]
    });
    match (&team.github, &team.absent) {
        (Some(github), _) => {
            println!("\nOn GitHub ({}):", github.repositories.join(", "));
            ctx.out.table(&github.people, &["login", "role", "github", "profile"], |p| {
                let github_role = if p.invited {
                    format!("{} (invited)", p.github_role)
                } else {
                    p.github_role.clone()
                };
                vec![p.login.clone(), p.role.to_string(), github_role, opt(&p.email)]
            });
            if !github.can_manage {
                println!("(only an admin of these repositories on GitHub can change who is there)");
            }
        }
        (None, Some(absent)) => println!("\nNot shown from GitHub: {}", absent.message),
        (None, None) => {}
    }
}

fn changed(ctx: &Ctx, change: &TeamChange) -> Result<()> {
    if ctx.out.json {
        ctx.out.json_value(change);
        return Ok(());
    }
    for repo in &change.repositories {
        println!(
            "{}: {} {}",
            repo.repository,
            change.login,
            repo.outcome.as_str().replace('_', " ")
        );
    }
    for email in &change.profiles {
        match change.role {
            Some(role) => println!("{email} (signed in as {}) is now {role} here", change.login),
            None => println!("{email} (signed in as {}) left the project here", change.login),
        }
    }
    Ok(())
}
