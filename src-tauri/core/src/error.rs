//! The core's error: every failure a caller can see, each with a stable [`Code`] that the
//! CLI maps to an exit status and the UI switches on, the field it concerns when there is
//! one, and a message a person understands.

use serde::Serialize;

/// Stable, machine-readable error codes. Never rename one: the UI and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The input is malformed or breaks a data rule; `field` says which input.
    InvalidInput,
    /// The entity does not exist, or the acting account cannot see it.
    NotFound,
    /// The input is well-formed but clashes with the current state (a stale version, a
    /// duplicate name, a dependency cycle, an illegal stage move).
    Conflict,
    /// The acting account can see the entity but its role does not allow this.
    Forbidden,
    /// Sign-in refused: wrong email or password (deliberately the same error for both).
    Unauthenticated,
    /// Too many failed sign-ins; try again later.
    Locked,
    /// A resource the core needs is unavailable right now (database busy, disk full, the
    /// OS keyring, another process holding the job runner).
    Unavailable,
    /// The job or setup had already finished when asked to cancel it (docs/DESIGN.md).
    AlreadyCompleted,
    /// A bug or an unexpected state; the message has the detail.
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidInput => "invalid_input",
            Code::NotFound => "not_found",
            Code::Conflict => "conflict",
            Code::Forbidden => "forbidden",
            Code::Unauthenticated => "unauthenticated",
            Code::Locked => "locked",
            Code::Unavailable => "unavailable",
            Code::AlreadyCompleted => "already_completed",
            Code::Internal => "internal",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    InvalidInput { field: String, message: String },

    /// Several inputs of one form are invalid: every one, so that a form shows them all.
    #[error("{}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    InvalidFields { errors: Vec<FieldError> },

    #[error("{entity} not found")]
    NotFound { entity: &'static str },

    /// An optimistic-concurrency miss: the row changed since the caller read it.
    #[error("this {entity} was changed since you read it (you had version {expected}, it is now version {actual}); reload it and apply your change again")]
    StaleVersion { entity: &'static str, expected: i64, actual: i64 },

    #[error("{message}")]
    Conflict { field: Option<String>, message: String },

    #[error("adding this dependency would form a cycle: {}", .cycle.join(" -> "))]
    DependencyCycle { cycle: Vec<String> },

    /// A stage move the lifecycle does not allow; `allowed` lists the moves that are.
    #[error("{message}")]
    IllegalTransition { message: String, allowed: Vec<crate::stage::Stage> },

    #[error("{message}")]
    Forbidden { message: String },

    #[error("wrong email or password")]
    InvalidCredentials,

    /// Nothing can act yet: the first run has not created a profile.
    #[error("there is no profile yet; create one first")]
    NoProfile,

    #[error("too many failed sign-ins for this email; try again after {until}")]
    Locked { until: String },

    #[error("the database is busy; try again")]
    Busy,

    /// The original design's `:already_completed` (docs/DESIGN.md): the job (or setup) finished
    /// before the request.
    #[error("it already finished ({state})")]
    AlreadyFinished { state: &'static str },

    #[error("{message}")]
    Unavailable { message: String },

    /// GitHub's side of a project's team (issue 18) could not be read or changed: `reason`
    /// says why in a word a window acts on, `field` is the input it is about.
    #[error("{message}")]
    GitHub { reason: GitHubReason, field: String, message: String },

    /// Pull (issue 21) did not bring the project's working copy up to GitHub's default
    /// branch: `reason` says why (diverged, uncommitted changes in the way, no working
    /// copy); nothing in the working copy was changed.
    #[error("{message}")]
    Pull { reason: PullReason, message: String },

    /// `github_api_url` is not the API of `github_host`: a token kept for that host would go
    /// elsewhere, so nothing is sent (issue 17).
    #[error("{0}")]
    ApiNotOfHost(#[from] codemyspec_github::NotOfHost),

    #[error("database error: {0}")]
    Database(sqlx::Error),

    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },

    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> Code {
        match self {
            Error::InvalidInput { .. } | Error::InvalidFields { .. } | Error::ApiNotOfHost(_) => {
                Code::InvalidInput
            }
            Error::NotFound { .. } => Code::NotFound,
            Error::StaleVersion { .. }
            | Error::Conflict { .. }
            | Error::DependencyCycle { .. }
            | Error::IllegalTransition { .. } => Code::Conflict,
            Error::Forbidden { .. } => Code::Forbidden,
            Error::InvalidCredentials | Error::NoProfile => Code::Unauthenticated,
            Error::Locked { .. } => Code::Locked,
            Error::Busy | Error::Unavailable { .. } => Code::Unavailable,
            Error::AlreadyFinished { .. } => Code::AlreadyCompleted,
            Error::Io { .. } => Code::Unavailable,
            Error::GitHub { reason, .. } => reason.code(),
            Error::Pull { reason, .. } => reason.code(),
            Error::Database(_) | Error::Migration(_) | Error::Internal(_) => Code::Internal,
        }
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field),
            Error::InvalidFields { errors } => errors.first().map(|e| e.field.as_str()),
            Error::Conflict { field, .. } => field.as_deref(),
            Error::StaleVersion { .. } => Some("version"),
            Error::DependencyCycle { .. } => Some("depends_on"),
            Error::IllegalTransition { .. } => Some("to"),
            Error::ApiNotOfHost(_) => Some("github_api_url"),
            Error::GitHub { field, .. } => Some(field),
            Error::Pull { .. } => Some("pull"),
            _ => None,
        }
    }

    /// What a conflict is about, for a window to act on.
    pub fn detail(&self) -> Option<ErrorDetail> {
        match self {
            Error::StaleVersion { entity, expected, actual } => Some(ErrorDetail::StaleVersion {
                entity: (*entity).to_owned(),
                expected: *expected,
                actual: *actual,
            }),
            Error::DependencyCycle { cycle } => {
                Some(ErrorDetail::DependencyCycle { cycle: cycle.clone() })
            }
            Error::IllegalTransition { allowed, .. } => {
                Some(ErrorDetail::IllegalTransition { allowed: allowed.clone() })
            }
            Error::GitHub { reason, .. } => Some(ErrorDetail::GitHub { reason: *reason }),
            Error::Pull { reason, .. } => Some(ErrorDetail::Pull { reason: *reason }),
            _ => None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: field.into(), message: message.into() }
    }

    pub fn conflict(field: Option<&str>, message: impl Into<String>) -> Self {
        Error::Conflict { field: field.map(str::to_owned), message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden { message: message.into() }
    }

    pub fn not_found(entity: &'static str) -> Self {
        Error::NotFound { entity }
    }

    /// A serializable view for the CLI's `--json` and the desktop shell.
    pub fn to_view(&self) -> ErrorView {
        let fields = match self {
            Error::InvalidFields { errors } => errors.clone(),
            other => other
                .field()
                .map(|field| {
                    vec![FieldError { field: field.to_owned(), message: other.to_string() }]
                })
                .unwrap_or_default(),
        };
        ErrorView {
            code: self.code(),
            field: self.field().map(str::to_owned),
            message: self.to_string(),
            fields,
            detail: self.detail(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
            if let Some(code) = db.code() {
                if let Ok(n) = code.parse::<i32>() {
                    if n & 0xff == 5 || n & 0xff == 6 {
                        return Error::Busy;
                    }
                }
            }
        }
        Error::Database(err)
    }
}

/// One input's problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The wire shape of an error: `{code, field?, message, fields?, detail?}`. `field` is the
/// first (or only) input concerned; `fields` lists every input's problem, so that a form
/// shows them all at once; `detail` says what a conflict is about, so that a window acts on
/// it without reading the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorView {
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fields: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<ErrorDetail>,
}

/// What a `conflict` is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// The row changed since the caller read it: reload, then apply the change again.
    StaleVersion {
        entity: String,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        expected: i64,
        #[cfg_attr(feature = "specta", specta(type = i32))]
        actual: i64,
    },
    /// The dependency would close this cycle (component names, the first again at the end).
    DependencyCycle { cycle: Vec<String> },
    /// The lifecycle does not allow the move; these are the stages it allows from here.
    IllegalTransition { allowed: Vec<crate::stage::Stage> },
    /// GitHub did not show or change a project's people, for this reason (issue 18).
    #[serde(rename = "github")]
    GitHub { reason: GitHubReason },
    /// Pull did not fast-forward the working copy, for this reason (issue 21).
    Pull { reason: PullReason },
}

