//! What a Phoenix setup needs of the machine beyond the programs: a Hex repository that
//! answers (hex.pm, or the `hexpm` repository the user pointed Hex at), Erlang's C headers
//! (bcrypt_elixir and exqlite compile NIFs against `erl_nif.h`), and a database server for
//! `mix test` when the project uses PostgreSQL or MySQL. Each failed check says what to
//! install or set.

use super::preflight::Check;
use std::ffi::OsStr;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// hex.pm's repository, where Hex fetches packages unless told otherwise.
pub const HEX_PM: &str = "https://repo.hex.pm";

/// Where Hex keeps its config: `$HEX_HOME`, else `~/.hex`.
pub fn hex_home() -> Option<PathBuf> {
    std::env::var_os("HEX_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".hex")))
}

/// The `hexpm` repository's URL as `mix hex.repo set hexpm --url …` wrote it in
/// `hex.config` (`#{<<"hexpm">> => #{… url => <<"http://…">>}}`).
pub fn configured_hexpm(config: &str) -> Option<String> {
    let after = config.split("<<\"hexpm\">>").nth(1)?;
    // The hexpm map ends where the next repository's name starts.
    let map = after.split("<<\"").take_while(|s| !s.starts_with("hexpm:")).collect::<Vec<_>>();
    let text = map.join("<<\"");
    let url = text.split("url => <<\"").nth(1)?.split('"').next()?;
    Some(url.to_owned())
}

/// The repository Hex uses here: `HEX_MIRROR`, else the configured `hexpm` URL, else hex.pm;
/// with where that came from.
pub fn hex_repository(mirror: Option<&str>, hex_home: Option<&Path>) -> (String, &'static str) {
    if let Some(m) = mirror.filter(|m| !m.trim().is_empty()) {
        return (m.trim().to_owned(), "HEX_MIRROR");
    }
    let config = hex_home.and_then(|h| std::fs::read_to_string(h.join("hex.config")).ok());
    match config.as_deref().and_then(configured_hexpm) {
        Some(url) => (url, "hex.config's hexpm repository"),
        None => (HEX_PM.to_owned(), "Hex's default"),
    }
}

/// Whether something accepts a TCP connection at the URL's host and port within `timeout`.
fn answers(url: &str, timeout: Duration) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    let host = parsed.host_str().ok_or_else(|| format!("{url} has no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs =
        (host, port).to_socket_addrs().map_err(|e| format!("cannot resolve {host}: {e}"))?;
    let mut last = format!("{host} has no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = format!("{host}:{port}: {e}"),
        }
    }
    Err(last)
}

/// Whether the Hex repository `deps.get` fetches from answers.
pub fn hex_check(mirror: Option<&str>, hex_home: Option<&Path>) -> Check {
    let (url, from) = hex_repository(mirror, hex_home);
    match answers(&url, Duration::from_secs(3)) {
        Ok(()) => Check { name: "Hex repository".into(), ok: true, detail: format!("{url} answers ({from})") },
        Err(why) => Check {
            name: "Hex repository".into(),
            ok: false,
            detail: format!(
                "{url} ({from}) does not answer: {why}. `mix deps.get` needs it: connect to the \
                 network, or point Hex at a mirror (`mix hex.repo set hexpm --url URL`, or set HEX_MIRROR)"
            ),
        },
    }
}

/// `erl_nif.h` under an Erlang root (`…/usr/include`, or an `erts-*/include`).
pub fn nif_header(root: &Path) -> Option<PathBuf> {
    let usr = root.join("usr/include/erl_nif.h");
    if usr.is_file() {
        return Some(usr);
    }
    std::fs::read_dir(root).ok()?.flatten().find_map(|e| {
        let h = e.path().join("include/erl_nif.h");
        (e.file_name().to_string_lossy().starts_with("erts-") && h.is_file()).then_some(h)
    })
}

/// The Erlang root of the `erl` on `path`: its real file's `bin/..` when that looks like one
/// (Debian's `/usr/bin/erl` links to `/usr/lib/erlang/bin/erl`), else what `erl` says.
pub async fn erlang_root(path: &OsStr) -> Option<PathBuf> {
    let erl = super::preflight::find_program("erl", path)?;
    if let Some(root) =
        std::fs::canonicalize(&erl).ok().and_then(|r| Some(r.parent()?.parent()?.to_owned()))
    {
        if root.join("releases").is_dir() {
            return Some(root);
        }
    }
    let run = tokio::process::Command::new(&erl)
        .args(["-noshell", "-eval", "io:format(\"~s\",[code:root_dir()]),halt()."])
        .env("PATH", path)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(20), run).await.ok()?.ok()?;
    let root = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!root.is_empty()).then(|| PathBuf::from(root))
}

