//! Which of a project's two repositories a URL, a provisioning target or a push is about:
//! its code or its docs. Ground, so that the pipeline, the org sync and the team screens
//! name it the same way (and spell it as the job meta keys and messages always did).

use crate::text_enum::text_enum;

text_enum! {
    pub enum RepoKind ("repository kind") {
        Code = "code",
        Docs = "docs",
    }
}
