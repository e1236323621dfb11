//! `codemyspec component …` and `codemyspec doc …`.

use crate::output::{flag, Out};
use crate::spec::Ref;
use crate::{text_arg, Ctx};
use clap::Subcommand;
use codemyspec_core::components::{
    self, Component, ComponentChanges, ComponentType, NewComponent, StatusFlags,
};
use codemyspec_core::ProjectId;
use codemyspec_core::{dependencies, design_docs, Error, Result};
use codemyspec_core::{ComponentId, ContextId};

#[derive(Debug, Subcommand)]
pub enum ComponentCmd {
    /// Add a component to a project.
    Create {
        #[arg(long, short)]
        project: String,
        /// A module name such as Accounts.User.
        name: String,
        /// context, schema, controller, liveview, genserver, task or other.
        #[arg(long = "type", default_value = "other")]
        kind: String,
        /// Its file, relative to the repository root.
        #[arg(long)]
        file: String,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        /// The context it belongs to (id, or name in the same project).
        #[arg(long)]
        context: Option<String>,
    },
    /// List a project's components.
    List {
        #[arg(long, short)]
        project: String,
    },
    /// Show a component.
    Show(Ref),
    /// Edit a component; everything depending on it becomes dirty.
    Update {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long)]
        file: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        description: Option<String>,
        /// A context id or name; "" removes it from its context.
        #[arg(long)]
        context: Option<String>,
    },
    /// Set completion flags.
    Status {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        docs: Option<bool>,
        #[arg(long)]
        code: Option<bool>,
        #[arg(long)]
        tests: Option<bool>,
    },
    /// Clear a component's dirty mark.
    Clean(Ref),
    /// Delete a component (what depended on it becomes dirty).
    Delete(Ref),
    /// Make a component depend on another (refused if it would close a cycle).
    Depend {
        #[command(flatten)]
        at: Ref,
        /// The component it comes to depend on (id or name).
        #[arg(long)]
        on: String,
    },
    /// Remove a dependency.
    Undepend {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        on: String,
    },
    /// What a component depends on directly.
    Deps(Ref),
    /// What depends on a component directly.
    Dependents(Ref),
    /// The project's whole dependency graph.
    Graph {
        #[arg(long, short)]
        project: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocCmd {
    /// Show a component's design doc (the markdown alone unless --json).
    Show(Ref),
    /// Write a component's design doc; --version is the version you read (omit for a new doc).
    Save {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        version: Option<i64>,
        /// The markdown ("-" reads standard input).
        #[arg(long, allow_hyphen_values = true)]
        content: String,
    },
    /// Approve a design doc at the version you read.
    Approve {
        #[command(flatten)]
        at: Ref,
        #[arg(long)]
        version: i64,
    },
}

pub fn component_table(out: &Out, list: &[Component]) {
    out.table(list, &["name", "type", "file", "docs", "code", "tests", "dirty", "id"], |c| {
        vec![
            c.name.clone(),
            c.kind.to_string(),
            c.file_path.clone(),
            flag(c.docs_complete),
            flag(c.code_complete),
            flag(c.tests_complete),
            flag(c.dirty),
            c.id.to_string(),
        ]
    });
}

impl Ctx {
    /// Resolves a component given by id, or by name within a project.
    async fn component(&self, reference: &str, project: Option<&str>) -> Result<Component> {
        let actor = self.actor().await?;
        if let Ok(id) = reference.parse::<ComponentId>() {
            return components::get(&self.store, &actor, &id).await;
        }
        let project = project.ok_or_else(|| {
            Error::invalid(
                "project",
                "give --project to refer to a component by name, or use its id",
            )
        })?;
        let p = self.project(project).await?;
        components::get_by_name(&self.store, &actor, &p.id, reference).await
    }

    async fn context_id(&self, project_id: &ProjectId, reference: &str) -> Result<String> {
        if reference.trim().is_empty() || ContextId::parse("context", reference).is_ok() {
            return Ok(reference.to_owned());
        }
        let actor = self.actor().await?;
        Ok(codemyspec_core::contexts::get_by_name(&self.store, &actor, project_id, reference)
            .await?
            .id
            .to_string())
    }

    /// The context a `--context` argument names, if one was given.
    async fn context_id_of(
        &self,
        project_id: &ProjectId,
        reference: Option<String>,
    ) -> Result<Option<String>> {
        match reference {
            Some(r) => Ok(Some(self.context_id(project_id, &r).await?)),
            None => Ok(None),
        }
    }
}

pub async fn run_component(ctx: &Ctx, cmd: ComponentCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        ComponentCmd::Create { project, name, kind, file, description, context } => {
            let p = ctx.project(&project).await?;
            let context_id = ctx.context_id_of(&p.id, context).await?;
            let new = NewComponent {
                name,
                kind: ComponentType::parse("type", &kind)?,
                file_path: file,
                description: description.map(text_arg).transpose()?,
                context_id,
            };
            out.record(&components::create(store, &actor, &p.id, new).await?);
        }
        ComponentCmd::List { project } => {
            let p = ctx.project(&project).await?;
            component_table(out, &components::list(store, &actor, &p.id).await?);
        }
        ComponentCmd::Show(at) => {
            out.record(&ctx.component(&at.reference, at.project.as_deref()).await?)
        }
        ComponentCmd::Update { at, name, kind, file, description, context } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let context_id = ctx.context_id_of(&c.project_id, context).await?;
            let changes = ComponentChanges {
                name,
                kind: kind.map(|k| ComponentType::parse("type", &k)).transpose()?,
                file_path: file,
                description: description.map(text_arg).transpose()?,
                context_id,
            };
            out.record(&components::update(store, &actor, &c.id, changes).await?);
        }
        ComponentCmd::Status { at, docs, code, tests } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let flags =
                StatusFlags { docs_complete: docs, code_complete: code, tests_complete: tests };
            out.record(&components::update_status(store, &actor, &c.id, flags).await?);
        }
        ComponentCmd::Clean(at) => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            out.record(&components::clear_dirty(store, &actor, &c.id).await?);
        }
        ComponentCmd::Delete(at) => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            components::delete(store, &actor, &c.id).await?;
            out.done(&format!("deleted component {}", c.name));
        }
        cmd @ (ComponentCmd::Depend { .. }
        | ComponentCmd::Undepend { .. }
        | ComponentCmd::Deps(_)
        | ComponentCmd::Dependents(_)
        | ComponentCmd::Graph { .. }) => run_dependency(ctx, cmd).await?,
    }
    Ok(())
}

