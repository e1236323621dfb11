//! `codemyspec project …`, `member …` and `stage …`.

use crate::output::{opt, Out};
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::lifecycle::{self, Move};
use codemyspec_core::projects::{self, Database, Framework, NewProject, Project, ProjectChanges};
use codemyspec_core::{sync, Error, Result, Stage};
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Create a project (stage draft, setup status created).
    Create {
        /// The Elixir app name, like my_app.
        name: String,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        /// phoenix (default) or elixir.
        #[arg(long)]
        framework: Option<String>,
        /// For Phoenix: postgres, sqlite3 (default) or mysql.
        #[arg(long)]
        database: Option<String>,
        /// https://github.com/OWNER/REPO for the code.
        #[arg(long)]
        code_repo: Option<String>,
        /// https://github.com/OWNER/REPO for the docs.
        #[arg(long)]
        docs_repo: Option<String>,
        /// Create the GitHub repositories public (default: private).
        #[arg(long)]
        public: bool,
    },
    /// List the projects you can see.
    List,
    /// Show a project (by name or id).
    Show { project: String },
    /// Change a project. Empty strings clear the optional fields.
    Update {
        project: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        #[arg(long)]
        framework: Option<String>,
        #[arg(long)]
        database: Option<String>,
        #[arg(long)]
        code_repo: Option<String>,
        #[arg(long)]
        docs_repo: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        executive_summary: Option<String>,
        #[arg(long)]
        approve_summary: Option<bool>,
        #[arg(long)]
        approve_context_mapping: Option<bool>,
    },
    /// Delete a project and everything in it (owner only). For a discovered project it asks
    /// (a line of standard input) whether to ignore its repository too, so that the sync
    /// does not bring it back; --ignore or --no-ignore answers beforehand.
    Delete {
        project: String,
        /// A discovered project: ignore its repository too (`sync unignore` undoes it).
        #[arg(long, conflicts_with = "no_ignore")]
        ignore: bool,
        /// A discovered project: the sync may bring it back at its next run.
        #[arg(long)]
        no_ignore: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StageCmd {
    /// Show the stage and the moves you can make from it.
    Show { project: String },
    /// Move the project to another stage.
    Move {
        project: String,
        to: String,
        #[arg(long, default_value = "changed from the command line")]
        reason: String,
    },
    /// Every stage move of the project, oldest first.
    History { project: String },
    /// Which rule would move the project next from what GitHub shows, and what is missing.
    Why { project: String },
}

/// A project as the CLI shows it: its own fields, and its code repository's `owner/name` as
/// GitHub shows it now (the URL follows renames; the project's name stays the app's).
#[derive(Serialize)]
pub struct Shown<'a> {
    #[serde(flatten)]
    pub project: &'a Project,
    pub repository: Option<String>,
}

impl<'a> Shown<'a> {
    pub fn of(project: &'a Project) -> Self {
        Shown { project, repository: project.code_repo.as_deref().and_then(sync::full_name_of) }
    }
}

pub fn project_table(out: &Out, list: &[Project]) {
    let shown: Vec<Shown> = list.iter().map(Shown::of).collect();
    out.table(&shown, &["name", "repository", "stage", "setup", "framework", "id"], |s| {
        let p = s.project;
        vec![
            p.name.clone(),
            opt(&s.repository),
            p.stage.to_string(),
            p.setup_status.to_string(),
            p.framework.to_string(),
            p.id.to_string(),
        ]
    });
}

