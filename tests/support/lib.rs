//! Helpers for the cross-crate tests: the `codemyspec` binary of this workspace, run against
//! a data dir that the tests also open with the core library.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace's `codemyspec` binary. `cargo test --workspace` (what `make test` runs)
/// builds it together with this test; when it is missing or older than this test binary
/// (a run of this crate alone), it is built first. Building it separately resolves features
/// differently and rebuilds half the workspace, so it is only the fallback.
pub fn cli_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        // target/<profile>/deps/<test> -> target/<profile>
        let profile_dir = exe.parent().and_then(Path::parent).expect("target profile dir");
        let bin = profile_dir.join(format!("codemyspec{}", std::env::consts::EXE_SUFFIX));
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&bin).is_none() || modified(&bin) < modified(&exe) {
            let release = profile_dir.file_name().is_some_and(|n| n == "release");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = Command::new(cargo);
            build.args(["build", "--quiet", "-p", "codemyspec-cli", "--bin", "codemyspec"]);
            if release {
                build.arg("--release");
            }
            let status = build.status().expect("run cargo build");
            assert!(status.success(), "building the codemyspec binary failed");
        }
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
}

/// Runs `codemyspec --json ARGS…` with `CODEMYSPEC_DATA_DIR=data_dir` and `stdin`.
pub fn codemyspec(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(cli_bin())
        .arg("--json")
        .args(args)
        .env("CODEMYSPEC_DATA_DIR", data_dir)
        .env_remove("CODEMYSPEC_AS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn codemyspec");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait for codemyspec")
}

/// The JSON a successful run printed.
pub fn json_of(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "codemyspec failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}
