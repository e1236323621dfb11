//! Input rules (docs/DESIGN.md: Input rules): project names, repository URLs, component file paths,
//! module aliases, emails and free text. Each validator returns the normalised value or an
//! [`Error::InvalidInput`] naming the field.

use crate::error::{Error, FieldError, Result};

/// Collects the field errors of one form, so that the caller reports all of them at once
/// ([`Error::InvalidFields`]) instead of the first.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
    other: Option<Error>,
}

impl Checks {
    pub fn new() -> Self {
        Checks::default()
    }

    /// The value, or `None` with its error kept.
    pub fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Error::InvalidInput { field, message }) => {
                self.errors.push(FieldError { field, message });
                None
            }
            Err(Error::InvalidFields { errors }) => {
                self.errors.extend(errors);
                None
            }
            Err(other) => {
                self.other.get_or_insert(other);
                None
            }
        }
    }

    /// Records a problem of `field` (unless that field already has one).
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
        }
    }

    /// Whether `field` already has a problem.
    pub fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Every problem kept: none → `Ok`, one → that field's error, more → all of them.
    pub fn finish(mut self) -> Result<()> {
        if let Some(other) = self.other {
            return Err(other);
        }
        match self.errors.len() {
            0 => Ok(()),
            1 => {
                let FieldError { field, message } = self.errors.remove(0);
                Err(Error::InvalidInput { field, message })
            }
            _ => Err(Error::InvalidFields { errors: self.errors }),
        }
    }
}

pub const PROJECT_NAME_MAX: usize = 64;
pub const REPO_PART_MAX: usize = 100;
pub const FILE_PATH_MAX: usize = 512;
pub const MODULE_ALIAS_MAX: usize = 200;
pub const EMAIL_MAX: usize = 254;
pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 100_000;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 1024;

/// Names `mix phx.new` refuses outright.
const RESERVED_APP_NAMES: &[&str] = &["server", "table"];

/// Top-level modules of Elixir and its bundled applications, and of the packages a
/// generated Phoenix app depends on: an app whose module is one of these cannot be built.
const TAKEN_ELIXIR_MODULES: &[&str] = &[
    "Access",
    "Agent",
    "Application",
    "ArgumentError",
    "ArithmeticError",
    "Atom",
    "BadArityError",
    "BadBooleanError",
    "BadFunctionError",
    "BadMapError",
    "BadStructError",
    "Bandit",
    "Base",
    "Behaviour",
    "Bitwise",
    "Calendar",
    "CaseClauseError",
    "Code",
    "Collectable",
    "CompileError",
    "CondClauseError",
    "Config",
    "Date",
    "DateTime",
    "Dict",
    "DnsCluster",
    "Duration",
    "DynamicSupervisor",
    "Ecto",
    "EEx",
    "Eex",
    "Elixir",
    "Enum",
    "Enumerable",
    "ErlangError",
    "Esbuild",
    "ExUnit",
    "Exception",
    "File",
    "Finch",
    "Float",
    "Floki",
    "Function",
    "FunctionClauseError",
    "GenEvent",
    "GenServer",
    "Gettext",
    "HashDict",
    "HashSet",
    "Heroicons",
    "IEx",
    "IO",
    "Iex",
    "Inspect",
    "Integer",
    "Io",
    "Jason",
    "JSON",
    "Json",
    "Kernel",
    "KeyError",
    "Keyword",
    "List",
    "Logger",
    "Macro",
    "Map",
    "MapSet",
    "MatchError",
    "Mix",
    "Module",
    "NaiveDateTime",
    "Node",
    "OptionParser",
    "PartitionSupervisor",
    "Path",
    "Phoenix",
    "Plug",
    "Port",
    "Postgrex",
    "Process",
    "Protocol",
    "Range",
    "Record",
    "Regex",
    "Registry",
    "RuntimeError",
    "Set",
    "Stream",
    "String",
    "StringIO",
    "Supervisor",
    "Swoosh",
    "SyntaxError",
    "System",
    "SystemLimitError",
    "Tailwind",
    "Task",
    "Telemetry",
    "Time",
    "TokenMissingError",
    "TryClauseError",
    "Tuple",
    "URI",
    "UndefinedFunctionError",
    "UnicodeConversionError",
    "Uri",
    "Version",
    "WithClauseError",
];

