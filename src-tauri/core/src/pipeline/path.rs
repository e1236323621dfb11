//! Which way a setup goes, decided from the code repository (issue 18): empty or absent →
//! **generate** the project and push it; it has commits → **clone** it and check it here
//! (nothing is pushed). A setup records its path on its job the first time it decides, so
//! that a retry never changes course (a generate that already pushed is not then "cloned").
//! `doctor` and Check requirements show the same decision before anything runs.

use super::publish::{self, PublishError, RemoteState};
use crate::jobs::{FailureClass, Job};
use crate::projects::{Framework, Project};
use crate::runner::JobFailure;
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::AccountId;
use serde::Serialize;
use std::sync::Arc;

text_enum! {
    /// The two ways a project is set up.
    pub enum SetupPath ("setup path") {
        /// Generate the project (`mix new`, `mix phx.new`, …) and push it.
        Generate = "generate",
        /// Clone the code that exists, bring the spec in, and check it builds and passes.
        Clone = "clone",
    }
}

/// The job meta keys holding the decision.
pub const PATH_KEY: &str = "path";
pub const WHY_KEY: &str = "path_reason";

/// A setup's path and the reason, in words a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PathChoice {
    pub path: SetupPath,
    pub reason: String,
}

/// Why no path could be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    pub class: FailureClass,
    pub message: String,
}

impl From<Undecided> for JobFailure {
    fn from(u: Undecided) -> Self {
        JobFailure::new(u.class, u.message)
    }
}

/// Decides the path of `project`'s setup by asking its code repository (`git ls-remote`,
/// with `actor`'s token for that host).
pub async fn decide(
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
) -> Result<PathChoice, Undecided> {
    let Some(url) = project.code_repo.clone() else {
        return generate(project, "it has no code repository: it is generated here only".into());
    };
    let host = crate::secrets::host_of(&url).unwrap_or_default();
    let token = crate::secrets::token(secrets, actor, &host)
        .await
        .map_err(|e| Undecided { class: FailureClass::Step, message: e.to_string() })?;
    let u = url.clone();
    let state = tokio::task::spawn_blocking(move || publish::remote_state(&u, token.as_ref()))
        .await
        .map_err(|e| Undecided { class: FailureClass::Infrastructure, message: e.to_string() })?;
    match state {
        Ok(RemoteState::Empty) => {
            generate(project, format!("{url} is empty: the project is generated and pushed there"))
        }
        Ok(RemoteState::Main(_) | RemoteState::Other) => Ok(PathChoice {
            path: SetupPath::Clone,
            reason: format!(
                "{url} already has commits: it is cloned here, its spec brought in, and it is \
                 built and tested (nothing is pushed)"
            ),
        }),
        Err(PublishError::Step(m)) if m.contains("(HTTP 404)") => generate(
            project,
            format!("{url} does not exist yet: it is created, and the project generated and pushed there"),
        ),
        Err(e) => {
            let f = publish::failure(e);
            Err(Undecided { class: f.class, message: f.message })
        }
    }
}

fn generate(project: &Project, reason: String) -> Result<PathChoice, Undecided> {
    if project.framework == Framework::Unknown {
        return Err(Undecided {
            class: FailureClass::Step,
            message: format!(
                "{reason}, but its framework is unknown (it was discovered on GitHub): choose \
                 phoenix or elixir first (`codemyspec project update {} --framework elixir`)",
                project.name
            ),
        });
    }
    Ok(PathChoice { path: SetupPath::Generate, reason })
}

/// The path a job decided on earlier, if it did.
pub fn recorded(job: &Job) -> Option<PathChoice> {
    let path = SetupPath::from_text(job.meta.get(PATH_KEY)?)?;
    let reason = job.meta.get(WHY_KEY).cloned().unwrap_or_default();
    Some(PathChoice { path, reason })
}

/// Records the decision on the job.
pub async fn record(store: &Store, job: &Job, choice: &PathChoice) -> crate::Result<()> {
    crate::jobs::set_meta(
        store,
        job.id,
        &[(PATH_KEY, Some(choice.path.as_str())), (WHY_KEY, Some(&choice.reason))],
    )
    .await
}
