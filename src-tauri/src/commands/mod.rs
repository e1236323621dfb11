//! The typed commands the window calls, by domain. Each is thin: convert the input, make one
//! core call (after resolving the acting profile), and return the core error as its
//! `{code, field?, message}` view.

pub mod activity;
pub mod components;
pub mod docs;
pub mod github;
pub mod jobs;
pub mod profile;
pub mod projects;
pub mod spec;
pub mod sync;
pub mod team;

use codemyspec_core::{AccountId, ErrorView, ProjectId};

pub type Res<T> = Result<T, ErrorView>;

/// A project id from the window, parsed where it enters: a bad one is the typed error on
/// `project_id`, as the core gave before ids were types.
fn project_id(raw: &str) -> codemyspec_core::Result<ProjectId> {
    ProjectId::parse("project_id", raw)
}

/// A profile's id from the window (a member to remove or change), parsed where it enters.
fn account_id(raw: &str) -> codemyspec_core::Result<AccountId> {
    AccountId::parse("account_id", raw)
}

/// What the OS opener answered, as the window's error: "cannot open {what}: why".
fn opened(result: Result<(), tauri_plugin_opener::Error>, what: &str) -> Res<()> {
    result.map_err(|e| {
        codemyspec_core::Error::Unavailable { message: format!("cannot open {what}: {e}") }.into()
    })
}
