//! Where the programs a setup runs are looked for: the `tools_path` setting first, then this
//! process's `PATH`, or — when `mix` is not on it and no `tools_path` is set — the login
//! shell's `PATH` ([`super::login_shell`]). Each folder remembers where it came from, so that
//! `doctor` and Check requirements can say where each tool was found.

use serde::Serialize;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Where a folder of the steps' `PATH` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum PathSource {
    /// This process's own `PATH` (or a test's stand-in folder put before it).
    #[serde(rename = "PATH")]
    Path,
    /// The person's login shell's `PATH`, read because `mix` was not on this process's.
    #[serde(rename = "login shell")]
    LoginShell,
    /// The `tools_path` setting.
    #[serde(rename = "tools_path")]
    ToolsPath,
}

impl PathSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PathSource::Path => "PATH",
            PathSource::LoginShell => "login shell",
            PathSource::ToolsPath => "tools_path",
        }
    }
}

impl std::fmt::Display for PathSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The folders steps search, in order, each with its source; a folder appears once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPath {
    dirs: Vec<(PathBuf, PathSource)>,
}

impl SearchPath {
    /// `extra` (a test's stand-ins), then `tools_path`'s folders, then the login shell's
    /// `PATH` when given, then `process`'s `PATH`. A folder the process's `PATH` holds too is
    /// labelled `PATH` even where the login shell lists it first (it was there already); the
    /// login shell's order is kept, so its version managers' shims win over the system's.
    pub fn build(
        extra: &[PathBuf],
        tools_path: Option<&OsStr>,
        login: Option<&OsStr>,
        process: &OsStr,
    ) -> Self {
        let on_process: Vec<PathBuf> = std::env::split_paths(process).collect();
        let mut out = SearchPath::default();
        for dir in extra {
            out.push(dir.clone(), PathSource::Path);
        }
        for dir in tools_path.into_iter().flat_map(std::env::split_paths) {
            out.push(dir, PathSource::ToolsPath);
        }
        for dir in login.into_iter().flat_map(std::env::split_paths) {
            let source =
                if on_process.contains(&dir) { PathSource::Path } else { PathSource::LoginShell };
            out.push(dir, source);
        }
        for dir in on_process {
            out.push(dir, PathSource::Path);
        }
        out
    }

    fn push(&mut self, dir: PathBuf, source: PathSource) {
        if !dir.as_os_str().is_empty() && !self.dirs.iter().any(|(d, _)| *d == dir) {
            self.dirs.push((dir, source));
        }
    }

    /// The `PATH` value steps get.
    pub fn join(&self) -> OsString {
        std::env::join_paths(self.dirs.iter().map(|(d, _)| d)).unwrap_or_default()
    }

    /// The first `program` on this path, as a step would find it, and where its folder
    /// came from.
    pub fn find(&self, program: &str) -> Option<(PathBuf, PathSource)> {
        if program.contains('/') {
            let p = PathBuf::from(program);
            return p.is_file().then_some((p, PathSource::Path));
        }
        self.dirs.iter().find_map(|(dir, source)| {
            let candidate = dir.join(program);
            is_executable(&candidate).then_some((candidate, *source))
        })
    }
}

pub(crate) fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(dir: &Path, name: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn each_tool_is_found_first_where_the_order_says_and_says_where_it_came_from() {
        let (setting, shims, system) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        tool(shims.path(), "mix");
        tool(shims.path(), "elixir");
        tool(system.path(), "elixir");
        tool(system.path(), "git");
        let process = std::env::join_paths([system.path()]).unwrap();
        let login = std::env::join_paths([shims.path(), system.path()]).unwrap();

        let path = SearchPath::build(&[], None, Some(&login), &process);
        assert_eq!(path.find("mix"), Some((shims.path().join("mix"), PathSource::LoginShell)));
        assert_eq!(
            path.find("elixir"),
            Some((shims.path().join("elixir"), PathSource::LoginShell)),
            "the login shell's version manager wins, as in a terminal"
        );
        assert_eq!(path.find("git"), Some((system.path().join("git"), PathSource::Path)));
        assert_eq!(path.find("rebar3"), None);
        assert_eq!(path.join(), login, "no folder twice");

        tool(setting.path(), "mix");
        let with_setting =
            SearchPath::build(&[], Some(setting.path().as_os_str()), Some(&login), &process);
        assert_eq!(
            with_setting.find("mix"),
            Some((setting.path().join("mix"), PathSource::ToolsPath))
        );
    }
}
