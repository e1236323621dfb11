//! One repository asked after by its id (`GET /repositories/{id}`): the id survives renames
//! and transfers, so it is how the org sync checks a repository it did not list.

use crate::client::{failure, CachedPage, Client, PageCache};
use crate::error::Result;
use crate::types::Repo;
use http::header::{HeaderMap, HeaderValue};

/// What GitHub said about a repository known by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ById {
    /// It exists, under the name and owner `repo` gives. `fresh` is false when GitHub answered
    /// 304 to the stored ETag (free of the rate budget) and `repo` is the stored answer.
    Found { repo: Repo, fresh: bool },
    /// 404: deleted, or out of the token's sight (GitHub does not tell the two apart).
    Gone,
}

impl Client {
    /// `GET /repositories/{id}`, sent with the ETag `before` holds for it. The answer goes into
    /// `after` (kept on 200 and 304, and on a failure so that its ETag is not lost; not on
    /// 404), so that the next check of an unchanged repository is a free 304. Any answer but
    /// 200, 304 and 404 (403, 5xx, no network) is an error: it says nothing about whether
    /// the repository exists.
    pub async fn repo_by_id(
        &self,
        id: u64,
        before: &PageCache,
        after: &mut PageCache,
    ) -> Result<ById> {
        let url = self.url(&format!("/repositories/{id}"));
        let mut headers = HeaderMap::new();
        let cached = before.pages.get(&url).filter(|page| page.repos.len() == 1);
        if let Some(etag) = cached.and_then(|c| HeaderValue::from_str(&c.etag).ok()) {
            headers.insert(http::header::IF_NONE_MATCH, etag);
        }
        let answer = match self.send(http::Method::GET, &url, None, headers).await {
            Ok(answer) => answer,
            Err(e) => {
                if let Some(page) = cached {
                    after.pages.insert(url, page.clone());
                }
                return Err(e);
            }
        };
        match (answer.status.as_u16(), cached) {
            (304, Some(page)) => {
                let repo = page.repos[0].clone();
                after.pages.insert(url, page.clone());
                Ok(ById::Found { repo, fresh: false })
            }
            (200, _) => {
                let repo: Repo = answer.json("GET /repositories/{id}")?;
                let etag = answer.header("etag").unwrap_or_default().to_owned();
                let page = CachedPage { etag, repos: vec![repo.clone()], next: None };
                after.pages.insert(url, page);
                Ok(ById::Found { repo, fresh: true })
            }
            (404, _) => Ok(ById::Gone),
            _ => {
                if let Some(page) = cached {
                    after.pages.insert(url, page.clone());
                }
                Err(failure(&answer, &format!("the repository with id {id}")))
            }
        }
    }
}
