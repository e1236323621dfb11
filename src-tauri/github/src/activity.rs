//! What happened on GitHub (issue 21): the events feed of an organization or an account, read
//! with its ETag so that an unchanged feed is a free 304, and a branch's head commit, also
//! with its own ETag. The feed carries no commit list since 2025 (a `PushEvent` has `ref`,
//! `before`, `head`): who wrote the head and what it says come from the commit itself.

use crate::client::{failure, next_link, Client};
use crate::error::Result;
use http::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

/// GitHub keeps the newest 300 events of a feed: at most 3 pages of 100 are read.
const MAX_PAGES: u32 = 3;

/// One event of the feed (GitHub's `event`), the parts the app reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    /// `PushEvent`, `CreateEvent`, `DeleteEvent`, `RepositoryEvent`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: EventActor,
    pub repo: EventRepo,
    #[serde(default)]
    pub payload: serde_json::Value,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    pub login: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRepo {
    pub id: u64,
    /// `owner/name` when the event happened.
    pub name: String,
}

/// Whose feed: an organization's as the signed-in user sees it (its private repositories
/// too: `GET /users/{me}/events/orgs/{org}`; `GET /orgs/{org}/events` holds only public
/// events), or the signed-in user's own (`GET /users/{me}/events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOf<'a> {
    Org { org: &'a str, me: &'a str },
    User { me: &'a str },
}

impl FeedOf<'_> {
    fn path(&self) -> String {
        match self {
            FeedOf::Org { org, me } => format!("/users/{me}/events/orgs/{org}?per_page=100"),
            FeedOf::User { me } => format!("/users/{me}/events?per_page=100"),
        }
    }
}

/// What a poll of the feed found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPoll {
    /// The events newer than the last one seen, newest first (empty on a 304).
    pub events: Vec<Event>,
    /// The first page's ETag, for the next poll (the one sent, on a 304).
    pub etag: Option<String>,
    /// `X-Poll-Interval`: seconds GitHub asks to wait before the next poll.
    pub poll_interval: Option<u64>,
    /// The feed answered 304: nothing happened since the last poll.
    pub not_modified: bool,
    /// The last event seen was not in the pages GitHub keeps (or none was seen yet): events
    /// may have been missed, and only a listing can tell what exists.
    pub gap: bool,
    /// The newest event's id (the last one seen, when nothing is new).
    pub newest: Option<String>,
    pub requests: u32,
}

/// A commit as GitHub shows it: the head of a branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadCommit {
    pub sha: String,
    /// The GitHub account the commit is credited to, when GitHub matched its email to one.
    pub author_login: Option<String>,
    /// The name in the commit.
    pub author_name: String,
    /// The author's date (ISO 8601, UTC).
    pub date: String,
    /// The message's first line.
    pub title: String,
}

/// A conditional read's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read<T> {
    /// 304 to the ETag sent: as it was (free of the rate budget).
    NotModified,
    Fresh {
        value: T,
        etag: Option<String>,
    },
    /// Nothing there: an empty repository (409), no such branch (404, 422).
    Nothing,
}

#[derive(Deserialize)]
struct CommitBody {
    sha: String,
    commit: CommitDetail,
    #[serde(default)]
    author: Option<crate::types::Owner>,
}

#[derive(Deserialize)]
struct CommitDetail {
    author: Option<Signature>,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct Signature {
    #[serde(default)]
    name: String,
    #[serde(default)]
    date: String,
}

fn if_none_match(etag: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        headers.insert(http::header::IF_NONE_MATCH, v);
    }
    headers
}

/// Whether `id` is the last seen one or older (GitHub's event ids grow with time).
fn seen(id: &str, last: &str) -> bool {
    match (id.parse::<u128>(), last.parse::<u128>()) {
        (Ok(id), Ok(last)) => id <= last,
        _ => id == last,
    }
}