impl From<Error> for ErrorView {
    fn from(err: Error) -> Self {
        err.to_view()
    }
}

crate::text_enum::text_enum! {
    /// Why GitHub's people of a project are not shown, or a change to them was not made.
    pub enum GitHubReason ("GitHub reason") {
        /// The project has no code repository on the configured GitHub host.
        NoRepository = "no_repository",
        /// The acting profile has no token for the GitHub host, or GitHub refused it.
        NotSignedIn = "not_signed_in",
        /// The token cannot see the repository, or may not list its collaborators (that
        /// needs write access on GitHub).
        NoAccess = "no_access",
        /// Inviting, changing and removing people needs admin rights on the repositories.
        NotAdmin = "not_admin",
        /// No GitHub account has this login.
        NoSuchUser = "no_such_user",
        /// Nobody with this login can reach the project's repositories (or is invited).
        NotAMember = "not_a_member",
        /// GitHub refused the change itself (a 422, or what it does not allow), in its words.
        Refused = "refused",
        /// GitHub cannot be reached now (offline, a 5xx, a rate limit): nothing was changed
        /// on this machine.
        Unavailable = "unavailable",
    }
}

crate::text_enum::text_enum! {
    /// Why Pull left the working copy as it was (issue 21).
    pub enum PullReason ("pull reason") {
        /// The working copy has commits GitHub's branch does not, and GitHub's has commits
        /// it does not: a fast-forward is impossible; merging or rebasing is the person's.
        Diverged = "diverged",
        /// Changes not committed in the working copy are in the way of the files Pull
        /// would write.
        Uncommitted = "uncommitted",
        /// The project has no working copy on this machine (not set up here), or it is
        /// not a git repository with the code repository as `origin`.
        NoWorkingCopy = "no_working_copy",
        /// GitHub (git) cannot be reached now, or refused the token: nothing was changed.
        Unavailable = "unavailable",
    }
}

