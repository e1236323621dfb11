//! What `mix.lock` says about each dependency, and the cache key of its build: the lock entry
//! (package, version, checksums or git ref), the entries of every dependency it has in the
//! lock (a package compiles differently with an optional dependency present or not), the
//! Elixir and OTP versions and MIX_ENV.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// One `mix.lock` entry: `"phoenix": {:hex, :phoenix, "1.7.14", "…", [:mix], [{:castore, …}], "hexpm", "…"},`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// The whole entry as written (its checksums or git ref included).
    pub entry: String,
    /// The version for people: a hex version, or a git ref's first 12 characters.
    pub version: String,
    /// The packages this one depends on (each `{:name, …}` after the SCM's own).
    pub deps: Vec<String>,
}

/// The lock's entries by package; empty when there is no lock (before the first `deps.get`).
pub fn read(project: &Path) -> BTreeMap<String, Locked> {
    std::fs::read_to_string(project.join("mix.lock")).map(|t| parse(&t)).unwrap_or_default()
}

/// Mix writes one entry a line; a line that is not one is skipped (it is then not cached).
pub fn parse(text: &str) -> BTreeMap<String, Locked> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix('"') else { continue };
        let Some((name, entry)) = rest.split_once("\": ") else { continue };
        let entry = entry.trim_end_matches(',').trim().to_owned();
        if !entry.starts_with('{') || name.is_empty() {
            continue;
        }
        let quoted: Vec<&str> = entry.split('"').skip(1).step_by(2).collect();
        let version = if entry.starts_with("{:git") {
            quoted.get(1).map(|r| r.chars().take(12).collect()).unwrap_or_default()
        } else {
            quoted.first().map(|v| (*v).to_owned()).unwrap_or_default()
        };
        let deps = entry
            .match_indices("{:")
            .skip(1)
            .filter_map(|(i, _)| {
                let name = &entry[i + 2..];
                let end = name.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
                name[end..].starts_with(',').then(|| name[..end].to_owned())
            })
            .collect();
        out.insert(name.to_owned(), Locked { entry, version, deps });
    }
    out
}

/// What a build depends on besides its package: the toolchain and the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOf {
    pub elixir: String,
    pub otp: String,
    pub env: String,
}

/// The cache key of `package`'s build: a SHA-256 over its entry, its dependencies' entries
/// (recursively; an absent optional one counts as absent), and `of`.
pub fn key(lock: &BTreeMap<String, Locked>, package: &str, of: &BuildOf) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("elixir {}\0otp {}\0env {}\0", of.elixir, of.otp, of.env));
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![package.to_owned()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match lock.get(&name) {
            Some(l) => {
                hash.update(format!("{name}\0{}\0", l.entry));
                todo.extend(l.deps.iter().cloned());
            }
            None => hash.update(format!("{name}\0absent\0")),
        }
    }
    format!("{:x}", hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"%{
  "heroicons": {:git, "https://github.com/tailwindlabs/heroicons.git", "88ab3a0d790e6a47404cba02800a6b25d2afae50", [tag: "v2.1.1", sparse: "optimized"]},
  "jason": {:hex, :jason, "1.4.4", "b9226785a9aa77b6857ca22832cffa5d5011a667207eb2a0ad56adb5db443b8a", [:mix], [{:decimal, "~> 1.0 or ~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}], "hexpm", "c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b"},
  "decimal": {:hex, :decimal, "2.1.1", "5611dca5d4b2c3dd497dec8f68751f1f1a54755e8ed2a966c2633cf885973ad6", [:mix], [], "hexpm", "53cfe5f497ed0e7771ae1a475575603d77425099ba5faef9394932b35020ffcc"},
}
"#;

    fn of(env: &str) -> BuildOf {
        BuildOf { elixir: "1.14.0".into(), otp: "25".into(), env: env.into() }
    }

    #[test]
    fn a_lock_is_read_with_versions_and_dependencies() {
        let lock = parse(LOCK);
        assert_eq!(lock.len(), 3);
        assert_eq!(lock["jason"].version, "1.4.4");
        assert_eq!(lock["jason"].deps, vec!["decimal".to_owned()]);
        assert_eq!(lock["heroicons"].version, "88ab3a0d790e");
        assert!(lock["heroicons"].deps.is_empty());
    }

    #[test]
    fn a_build_key_changes_with_env_toolchain_checksum_and_optional_dependencies() {
        let lock = parse(LOCK);
        let dev = key(&lock, "jason", &of("dev"));
        assert_eq!(dev, key(&lock, "jason", &of("dev")));
        assert_ne!(dev, key(&lock, "jason", &of("test")));
        let newer = BuildOf { elixir: "1.15.0".into(), ..of("dev") };
        assert_ne!(dev, key(&lock, "jason", &newer));
        // Another checksum of a dependency, or the optional dependency absent: another build.
        let changed = parse(&LOCK.replace("5611dca5", "00000000"));
        assert_ne!(dev, key(&changed, "jason", &of("dev")));
        let mut without = lock.clone();
        without.remove("decimal");
        assert_ne!(dev, key(&without, "jason", &of("dev")));
        // What jason does not depend on does not count.
        let mut other = lock.clone();
        other.remove("heroicons");
        assert_eq!(dev, key(&other, "jason", &of("dev")));
    }
}