/// Whether Erlang's development headers are there (`root` `None`: no Erlang found).
pub fn nif_check(root: Option<&Path>) -> Check {
    let name = "Erlang headers (erl_nif.h)";
    match root {
        None => Check {
            name: name.into(),
            ok: false,
            detail: "no `erl` found on the steps' PATH: install Erlang/OTP (it comes with Elixir)"
                .into(),
        },
        Some(root) => match nif_header(root) {
            Some(h) => Check { name: name.into(), ok: true, detail: h.display().to_string() },
            None => Check {
                name: name.into(),
                ok: false,
                detail: format!(
                    "erl_nif.h is not under {}: bcrypt_elixir and exqlite compile C code against \
                     it. Install Erlang's development headers (Debian/Ubuntu: `sudo apt install \
                     erlang-dev`; Fedora: `erlang-erts` devel files; asdf, mise and kerl builds \
                     include them) and a C compiler",
                    root.display()
                ),
            },
        },
    }
}

/// The port `mix test` reaches the generated config's database on (its host is localhost):
/// for PostgreSQL the `PGPORT` the steps are given (`pgport`), which Postgrex reads because
/// phx.new's config names no port, else the server's default.
pub fn database_port(database: crate::projects::Database, pgport: Option<&str>) -> u16 {
    match database {
        crate::projects::Database::Mysql => 3306,
        _ => pgport.and_then(|p| p.trim().parse().ok()).unwrap_or(5432),
    }
}

/// The PostgreSQL or MySQL server `mix test` connects to, on localhost:`port`.
pub fn database_check(database: crate::projects::Database, port: u16) -> Option<Check> {
    use crate::projects::Database;
    let install = match database {
        Database::Sqlite3 => return None, // a file in the project: nothing to run
        Database::Postgres => {
            "install PostgreSQL and start it (Debian/Ubuntu: `sudo apt install postgresql`; \
             macOS: `brew install postgresql && brew services start postgresql`) with a \
             `postgres` user whose password is `postgres`, as the generated config/test.exs expects"
        }
        Database::Mysql => {
            "install MySQL and start it (Debian/Ubuntu: `sudo apt install default-mysql-server`)"
        }
    };
    let url = format!("tcp://localhost:{port}");
    Some(match answers(&url, Duration::from_millis(800)) {
        Ok(()) => Check { name: "database".into(), ok: true, detail: format!("{database} answers on localhost:{port}") },
        Err(_) => Check {
            name: "database".into(),
            ok: false,
            detail: format!(
                "nothing listens on localhost:{port}: `mix test` needs a running {database}: {install}; or set the project's database to sqlite3"
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port() // dropped: nothing listens there any more
    }

    #[test]
    fn an_unreachable_hex_mirror_is_named_with_what_to_set() {
        let home = tempfile::tempdir().unwrap();
        let url = format!("http://127.0.0.1:{}", closed_port());
        let config = format!(
            "{{'$repos',#{{<<\"hexpm\">> =>\n  #{{public_key => <<\"-----BEGIN RSA PUBLIC KEY-----\\nX\\n\">>,\n    url => <<\"{url}\">>}}}}}}.\n"
        );
        std::fs::write(home.path().join("hex.config"), config).unwrap();
        let check = hex_check(None, Some(home.path()));
        assert!(!check.ok);
        assert!(
            check
                .detail
                .starts_with(&format!("{url} (hex.config's hexpm repository) does not answer")),
            "{}",
            check.detail
        );
        assert!(check.detail.contains("mix hex.repo set hexpm --url"), "{}", check.detail);
        // One that listens answers.
        let listening = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listening.local_addr().unwrap().port());
        let check = hex_check(Some(&url), Some(home.path()));
        assert!(check.ok, "{}", check.detail);
        assert!(check.detail.contains("HEX_MIRROR"), "{}", check.detail);
    }

    #[test]
    fn without_a_hex_config_hex_pm_is_the_repository_checked() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(hex_repository(None, Some(home.path())), (HEX_PM.to_owned(), "Hex's default"));
    }

    #[test]
    fn a_machine_without_erlang_dev_is_told_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("erts-13.1.5/bin")).unwrap();
        let check = nif_check(Some(root.path()));
        assert!(!check.ok);
        assert!(check.detail.contains("apt install erlang-dev"), "{}", check.detail);
        std::fs::create_dir_all(root.path().join("usr/include")).unwrap();
        std::fs::write(root.path().join("usr/include/erl_nif.h"), "").unwrap();
        assert!(nif_check(Some(root.path())).ok);
        assert!(!nif_check(None).ok);
    }

    #[test]
    fn postgres_that_is_not_running_is_told_how_to_install_and_start() {
        let port = closed_port();
        let check = database_check(crate::projects::Database::Postgres, port).unwrap();
        assert!(!check.ok);
        assert!(check.detail.contains(&format!("localhost:{port}")), "{}", check.detail);
        assert!(check.detail.contains("apt install postgresql"), "{}", check.detail);
        assert!(database_check(crate::projects::Database::Sqlite3, 5432).is_none());
    }

    #[test]
    fn postgres_is_looked_for_where_the_steps_pgport_points() {
        use crate::projects::Database;
        assert_eq!(database_port(Database::Postgres, None), 5432);
        assert_eq!(database_port(Database::Postgres, Some("5433")), 5433);
        assert_eq!(database_port(Database::Postgres, Some("not a port")), 5432);
        assert_eq!(database_port(Database::Mysql, Some("5433")), 3306);
    }
}
