//! Helpers for the cross-crate tests: the `codemyspec` binary of this workspace, run against
//! a data dir that the tests also open with the core library.

mod phoenix;
mod recorder;
pub use phoenix::{free_port, hex_mirror_dir, HexMirror, PgCluster};
pub use recorder::{Recorder, ThrowawayCa};

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The workspace's `codemyspec` binary. `cargo test --workspace` (what `make test` runs)
/// builds it together with these tests; only when it is missing (a run of this crate alone
/// on a fresh checkout) is it built here. Building it separately resolves features
/// differently and rebuilds half the workspace, so run the whole workspace's tests after
/// changing the CLI.
pub fn cli_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        // target/<profile>/deps/<test> -> target/<profile>
        let profile_dir = exe.parent().and_then(Path::parent).expect("target profile dir");
        let bin = profile_dir.join(format!("codemyspec{}", std::env::consts::EXE_SUFFIX));
        if !bin.is_file() {
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

/// Whether any process of group `pgid` is still running (zombies, already dead and waiting
/// for their parent to reap them, do not count). Reads /proc.
#[cfg(target_os = "linux")]
pub fn group_running(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { return false };
        let Some((_, rest)) = stat.rsplit_once(')') else { return false };
        // After the command name: state (field 3), ppid (4), pgrp (5).
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" && fields[0] != "X"
    })
}

/// A local smart-HTTP git server with bare repositories, like GitHub with a token.
pub struct GitServer {
    child: Child,
    pub root: tempfile::TempDir,
    pub port: u16,
    pub token: String,
}

impl GitServer {
    pub fn start() -> GitServer {
        Self::start_with_push_delay(0)
    }

    /// A server that answers each push's first request `seconds` late (a slow network).
    pub fn start_with_push_delay(seconds: u32) -> GitServer {
        Self::start_with_delays(seconds, 0)
    }

    /// A server that sends the pack of each fetch or clone `seconds` late (the refs that
    /// `ls-remote` reads come at once).
    pub fn start_with_fetch_delay(seconds: u32) -> GitServer {
        Self::start_with_delays(0, seconds)
    }

    fn start_with_delays(push_delay: u32, fetch_delay: u32) -> GitServer {
        let root = tempfile::tempdir().unwrap();
        let token = format!("ghp_test{}", std::process::id());
        let (child, port) = Self::spawn(root.path(), &token, (push_delay, fetch_delay), 0);
        GitServer { child, root, port, token }
    }

    fn spawn(root: &Path, token: &str, (push, fetch): (u32, u32), port: u16) -> (Child, u16) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/git_http_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(root)
            .arg(token)
            .arg(push.to_string())
            .arg(port.to_string())
            .arg(fetch.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the git server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        (child, port)
    }