/// Erlang/OTP modules and applications: an app named like one clashes with it.
const TAKEN_ERLANG_MODULES: &[&str] = &[
    "application",
    "array",
    "asn1",
    "auth",
    "beam_lib",
    "binary",
    "c",
    "calendar",
    "code",
    "common_test",
    "compiler",
    "crypto",
    "debugger",
    "dets",
    "dialyzer",
    "diameter",
    "dict",
    "digraph",
    "digraph_utils",
    "edoc",
    "eex",
    "eldap",
    "elixir",
    "epp",
    "erl_eval",
    "erl_parse",
    "erl_scan",
    "erlang",
    "erpc",
    "error_logger",
    "et",
    "ets",
    "eunit",
    "ex_unit",
    "file",
    "filelib",
    "filename",
    "ftp",
    "gb_sets",
    "gb_trees",
    "gen",
    "gen_event",
    "gen_sctp",
    "gen_server",
    "gen_statem",
    "gen_tcp",
    "gen_udp",
    "global",
    "group",
    "heart",
    "httpc",
    "httpd",
    "iex",
    "inet",
    "inets",
    "init",
    "io",
    "io_lib",
    "kernel",
    "lists",
    "logger",
    "maps",
    "math",
    "megaco",
    "mix",
    "mnesia",
    "net",
    "net_adm",
    "net_kernel",
    "observer",
    "odbc",
    "orddict",
    "ordsets",
    "os",
    "os_mon",
    "parsetools",
    "peer",
    "pg",
    "pool",
    "proc_lib",
    "proplists",
    "public_key",
    "queue",
    "rand",
    "random",
    "re",
    "reltool",
    "rpc",
    "runtime_tools",
    "sasl",
    "sets",
    "shell",
    "slave",
    "snmp",
    "socket",
    "ssh",
    "ssl",
    "stdlib",
    "string",
    "supervisor",
    "syntax_tools",
    "sys",
    "tftp",
    "timer",
    "tools",
    "unicode",
    "user",
    "wx",
    "xmerl",
    "zip",
    "zlib",
];

/// Whether two docs repository URLs name the same repository (GitHub's names are not
/// case-sensitive; a trailing `.git` or `/` does not make another one).
pub fn same_repository(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |u: &str| {
        let u = u.trim().trim_end_matches('/');
        u.strip_suffix(".git").unwrap_or(u).to_ascii_lowercase()
    };
    a.map(norm) == b.map(norm)
}

/// Validates an Elixir application name (`my_app`).
pub fn project_name(field: &str, raw: &str) -> Result<String> {
    app_name(field, raw, true)
}

/// [`project_name`], with the names only `mix phx.new` refuses (`server`, `table`) allowed
/// unless `phoenix`: they are fine for a plain Elixir project.
pub fn project_name_for(field: &str, raw: &str, phoenix: bool) -> Result<String> {
    app_name(field, raw, phoenix)
}

fn app_name(field: &str, raw: &str, phoenix: bool) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid(field, "name is required"));
    }
    if name.chars().count() > PROJECT_NAME_MAX {
        return Err(Error::invalid(
            field,
            format!("name must be at most {PROJECT_NAME_MAX} characters"),
        ));
    }
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok {
        return Err(Error::invalid(
            field,
            "name must start with a lowercase letter and contain only lowercase letters, \
             digits and underscores (like my_app)",
        ));
    }
    if phoenix && RESERVED_APP_NAMES.contains(&name) {
        return Err(Error::invalid(field, format!("\"{name}\" is reserved by Phoenix")));
    }
    if TAKEN_ERLANG_MODULES.contains(&name) {
        return Err(Error::invalid(
            field,
            format!("\"{name}\" is already an Erlang/OTP module or application"),
        ));
    }
    let module = module_name(name);
    if TAKEN_ELIXIR_MODULES.contains(&module.as_str()) {
        return Err(Error::invalid(
            field,
            format!("its module {module} already exists in Elixir or a Phoenix dependency"),
        ));
    }
    Ok(name.to_owned())
}

