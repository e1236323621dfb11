//! A docs conflict found by `codemyspec worker` (no window) still reaches the person: the
//! worker raises the desktop notification itself. A real notification daemon (dunst, on
//! Xvfb) in the test's D-Bus session receives it.

use super::machine::*;
use codemyspec_tests::cli_bin;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Xvfb on a free display and dunst on it, answering the session's notifications; both
/// stopped on drop.
struct Daemon {
    xvfb: Child,
    dunst: Child,
    _conf: tempfile::TempDir,
}

impl Daemon {
    fn start() -> Daemon {
        // Xvfb picks a free display itself and writes its number once it is ready
        // (`-displayfd`, here its stdout): two tests at once never share a display.
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "800x600x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (make deps installs it)");
        let mut number = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(xvfb.stdout.take().unwrap()),
            &mut number,
        )
        .unwrap();
        assert!(!number.trim().is_empty(), "Xvfb did not start");
        let display = format!(":{}", number.trim());
        // Shown notifications go to the history after a second, where dunstctl reads them.
        let conf = tempfile::tempdir().unwrap();
        let rc = conf.path().join("dunstrc");
        std::fs::write(&rc, "[urgency_low]\ntimeout = 1\n[urgency_normal]\ntimeout = 1\n[urgency_critical]\ntimeout = 1\n").unwrap();
        let dunst = Command::new("dunst")
            .args(["-config", rc.to_str().unwrap()])
            .env("DISPLAY", &display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dunst (make deps installs it)");
        let d = Daemon { xvfb, dunst, _conf: conf };
        // Asked without activating it (dunstctl would make D-Bus start another, displayless).
        let owned = || {
            Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.Notifications",
                ])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
        };
        let up = Instant::now();
        while !owned() && up.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }

    /// The summaries of the notifications shown so far (None: dunst does not answer yet).
    fn history(&self) -> Option<Vec<String>> {
        let out = Command::new("dunstctl").arg("history").output().ok()?;
        if !out.status.success() {
            return None;
        }
        // {"data": [[{"summary": {"data": "…"}, …}, …]]}
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        Some(
            v["data"][0]
                .as_array()?
                .iter()
                .filter_map(|n| n["summary"]["data"].as_str().map(str::to_owned))
                .collect(),
        )
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.dunst.kill();
        let _ = self.dunst.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

#[test]
fn a_conflict_the_worker_finds_is_shown_as_a_desktop_notification_once() {
    let git = codemyspec_tests::GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay for the cart.");
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();
    a.edit_story(&checkout, "--title", "Checkout (A)");
    a.sync();
    b.edit_story(&checkout, "--title", "Checkout (B)");

    let daemon = Daemon::start();
    assert_eq!(daemon.history(), Some(vec![]), "dunst answers, nothing shown yet");
    // B's worker syncs at start, finds the clash, and tells the person.
    let mut worker = Command::new(cli_bin())
        .arg("worker")
        .env("CODEMYSPEC_DATA_DIR", b.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let want = "A docs conflict in shop".to_owned();
    let start = Instant::now();
    let mut shown = daemon.history().unwrap_or_default();
    while !shown.contains(&want) && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(250));
        shown = daemon.history().unwrap_or_default();
    }
    // A few more seconds: the worker's next rounds must not show it again.
    std::thread::sleep(Duration::from_secs(5));
    let shown = daemon.history().unwrap_or_default();
    stop(&mut worker);
    assert_eq!(b.conflicts().len(), 1, "the worker's sync recorded the conflict");
    assert_eq!(shown, vec![want], "shown once, and nothing else");
}
