//! Integration tests of the core against real SQLite files: one binary, a module per area.

mod recipe;
mod support;

mod accounts;
mod activity;
mod bad_input;
mod change_watch;
mod clone_setup;
mod components;
mod contexts;
mod docs_layout;
mod docs_sync;
mod fn_length;
mod github_settings;
mod jobs_access;
mod layers;
mod lifecycle;
mod notices;
mod outbox;
mod projects;
mod provision;
mod provision_race;
mod resume;
mod sessions;
mod setup;
mod stage_rules;
mod step_output;
mod store;
mod stories;
mod sync;
mod sync_noise;
mod sync_owners;
mod team;
mod tokens;
mod warm_deps;
