//! The page's JavaScript engine on Linux: JavaScriptCore, in WebKit's web process, which
//! inherits the app's environment and reads its options from `JSC_…` variables. Its top tier,
//! the FTL JIT, compiles the hottest functions once they have run many thousands of times. In
//! the 30-minute soak (ten status notices a second, the page switching every second) that
//! came after about twenty minutes and kept 8–10 MB of the web process's memory for good;
//! with the FTL off, the same 30 minutes stayed flat (docs/BENCHMARKS.md, "The 30-minute soak
//! alone, and JavaScriptCore's top tier"). The page's scripts are small and wait on events,
//! so the tiers below (up to the DFG JIT) serve them. A user who sets `JSC_useFTLJIT`
//! keeps their choice.

const OPTION: &str = "JSC_useFTLJIT";

/// Whether to turn the FTL off: only when the user has not said.
pub fn ftl_off(user_choice: Option<&str>) -> bool {
    user_choice.is_none()
}

/// Called first thing in `run`, before any thread exists (setting the environment is only
/// sound then).
pub fn choose() {
    if cfg!(target_os = "linux") {
        let user_choice = std::env::var(OPTION).ok();
        if ftl_off(user_choice.as_deref()) {
            std::env::set_var(OPTION, "false");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ftl_off;

    #[test]
    fn the_ftl_goes_off_unless_the_user_chose() {
        assert!(ftl_off(None));
        assert!(!ftl_off(Some("true")));
        assert!(!ftl_off(Some("false")));
    }
}
