//! The lifecycle's stages as text (the machine that moves between them is
//! [`crate::lifecycle`]). Ground, so that errors can name the stages a move allows.

use crate::text_enum::text_enum;

text_enum! {
    pub enum Stage ("stage") {
        Draft = "draft",
        Estimated = "estimated",
        Provisioning = "provisioning",
        Initialized = "initialized",
        Designing = "designing",
        Designed = "designed",
        Implementing = "implementing",
        Implemented = "implemented",
        Verifying = "verifying",
        Verified = "verified",
        Deploying = "deploying",
        Active = "active",
        Maintenance = "maintenance",
        Error = "error",
        Archived = "archived",
        Missing = "missing",
        /// Imported by the org sync: the repository exists, the project was not made here.
        Discovered = "discovered",
    }
}
