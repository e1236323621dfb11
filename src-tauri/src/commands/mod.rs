//! The typed commands the window calls, by domain. Each is thin: convert the input, make one
//! core call (after resolving the acting profile), and return the core error as its
//! `{code, field?, message}` view.

pub mod components;
pub mod docs;
pub mod jobs;
pub mod profile;
pub mod projects;
pub mod spec;

use codemyspec_core::ErrorView;

pub type Res<T> = Result<T, ErrorView>;
