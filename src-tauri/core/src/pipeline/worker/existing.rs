//! The clone path's own steps (issue 18): access to the repositories, the clone, and the
//! spec brought in from the docs repository. Nothing here pushes.

use super::{blocking, internal, Attempt, Outcome};
use crate::docs_sync::{self, SyncError};
use crate::jobs::FailureClass;
use crate::pipeline::logs::LogSink;
use crate::pipeline::publish::PublishError;
use crate::pipeline::{clone, provision};
use crate::runner::JobFailure;
use std::path::Path;

impl Attempt<'_> {
    fn warn(&self, warning: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(warning);
        }
    }

    /// The profile may read the repositories (a docs repository it cannot read is a warning).
    pub(super) async fn check_access(&self, sink: &mut LogSink) -> Outcome {
        let (store, actor) = (self.store(), self.actor);
        let (lines, warnings) =
            provision::access(store, &self.config.secrets, &actor, &self.project).await?;
        for line in lines {
            sink.note(line).await;
        }
        for warning in warnings {
            sink.note(format!("warning: {warning}")).await;
            self.warn(warning);
        }
        Ok(())
    }

    /// Clones the code repository into `dir`, with the profile's token for its host.
    pub(super) async fn clone_code(&self, dir: &Path, sink: &mut LogSink) -> Outcome {
        let Some(url) = self.project.code_repo.clone() else {
            return Err(JobFailure::new(FailureClass::Step, "the project has no code repository"));
        };
        let host = crate::secrets::host_of(&url).unwrap_or_default();
        let token = crate::secrets::token(&self.config.secrets, &self.actor, &host)
            .await
            .map_err(|e| JobFailure::new(FailureClass::Step, e.to_string()))?;
        sink.note(format!("cloning {}", crate::pipeline::publish::git_url(&url))).await;
        let (d, u, cancel) = (dir.to_owned(), url.clone(), self.run.cancel.clone());
        // A cancel ends the step at once; the clone thread stops at libgit2's next progress
        // callback and removes what it wrote.
        let head = tokio::select! {
            head = blocking(move || clone::clone(&u, &d, token.as_ref(), &cancel)) => head,
            _ = self.run.cancel.cancelled() => Err(PublishError::Cancelled),
        }
        .map_err(crate::pipeline::publish::failure)?;
        sink.note(format!("cloned at {head}; origin is {url}, main tracks origin/main")).await;
        Ok(())
    }

    /// The docs sync's first pull: the spec as the docs repository holds it. A docs
    /// repository that is missing or refuses is a warning; one that cannot be reached now is
    /// retried like any network step.
    pub(super) async fn import_spec(&self, sink: &mut LogSink) -> Outcome {
        let Some(docs) = self.project.docs_repo.clone() else {
            let warning = "the project has no docs repository: no spec was brought in".to_owned();
            sink.note(format!("warning: {warning}")).await;
            self.warn(warning);
            return Ok(());
        };
        let (store, actor) = (self.store(), self.actor);
        let synced = docs_sync::run_once(
            store,
            &self.config.secrets,
            &actor,
            &self.project.id,
            &self.run.cancel,
        )
        .await;
        match synced {
            Ok(report) => {
                sink.note(format!("{} spec entities brought in from {docs}", report.imported))
                    .await;
                for p in &report.problems {
                    sink.note(format!("warning: {} cannot be read: {}", p.path, p.message)).await;
                }
                Ok(())
            }
            Err(SyncError::Remote(PublishError::Cancelled)) => {
                Err(JobFailure::new(FailureClass::Cancelled, "cancelled"))
            }
            Err(e) if e.is_offline() => {
                Err(JobFailure::new(FailureClass::Infrastructure, e.to_string()))
            }
            Err(SyncError::Remote(e)) => {
                let warning = format!("the spec was not brought in from {docs}: {e}");
                sink.note(format!("warning: {warning}")).await;
                self.warn(warning);
                Ok(())
            }
            Err(SyncError::Store(e)) => Err(internal(e)),
        }
    }
}
