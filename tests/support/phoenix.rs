//! The real parts a Phoenix setup needs here: the offline Hex repository in
//! `../shared/hex-mirror` (hex.pm cannot be reached) in a scratch `HOME`/`MIX_HOME`/`HEX_HOME`,
//! and a PostgreSQL cluster of the test's own on loopback. Both are stopped when dropped, so
//! a failing test leaves no server behind.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/hex-mirror` beside the repository (as in CI), or a clear panic naming it.
pub fn hex_mirror_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/hex-mirror");
    assert!(
        dir.join("use.sh").is_file(),
        "the offline Hex repository is missing: {} (clone ../shared beside the repository)",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

/// The Hex repository served by `use.sh --git-global` for a scratch home: Mix, Hex and git
/// (the heroicons rule in `$HOME/.gitconfig`) read it through [`HexMirror::env`].
pub struct HexMirror {
    pub home: tempfile::TempDir,
    mirror: PathBuf,
}

impl HexMirror {
    pub fn start() -> HexMirror {
        let mirror = hex_mirror_dir();
        let home = tempfile::tempdir().unwrap();
        let started = HexMirror { home, mirror };
        let out = started.use_sh(&["--git-global"]);
        assert!(
            out.status.success(),
            "use.sh --git-global failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        started
    }

    fn use_sh(&self, args: &[&str]) -> std::process::Output {
        Command::new(self.mirror.join("use.sh"))
            .args(args)
            .envs(self.env())
            .output()
            .expect("run use.sh")
    }

    /// `HOME`, `MIX_HOME`, `HEX_HOME` and use.sh's state folder, all in the scratch home.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let h = self.home.path();
        vec![
            ("HOME", h.to_path_buf()),
            ("MIX_HOME", h.join(".mix")),
            ("HEX_HOME", h.join(".hex")),
            ("HEXMIRROR_STATE", h.join("hexmirror-state")),
        ]
    }
}

impl Drop for HexMirror {
    fn drop(&mut self) {
        let _ = self.use_sh(&["--stop"]);
    }
}

/// A free loopback port (bound, then released for the server to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A throwaway PostgreSQL cluster on loopback: superuser `postgres`, trusted connections
/// from loopback only (the generated app's config/test.exs sends postgres/postgres, which
/// trust accepts). As root, it runs as the `postgres` user that Debian's package creates
/// (PostgreSQL refuses to run as root).
///
/// Its port: 5432 when free, else any free one. The app's steps get `PGPORT`, which
/// Postgrex reads when the config names no port (phx.new's does not), so the app's tests
/// reach this cluster on either, and the setup's preflight follows `PGPORT` too.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

impl PgCluster {
    pub fn start() -> PgCluster {
        let bin = Self::bin_dir();
        let dir = tempfile::Builder::new().prefix("pgcluster").tempdir().unwrap();
        if is_root() {
            let ok = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status();
            assert!(ok.is_ok_and(|s| s.success()), "chown the cluster's folder to postgres");
        }
        let data = dir.path().join("data");
        let port = if TcpListener::bind("127.0.0.1:5432").is_ok() { 5432 } else { free_port() };
        let cluster = PgCluster { dir, bin, port };
        let init = cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
        // Its socket in its own folder (not /var/run/postgresql, which the package's own
        // cluster may hold), TCP on loopback only, fsync off: a test database.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=localhost -c fsync=off",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log").display().to_string();
        let start = cluster.run(
            "pg_ctl",
            &["-D", &data.display().to_string(), "-o", &options, "-l", &log, "-w", "start"],
        );
        assert!(
            start.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&start.stdout),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        cluster
    }

    /// Debian's newest installed PostgreSQL (`/usr/lib/postgresql/VERSION/bin`).
    fn bin_dir() -> PathBuf {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin).expect(
            "PostgreSQL's server is missing: /usr/lib/postgresql/*/bin/initdb (Debian's \
             postgresql package, which make test installs)",
        )
    }

    fn run(&self, program: &str, args: &[&str]) -> std::process::Output {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        // The cluster's own folder as its working directory: postgres may not read root's.
        command.args(args).current_dir(self.dir.path()).output().expect("run PostgreSQL")
    }

    /// Runs `psql -c SQL` against the cluster as `postgres`; returns its output.
    pub fn psql(&self, sql: &str) -> String {
        let out = self.run(
            "psql",
            &["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-Atc", sql],
        );
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        // The TempDir (owned by postgres, removable by root or its owner) goes with it.
    }
}

fn is_root() -> bool {
    // `id -u` rather than a libc call: this crate has no unsafe code.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
