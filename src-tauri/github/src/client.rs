//! The REST client: requests through octocrab's raw calls (so that status, headers and
//! conditional requests stay ours), GitHub's answers read into [`crate::types`] or a
//! [`GitHubError`].

use crate::error::{GitHubError, Result};
use crate::types::{RateBudget, Repo, User};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::StatusCode;
use http_body_util::BodyExt;
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The REST API version every request asks for (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// The API base for a GitHub host: `https://api.github.com` for github.com, else GitHub
/// Enterprise Server's `https://HOST/api/v3`.
pub fn api_url_for_host(host: &str) -> String {
    if host.eq_ignore_ascii_case("github.com") {
        "https://api.github.com".to_owned()
    } else {
        format!("https://{host}/api/v3")
    }
}

/// Checks an API base: `https://…`, or `http://` on a loopback host (a local stand-in).
/// Returns it without a trailing `/`.
pub fn check_api_url(url: &str) -> Result<String> {
    checked_base(url)
}

pub(crate) fn checked_base(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let bad =
        |why: &str| GitHubError::Other { message: format!("the GitHub API URL {url:?} {why}") };
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(bad("must use https (plain http only for a loopback test server)"));
        }
        rest
    } else {
        return Err(bad("must start with https://"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("has no host"));
    }
    Ok(url.to_owned())
}

/// One cached page of a listing: its ETag, the repositories it held, and the next page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedPage {
    pub etag: String,
    pub repos: Vec<Repo>,
    pub next: Option<String>,
}

/// The pages of the last listing by URL, to ask again with `If-None-Match`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCache {
    pub pages: BTreeMap<String, CachedPage>,
}

/// A complete listing: every repository, with what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub repos: Vec<Repo>,
    pub requests: u32,
    /// Pages that answered 304 (free of the rate budget).
    pub not_modified: u32,
    /// The pages as they are now, for the next listing.
    pub cache: PageCache,
}

/// A GitHub client for one API base and token.
#[derive(Clone)]
pub struct Client {
    octo: Octocrab,
    base: String,
    budget: Arc<Mutex<Option<RateBudget>>>,
    scopes: Arc<Mutex<Option<Vec<String>>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish_non_exhaustive()
    }
}

pub(crate) fn octocrab(base: &str, token: Option<&str>) -> Result<Octocrab> {
    let mut builder = Octocrab::builder()
        .base_uri(base)
        .map_err(|e| GitHubError::Other { message: format!("bad GitHub API URL {base}: {e}") })?
        .add_header(HeaderName::from_static("x-github-api-version"), API_VERSION.to_owned())
        // Rate limits are ours to respect (background work waits, a person is told).
        .add_retry_config(RetryConfig::None)
        .set_connect_timeout(Some(Duration::from_secs(10)))
        .set_read_timeout(Some(Duration::from_secs(30)));
    if let Some(token) = token {
        builder = builder.personal_token(token.to_owned());
    }
    builder
        .build()
        .map_err(|e| GitHubError::Other { message: format!("cannot make the GitHub client: {e}") })
}

/// What came back: status, headers, body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub(crate) fn json<T: for<'de> Deserialize<'de>>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| GitHubError::Other {
            message: format!("GitHub's answer to {what} could not be read: {e}"),
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn epoch_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The error an answer that is not a success stands for.
pub(crate) fn failure(answer: &Answer, what: &str) -> GitHubError {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(default)]
        message: String,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
    }
    let body: Body = serde_json::from_slice(&answer.body).unwrap_or_default();
    let status = answer.status.as_u16();
    match status {
        401 => GitHubError::Unauthorized,
        403 | 429 => {
            let remaining =
                answer.header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
            let retry_after = answer.header("retry-after").and_then(|v| v.parse::<u64>().ok());
            let reset = answer.header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok());
            let secondary = body.message.to_ascii_lowercase().contains("secondary rate limit");
            if let Some(seconds) = retry_after {
                let kind = if remaining == Some(0) { "primary" } else { "secondary" };
                GitHubError::RateLimited {
                    kind,
                    until: SystemTime::now() + Duration::from_secs(seconds),
                }
            } else if remaining == Some(0) {
                let at = reset.unwrap_or_else(|| epoch_now() + 60);
                GitHubError::RateLimited {
                    kind: "primary",
                    until: UNIX_EPOCH + Duration::from_secs(at),
                }
            } else if secondary || status == 429 {
                // No header says how long: at least a minute (GitHub's advice).
                GitHubError::RateLimited {
                    kind: "secondary",
                    until: SystemTime::now() + Duration::from_secs(60),
                }
            } else {
                GitHubError::Forbidden { message: body.message }
            }
        }
        404 => GitHubError::NotFound { what: what.to_owned() },
        422 => {
            let exists = body.errors.iter().any(|e| {
                e.get("field").and_then(|f| f.as_str()) == Some("name")
                    && e.get("message")
                        .and_then(|m| m.as_str())
                        .is_some_and(|m| m.contains("already exists"))
            });
            if exists {
                GitHubError::NameExists { owner: String::new(), name: String::new() }
            } else {
                let details: Vec<String> = body
                    .errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(|m| m.as_str()).map(str::to_owned))
                    .collect();
                let message = if details.is_empty() {
                    body.message
                } else {
                    format!("{} ({})", body.message, details.join("; "))
                };
                GitHubError::Invalid { message }
            }
        }
        500..=599 => GitHubError::Server { status },
        _ => GitHubError::Other {
            message: format!("GitHub answered {status} to {what}: {}", body.message),
        },
    }
}

