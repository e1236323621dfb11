//! Which Elixir, Erlang/OTP and Phoenix generator this machine has, and whether they fit
//! together: the generator's own Elixir requirement is checked before a setup spends
//! minutes and fails in `mix phx.new`. `codemyspec doctor` shows the same.

use super::preflight::Check;
use semver::Version;
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

/// What `elixir --version` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub elixir: Version,
    pub otp: u32,
}

/// Reads `elixir --version`'s output: `Erlang/OTP 25 [erts-…]` and `Elixir 1.14.0 (compiled
/// with Erlang/OTP 24)`.
pub fn parse_versions(output: &str) -> Option<Versions> {
    let otp = output
        .split("Erlang/OTP ")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let elixir = output.lines().find_map(|l| l.trim().strip_prefix("Elixir "))?;
    let elixir = Version::parse(elixir.split_whitespace().next()?).ok()?;
    Some(Versions { elixir, otp })
}

/// Runs `elixir --version` with the steps' `PATH` (it starts an Erlang VM: a second or so),
/// once per set of binaries: the answer is kept for as long as `elixir` and `erl` on that
/// `PATH` are the same files (path, size, modification time), so a retry's preflight and
/// its first `mix` step do not boot a VM to ask again. A failed answer is not kept.
pub async fn versions(path: &OsStr) -> Option<Versions> {
    let elixir = super::preflight::find_program("elixir", path)?;
    let key = Fingerprint::of(&[&elixir, &super::preflight::find_program("erl", path)?]);
    if let Some(known) = key.as_ref().and_then(known) {
        return Some(known);
    }
    let run = tokio::process::Command::new(elixir)
        .arg("--version")
        .env("PATH", path)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run).await.ok()?.ok()?;
    let found = parse_versions(&String::from_utf8_lossy(&out.stdout))?;
    if let Some(key) = key {
        remember(key, found.clone());
    }
    Some(found)
}

/// Which files a toolchain answer came from: each binary's resolved path, size and
/// modification time (an upgrade or a switch of version manager changes one of them).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint(Vec<(std::path::PathBuf, u64, std::time::SystemTime)>);

impl Fingerprint {
    fn of(binaries: &[&Path]) -> Option<Fingerprint> {
        let files = binaries.iter().map(|binary| {
            let resolved = std::fs::canonicalize(binary).ok()?;
            let meta = std::fs::metadata(&resolved).ok()?;
            Some((resolved, meta.len(), meta.modified().ok()?))
        });
        files.collect::<Option<Vec<_>>>().map(Fingerprint)
    }
}

/// The answers this process has had, newest last (a handful at most: one per toolchain).
static KNOWN: std::sync::Mutex<Vec<(Fingerprint, Versions)>> = std::sync::Mutex::new(Vec::new());

fn known(key: &Fingerprint) -> Option<Versions> {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

fn remember(key: Fingerprint, found: Versions) {
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known.retain(|(k, _)| *k != key);
    known.push((key, found));
}

/// The installed `phx_new` archive's version (`phx_new-1.8.1` or `phx_new-1.8.1.ez` in the
/// archives folder); the newest when there are several.
pub fn phx_new_version(archives: &Path) -> Option<Version> {
    std::fs::read_dir(archives)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let v = name.strip_prefix("phx_new-")?.trim_end_matches(".ez").to_owned();
            Version::parse(&v).ok()
        })
        .max()
}

/// The oldest Elixir and Erlang/OTP a `phx_new` generator runs on: each installer's own
/// `mix.exs` requirement (1.8: `~> 1.17`), OTP from the Phoenix installation guides
/// (docs/PIPELINE.md keeps the table).
pub fn needs(phx_new: &Version) -> (Version, u32) {
    match (phx_new.major, phx_new.minor) {
        (1, m) if m >= 8 => (Version::new(1, 17, 0), 25),
        (1, 7) => (Version::new(1, 14, 0), 24),
        (1, 6) => (Version::new(1, 12, 0), 22),
        _ => (Version::new(1, 11, 0), 22),
    }
}

