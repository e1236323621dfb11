//! `codemyspec account …` and `codemyspec config …`.

use crate::output::{opt, Out};
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::accounts::{self, Account, AccountChanges, NewAccount};
use codemyspec_core::settings::{self, Setting};
use codemyspec_core::settings_view;
use codemyspec_core::{sync, Result, Secret};

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Create a profile. The password is read from standard input (prompted on a terminal).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// List profiles.
    List,
    /// Show the acting profile (or the one named with --as).
    Show,
    /// Change the acting profile's name or GitHub login ("" clears the login).
    Update {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        github_login: Option<String>,
    },
    /// Check a password and make the profile the default one.
    Login {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Show the settings.
    List,
    /// Set a setting ("" resets it to its default). `github_org`, `sync_include_forks` and
    /// `sync_include_archived` are the acting profile's own.
    Set { key: String, value: String },
}

fn read_password(prompt: &str) -> Result<Secret> {
    crate::secret_input::read_secret(prompt, "password").map(Secret::new)
}

fn table(out: &Out, list: &[Account]) {
    out.table(list, &["email", "name", "github", "id"], |a| {
        vec![a.email.clone(), opt(&a.name), opt(&a.github_login), a.id.to_string()]
    });
}

pub async fn run_account(ctx: &Ctx, cmd: AccountCmd) -> Result<()> {
    let store = &ctx.store;
    match cmd {
        AccountCmd::Create { email, name } => {
            let password = read_password("Password: ")?;
            let account = accounts::create(store, NewAccount { email, password, name }).await?;
            ctx.out.record(&account);
        }
        AccountCmd::List => table(&ctx.out, &accounts::list(store).await?),
        AccountCmd::Show => ctx.out.record(&ctx.actor_account().await?),
        AccountCmd::Update { name, github_login } => {
            let me = ctx.actor_account().await?;
            let account =
                accounts::update(store, &me.id, AccountChanges { name, github_login }).await?;
            ctx.out.record(&account);
        }
        AccountCmd::Login { email } => {
            let password = read_password("Password: ")?;
            let account = accounts::authenticate(store, &email, &password).await?;
            ctx.out.record(&account);
        }
    }
    Ok(())
}

pub async fn run_config(ctx: &Ctx, cmd: ConfigCmd) -> Result<()> {
    match cmd {
        ConfigCmd::List => {
            let actor = ctx.actor().await.ok();
            let rows = settings_view::values(&ctx.store, actor.as_ref()).await?;
            ctx.out.table(&rows, &["key", "value", "about"], |r| {
                vec![r.key.clone(), crate::output::opt(&r.value), r.about.to_owned()]
            });
        }
        ConfigCmd::Set { key, value } if key == sync::GITHUB_ORG => {
            // Per profile: each profile syncs its own organization.
            sync::set_org(&ctx.store, &ctx.actor().await?, &value).await?;
            ctx.out.done(&format!("{key} set for this profile"));
        }
        ConfigCmd::Set { key, value } => {
            if let Some(filter) = sync::SyncFilter::from_text(key.trim()) {
                // Per profile too: what this profile's sync imports.
                let on = sync::parse_flag(filter, &value)?;
                sync::set_filter(&ctx.store, &ctx.actor().await?, filter, on).await?;
                ctx.out.done(&format!("{filter} set to {on} for this profile"));
                return Ok(());
            }
            let setting = Setting::parse("key", &key).map_err(|e| {
                // The profile's own keys are settings too.
                let mine = [sync::GITHUB_ORG]
                    .into_iter()
                    .chain(sync::SyncFilter::ALL.iter().map(|f| f.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ");
                codemyspec_core::Error::invalid("key", format!("{e}, or this profile's: {mine}"))
            })?;
            settings::set(&ctx.store, setting, &value).await?;
            ctx.out.done(&format!("{key} set"));
        }
    }
    Ok(())
}