/// The dependency graph's commands: `component depend|undepend|deps|dependents|graph`.
async fn run_dependency(ctx: &Ctx, cmd: ComponentCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        ComponentCmd::Depend { at, on } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let target = ctx.component(&on, Some(&c.project_id.to_string())).await?;
            let dep = dependencies::add(store, &actor, &c.id, &target.id).await?;
            if out.json {
                out.json_value(&dep);
            } else {
                println!("{} now depends on {}", c.name, target.name);
            }
        }
        ComponentCmd::Undepend { at, on } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let target = ctx.component(&on, Some(&c.project_id.to_string())).await?;
            dependencies::remove(store, &actor, &c.id, &target.id).await?;
            out.done(&format!("{} no longer depends on {}", c.name, target.name));
        }
        ComponentCmd::Deps(at) => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            component_table(out, &dependencies::list(store, &actor, &c.id).await?);
        }
        ComponentCmd::Dependents(at) => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            component_table(out, &dependencies::list_dependents(store, &actor, &c.id).await?);
        }
        ComponentCmd::Graph { project } => {
            let p = ctx.project(&project).await?;
            let graph = dependencies::graph(store, &actor, &p.id).await?;
            if out.json {
                out.json_value(&graph);
            } else {
                print_graph(&graph);
            }
        }
        _ => unreachable!("run_component passes only the dependency commands"),
    }
    Ok(())
}

/// `component graph` as text: each component, its dirty mark and what it depends on.
fn print_graph(graph: &dependencies::Graph) {
    let name = |id: &ComponentId| {
        graph.components.iter().find(|c| c.id == *id).map(|c| c.name.clone()).unwrap_or_default()
    };
    for c in &graph.components {
        let deps: Vec<String> = graph
            .dependencies
            .iter()
            .filter(|d| d.component_id == c.id)
            .map(|d| name(&d.depends_on_id))
            .collect();
        let mark = if c.dirty { " (dirty)" } else { "" };
        println!(
            "{}{mark} -> {}",
            c.name,
            if deps.is_empty() { "-".into() } else { deps.join(", ") }
        );
    }
}

pub async fn run_doc(ctx: &Ctx, cmd: DocCmd) -> Result<()> {
    let store = &ctx.store;
    let actor = ctx.actor().await?;
    let out = &ctx.out;
    match cmd {
        DocCmd::Show(at) => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let doc = design_docs::get(store, &actor, &c.id).await?;
            if out.json {
                out.json_value(&doc);
            } else {
                println!(
                    "<!-- {} design doc, version {}, approved: {} -->",
                    c.name,
                    doc.version,
                    flag(doc.approved)
                );
                print!("{}", doc.content);
            }
        }
        DocCmd::Save { at, version, content } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            let doc = design_docs::save(store, &actor, &c.id, version, &text_arg(content)?).await?;
            out.record(&doc);
        }
        DocCmd::Approve { at, version } => {
            let c = ctx.component(&at.reference, at.project.as_deref()).await?;
            out.record(&design_docs::approve(store, &actor, &c.id, version).await?);
        }
    }
    Ok(())
}