/// The checks: Elixir/OTP as found, and (when the recipe runs `phx.new`) whether the
/// installed generator fits them.
pub fn checks(
    found: Option<&Versions>,
    phx_new: Option<&Version>,
    runs_phx_new: bool,
) -> Vec<Check> {
    let mut out = Vec::new();
    match found {
        Some(v) => out.push(Check {
            name: "Elixir and Erlang/OTP".into(),
            ok: true,
            detail: format!("Elixir {} on Erlang/OTP {}", v.elixir, v.otp),
        }),
        None => out.push(Check {
            name: "Elixir and Erlang/OTP".into(),
            ok: false,
            detail: "`elixir --version` did not answer: install Elixir (it brings Erlang/OTP)"
                .into(),
        }),
    }
    if let (Some(v), Some(gen)) = (found, phx_new) {
        let (elixir, otp) = needs(gen);
        let fits = v.elixir >= elixir && v.otp >= otp;
        let detail = if fits {
            format!("phx_new {gen} runs on Elixir {} / OTP {}", v.elixir, v.otp)
        } else {
            format!(
                "phx_new {gen} needs Elixir {}.{} or later on Erlang/OTP {otp} or later; this machine has Elixir {} on OTP {}. Install a newer Elixir (your OS's packages, asdf or mise), or a generator that fits: `mix archive.install hex phx_new 1.7.21`",
                elixir.major, elixir.minor, v.elixir, v.otp
            )
        };
        out.push(Check { name: "phx_new fits Elixir".into(), ok: fits || !runs_phx_new, detail });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in `elixir` that counts its runs, beside a stand-in `erl`.
    fn counting_toolchain(dir: &Path, elixir_version: &str) {
        use std::os::unix::fs::PermissionsExt;
        let script = format!(
            "#!/bin/sh\necho run >> {}\necho 'Erlang/OTP 25 [erts-13.1.5]'\necho\necho 'Elixir {elixir_version} (compiled with Erlang/OTP 25)'\n",
            dir.join("runs").display()
        );
        for (name, body) in [("elixir", script.as_str()), ("erl", "#!/bin/sh\n")] {
            std::fs::write(dir.join(name), body).unwrap();
            std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
    }

    fn runs(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("runs")).map(|s| s.lines().count()).unwrap_or(0)
    }

    #[tokio::test]
    async fn elixir_is_asked_once_until_its_binary_changes() {
        let dir = tempfile::tempdir().unwrap();
        counting_toolchain(dir.path(), "1.14.0");
        let path = dir.path().as_os_str();
        let first = versions(path).await.expect("the stand-in answers");
        assert_eq!(first.elixir, Version::new(1, 14, 0));
        assert_eq!(versions(path).await, Some(first));
        assert_eq!(runs(dir.path()), 1, "the second question was answered from memory");

        // An upgrade replaces the binary: asked again, and the new answer is what counts.
        counting_toolchain(dir.path(), "1.15.10");
        let upgraded = versions(path).await.expect("the upgraded stand-in answers");
        assert_eq!(upgraded.elixir, Version::new(1, 15, 10));
        assert_eq!(runs(dir.path()), 2);
    }

    #[test]
    fn elixir_version_output_is_read() {
        let out = "Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2]\n\nElixir 1.14.0 (compiled with Erlang/OTP 24)\n";
        assert_eq!(parse_versions(out), Some(Versions { elixir: Version::new(1, 14, 0), otp: 25 }));
        assert_eq!(parse_versions("command not found"), None);
    }

    #[test]
    fn phoenix_1_8_on_debians_elixir_1_14_is_refused_with_a_way_out() {
        let debian = Versions { elixir: Version::new(1, 14, 0), otp: 25 };
        let checks = checks(Some(&debian), Some(&Version::new(1, 8, 1)), true);
        let fit = &checks[1];
        assert!(!fit.ok);
        assert!(fit.detail.contains("needs Elixir 1.17 or later"), "{}", fit.detail);
        assert!(fit.detail.contains("phx_new 1.7"), "{}", fit.detail);
        let ok = checks_for(&debian, "1.7.14");
        assert!(ok[1].ok, "{}", ok[1].detail);
        // Only a recipe that runs the generator fails on it.
        assert!(super::checks(Some(&debian), Some(&Version::new(1, 8, 1)), false)[1].ok);
    }

    fn checks_for(v: &Versions, phx_new: &str) -> Vec<Check> {
        checks(Some(v), Some(&Version::parse(phx_new).unwrap()), true)
    }

    #[test]
    fn the_newest_installed_generator_is_the_one_mix_runs() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["hex-2.1.1", "phx_new-1.7.14", "phx_new-1.8.1.ez"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        assert_eq!(phx_new_version(dir.path()), Some(Version::new(1, 8, 1)));
        assert_eq!(phx_new_version(&dir.path().join("none")), None);
    }
}
