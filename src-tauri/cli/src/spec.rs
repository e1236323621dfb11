//! `codemyspec story …` and `codemyspec context …`.

use crate::output::{flag, Out};
use crate::{text_arg, Ctx};
use clap::{Args, Subcommand};
use codemyspec_core::contexts::{self, Context, ContextChanges, ContextType, NewContext};
use codemyspec_core::stories::{self, NewStory, Story, StoryChanges, StoryStatus};
use codemyspec_core::ContextId;
use codemyspec_core::StoryId;
use codemyspec_core::{Error, Result};

/// A row referred to by id, or by name within `--project`.
#[derive(Debug, Args)]
pub struct Ref {
    /// Its id, or its name together with --project.
    pub reference: String,
    /// The project (name or id) when referring by name.
    #[arg(long, short)]
    pub project: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum StoryCmd {
    /// Add a story to a project.
    Create {
        #[arg(long, short)]
        project: String,
        #[arg(long)]
        title: String,
        /// The story text ("-" reads standard input).
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        description: String,
        /// Acceptance criteria ("-" reads standard input).
        #[arg(long, allow_hyphen_values = true)]
        criteria: Option<String>,
    },
    /// List a project's stories.
    List {
        #[arg(long, short)]
        project: String,
    },
    /// Show a story.
    Show { id: String },
    /// Edit a story; --version is the version you read (a newer one is a conflict).
    Update {
        id: String,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        criteria: Option<String>,
        /// draft, ready or implemented.
        #[arg(long)]
        status: Option<String>,
    },
    /// Approve a story at the version you read.
    Approve {
        id: String,
        #[arg(long)]
        version: i64,
    },
    /// Mark a story as needing regeneration.
    Dirty { id: String },
    /// Clear a story's dirty mark.
    Clean { id: String },
    /// Delete a story.
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
pub enum ContextCmd {
    /// Add a bounded context to a project.
    Create {
        #[arg(long, short)]
        project: String,
        /// A module name such as Payments.
        name: String,
        /// domain or coordination.
        #[arg(long = "type", default_value = "domain")]
        kind: String,
        #[arg(long, allow_hyphen_values = true)]
        purpose: String,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
    },
    /// List a project's contexts.
    List {
        #[arg(long, short)]
        project: String,
    },
    /// Show a context.
    Show(Ref),
    /// Edit a context; --version is the version you read.
    Update {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        purpose: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
    },
    /// Approve a context at the version you read.
    Approve {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        version: i64,
    },
    /// Clear a context's dirty mark.
    Clean(Ref),
    /// Delete a context (its components stay, without a context).
    Delete(Ref),
    /// Link a story to a context.
    Link {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        story: String,
    },
    /// Unlink a story from a context.
    Unlink {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        story: String,
    },
    /// List the stories linked to a context.
    Stories(Ref),
}

pub fn story_table(out: &Out, list: &[Story]) {
    out.table(list, &["title", "status", "v", "approved", "dirty", "id"], |s| {
        vec![
            s.title.clone(),
            s.status.to_string(),
            s.version.to_string(),
            flag(s.approved),
            flag(s.dirty),
            s.id.to_string(),
        ]
    });
}

fn context_table(out: &Out, list: &[Context]) {
    out.table(list, &["name", "type", "v", "approved", "dirty", "purpose", "id"], |c| {
        vec![
            c.name.clone(),
            c.kind.to_string(),
            c.version.to_string(),
            flag(c.approved),
            flag(c.dirty),
            c.purpose.clone(),
            c.id.to_string(),
        ]
    });
}

impl Ctx {
    /// Resolves a context given by id, or by name within a project.
    async fn context(&self, at: &Ref) -> Result<Context> {
        let actor = self.actor().await?;
        if let Ok(id) = ContextId::parse("context", &at.reference) {
            return contexts::get(&self.store, &actor, &id).await;
        }
        let project = at.project.as_deref().ok_or_else(|| {
            Error::invalid("project", "give --project to refer to a context by name, or use its id")
        })?;
        let p = self.project(project).await?;
        contexts::get_by_name(&self.store, &actor, &p.id, &at.reference).await
    }
}

pub async fn run_story(ctx: &Ctx, cmd: StoryCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        StoryCmd::Create { project, title, description, criteria } => {
            let p = ctx.project(&project).await?;
            let new = NewStory {
                title,
                description: text_arg(description)?,
                acceptance_criteria: criteria.map(text_arg).transpose()?,
            };
            out.record(&stories::create(store, &actor, &p.id, new).await?);
        }
        StoryCmd::List { project } => {
            let p = ctx.project(&project).await?;
            story_table(out, &stories::list(store, &actor, &p.id).await?);
        }
        StoryCmd::Show { id } => {
            out.record(&stories::get(store, &actor, &StoryId::parse("story_id", &id)?).await?)
        }
        StoryCmd::Update { id, version, title, description, criteria, status } => {
            let changes = StoryChanges {
                title,
                description: description.map(text_arg).transpose()?,
                acceptance_criteria: criteria.map(text_arg).transpose()?,
                status: status.map(|s| StoryStatus::parse("status", &s)).transpose()?,
            };
            out.record(
                &stories::update(
                    store,
                    &actor,
                    &StoryId::parse("story_id", &id)?,
                    version,
                    changes,
                )
                .await?,
            );
        }
        StoryCmd::Approve { id, version } => out.record(
            &stories::approve(store, &actor, &StoryId::parse("story_id", &id)?, version).await?,
        ),
        StoryCmd::Dirty { id } => out
            .record(&stories::mark_dirty(store, &actor, &StoryId::parse("story_id", &id)?).await?),
        StoryCmd::Clean { id } => out
            .record(&stories::clear_dirty(store, &actor, &StoryId::parse("story_id", &id)?).await?),
        StoryCmd::Delete { id } => {
            stories::delete(store, &actor, &StoryId::parse("story_id", &id)?).await?;
            out.done("story deleted");
        }
    }
    Ok(())
}

pub async fn run_context(ctx: &Ctx, cmd: ContextCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        ContextCmd::Create { project, name, kind, purpose, description } => {
            let p = ctx.project(&project).await?;
            let new = NewContext {
                name,
                kind: ContextType::parse("type", &kind)?,
                purpose,
                description: description.map(text_arg).transpose()?,
            };
            out.record(&contexts::create(store, &actor, &p.id, new).await?);
        }
        ContextCmd::List { project } => {
            let p = ctx.project(&project).await?;
            context_table(out, &contexts::list(store, &actor, &p.id).await?);
        }
        ContextCmd::Show(at) => out.record(&ctx.context(&at).await?),
        ContextCmd::Update { at, version, name, kind, purpose, description } => {
            let c = ctx.context(&at).await?;
            let changes = ContextChanges {
                name,
                kind: kind.map(|k| ContextType::parse("type", &k)).transpose()?,
                purpose,
                description: description.map(text_arg).transpose()?,
            };
            out.record(&contexts::update(store, &actor, &c.id, version, changes).await?);
        }
        ContextCmd::Approve { at, version } => {
            let c = ctx.context(&at).await?;
            out.record(&contexts::approve(store, &actor, &c.id, version).await?);
        }
        ContextCmd::Clean(at) => {
            let c = ctx.context(&at).await?;
            out.record(&contexts::clear_dirty(store, &actor, &c.id).await?);
        }
        ContextCmd::Delete(at) => {
            let c = ctx.context(&at).await?;
            contexts::delete(store, &actor, &c.id).await?;
            out.done(&format!("deleted context {}", c.name));
        }
        ContextCmd::Link { at, story } => {
            let c = ctx.context(&at).await?;
            contexts::add_story(store, &actor, &c.id, &StoryId::parse("story_id", &story)?).await?;
            out.done(&format!("linked the story to {}", c.name));
        }
        ContextCmd::Unlink { at, story } => {
            let c = ctx.context(&at).await?;
            contexts::remove_story(store, &actor, &c.id, &StoryId::parse("story_id", &story)?)
                .await?;
            out.done(&format!("unlinked the story from {}", c.name));
        }
        ContextCmd::Stories(at) => {
            let c = ctx.context(&at).await?;
            story_table(out, &contexts::list_stories(store, &actor, &c.id).await?);
        }
    }
    Ok(())
}
