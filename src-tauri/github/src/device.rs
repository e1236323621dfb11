//! The OAuth device flow (for an OAuth App's client id): ask for a code, show the user the
//! code and the URL, poll for the token at the interval GitHub asks for. Its endpoints are
//! on the web host (`https://github.com/login/…`, or the Enterprise host), not the API host.

use crate::client::{checked_base, failure, octocrab, Answer};
use crate::error::{GitHubError, Result};
use http_body_util::BodyExt;
use octocrab::{OctoBody, Octocrab};
use serde::{Deserialize, Serialize};

/// `POST /login/device/code`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    /// What the user types at `verification_uri`, e.g. `WDJB-MJHT`.
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u64,
    /// Seconds to wait between polls.
    pub interval: u64,
}

/// One poll's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicePoll {
    /// The user has not entered the code yet: poll again after the interval.
    Pending,
    /// Polled too fast: poll again after this (longer) interval.
    SlowDown { interval: u64 },
    /// Done: the token.
    Token(String),
    /// The code expired: start again.
    Expired,
    /// The user refused.
    Denied,
}

#[derive(Debug, Clone)]
pub struct DeviceFlow {
    octo: Octocrab,
    web: String,
    client_id: String,
}

impl DeviceFlow {
    /// `web_url` is the web host (`https://github.com`, `https://ghe.example.com`, or a
    /// loopback stand-in); `client_id` the OAuth App's.
    pub fn new(web_url: &str, client_id: &str) -> Result<DeviceFlow> {
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(GitHubError::Other {
                message: "the device flow needs an OAuth App client id: codemyspec config set github_client_id ID".into(),
            });
        }
        let web = checked_base(web_url)?;
        Ok(DeviceFlow { octo: octocrab(&web, None)?, web, client_id: client_id.to_owned() })
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<Answer> {
        let url = format!("{}{path}", self.web);
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(&url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(OctoBody::from(body))
            .map_err(|e| GitHubError::Other {
                message: format!("cannot build a request to {url}: {e}"),
            })?;
        let response = self
            .octo
            .execute(request)
            .await
            .map_err(|e| GitHubError::Offline { message: format!("{url}: {e}") })?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| GitHubError::Offline { message: format!("{url}: {e}") })?
            .to_bytes();
        Ok(Answer { status: parts.status, headers: parts.headers, body })
    }

    /// Asks for a device code (`scope`: space-separated, e.g. `repo read:org`).
    pub async fn start(&self, scope: &str) -> Result<DeviceCode> {
        let answer = self
            .post_form("/login/device/code", &[("client_id", &self.client_id), ("scope", scope)])
            .await?;
        if !answer.status.is_success() {
            return Err(failure(&answer, "the device code"));
        }
        if let Some(e) = oauth_error(&answer.body) {
            return Err(GitHubError::Other {
                message: format!("GitHub refused the device flow: {e}"),
            });
        }
        serde_json::from_slice(&answer.body).map_err(|e| GitHubError::Other {
            message: format!("GitHub's device code could not be read: {e}"),
        })
    }

    /// Polls once for the token.
    pub async fn poll(&self, code: &DeviceCode) -> Result<DevicePoll> {
        let answer = self
            .post_form(
                "/login/oauth/access_token",
                &[
                    ("client_id", &self.client_id),
                    ("device_code", &code.device_code),
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ],
            )
            .await?;
        if !answer.status.is_success() {
            return Err(failure(&answer, "the device token"));
        }
        #[derive(Deserialize)]
        struct Reply {
            access_token: Option<String>,
            error: Option<String>,
            error_description: Option<String>,
            interval: Option<u64>,
        }
        let reply: Reply = serde_json::from_slice(&answer.body).map_err(|e| {
            GitHubError::Other { message: format!("GitHub's token answer could not be read: {e}") }
        })?;
        match (reply.access_token, reply.error.as_deref()) {
            (Some(token), None) => Ok(DevicePoll::Token(token)),
            (_, Some("authorization_pending")) => Ok(DevicePoll::Pending),
            (_, Some("slow_down")) => {
                Ok(DevicePoll::SlowDown { interval: reply.interval.unwrap_or(code.interval + 5) })
            }
            (_, Some("expired_token")) => Ok(DevicePoll::Expired),
            (_, Some("access_denied")) => Ok(DevicePoll::Denied),
            (_, Some(other)) => Err(GitHubError::Other {
                message: format!(
                    "GitHub refused the device flow: {other}{}",
                    reply.error_description.map(|d| format!(" ({d})")).unwrap_or_default()
                ),
            }),
            (None, None) => {
                Err(GitHubError::Other { message: "GitHub's token answer had no token".into() })
            }
        }
    }

    /// Polls until the user has entered the code (or refused, or it expired), waiting the
    /// interval GitHub asks for between polls (+5 s at each `slow_down`).
    pub async fn wait_for_token(&self, code: &DeviceCode) -> Result<String> {
        let mut interval = code.interval.max(1);
        let deadline =
            tokio::time::Instant::now() + std::time::Duration::from_secs(code.expires_in.max(1));
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
            match self.poll(code).await? {
                DevicePoll::Token(token) => return Ok(token),
                DevicePoll::Pending => {}
                DevicePoll::SlowDown { interval: next } => interval = next.max(interval + 5),
                DevicePoll::Expired => {
                    return Err(GitHubError::Other {
                        message: "the device code expired before it was entered: sign in again"
                            .into(),
                    })
                }
                DevicePoll::Denied => {
                    return Err(GitHubError::Other {
                        message: "the sign-in was refused on GitHub (access denied)".into(),
                    })
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(GitHubError::Other {
                    message: "the device code expired before it was entered: sign in again".into(),
                });
            }
        }
    }
}

fn oauth_error(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()?
        .get("error")
        .and_then(|e| e.as_str())
        .map(str::to_owned)
}

/// `application/x-www-form-urlencoded` for one key or value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
