//! A step's output on its way to `job_logs` and to live subscribers: lines are buffered and
//! written in batches (one transaction per batch, not per line), and each step keeps its
//! first [`HEAD`] and last [`TAIL`] lines — a build that prints a million lines cannot fill
//! the database, and the end of the output, where failures are, is never lost.

use crate::clock::format_ts;
use crate::events::{Broadcaster, JobEvent};
use crate::jobs::LogLine;
use crate::store::Store;
use std::collections::VecDeque;

pub const HEAD: usize = 500;
pub const TAIL: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
    System,
}

impl Stream {
    fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
            Stream::System => "system",
        }
    }
}

pub struct LogSink {
    store: Store,
    events: Broadcaster,
    job_id: i64,
    attempt: i64,
    position: i64,
    /// Lines seen in this step so far.
    seen: usize,
    /// Head lines waiting to be written.
    pending: Vec<(Stream, String, String)>,
    /// Past the head: the newest lines, written when the step ends.
    tail: VecDeque<(Stream, String, String)>,
    /// The last lines of the step, whatever was written: the failure report quotes them.
    recent: VecDeque<String>,
}

impl LogSink {
    pub fn new(
        store: &Store,
        events: &Broadcaster,
        job_id: i64,
        attempt: i64,
        position: i64,
    ) -> Self {
        LogSink {
            store: store.clone(),
            events: events.clone(),
            job_id,
            attempt,
            position,
            seen: 0,
            pending: Vec::new(),
            tail: VecDeque::new(),
            recent: VecDeque::new(),
        }
    }

    pub fn push(&mut self, stream: Stream, line: String) {
        let at = format_ts(self.store.clock().now());
        self.recent.push_back(line.clone());
        if self.recent.len() > 20 {
            self.recent.pop_front();
        }
        self.seen += 1;
        if self.seen <= HEAD {
            self.pending.push((stream, line, at));
        } else {
            self.tail.push_back((stream, line, at));
            if self.tail.len() > TAIL {
                self.tail.pop_front();
            }
        }
    }

    /// The last `n` lines the step printed.
    pub fn last_lines(&self, n: usize) -> Vec<String> {
        self.recent.iter().skip(self.recent.len().saturating_sub(n)).cloned().collect()
    }

    /// Writes the buffered head lines. Errors are logged, never raised: losing a log line
    /// must not fail a setup.
    pub async fn flush(&mut self) {
        let lines = std::mem::take(&mut self.pending);
        self.write(lines).await;
    }

    /// Writes what is left at the end of the step: the tail, after a note of what was
    /// left out.
    pub async fn finish(&mut self) {
        self.flush().await;
        let omitted = self.seen.saturating_sub(HEAD + self.tail.len());
        let mut lines = Vec::new();
        if omitted > 0 {
            let at = format_ts(self.store.clock().now());
            lines.push((Stream::System, format!("… {omitted} lines not kept …"), at));
        }
        lines.extend(self.tail.drain(..));
        self.write(lines).await;
    }

    /// A line of the runner's own (what it is about to do, why a step failed).
    pub async fn note(&mut self, line: impl Into<String>) {
        let at = format_ts(self.store.clock().now());
        self.write(vec![(Stream::System, line.into(), at)]).await;
    }

    async fn write(&mut self, lines: Vec<(Stream, String, String)>) {
        if lines.is_empty() {
            return;
        }
        match self.insert(&lines).await {
            Ok(written) => {
                self.events.publish_job(JobEvent::Log { job_id: self.job_id, lines: written })
            }
            Err(e) => {
                tracing::warn!(job = self.job_id, "could not store {} log lines: {e}", lines.len())
            }
        }
    }

    async fn insert(&self, lines: &[(Stream, String, String)]) -> crate::Result<Vec<LogLine>> {
        let mut tx = self.store.write().await?;
        let mut written = Vec::with_capacity(lines.len());
        for (stream, line, at) in lines {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO job_logs (job_id, attempt, position, stream, line, at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(self.job_id)
            .bind(self.attempt)
            .bind(self.position)
            .bind(stream.as_str())
            .bind(line)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            written.push(LogLine {
                id,
                attempt: self.attempt,
                position: self.position,
                stream: stream.as_str().to_owned(),
                line: line.clone(),
                at: at.clone(),
            });
        }
        tx.commit().await?;
        Ok(written)
    }
}
