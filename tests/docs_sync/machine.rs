//! A machine: a data dir with a profile, a token for the git server and the project `shop`,
//! driven through the `codemyspec` binary; and the docs repository as the server holds it.

use codemyspec_tests::{cli_bin, codemyspec, json_of, GitServer};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    pub fn new(git: &GitServer, email: &str, url: &str) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        json_of(&codemyspec(
            dir.path(),
            &["account", "create", "--email", email],
            "a long password\n",
        ));
        let token = codemyspec(
            dir.path(),
            &["token", "set", "--host", &git.host()],
            &format!("{}\n", git.token),
        );
        assert!(token.status.success(), "token set: {}", String::from_utf8_lossy(&token.stderr));
        json_of(&codemyspec(
            dir.path(),
            &["project", "create", "shop", "--framework", "elixir", "--docs-repo", url],
            "",
        ));
        Machine { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(&self, args: &[&str]) -> Value {
        json_of(&codemyspec(self.path(), args, ""))
    }

    /// `codemyspec ARGS…` on this machine's data dir, in the background.
    pub fn spawn(&self, args: &[&str]) -> Child {
        Command::new(cli_bin())
            .args(args)
            .env("CODEMYSPEC_DATA_DIR", self.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    pub fn sync(&self) -> Value {
        self.run(&["docs", "sync", "shop"])
    }

    pub fn status(&self) -> Value {
        self.run(&["docs", "status", "shop"])
    }

    pub fn conflicts(&self) -> Vec<Value> {
        self.run(&["docs", "conflicts", "shop"]).as_array().cloned().unwrap_or_default()
    }

    pub fn story(&self, title: &str, description: &str) -> String {
        let s = self.run(&[
            "story",
            "create",
            "-p",
            "shop",
            "--title",
            title,
            "--description",
            description,
        ]);
        s["id"].as_str().unwrap().to_owned()
    }

    pub fn get_story(&self, id: &str) -> Option<Value> {
        let out = codemyspec(self.path(), &["story", "show", id], "");
        out.status.success().then(|| json_of(&out))
    }

    pub fn edit_story(&self, id: &str, field: &str, value: &str) {
        let version = self.get_story(id).expect("the story is here")["version"].to_string();
        self.run(&["story", "update", id, "--version", &version, field, value]);
    }

    pub fn component(&self, name: &str) -> String {
        let file = format!("lib/shop/{}.ex", name.to_lowercase());
        let c = self.run(&["component", "create", "-p", "shop", "--file", &file, name]);
        c["id"].as_str().unwrap().to_owned()
    }

    pub fn deps(&self, id: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .run(&["component", "deps", id])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    }
}

/// Every spec file on `main` of the docs repository, by the id in its front matter.
pub fn repo_files(git: &GitServer) -> HashMap<String, String> {
    repo_files_of(git, "acme", "shop_docs")
}

/// Every spec file on `main` of `owner/name` (none when it has no `main`), by id.
pub fn repo_files_of(git: &GitServer, owner: &str, name: &str) -> HashMap<String, String> {
    let repo = git2::Repository::open_bare(git.root.path().join(owner).join(format!("{name}.git")))
        .unwrap();
    let Ok(main) = repo.find_reference("refs/heads/main") else { return HashMap::new() };
    let tree = main.peel_to_commit().unwrap().tree().unwrap();
    let mut out = HashMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if dir.is_empty() || entry.kind() != Some(git2::ObjectType::Blob) {
            return git2::TreeWalkResult::Ok;
        }
        let blob = repo.find_blob(entry.id()).unwrap();
        let text = String::from_utf8_lossy(blob.content()).into_owned();
        if let Some(id) = text.lines().find_map(|l| l.strip_prefix("id: ")) {
            out.insert(id.trim_matches('"').to_owned(), text);
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    out
}

pub fn has_conflict(
    m: &Machine,
    id: &str,
    field: &str,
    mine: Option<&str>,
    theirs: Option<&str>,
) -> bool {
    m.conflicts().iter().any(|c| {
        c["entity_id"] == id
            && c["field"] == field
            && mine.is_none_or(|v| c["mine"].as_str().is_some_and(|x| x.contains(v)))
            && theirs.is_none_or(|v| c["theirs"].as_str().is_some_and(|x| x.contains(v)))
    })
}

pub fn git_cli(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Web Editor", "-c", "user.email=web@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// SIGTERM, as a logout or `kill` sends it, then waits for the process to end.
pub fn stop(child: &mut Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let _ = child.wait();
}

pub fn spawn_sync(m: &Machine) -> std::process::Child {
    Command::new(cli_bin())
        .args(["--json", "docs", "sync", "shop"])
        .env("CODEMYSPEC_DATA_DIR", m.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Someone working in the docs repository itself (GitHub's web editor, a clone and `git
/// push`): a working copy of `owner/name` on the server, driven with the git CLI.
pub struct Web {
    _dir: tempfile::TempDir,
    pub work: std::path::PathBuf,
}

impl Web {
    pub fn clone(git: &GitServer, owner: &str, name: &str) -> Web {
        let dir = tempfile::tempdir().unwrap();
        let bare = git.root.path().join(owner).join(format!("{name}.git"));
        git_cli(dir.path(), &["clone", "-q", "-b", "main", bare.to_str().unwrap(), "w"]);
        let work = dir.path().join("w");
        Web { _dir: dir, work }
    }

    /// The file of the entity whose id is `id`, under `folder` (stories, contexts, components):
    /// in the sub-folder of its id's first two hex digits, or (written flat) in `folder` itself.
    pub fn path_of(&self, folder: &str, id: &str) -> std::path::PathBuf {
        let dirs = [self.work.join(folder).join(&id[..2]), self.work.join(folder)];
        dirs.iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flat_map(|entries| entries.flatten().map(|e| e.path()))
            .find(|p| p.is_file() && p.file_name().unwrap().to_string_lossy().contains(&id[..8]))
            .unwrap_or_else(|| panic!("no file of {id} in {folder}"))
    }

    pub fn read(&self, folder: &str, id: &str) -> String {
        std::fs::read_to_string(self.path_of(folder, id)).unwrap()
    }

    pub fn write(&self, folder: &str, id: &str, text: &str) {
        std::fs::write(self.path_of(folder, id), text).unwrap();
    }

    pub fn git(&self, args: &[&str]) {
        git_cli(&self.work, args);
    }

    /// Commits everything and pushes it to `main`.
    pub fn push(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", message]);
        self.git(&["push", "-q", "origin", "HEAD:main"]);
    }

    pub fn pull(&self) {
        self.git(&["pull", "-q", "--rebase", "origin", "main"]);
    }
}