/// A GitHub user or organization name as GitHub allows it: letters, digits and single
/// hyphens, not at either end, at most 39 characters.
pub fn is_github_owner(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 39
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The module an app name becomes, as `Macro.camelize/1` does: `my_app` → `MyApp`.
pub fn module_name(app: &str) -> String {
    app.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Where repository URLs may point: the configured GitHub host (github.com or an
/// Enterprise host, optionally with a port), or a loopback host (tests' local stand-ins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoHost(String);

impl Default for RepoHost {
    fn default() -> Self {
        RepoHost("github.com".into())
    }
}

impl RepoHost {
    pub fn new(field: &str, raw: &str) -> Result<Self> {
        let host = raw.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host.as_str(), None),
        };
        let name_ok = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
        if !name_ok || !port_ok {
            return Err(Error::invalid(field, format!("\"{raw}\" is not a host name")));
        }
        Ok(RepoHost(host))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `localhost`, `127.0.0.1` or `[::1]`, with an optional valid port.
fn is_loopback(authority: &str) -> bool {
    let (name, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((name, rest)) => (name, rest.strip_prefix(':').or(rest.is_empty().then_some(""))),
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, Some("")),
        },
    };
    let port_ok = match port {
        Some("") => !authority.ends_with(':'),
        Some(p) => p.parse::<u16>().is_ok_and(|n| n > 0),
        None => false,
    };
    port_ok && matches!(name, "localhost" | "127.0.0.1" | "::1")
}

fn is_repo_part(part: &str) -> bool {
    !part.is_empty()
        && part.len() <= REPO_PART_MAX
        && part != "."
        && part != ".."
        && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Validates a repository URL: `https://HOST/owner/repo` for the configured host, or
/// `http(s)://` a loopback host. A pasted `.git` suffix or trailing slash is dropped.
/// Returns the canonical URL.
pub fn repo_url(field: &str, raw: &str, host: &RepoHost) -> Result<String> {
    let url = raw.trim();
    let bad = |why: &str| {
        Error::invalid(field, format!("{why} (expected https://{}/OWNER/REPO)", host.0))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not a URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("the URL must start with https://"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("the URL must not have a query or fragment"));
    }
    let (authority, path) = rest.split_once('/').ok_or_else(|| bad("the URL has no OWNER/REPO"))?;
    if authority.contains('@') {
        return Err(Error::invalid(
            field,
            "the URL must not contain a user name or token; tokens are kept in the OS keyring",
        ));
    }
    let authority = authority.to_ascii_lowercase();
    let loopback = is_loopback(&authority);
    if !loopback && authority != host.0 {
        return Err(bad(&format!("the host must be {}", host.0)));
    }
    if scheme == "http" && !loopback {
        return Err(bad("plain http is only allowed for a loopback host"));
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = path.split('/');
    let (owner, repo) = match (parts.next(), parts.next(), parts.next()) {
        (Some(owner), Some(repo), None) => (owner, repo),
        _ => return Err(bad("the path must be exactly OWNER/REPO")),
    };
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    if !is_github_owner(owner) {
        return Err(bad(&format!(
            "\"{owner}\" is not an owner name GitHub allows: 1 to 39 letters, digits and single \
             hyphens, not at either end"
        )));
    }
    if !is_repo_part(repo) {
        return Err(bad(&format!(
            "\"{repo}\" is not a repository name GitHub allows: 1 to {REPO_PART_MAX} of \
             A-Z a-z 0-9 . _ -, and not . or .."
        )));
    }
    Ok(format!("{scheme}://{authority}/{owner}/{repo}"))
}

/// Validates a component's file path: relative, no `..`, normalised with `/` separators.
pub fn file_path(field: &str, raw: &str) -> Result<String> {
    if raw.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(field, "the path must not contain control characters"));
    }
    let unified = raw.trim().replace('\\', "/");
    if unified.is_empty() {
        return Err(Error::invalid(field, "a file path is required"));
    }
    let drive = unified.as_bytes().get(1) == Some(&b':');
    if unified.starts_with('/') || drive {
        return Err(Error::invalid(field, "the path must be relative to the repository root"));
    }
    let mut parts = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Error::invalid(field, "the path must not contain \"..\"")),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(Error::invalid(field, "the path must name a file"));
    }
    let normal = parts.join("/");
    if normal.chars().count() > FILE_PATH_MAX {
        return Err(Error::invalid(
            field,
            format!("the path must be at most {FILE_PATH_MAX} characters"),
        ));
    }
    Ok(normal)
}

/// An Elixir module alias such as `Accounts` or `Accounts.User`.
pub fn module_alias(field: &str, raw: &str) -> Result<String> {
    let name = raw.trim();
    let segment_ok = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if name.is_empty() || name.len() > MODULE_ALIAS_MAX || !name.split('.').all(segment_ok) {
        return Err(Error::invalid(
            field,
            format!(
                "must be an Elixir module name such as Accounts or Accounts.User \
                 (at most {MODULE_ALIAS_MAX} characters)"
            ),
        ));
    }
    Ok(name.to_owned())
}

pub fn email(field: &str, raw: &str) -> Result<String> {
    let email = raw.trim();
    let ok = email.len() <= EMAIL_MAX
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if !ok {
        return Err(Error::invalid(field, "must be an email address such as ada@example.com"));
    }
    Ok(email.to_owned())
}

pub fn password(field: &str, raw: &str) -> Result<()> {
    let n = raw.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(Error::invalid(
            field,
            format!("the password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
        ));
    }
    Ok(())
}

/// A required one-line text (a title, a name): trimmed, non-empty, at most `max` characters.
pub fn required_line(field: &str, raw: &str, max: usize) -> Result<String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Error::invalid(field, format!("{field} is required")));
    }
    if text.chars().count() > max || text.contains(['\n', '\r']) {
        return Err(Error::invalid(
            field,
            format!("{field} must be one line of at most {max} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Free text (descriptions, markdown): kept as written, bounded in size.
pub fn text(field: &str, raw: &str) -> Result<String> {
    if raw.chars().count() > TEXT_MAX {
        return Err(Error::invalid(
            field,
            format!("{field} must be at most {TEXT_MAX} characters"),
        ));
    }
    if raw.contains('\0') {
        return Err(Error::invalid(field, format!("{field} must not contain NUL characters")));
    }
    Ok(raw.to_owned())
}

/// Optional free text: blank becomes `None`.
pub fn optional_text(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    match raw {
        Some(s) if !s.trim().is_empty() => text(field, s).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests;
