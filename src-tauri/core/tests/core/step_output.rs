//! A step's output on its way to the setup's log: a program printing hundreds of megabytes
//! without a newline costs the app a line, not the megabytes (docs/PIPELINE.md).

use crate::recipe::recipe;
use crate::setup::Pipeline;
use codemyspec_core::jobs::{self, JobState};
use codemyspec_core::pipeline::lines::{CUT_MARK, MAX_LINE};
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::secrets::Keyring;
use std::sync::Arc;
use std::time::Duration;

/// The measured half, run by [`a_step_printing_300_mb_on_one_line_leaves_memory_flat_and_its_log_shows_the_line_cut`].
const MEASURED: &str = "step_output::measured_setup_whose_step_prints_300_mb_on_one_line";

/// What the step prints on one line (a generator dumping a blob, a tool gone astray).
const BYTES: u64 = 300_000_000;

/// The most the app's memory may grow while the step runs: a tenth of what it prints, and
/// well above what the runner, the database and the pipe buffers need.
const ALLOWED_GROWTH_KIB: u64 = 30 * 1024;

#[test]
fn a_step_printing_300_mb_on_one_line_leaves_memory_flat_and_its_log_shows_the_line_cut() {
    // A process's peak memory counts all its threads, and this binary runs other tests
    // beside this one: the measured setup runs alone, in this binary started again for it.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([MEASURED, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .output()
        .unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the measured setup failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the measured setup did not run:\n{stdout}");
}

/// A line of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
#[ignore = "run in a process of its own by the test above (memory is measured per process)"]
async fn measured_setup_whose_step_prints_300_mb_on_one_line() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    let script = format!("echo before; head -c {BYTES} /dev/zero | tr '\\0' x; echo; echo after");
    p.recipe(&recipe("chatty").sh("compiling", &script).timeout(300).toml());
    let project = p.project("chatty", None, None).await;
    // The peak is counted from here: "5" resets VmHWM to the current size (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").expect("the peak memory can be reset");
    let before = status_kib("VmRSS");
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, Duration::from_secs(300)).await;
    let growth = status_kib("VmHWM").saturating_sub(before);
    println!("the app grew by {growth} KiB at most while the step printed {BYTES} bytes");
    assert!(growth < ALLOWED_GROWTH_KIB, "the app grew by {growth} KiB");

    // The log: the lines around it whole, the long one cut, marked, and not longer.
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 1000).await.unwrap();
    let printed: Vec<&str> =
        logs.iter().filter(|l| l.stream == "stdout").map(|l| l.line.as_str()).collect();
    assert_eq!(printed.len(), 3, "{:?}", printed.iter().map(|l| l.len()).collect::<Vec<_>>());
    assert_eq!((printed[0], printed[2]), ("before", "after"));
    let cut = printed[1];
    assert!(cut.ends_with(CUT_MARK), "the cut is marked: …{}", &cut[cut.len() - 20..]);
    assert_eq!(cut.strip_suffix(CUT_MARK).unwrap(), "x".repeat(MAX_LINE));
    p.runner.unwrap().stop().await;
}
