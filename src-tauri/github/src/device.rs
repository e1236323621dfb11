//! The OAuth device flow (for an OAuth App's client id): ask for a code, show the user the
//! code and the URL, poll for the token at the interval GitHub asks for. Its endpoints are
//! on the web host (`https://github.com/login/…`, or the Enterprise host), not the API host.

use crate::client::{checked_base, failure, octocrab, Answer};
use crate::error::{GitHubError, Result};
use http_body_util::BodyExt;
use octocrab::{OctoBody, Octocrab};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The pause between polls when GitHub names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL_SECS: u64 = 5;
/// The longest pause between polls the flow accepts from a server. GitHub asks for 5 s and
/// adds 5 s per `slow_down`; a server asking for more is capped, so a sign-in never waits
/// for ages (or forever) between two polls.
pub const MAX_INTERVAL_SECS: u64 = 300;
/// The longest life of a device code the flow accepts. GitHub's codes live 15 minutes; a
/// longer (or absurd) `expires_in` is capped, so the wait has an end and its deadline
/// arithmetic cannot overflow.
pub const MAX_EXPIRES_IN_SECS: u64 = 3600;

/// `POST /login/device/code`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    /// What the user types at `verification_uri`, e.g. `WDJB-MJHT`.
    pub user_code: String,
    pub verification_uri: String,
    /// Seconds the code lives: 1 ..= [`MAX_EXPIRES_IN_SECS`] once read from a server.
    pub expires_in: u64,
    /// Seconds to wait between polls: 1 ..= [`MAX_INTERVAL_SECS`] once read from a server.
    pub interval: u64,
}

/// `POST /login/device/code`'s answer as sent: its timings are any JSON number until they
/// are brought within bounds (a negative, fractional or 2^64-sized value must neither fail
/// the arithmetic nor stall the sign-in).
#[derive(Deserialize)]
struct RawDeviceCode {
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_in: serde_json::Number,
    interval: Option<serde_json::Number>,
}

/// A server's number of seconds within `1 ..= max`: negative and zero become 1, fractions
/// round up, anything past `max` (however large) becomes `max`.
fn seconds_within(value: &serde_json::Number, max: u64) -> u64 {
    let secs = if let Some(whole) = value.as_u64() {
        whole
    } else if value.as_i64().is_some() {
        0 // negative
    } else {
        match value.as_f64() {
            Some(f) if f >= max as f64 => max,
            Some(f) if f > 0.0 => f.ceil() as u64,
            _ => 0,
        }
    };
    secs.clamp(1, max)
}

/// The pause after a `slow_down`: what the server asked for, else the current one plus 5 s
/// (RFC 8628 §3.5), never shorter than the current one, within bounds.
fn slowed_down(current: u64, asked: Option<&serde_json::Number>) -> u64 {
    let asked = asked.map(|n| seconds_within(n, MAX_INTERVAL_SECS));
    let at_least = current.saturating_add(5);
    asked.unwrap_or(at_least).max(at_least).clamp(1, MAX_INTERVAL_SECS)
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
        let raw: RawDeviceCode = serde_json::from_slice(&answer.body).map_err(|e| {
            GitHubError::Other { message: format!("GitHub's device code could not be read: {e}") }
        })?;
        let interval = raw
            .interval
            .as_ref()
            .map_or(DEFAULT_INTERVAL_SECS, |n| seconds_within(n, MAX_INTERVAL_SECS));
        Ok(DeviceCode {
            device_code: raw.device_code,
            user_code: raw.user_code,
            verification_uri: raw.verification_uri,
            expires_in: seconds_within(&raw.expires_in, MAX_EXPIRES_IN_SECS),
            interval,
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
            interval: Option<serde_json::Number>,
        }
        let reply: Reply = serde_json::from_slice(&answer.body).map_err(|e| {
            GitHubError::Other { message: format!("GitHub's token answer could not be read: {e}") }
        })?;
        match (reply.access_token, reply.error.as_deref()) {
            (Some(token), None) => Ok(DevicePoll::Token(token)),
            (_, Some("authorization_pending")) => Ok(DevicePoll::Pending),
            (_, Some("slow_down")) => Ok(DevicePoll::SlowDown {
                interval: slowed_down(code.interval, reply.interval.as_ref()),
            }),
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
    /// interval GitHub asks for between polls (+5 s at each `slow_down`). The timings are
    /// brought within bounds here too (a [`DeviceCode`] can be made by hand), and no pause
    /// runs past the code's expiry: one last poll comes at the deadline.
    pub async fn wait_for_token(&self, code: &DeviceCode) -> Result<String> {
        let mut interval = code.interval.clamp(1, MAX_INTERVAL_SECS);
        let lifetime = Duration::from_secs(code.expires_in.clamp(1, MAX_EXPIRES_IN_SECS));
        let deadline = tokio::time::Instant::now() + lifetime;
        let expired = || GitHubError::Other {
            message: "the device code expired before it was entered: sign in again".into(),
        };
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(Duration::from_secs(interval).min(left)).await;
            match self.poll(code).await? {
                DevicePoll::Token(token) => return Ok(token),
                DevicePoll::Pending => {}
                DevicePoll::SlowDown { interval: next } => {
                    interval = next.max(interval.saturating_add(5)).clamp(1, MAX_INTERVAL_SECS)
                }
                DevicePoll::Expired => return Err(expired()),
                DevicePoll::Denied => {
                    return Err(GitHubError::Other {
                        message: "the sign-in was refused on GitHub (access denied)".into(),
                    })
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(expired());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn number(json: &str) -> serde_json::Number {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_servers_seconds_of_any_size_or_sign_land_within_bounds() {
        let cases = [
            ("900", 900),
            ("0", 1),
            ("-7", 1),
            ("-9223372036854775808", 1),
            ("2.2", 3),
            ("0.0001", 1),
            ("-1e300", 1),
            ("18446744073709551615", MAX_EXPIRES_IN_SECS),
            ("18446744073709551616", MAX_EXPIRES_IN_SECS),
            ("1e300", MAX_EXPIRES_IN_SECS),
        ];
        for (json, secs) in cases {
            assert_eq!(seconds_within(&number(json), MAX_EXPIRES_IN_SECS), secs, "{json}");
        }
    }

    #[test]
    fn a_slow_down_waits_longer_than_before_but_never_past_the_cap() {
        assert_eq!(slowed_down(5, None), 10, "RFC 8628: 5 s more");
        assert_eq!(slowed_down(5, Some(&number("30"))), 30, "what the server asks");
        assert_eq!(slowed_down(20, Some(&number("1"))), 25, "never shorter than before + 5");
        assert_eq!(slowed_down(u64::MAX, None), MAX_INTERVAL_SECS);
        assert_eq!(slowed_down(5, Some(&number("1e30"))), MAX_INTERVAL_SECS);
        assert_eq!(slowed_down(5, Some(&number("-3"))), 10);
    }
}
