//! The parts of GitHub's payloads CodeMySpec uses.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `GET /user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub login: String,
}

/// A repository, from a listing (`minimal-repository`) or a single answer
/// (`full-repository`). URLs come from GitHub's answer, never built by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repo {
    pub id: u64,
    pub name: String,
    pub full_name: String,
    pub owner: Owner,
    pub private: bool,
    pub html_url: String,
    #[serde(default)]
    pub clone_url: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    /// Kilobytes; 0 for a repository with no commits.
    #[serde(default)]
    pub size: Option<u64>,
    /// What the token may do with it (present when the request was authenticated).
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub pull: bool,
}

/// The rate budget GitHub last reported (`X-RateLimit-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateBudget {
    pub limit: u64,
    pub remaining: u64,
    /// When the budget is full again (UTC epoch seconds).
    pub reset: u64,
}

impl RateBudget {
    /// Whether background work may spend from it: above `floor` (a fraction of the limit),
    /// or the window has reset since.
    pub fn allows_background(&self, floor: f64, now: SystemTime) -> bool {
        let reset = UNIX_EPOCH + Duration::from_secs(self.reset);
        now >= reset || (self.remaining as f64) > (self.limit as f64) * floor
    }
}