impl Client {
    /// A client for the API at `api_url` (see [`api_url_for_host`]) with `token`, if any.
    pub fn new(api_url: &str, token: Option<&str>) -> Result<Client> {
        let base = checked_base(api_url)?;
        Ok(Client {
            octo: octocrab(&base, token)?,
            base,
            budget: Arc::default(),
            scopes: Arc::default(),
        })
    }

    pub fn api_url(&self) -> &str {
        &self.base
    }

    /// The rate budget of the last answer that reported one.
    pub fn budget(&self) -> Option<RateBudget> {
        *self.budget.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The token's scopes (`X-OAuth-Scopes`) as of the last [`Client::user`], where GitHub
    /// sends them (classic tokens; fine-grained tokens have none).
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.scopes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    pub(crate) async fn send(
        &self,
        method: http::Method,
        path_or_url: &str,
        body: Option<&serde_json::Value>,
        headers: HeaderMap,
    ) -> Result<Answer> {
        let url = self.url(path_or_url);
        let mut request = http::Request::builder().method(method).uri(&url);
        for (k, v) in &headers {
            request = request.header(k, v);
        }
        let request = self.octo.build_request(request, body).map_err(|e| GitHubError::Other {
            message: format!("cannot build a request to {url}: {e}"),
        })?;
        let response = self.octo.execute(request).await.map_err(|e| GitHubError::Offline {
            message: format!(
                "{url}: {}",
                std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| e.to_string())
            ),
        })?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| GitHubError::Offline {
                message: format!("{url}: the answer broke off: {e}"),
            })?
            .to_bytes();
        let answer = Answer { status: parts.status, headers: parts.headers, body };
        self.note_budget(&answer);
        Ok(answer)
    }

    fn note_budget(&self, answer: &Answer) {
        let num = |name: &str| answer.header(name).and_then(|v| v.parse::<u64>().ok());
        if let (Some(limit), Some(remaining), Some(reset)) =
            (num("x-ratelimit-limit"), num("x-ratelimit-remaining"), num("x-ratelimit-reset"))
        {
            *self.budget.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(RateBudget { limit, remaining, reset });
        }
    }

    /// `GET /user`: whom the token belongs to; also notes its scopes.
    pub async fn user(&self) -> Result<User> {
        let answer = self.send(http::Method::GET, "/user", None, HeaderMap::new()).await?;
        if !answer.status.is_success() {
            return Err(failure(&answer, "the signed-in user"));
        }
        let scopes = answer.header("x-oauth-scopes").map(|s| {
            s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        });
        *self.scopes.lock().unwrap_or_else(|e| e.into_inner()) = scopes;
        answer.json("GET /user")
    }

    /// `GET /repos/{owner}/{name}`, following a rename's redirect; `None` when it does not
    /// exist (or the token cannot see it).
    pub async fn repo(&self, owner: &str, name: &str) -> Result<Option<Repo>> {
        let answer = self
            .send(http::Method::GET, &format!("/repos/{owner}/{name}"), None, HeaderMap::new())
            .await?;
        match answer.status.as_u16() {
            200 => answer.json("GET /repos").map(Some),
            404 => Ok(None),
            _ => Err(failure(&answer, &format!("{owner}/{name}"))),
        }
    }

    /// Creates a repository in `org` (`POST /orgs/{org}/repos`) or, with no org, the
    /// signed-in user's account (`POST /user/repos`). GitHub may change the name (other
    /// characters become `-`): the answer says what it made.
    pub async fn create_repo(&self, org: Option<&str>, name: &str, private: bool) -> Result<Repo> {
        let path = match org {
            Some(org) => format!("/orgs/{org}/repos"),
            None => "/user/repos".to_owned(),
        };
        let body = serde_json::json!({ "name": name, "private": private, "auto_init": false });
        let answer = self.send(http::Method::POST, &path, Some(&body), HeaderMap::new()).await?;
        if answer.status.as_u16() == 201 {
            return answer.json("POST repos");
        }
        let owner = org.unwrap_or("your account");
        Err(match failure(&answer, owner) {
            GitHubError::NameExists { .. } => {
                GitHubError::NameExists { owner: owner.to_owned(), name: name.to_owned() }
            }
            other => other,
        })
    }

    /// Every repository of `org` (or, with no org, the ones the signed-in user owns), 100 a
    /// page following `Link: rel="next"`, each page asked with the ETag `cache` has for it:
    /// an unchanged page answers 304 and costs no rate budget. Any page that fails fails the
    /// whole listing (a partial listing must not be taken for the whole).
    pub async fn list_repos(&self, org: Option<&str>, cache: &PageCache) -> Result<Listing> {
        let mut url = match org {
            Some(org) => self.url(&format!("/orgs/{org}/repos?per_page=100")),
            None => self.url("/user/repos?per_page=100&affiliation=owner"),
        };
        let what = org
            .map(|o| format!("the organization {o}"))
            .unwrap_or_else(|| "your repositories".into());
        let mut listing = Listing {
            repos: Vec::new(),
            requests: 0,
            not_modified: 0,
            cache: PageCache::default(),
        };
        let mut seen = std::collections::HashSet::new();
        loop {
            if !seen.insert(url.clone()) {
                return Err(GitHubError::Other {
                    message: format!("the pages of {what} link in a circle at {url}"),
                });
            }
            let mut headers = HeaderMap::new();
            let cached = cache.pages.get(&url);
            if let Some(page) = cached {
                if let Ok(v) = HeaderValue::from_str(&page.etag) {
                    headers.insert(http::header::IF_NONE_MATCH, v);
                }
            }
            let answer = self.send(http::Method::GET, &url, None, headers).await?;
            listing.requests += 1;
            let page = match (answer.status.as_u16(), cached) {
                (304, Some(page)) => {
                    listing.not_modified += 1;
                    page.clone()
                }
                (200, _) => CachedPage {
                    etag: answer.header("etag").unwrap_or_default().to_owned(),
                    repos: answer.json("a page of repositories")?,
                    next: answer.header("link").and_then(next_link),
                },
                _ => return Err(failure(&answer, &what)),
            };
            listing.repos.extend(page.repos.iter().cloned());
            let next = page.next.clone();
            listing.cache.pages.insert(url, page);
            match next {
                Some(n) => url = n,
                None => return Ok(listing),
            }
        }
    }
}

/// The `rel="next"` URL of a `Link` header.
pub(crate) fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_base_follows_the_host_and_plain_http_is_only_for_loopback() {
        assert_eq!(api_url_for_host("github.com"), "https://api.github.com");
        assert_eq!(api_url_for_host("ghe.acme.com"), "https://ghe.acme.com/api/v3");
        assert_eq!(checked_base("http://127.0.0.1:4000/").unwrap(), "http://127.0.0.1:4000");
        assert!(checked_base("http://ghe.acme.com/api/v3").is_err());
        assert!(checked_base("ftp://x").is_err());
        assert!(checked_base("https://").is_err());
    }

    #[test]
    fn the_next_page_comes_from_the_link_header() {
        let link = "<https://api.github.com/organizations/1/repos?per_page=100&page=1>; rel=\"prev\", \
                    <https://api.github.com/organizations/1/repos?per_page=100&page=3>; rel=\"next\", \
                    <https://api.github.com/organizations/1/repos?per_page=100&page=5>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/organizations/1/repos?per_page=100&page=3")
        );
        assert_eq!(next_link("<https://x/y?page=1>; rel=\"first\""), None);
    }
}