impl Client {
    /// Polls `feed`: the first page with `etag` (a 304 costs nothing and ends the poll), then,
    /// while the last seen event is not reached, the next pages (at most the 300 events
    /// GitHub keeps). Any page that fails fails the poll: the caller keeps its ETag and last
    /// seen id, so the next poll catches up.
    pub async fn poll_events(
        &self,
        feed: &FeedOf<'_>,
        etag: Option<&str>,
        last_seen: Option<&str>,
    ) -> Result<FeedPoll> {
        let what = match feed {
            FeedOf::Org { org, .. } => format!("the events of {org}"),
            FeedOf::User { me } => format!("the events of {me}"),
        };
        let mut url = self.url(&feed.path());
        let mut poll = FeedPoll {
            events: Vec::new(),
            etag: etag.map(str::to_owned),
            poll_interval: None,
            not_modified: false,
            gap: false,
            newest: last_seen.map(str::to_owned),
            requests: 0,
        };
        for page in 0..MAX_PAGES {
            let headers = if page == 0 { if_none_match(etag) } else { HeaderMap::new() };
            let answer = self.send(http::Method::GET, &url, None, headers).await?;
            poll.requests += 1;
            if page == 0 {
                poll.poll_interval =
                    answer.header("x-poll-interval").and_then(|v| v.parse::<u64>().ok());
            }
            match answer.status.as_u16() {
                304 if page == 0 && etag.is_some() => {
                    poll.not_modified = true;
                    return Ok(poll);
                }
                200 => {}
                _ => return Err(failure(&answer, &what)),
            }
            if page == 0 {
                poll.etag = answer.header("etag").map(str::to_owned);
            }
            let events: Vec<Event> = answer.json("a page of events")?;
            for event in events {
                if last_seen.is_some_and(|last| seen(&event.id, last)) {
                    poll.newest = poll.events.first().map(|e| e.id.clone()).or(poll.newest);
                    return Ok(poll);
                }
                poll.events.push(event);
            }
            match answer.header("link").and_then(next_link) {
                Some(next) => url = next,
                None => break,
            }
        }
        // The last seen event was not reached: it fell out of GitHub's window (or this is
        // the first poll).
        poll.gap = true;
        poll.newest = poll.events.first().map(|e| e.id.clone()).or(poll.newest);
        Ok(poll)
    }

    /// `GET /repos/{full_name}/commits/{branch}` with `etag`: the branch's head commit.
    pub async fn head_commit(
        &self,
        full_name: &str,
        branch: &str,
        etag: Option<&str>,
    ) -> Result<Read<HeadCommit>> {
        let path = format!("/repos/{full_name}/commits/{branch}");
        let answer = self.send(http::Method::GET, &path, None, if_none_match(etag)).await?;
        match answer.status.as_u16() {
            304 => Ok(Read::NotModified),
            200 => {
                let body: CommitBody = answer.json("GET a commit")?;
                let author = body
                    .commit
                    .author
                    .unwrap_or(Signature { name: String::new(), date: String::new() });
                let value = HeadCommit {
                    sha: body.sha,
                    author_login: body.author.map(|a| a.login),
                    author_name: author.name,
                    date: author.date,
                    title: body.commit.message.lines().next().unwrap_or_default().to_owned(),
                };
                Ok(Read::Fresh { value, etag: answer.header("etag").map(str::to_owned) })
            }
            404 | 409 | 422 => Ok(Read::Nothing),
            _ => Err(failure(&answer, &format!("the head of {full_name}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_seen_when_it_is_the_last_one_or_older() {
        assert!(seen("26000000005", "26000000005"));
        assert!(seen("26000000004", "26000000005"));
        assert!(!seen("26000000006", "26000000005"));
        assert!(seen("abc", "abc") && !seen("abd", "abc"));
    }

    #[test]
    fn a_push_event_of_2025_reads_without_a_commit_list() {
        let text = include_str!("../../../tests/support/github-api/list-org-events.200.json");
        let events: Vec<Event> = serde_json::from_str(text).unwrap();
        assert_eq!(events[0].kind, "PushEvent");
        assert_eq!(events[0].repo.id, 1296269);
        assert_eq!(events[0].payload["ref"], "refs/heads/master");
        assert!(events[0].payload.get("commits").is_none());
    }
}