impl PullReason {
    pub fn code(self) -> Code {
        match self {
            PullReason::Diverged | PullReason::Uncommitted | PullReason::NoWorkingCopy => {
                Code::Conflict
            }
            PullReason::Unavailable => Code::Unavailable,
        }
    }
}

impl GitHubReason {
    pub fn code(self) -> Code {
        match self {
            GitHubReason::NoRepository => Code::Conflict,
            GitHubReason::NotSignedIn => Code::Unauthenticated,
            GitHubReason::NoAccess | GitHubReason::NotAdmin => Code::Forbidden,
            GitHubReason::NoSuchUser | GitHubReason::NotAMember => Code::NotFound,
            GitHubReason::Refused => Code::InvalidInput,
            GitHubReason::Unavailable => Code::Unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wire(e: Error) -> serde_json::Value {
        serde_json::to_value(e.to_view()).unwrap()
    }

    #[test]
    fn conflicts_name_what_they_are_about_in_a_typed_detail() {
        let stale = wire(Error::StaleVersion { entity: "story", expected: 2, actual: 3 });
        assert_eq!(stale["code"], "conflict");
        assert_eq!(
            stale["detail"],
            json!({ "kind": "stale_version", "entity": "story", "expected": 2, "actual": 3 })
        );
        let cycle =
            wire(Error::DependencyCycle { cycle: vec!["A".into(), "B".into(), "A".into()] });
        assert_eq!(
            cycle["detail"],
            json!({ "kind": "dependency_cycle", "cycle": ["A", "B", "A"] })
        );
        let moves = wire(Error::IllegalTransition {
            message: "draft cannot become active".into(),
            allowed: vec![crate::stage::Stage::Designed, crate::stage::Stage::Archived],
        });
        assert_eq!(
            moves["detail"],
            json!({ "kind": "illegal_transition", "allowed": ["designed", "archived"] })
        );
        // A conflict on a field's value (a name taken, say) has no detail to act on.
        let taken = wire(Error::conflict(Some("name"), "that name is taken"));
        assert!(taken.get("detail").is_none(), "{taken}");
    }
}
