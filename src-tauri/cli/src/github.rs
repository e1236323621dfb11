//! `codemyspec github …` (sign in, status, sign out) and `codemyspec token …` (a token for a
//! git host without GitHub's API). Tokens live in the OS keyring, per profile and host.

use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::github::{self, SignIn};
use codemyspec_core::secrets::{self, Keyring, SecretStore};
use codemyspec_core::{Result, Secret};
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum GitHubCmd {
    /// Sign this profile in: the token is checked with GitHub (GET /user) before it is kept
    /// in the OS keyring. With --with-token it is typed without echo on a terminal, or piped
    /// on standard input; with --device
    /// GitHub shows a code to enter at its device page (needs `config set github_client_id`).
    Login {
        #[arg(long, conflicts_with = "device", required_unless_present = "device")]
        with_token: bool,
        #[arg(long)]
        device: bool,
    },
    /// The profile's GitHub login, host, token scopes and rate budget.
    Status,
    /// Remove the profile's token from the OS keyring.
    Logout,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Store a token for a git host, unchecked (for a host with no GitHub API; for GitHub use
    /// `codemyspec github login`); typed without echo on a terminal, or piped on standard
    /// input.
    Set {
        /// The host it is for (default: the GitHub host).
        #[arg(long)]
        host: Option<String>,
    },
    /// Whether a token is stored for this profile (never the token itself).
    Status {
        #[arg(long)]
        host: Option<String>,
    },
    /// Remove this profile's token from the OS keyring.
    Delete {
        #[arg(long)]
        host: Option<String>,
    },
}

/// The token, typed without echo on a terminal (like a password) or piped.
fn read_token(prompt: &str) -> Result<Secret> {
    let line = crate::secret_input::read_secret(&format!("{prompt}: "), "token")?;
    Ok(Secret::new(line.trim()))
}

fn secrets() -> Arc<dyn SecretStore> {
    Arc::new(Keyring)
}

fn show(ctx: &Ctx, s: &SignIn) {
    if ctx.out.json {
        ctx.out.json_value(s);
        return;
    }
    match (&s.login, s.token_set) {
        (Some(login), _) => println!("signed in to {} as {login}", s.host),
        (None, true) => println!("a token for {} is stored, but GitHub did not confirm it", s.host),
        (None, false) => println!("not signed in to {}: run `codemyspec github login`", s.host),
    }
    println!("API: {}", s.api_url);
    if let Some(scopes) = &s.scopes {
        println!("scopes: {}", if scopes.is_empty() { "none".into() } else { scopes.join(", ") });
    }
    if let Some(r) = &s.rate {
        println!("rate budget: {} of {} left (resets at epoch {})", r.remaining, r.limit, r.reset);
    }
    if let Some(p) = &s.problem {
        println!("problem: {p}");
    }
}

pub async fn run_github(ctx: &Ctx, cmd: GitHubCmd) -> Result<()> {
    let actor = ctx.actor().await?;
    let secrets = secrets();
    match cmd {
        GitHubCmd::Login { device: false, .. } => {
            let token = read_token("GitHub token")?;
            // The heartbeat runs in the process with the runner (the app or `codemyspec worker`).
            let signed_in =
                codemyspec_core::sync::sign_in(&ctx.store, &secrets, &actor, token).await?;
            show(ctx, &signed_in);
        }
        GitHubCmd::Login { device: true, .. } => {
            let (flow, code) = github::device_start(&ctx.store).await?;
            // On stderr: with --json, stdout holds only the result.
            eprintln!(
                "Open {} and enter the code {} (it expires in {} minutes).",
                code.verification_uri,
                code.user_code,
                code.expires_in / 60
            );
            let token = flow.wait_for_token(&code).await.map_err(github::error)?;
            let signed_in =
                codemyspec_core::sync::sign_in(&ctx.store, &secrets, &actor, Secret::new(token))
                    .await?;
            show(ctx, &signed_in);
        }
        GitHubCmd::Status => show(ctx, &github::status(&ctx.store, &secrets, &actor).await?),
        GitHubCmd::Logout => {
            github::logout(&ctx.store, &secrets, &actor).await?;
            ctx.out.done("signed out: the token was removed from the OS keyring");
        }
    }
    Ok(())
}

async fn host_or_default(ctx: &Ctx, host: Option<String>) -> Result<String> {
    match host {
        Some(h) => Ok(h.trim().to_ascii_lowercase()),
        // The keyring's host alone: a token can be removed even while github_api_url is wrong.
        None => github::token_host(&ctx.store).await,
    }
}

pub async fn run_token(ctx: &Ctx, cmd: TokenCmd) -> Result<()> {
    let profile = ctx.actor().await?;
    let keyring = secrets();
    let (TokenCmd::Set { host } | TokenCmd::Status { host } | TokenCmd::Delete { host }) = &cmd;
    let host = host_or_default(ctx, host.clone()).await?;
    let message = match cmd {
        TokenCmd::Set { .. } => {
            let token = read_token(&format!("token for {host}"))?;
            secrets::set_token(&keyring, &profile, &host, token).await?;
            format!("token for {host} stored in the OS keyring")
        }
        TokenCmd::Status { .. } => match secrets::token(&keyring, &profile, &host).await? {
            Some(_) => format!("a token for {host} is set"),
            None => format!("no token for {host}"),
        },
        TokenCmd::Delete { .. } => {
            secrets::delete_token(&keyring, &profile, &host).await?;
            format!("token for {host} removed")
        }
    };
    ctx.out.done(&message);
    Ok(())
}