    /// The server goes away (the network is down, or the host is): connections are refused.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server comes back on the same port with the same repositories.
    pub fn restart(&mut self) {
        self.stop();
        let (child, _) = Self::spawn(self.root.path(), &self.token, (0, 0), self.port);
        self.child = child;
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A bare repository `owner/name.git`; returns the project's URL for it.
    pub fn repo(&self, owner: &str, name: &str) -> String {
        git2::Repository::init_bare(self.root.path().join(owner).join(format!("{name}.git")))
            .unwrap();
        format!("http://{}/{owner}/{name}", self.host())
    }

    /// How many commits `main` of a bare repository holds (0 when there is no `main`).
    pub fn commits(&self, owner: &str, name: &str) -> usize {
        let repo =
            git2::Repository::open_bare(self.root.path().join(owner).join(format!("{name}.git")))
                .unwrap();
        let Ok(main) = repo.refname_to_id("refs/heads/main") else { return 0 };
        let mut walk = repo.revwalk().unwrap();
        walk.push(main).unwrap();
        walk.count()
    }

    /// The tree of `main` in a bare repository: every file path.
    pub fn files(&self, owner: &str, name: &str) -> Vec<String> {
        let repo =
            git2::Repository::open_bare(self.root.path().join(owner).join(format!("{name}.git")))
                .unwrap();
        let commit = repo
            .find_reference("refs/heads/main")
            .expect("main was pushed")
            .peel_to_commit()
            .unwrap();
        let mut files = Vec::new();
        commit
            .tree()
            .unwrap()
            .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(git2::ObjectType::Blob) {
                    files.push(format!("{dir}{}", entry.name().unwrap_or("?")));
                }
                git2::TreeWalkResult::Ok
            })
            .unwrap();
        files
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The local GitHub stand-in (`support/github_api_server.py`): GitHub's REST API with its
/// real payloads and headers, the OAuth device flow and git over smart HTTP, on loopback.
pub struct GitHubStandIn {
    child: Child,
    pub git_root: tempfile::TempDir,
    pub port: u16,
}

impl GitHubStandIn {
    pub fn start() -> GitHubStandIn {
        let git_root = tempfile::tempdir().unwrap();
        let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("support");
        let mut child = Command::new("python3")
            .arg(support.join("github_api_server.py"))
            .arg(support.join("github-api"))
            .arg(git_root.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the GitHub stand-in");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().expect("the stand-in prints its port");
        GitHubStandIn { child, git_root, port }
    }

    /// `http://127.0.0.1:PORT`: the API base, the web host and the git host.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Calls one of the stand-in's controls (`/_stand_in/WHAT`) and returns its JSON answer.
    pub fn control(&self, what: &str, body: serde_json::Value) -> serde_json::Value {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let body = body.to_string();
        let method = if what == "log" { "GET" } else { "POST" };
        write!(
            stream,
            "{method} /_stand_in/{what} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with("HTTP/1.1 20"), "control {what}: {head}");
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
    }

    /// A user with a token.
    pub fn user(&self, login: &str, token: &str) {
        self.control("users", serde_json::json!({ "login": login, "token": token }));
    }

    /// An organization.
    pub fn org(&self, login: &str) {
        self.control("orgs", serde_json::json!({ "login": login }));
    }

    /// The rate budget `token` has left, as GitHub's `GET /rate_limit` says (which costs none).
    pub fn remaining(&self, token: &str) -> u64 {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "GET /rate_limit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {token}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        body["rate"]["remaining"].as_u64().expect("GET /rate_limit answers the budget")
    }

    /// A repository made on GitHub's side (not through the API); returns its id.
    pub fn repo(&self, owner: &str, name: &str) -> u64 {
        self.control("repos", serde_json::json!({ "owner": owner, "name": name }))["id"]
            .as_u64()
            .unwrap()
    }
}

impl GitHubStandIn {
    /// Gives `login` a role on `owner/name` (`read`, `triage`, `write`, `maintain`, `admin`;
    /// `None` takes it away), as an admin would on GitHub. From then on the repository
    /// answers each caller by their own access (support/github_collaborators.py).
    pub fn access(&self, owner: &str, name: &str, login: &str, role: Option<&str>) {
        self.control(
            "access",
            serde_json::json!({ "owner": owner, "name": name, "login": login, "permission": role }),
        );
    }

    /// `login` accepts their pending invitation to `owner/name`.
    pub fn accept(&self, owner: &str, name: &str, login: &str) {
        self.control("accept", serde_json::json!({ "owner": owner, "name": name, "login": login }));
    }

    /// What GitHub holds for `owner/name`: `{"access": {login: role}, "invitations":
    /// [{"login", "permissions"}]}`.
    pub fn collaborators(&self, owner: &str, name: &str) -> serde_json::Value {
        self.control("collaborators", serde_json::json!({ "owner": owner, "name": name }))
    }
}

impl GitHubStandIn {
    /// GitHub goes away: the stand-in stops (connections are refused from now on).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// How many commits `main` of `owner/name` holds (0: empty or no such repository).
    pub fn commits(&self, owner: &str, name: &str) -> usize {
        let path = self.git_root.path().join(owner).join(format!("{name}.git"));
        let Ok(repo) = git2::Repository::open_bare(path) else { return 0 };
        let Ok(main) = repo.refname_to_id("refs/heads/main") else { return 0 };
        let mut walk = repo.revwalk().unwrap();
        walk.push(main).unwrap();
        walk.count()
    }

    /// Puts a commit of somebody else's on `main` of `owner/name` (made on GitHub's side).
    pub fn foreign_commit(&self, owner: &str, name: &str) {
        let repo = git2::Repository::open_bare(
            self.git_root.path().join(owner).join(format!("{name}.git")),
        )
        .unwrap();
        let sig = git2::Signature::now("Someone Else", "else@example.com").unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        repo.commit(Some("refs/heads/main"), &sig, &sig, "theirs", &tree, &[]).unwrap();
    }
}

impl Drop for GitHubStandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
