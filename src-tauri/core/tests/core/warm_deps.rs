//! Warm setups with real `mix`: a tiny library fetched as a git dependency, built in one
//! project and seeded into the next from the dependency cache (docs/PIPELINE.md, "Warm
//! setups"). Mix's own staleness checks decide; the test reads what Mix printed.

use crate::support::fixture;
use codemyspec_core::pipeline::depcache::lock::BuildOf;
use codemyspec_core::pipeline::depcache::DepCache;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Mix {
    home: tempfile::TempDir,
}

impl Mix {
    /// Runs `mix args` in `dir` with a scratch MIX_HOME; panics with the output if it fails.
    fn run(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("mix")
            .args(args)
            .current_dir(dir)
            .env("MIX_HOME", self.home.path().join("mix"))
            .env("HEX_HOME", self.home.path().join("hex"))
            .env("HEX_OFFLINE", "1")
            .env_remove("MIX_ENV")
            .output()
            .expect("mix runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "mix {args:?} in {}: {text}", dir.display());
        text
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// A git repository holding the library `tiny`.
fn tiny_repo(root: &Path) -> PathBuf {
    let repo = root.join("tiny");
    std::fs::create_dir_all(repo.join("lib")).unwrap();
    std::fs::write(
        repo.join("mix.exs"),
        "defmodule Tiny.MixProject do\n  use Mix.Project\n  def project, do: [app: :tiny, version: \"0.1.0\", elixir: \"~> 1.12\"]\nend\n",
    )
    .unwrap();
    std::fs::write(repo.join("lib/tiny.ex"), "defmodule Tiny do\n  def hello, do: :world\nend\n")
        .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "tiny"]);
    repo
}

/// A project depending on `tiny`, with a test that calls it.
fn app(root: &Path, name: &str, tiny: &Path) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::fs::create_dir_all(dir.join("test")).unwrap();
    std::fs::write(
        dir.join("mix.exs"),
        format!(
            "defmodule App.MixProject do\n  use Mix.Project\n  def project, do: [app: :{name}, version: \"0.1.0\", deps: [{{:tiny, git: \"file://{}\"}}]]\nend\n",
            tiny.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("lib/app.ex"),
        "defmodule App do\n  def greet, do: Tiny.hello()\nend\n",
    )
    .unwrap();
    std::fs::write(dir.join("test/test_helper.exs"), "ExUnit.start()\n").unwrap();
    std::fs::write(
        dir.join("test/app_test.exs"),
        "defmodule AppTest do\n  use ExUnit.Case\n  test \"greets\", do: assert(App.greet() == :world)\nend\n",
    )
    .unwrap();
    dir
}

fn of(env: &str) -> BuildOf {
    BuildOf { elixir: "this-elixir".into(), otp: "this-otp".into(), env: env.into() }
}

fn beam(project: &Path, env: &str) -> PathBuf {
    project.join(format!("_build/{env}/lib/tiny/ebin/Elixir.Tiny.beam"))
}

fn entry_dirs(data: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data.join("dep-cache/entries"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_second_project_gets_its_dependencies_built_and_mix_does_not_compile_them_again() {
    let f = fixture().await;
    let root = tempfile::tempdir().unwrap();
    let mix = Mix { home: tempfile::tempdir().unwrap() };
    let tiny = tiny_repo(root.path());
    let cache = DepCache::new(&f.store);

    // Cold: Mix builds tiny in dev and in test; what it built is stored.
    let cold = app(root.path(), "cold", &tiny);
    mix.run(&cold, &["deps.get"]);
    assert!(
        cache.seed(&cold, &of("dev")).await.unwrap().seeded.is_empty(),
        "an empty cache seeds nothing"
    );
    let compiled = mix.run(&cold, &["compile"]);
    assert!(compiled.contains("==> tiny"), "cold builds tiny: {compiled}");
    assert_eq!(cache.store_builds(&cold, &of("dev")).await.unwrap(), vec!["tiny".to_owned()]);
    let tested = mix.run(&cold, &["test"]);
    assert!(tested.contains("==> tiny") && tested.contains("1 test, 0 failures"), "{tested}");
    assert_eq!(cache.store_builds(&cold, &of("test")).await.unwrap(), vec!["tiny".to_owned()]);
    assert!(cache.store_builds(&cold, &of("dev")).await.unwrap().is_empty(), "stored once");
    let summary = cache.summary().await.unwrap();
    assert_eq!(summary.entries, 2);
    assert!(summary.bytes > 0);

    // Warm: seeded as Mix left it (times kept); Mix compiles only the app and its tests pass.
    let warm = app(root.path(), "warm", &tiny);
    mix.run(&warm, &["deps.get"]);
    let seeded = cache.seed(&warm, &of("dev")).await.unwrap();
    assert_eq!(seeded.seeded, vec!["tiny".to_owned()]);
    let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(mtime(&beam(&warm, "dev")), mtime(&beam(&cold, "dev")));
    let compiled = mix.run(&warm, &["compile"]);
    assert!(!compiled.contains("==> tiny"), "tiny is not compiled again: {compiled}");
    assert!(compiled.contains("Compiling 1 file"), "the app itself compiles: {compiled}");
    assert_eq!(mtime(&beam(&warm, "dev")), mtime(&beam(&cold, "dev")), "Mix kept the seeded build");
    assert_eq!(cache.seed(&warm, &of("test")).await.unwrap().seeded, vec!["tiny".to_owned()]);
    let tested = mix.run(&warm, &["test"]);
    assert!(!tested.contains("==> tiny"), "{tested}");
    assert!(tested.contains("1 test, 0 failures"), "{tested}");

    // A damaged entry fails its checksum: removed, not used; Mix builds tiny again and the
    // fresh build is stored in its place.
    for entry in entry_dirs(f.dir.path()) {
        let beam = entry.join("build/ebin/Elixir.Tiny.beam");
        std::fs::write(&beam, b"not a beam").unwrap();
    }
    let third = app(root.path(), "third", &tiny);
    mix.run(&third, &["deps.get"]);
    let seeded = cache.seed(&third, &of("dev")).await.unwrap();
    assert!(seeded.seeded.is_empty());
    assert_eq!(seeded.rejected, vec!["tiny".to_owned()]);
    assert!(!third.join("_build/dev/lib/tiny").exists(), "nothing of the damaged entry is used");
    let compiled = mix.run(&third, &["compile"]);
    assert!(compiled.contains("==> tiny"), "built again: {compiled}");
    assert_eq!(cache.store_builds(&third, &of("dev")).await.unwrap(), vec!["tiny".to_owned()]);
    let fourth = app(root.path(), "fourth", &tiny);
    mix.run(&fourth, &["deps.get"]);
    assert_eq!(cache.seed(&fourth, &of("dev")).await.unwrap().seeded, vec!["tiny".to_owned()]);
    let compiled = mix.run(&fourth, &["compile"]);
    assert!(!compiled.contains("==> tiny"), "{compiled}");

    // Bounded: over the bound, the least recently used entry goes first (test's was damaged
    // and never used again; dev's was just used). Cleared, nothing is left.
    let summary = cache.summary().await.unwrap();
    assert_eq!(summary.entries, 2, "dev rebuilt, test damaged but not yet looked at");
    let removed = cache.evict(summary.bytes - 1).await.unwrap();
    assert_eq!(removed.len(), 1);
    let fifth = app(root.path(), "fifth", &tiny);
    mix.run(&fifth, &["deps.get"]);
    assert_eq!(
        cache.seed(&fifth, &of("dev")).await.unwrap().seeded,
        vec!["tiny".to_owned()],
        "the recently used dev build stays"
    );
    assert_eq!(cache.summary().await.unwrap().entries, 1);
    let (entries, _) = cache.clear().await.unwrap();
    assert_eq!(entries, 1);
    assert_eq!(cache.summary().await.unwrap().entries, 0);
    assert!(entry_dirs(f.dir.path()).is_empty());
}
