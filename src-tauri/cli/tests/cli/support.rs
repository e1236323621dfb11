use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub struct Cli {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON printed on stdout.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr)
        })
    }

    /// The JSON error printed on stderr with --json.
    pub fn error(&self) -> Value {
        let v: Value = serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", self.stderr));
        v["error"].clone()
    }
}

impl Cli {
    pub fn new() -> Cli {
        Cli { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `codemyspec --data-dir DIR ARGS…` with `stdin` as standard input.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_codemyspec"))
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env_remove("CODEMYSPEC_DATA_DIR")
            .env_remove("CODEMYSPEC_AS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn codemyspec");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
        let Output { status, stdout, stderr } = child.wait_with_output().expect("wait");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, "")
    }

    /// Runs with --json and expects success; returns the JSON.
    pub fn ok(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
        run.json()
    }

    /// Runs with --json and expects failure with `exit`; returns the error JSON.
    pub fn fails(&self, args: &[&str], exit: i32) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert_eq!(run.code, exit, "{args:?}: stdout {} stderr {}", run.stdout, run.stderr);
        run.error()
    }

    pub fn signed_up(email: &str) -> Cli {
        let cli = Cli::new();
        let run = cli.run_with_input(
            &["--json", "account", "create", "--email", email],
            "a long password\n",
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        cli
    }
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}