/// Asks whether a discovered project's repository should be ignored too: the question on
/// stderr, the answer a line of standard input (a terminal, or a pipe's first line; none is
/// no).
fn ask_to_ignore(name: &str, repo: &str) -> Result<bool> {
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "{name} is a discovered project: ignore {repo} too, so that the sync does not bring it \
         back? [y/N] "
    );
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|source| Error::Io { context: "cannot read the answer".into(), source })?;
    Ok(matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

fn parse_opt<T>(raw: Option<String>, parse: impl Fn(&str) -> Result<T>) -> Result<Option<T>> {
    raw.map(|r| parse(&r)).transpose()
}

pub async fn run_project(ctx: &Ctx, cmd: ProjectCmd) -> Result<()> {
    let store = &ctx.store;
    match cmd {
        ProjectCmd::Create {
            name,
            description,
            framework,
            database,
            code_repo,
            docs_repo,
            public,
        } => {
            let new = NewProject {
                name,
                description,
                framework: parse_opt(framework, |r| Framework::parse("framework", r))?,
                database: parse_opt(database, |r| Database::parse("database", r))?,
                code_repo,
                docs_repo,
                public_repos: public,
            };
            let project = projects::create(store, &ctx.actor().await?, new).await?;
            ctx.out.record(&project);
        }
        ProjectCmd::List => {
            project_table(&ctx.out, &projects::list(store, &ctx.actor().await?).await?)
        }
        ProjectCmd::Show { project } => {
            crate::activity::show(ctx, &Shown::of(&ctx.project(&project).await?)).await?
        }
        ProjectCmd::Update {
            project,
            name,
            description,
            framework,
            database,
            code_repo,
            docs_repo,
            executive_summary,
            approve_summary,
            approve_context_mapping,
        } => {
            let p = ctx.project(&project).await?;
            let changes = ProjectChanges {
                name,
                description: description.map(crate::text_arg).transpose()?,
                framework: parse_opt(framework, |r| Framework::parse("framework", r))?,
                database: parse_opt(database, |r| Database::parse("database", r))?,
                code_repo,
                docs_repo,
                executive_summary: executive_summary.map(crate::text_arg).transpose()?,
                executive_summary_approved: approve_summary,
                context_mapping_approved: approve_context_mapping,
            };
            ctx.out.record(&projects::update(store, &ctx.actor().await?, &p.id, changes).await?);
        }
        ProjectCmd::Delete { project, ignore, no_ignore } => {
            delete(ctx, project, ignore, no_ignore).await?
        }
    }
    Ok(())
}

/// `project delete`: a discovered project's repository is ignored by the sync when asked
/// (or when the person says so at the prompt), so that it does not come back.
async fn delete(ctx: &Ctx, project: String, ignore: bool, no_ignore: bool) -> Result<()> {
    let p = ctx.project(&project).await?;
    let actor = ctx.actor().await?;
    let repo = Shown::of(&p).repository.filter(|_| p.stage == Stage::Discovered);
    let ignore = match &repo {
        // --ignore on a project in use is refused by the core (a conflict), not
        // dropped: nothing is deleted then.
        _ if ignore => true,
        Some(repo) => !no_ignore && ask_to_ignore(&p.name, repo)?,
        None => false,
    };
    if ignore {
        let done = sync::delete_and_ignore(&ctx.store, &actor, &p.id).await?;
        let repo = done.ignored.full_name;
        ctx.out.done(&format!(
            "deleted project {} and ignored {repo}: the sync leaves it alone \
             (`codemyspec sync unignore {repo}` undoes it)",
            p.name
        ));
    } else if let Some(repo) = repo {
        projects::delete(&ctx.store, &actor, &p.id).await?;
        ctx.out.done(&format!(
            "deleted project {}; the sync brings {repo} back at its next run \
             (`codemyspec sync ignore {repo}` keeps it out)",
            p.name
        ));
    } else {
        projects::delete(&ctx.store, &actor, &p.id).await?;
        ctx.out.done(&format!("deleted project {}", p.name));
    }
    Ok(())
}

pub async fn run_stage(ctx: &Ctx, cmd: StageCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    match cmd {
        StageCmd::Show { project } => {
            let p = ctx.project(&project).await?;
            let allowed: Vec<Move> = lifecycle::allowed_transitions(store, &actor, &p.id).await?;
            if ctx.out.json {
                ctx.out.json_value(&serde_json::json!({ "stage": p.stage, "allowed": allowed }));
            } else {
                let list: Vec<&str> = allowed.iter().map(|m| m.to.as_str()).collect();
                println!("{} is {}", p.name, p.stage);
                println!(
                    "can move to: {}",
                    if list.is_empty() { "-".into() } else { list.join(", ") }
                );
            }
        }
        StageCmd::Move { project, to, reason } => {
            let p = ctx.project(&project).await?;
            let to = Stage::parse("to", &to)?;
            let p = lifecycle::transition(store, &actor, &p.id, to, &reason).await?;
            ctx.out.record(&p);
        }
        StageCmd::Why { project } => {
            let p = ctx.project(&project).await?;
            let why = codemyspec_core::stage_rules::why(store, &actor, &p.id).await?;
            if ctx.out.json {
                ctx.out.json_value(&why);
            } else {
                print_why(&p.name, &why);
            }
        }
        StageCmd::History { project } => {
            let p = ctx.project(&project).await?;
            let history = lifecycle::history(store, &actor, &p.id).await?;
            ctx.out.table(&history, &["at", "from", "to", "by", "reason"], |t| {
                vec![
                    t.inserted_at.clone(),
                    t.from_stage.to_string(),
                    t.to_stage.to_string(),
                    t.trigger.to_string(),
                    t.reason.clone(),
                ]
            });
        }
    }
    Ok(())
}

/// `stage why` for a person: the stage, what was last read from GitHub, each rule ahead.
fn print_why(name: &str, why: &codemyspec_core::stage_rules::Why) {
    println!("{name} is {}", why.stage);
    match &why.evidence {
        Some(e) => println!(
            "GitHub shows: {} at {}",
            e.branch,
            e.head.as_deref().map(|h| &h[..h.len().min(7)]).unwrap_or("-")
        ),
        None => println!("GitHub shows: nothing read yet (`codemyspec sync now` reads it)"),
    }
    if why.rules.is_empty() {
        println!("no rule moves it further; the next moves are a person's");
    }
    for (i, rule) in why.rules.iter().enumerate() {
        let lead = if i == 0 { "next" } else { "then" };
        if rule.holds {
            println!("{lead}: {} — holds: {}", rule.stage, rule.shown.join("; "));
        } else {
            println!("{lead}: {} — missing: {}", rule.stage, rule.missing.join("; "));
        }
    }
}
