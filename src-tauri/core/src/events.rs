//! The status broadcaster (docs/DESIGN.md: Events) and the job event stream.
//!
//! Project topics are `projects:{id}` and `projects:*`; messages are `project_updated
//! {project}` and `project_error {project, error}`, carrying the full project so that
//! subscribers never re-query. Publishing never waits for a subscriber: each topic is a
//! bounded broadcast channel, and a subscriber that falls behind loses the oldest messages
//! (it is told how many) instead of slowing a setup down. One topic's messages reach each
//! subscriber in the order they were published.

use crate::ids::ProjectId;
use crate::jobs::{Job, LogLine, StepOutcome};
use crate::projects::{Project, SetupStatus};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// How many messages a topic keeps for a subscriber that has not read them yet.
const TOPIC_CAPACITY: usize = 1024;

/// A message on a project topic (docs/DESIGN.md: Events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProjectEvent {
    ProjectUpdated { project: Project },
    ProjectError { project: Project, error: String },
}

impl ProjectEvent {
    pub fn project(&self) -> &Project {
        match self {
            ProjectEvent::ProjectUpdated { project }
            | ProjectEvent::ProjectError { project, .. } => project,
        }
    }
}

/// What the job runner reports as it works: state changes, steps, and output lines in
/// batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    JobChanged {
        job: Box<Job>,
    },
    StepStarted {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        job_id: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        attempt: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        position: i64,
        status: SetupStatus,
        command: String,
    },
    StepFinished {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        job_id: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        attempt: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        position: i64,
        outcome: StepOutcome,
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        exit_code: Option<i64>,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        duration_ms: i64,
    },
    Log {
        #[cfg_attr(feature = "specta", specta(type = i32))]
        job_id: i64,
        lines: Vec<LogLine>,
    },
}

/// A subscription; dropping it (or [`Broadcaster::unsubscribe`]) ends it.
pub type Subscription<T> = broadcast::Receiver<T>;

/// The topic name of one project (`project_topic/1` of the original design, docs/DESIGN.md).
pub fn project_topic(project_id: &ProjectId) -> String {
    format!("projects:{project_id}")
}

/// The wildcard topic of every project.
pub const ALL_PROJECTS: &str = "projects:*";

#[derive(Debug, Clone)]
pub struct Broadcaster {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    all: broadcast::Sender<ProjectEvent>,
    topics: Mutex<HashMap<String, broadcast::Sender<ProjectEvent>>>,
    jobs: broadcast::Sender<JobEvent>,
}

impl Default for Broadcaster {
    fn default() -> Self {
        Broadcaster {
            inner: Arc::new(Inner {
                all: broadcast::channel(TOPIC_CAPACITY).0,
                topics: Mutex::new(HashMap::new()),
                jobs: broadcast::channel(TOPIC_CAPACITY).0,
            }),
        }
    }
}

impl Broadcaster {
    pub fn new() -> Self {
        Self::default()
    }

    fn topics(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<ProjectEvent>>> {
        self.inner.topics.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, event: ProjectEvent) {
        let topic = project_topic(&event.project().id);
        let sender = {
            let mut topics = self.topics();
            // Forget topics nobody listens to any more.
            if topics.get(&topic).is_some_and(|s| s.receiver_count() == 0) {
                topics.remove(&topic);
            }
            topics.get(&topic).cloned()
        };
        // A send fails only when nobody listens; that is not an error for a broadcast.
        if let Some(sender) = sender {
            let _ = sender.send(event.clone());
        }
        let _ = self.inner.all.send(event);
    }

    /// The original design's `broadcast_project_update/1` (docs/DESIGN.md): call it after the
    /// database has the change.
    pub fn broadcast_project_update(&self, project: &Project) {
        self.publish(ProjectEvent::ProjectUpdated { project: project.clone() });
    }

    /// The original design's `broadcast_project_error/2` (docs/DESIGN.md).
    pub fn broadcast_project_error(&self, project: &Project, error: &str) {
        self.publish(ProjectEvent::ProjectError {
            project: project.clone(),
            error: error.to_owned(),
        });
    }

    /// The original design's `subscribe_to_project/1` (docs/DESIGN.md).
    pub fn subscribe_to_project(&self, project_id: &ProjectId) -> Subscription<ProjectEvent> {
        self.topics()
            .entry(project_topic(project_id))
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }

    /// The original design's `subscribe_to_all_projects/0` (docs/DESIGN.md) (the `projects:*`
    /// topic).
    pub fn subscribe_to_all_projects(&self) -> Subscription<ProjectEvent> {
        self.inner.all.subscribe()
    }

    /// The original design's `unsubscribe_from_project/1` (docs/DESIGN.md) and
    /// `unsubscribe_from_all_projects/0`.
    pub fn unsubscribe(&self, subscription: Subscription<ProjectEvent>) {
        drop(subscription);
    }

    pub fn publish_job(&self, event: JobEvent) {
        let _ = self.inner.jobs.send(event);
    }

    pub fn subscribe_to_jobs(&self) -> Subscription<JobEvent> {
        self.inner.jobs.subscribe()
    }
}

#[cfg(test)]
mod tests;
