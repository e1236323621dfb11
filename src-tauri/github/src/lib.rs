//! GitHub's REST API for CodeMySpec, on octocrab: who a token belongs to (`GET /user`, its
//! scopes), creating and reading repositories, listing an organization's (or the user's)
//! repositories page by page with ETags — an unchanged page is a free 304 —, asking after one
//! repository by its id (also with its ETag), a repository's collaborators and invitations
//! (listing, inviting, changing, removing), the user's organizations (`GET /user/orgs`), and
//! the OAuth device flow. Every answer's `X-RateLimit-*` is kept in a [`RateBudget`];
//! GitHub's failures come back as a typed [`GitHubError`] with a stable code.
//!
//! The activity feed (`GET /users/{me}/events/orgs/{org}` or the user's own events) and a
//! branch's head commit are read with ETags too (issue 21); what the stage rules look at on a
//! commit — a path there, its statuses and check runs, whether it contains another — too.
//!
//! A token goes only to its own host's API ([`token_host`]).
//!
//! The crate knows nothing of projects or the database: the core calls it.

mod activity;
mod by_id;
mod client;
mod collaborators;
mod device;
mod error;
mod evidence;
mod host;
mod orgs;
mod types;

pub use activity::{Event, EventActor, EventRepo, FeedOf, FeedPoll, HeadCommit, Read};
pub use by_id::ById;
pub use client::{
    api_url_for_host, check_api_url, CachedPage, Client, Listing, PageCache, API_VERSION,
};
pub use collaborators::{
    Added, Collaborator, Grants, Invitation, Login, OwnerKind, Permission, RepoAccess,
};
pub use device::{
    DeviceCode, DeviceFlow, DevicePoll, DEFAULT_INTERVAL_SECS, MAX_EXPIRES_IN_SECS,
    MAX_INTERVAL_SECS,
};
pub use error::{GitHubError, Result};
pub use evidence::{Check, CheckState};
pub use host::{token_host, NotOfHost};
pub use orgs::Org;
pub use types::{Permissions, RateBudget, Repo, User};
