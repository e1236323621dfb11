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
    /// A fork of another repository (GitHub's `fork`).
    #[serde(default)]
    pub fork: bool,
    /// Archived: read-only on GitHub (GitHub's `archived`).
    #[serde(default)]
    pub archived: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's own example of an org listing (`minimal-repository`).
    const LISTING: &str = include_str!("../../../tests/support/github-api/list-org-repos.200.json");

    #[test]
    fn a_listed_repository_says_whether_it_is_a_fork_or_archived() {
        let mut listing: Vec<serde_json::Value> = serde_json::from_str(LISTING).unwrap();
        let plain: Repo = serde_json::from_value(listing[0].clone()).unwrap();
        assert!(!plain.fork && !plain.archived, "GitHub's example is neither");
        listing[0]["fork"] = true.into();
        listing[0]["archived"] = true.into();
        let flagged: Repo = serde_json::from_value(listing[0].clone()).unwrap();
        assert!(flagged.fork && flagged.archived);
        // A cached page written before the flags were read has neither field.
        listing[0].as_object_mut().unwrap().retain(|k, _| k != "fork" && k != "archived");
        let older: Repo = serde_json::from_value(listing[0].clone()).unwrap();
        assert!(!older.fork && !older.archived);
    }
}
