//! How the window is drawn on Linux. WebKitGTK composites pages with OpenGL; on a machine
//! without a GPU (a VM, a remote desktop, a CI runner under Xvfb) that OpenGL is Mesa's
//! software rasterizer, and every changed frame of a long list cost 130–170 ms there against
//! ~15 ms when WebKit paints without compositing (docs/BENCHMARKS.md, "The app"). So when the
//! machine has no GPU render node, the app asks WebKit not to composite, unless the user has
//! already said what they want with `WEBKIT_DISABLE_COMPOSITING_MODE` (`0` keeps it on).

const SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether to turn compositing off: only when the user has not chosen and there is no GPU.
pub fn software_only(user_choice: Option<&str>, has_render_node: bool) -> bool {
    user_choice.is_none() && !has_render_node
}

/// A DRM render node (`/dev/dri/renderD*`) is how Mesa and the vendor drivers reach a GPU.
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|entries| {
            entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Called first thing in `run`, before any thread exists (setting the environment is only
/// sound then).
pub fn choose() {
    if cfg!(target_os = "linux") {
        let user_choice = std::env::var(SWITCH).ok();
        if software_only(user_choice.as_deref(), has_render_node()) {
            std::env::set_var(SWITCH, "1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::software_only;

    #[test]
    fn compositing_goes_off_only_without_a_gpu_and_without_a_user_choice() {
        assert!(software_only(None, false));
        assert!(!software_only(None, true));
        assert!(!software_only(Some("0"), false));
        assert!(!software_only(Some("1"), true));
    }
}
