//! CodeMySpec core: the domain of docs/DESIGN.md on SQLite — accounts, projects and memberships,
//! the project lifecycle, stories, bounded contexts, components with their dependency graph,
//! design docs and agent sessions. It knows nothing of Tauri; the desktop shell and the
//! `codemyspec` CLI both call these functions.
//!
//! Every function that reads or writes a project's data takes the acting account's id
//! (`actor`) first and sees only projects that account belongs to. Errors carry a stable
//! [`Code`]; multi-row changes are one `BEGIN IMMEDIATE` transaction.

mod text_enum;

pub mod access;
pub mod accounts;
pub mod activity;
pub mod background;
pub mod change_watch;
pub mod clock;
pub mod components;
pub mod contexts;
pub mod dependencies;
pub mod design_docs;
mod dirty;
pub mod docs_readme;
pub mod docs_sync;
pub mod error;
pub mod events;
pub mod git;
pub mod github;
mod graph;
pub mod ids;
pub mod jobs;
pub mod lifecycle;
pub mod links;
pub mod memberships;
pub mod notices;
pub mod outbox;
pub mod pipeline;
pub mod projects;
pub mod repo_kind;
pub mod runner;
pub mod secret;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod settings_view;
pub mod stage;
pub mod stage_rules;
pub mod store;
pub mod stories;
pub mod sync;
pub mod team;
pub mod validate;

pub use access::Role;
pub use error::{Code, Error, ErrorDetail, ErrorView, Result};
pub use ids::{AccountId, ComponentId, ContextId, EntityId, ProjectId, SessionId, StoryId};
pub use lifecycle::{Stage, Trigger};
pub use secret::Secret;
pub use store::Store;
