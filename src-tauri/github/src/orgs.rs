//! The organizations the signed-in user belongs to (`GET /user/orgs`), for choosing the
//! owner whose repositories a profile syncs.

use crate::client::{failure, next_link, Client};
use crate::error::{GitHubError, Result};
use http::HeaderMap;
use serde::{Deserialize, Serialize};

/// One item of `GET /user/orgs` (GitHub's `organization-simple`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    pub login: String,
    pub id: u64,
    #[serde(default)]
    pub description: Option<String>,
}

impl Client {
    /// `GET /user/orgs`: every organization the token's user is a member of, 100 a page
    /// following `Link: rel="next"`. A page that fails fails the whole list (a partial list
    /// of choices would hide one without saying so).
    pub async fn orgs(&self) -> Result<Vec<Org>> {
        let mut url = self.url("/user/orgs?per_page=100");
        let mut orgs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            if !seen.insert(url.clone()) {
                return Err(GitHubError::Other {
                    message: format!("the pages of your organizations link in a circle at {url}"),
                });
            }
            let answer = self.send(http::Method::GET, &url, None, HeaderMap::new()).await?;
            if answer.status.as_u16() != 200 {
                return Err(failure(&answer, "your organizations"));
            }
            let page: Vec<Org> = answer.json("GET /user/orgs")?;
            orgs.extend(page);
            match answer.header("link").and_then(next_link) {
                Some(next) => url = next,
                None => return Ok(orgs),
            }
        }
    }
}
