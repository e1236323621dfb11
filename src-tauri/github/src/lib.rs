//! GitHub's REST API for CodeMySpec, on octocrab: who a token belongs to (`GET /user`, its
//! scopes), creating and reading repositories, listing an organization's (or the user's)
//! repositories page by page with ETags — an unchanged page is a free 304 — and the OAuth
//! device flow. Every answer's `X-RateLimit-*` is kept in a [`RateBudget`]; GitHub's
//! failures come back as a typed [`GitHubError`] with a stable code.
//!
//! A token goes only to its own host's API ([`token_host`]).
//!
//! The crate knows nothing of projects or the database: the core calls it.

mod client;
mod device;
mod error;
mod host;
mod types;

pub use client::{api_url_for_host, check_api_url, Client, Listing, PageCache, API_VERSION};
pub use device::{DeviceCode, DeviceFlow, DevicePoll};
pub use error::{GitHubError, Result};
pub use host::{token_host, NotOfHost};
pub use types::{Permissions, RateBudget, Repo, User};
