use super::*;
use proptest::prelude::*;
use regex::Regex;
use std::path::{Component, Path};

fn host() -> RepoHost {
    RepoHost::default()
}

fn field_of(err: Error) -> String {
    err.field().unwrap_or_default().to_owned()
}

#[test]
fn project_names_follow_mix_rules() {
    for ok in ["my_app", "a", "app2", "shop_v2_api", &"a".repeat(64)] {
        assert_eq!(project_name("name", ok).unwrap(), ok, "{ok} should be accepted");
    }
    assert_eq!(project_name("name", "  padded  ").unwrap(), "padded");
    for bad in [
        "",
        "   ",
        "My_app",
        "2app",
        "_app",
        "my-app",
        "my app",
        "app!",
        "é",
        "server",
        "table",
        "string",
        "lists",
        "enum",
        "date_time",
        "phoenix",
        "ets",
        &"a".repeat(65),
    ] {
        let err = project_name("name", bad).unwrap_err();
        assert_eq!(err.code(), crate::Code::InvalidInput, "{bad:?} should be rejected");
        assert_eq!(field_of(err), "name");
    }
}

#[test]
fn module_names_are_camelized_app_names() {
    assert_eq!(module_name("my_app"), "MyApp");
    assert_eq!(module_name("app2"), "App2");
    assert_eq!(module_name("shop_v2_api"), "ShopV2Api");
    assert_eq!(module_name("a__b_"), "AB");
}

#[test]
fn repo_urls_are_canonicalised() {
    let h = host();
    let cases = [
        ("https://github.com/acme/shop", "https://github.com/acme/shop"),
        ("https://github.com/acme/shop.git", "https://github.com/acme/shop"),
        ("https://github.com/acme/shop/", "https://github.com/acme/shop"),
        ("  HTTPS://GitHub.com/Acme/Shop.git  ", "https://github.com/Acme/Shop"),
        ("http://127.0.0.1:8080/acme/shop.git", "http://127.0.0.1:8080/acme/shop"),
        ("http://localhost/acme/shop", "http://localhost/acme/shop"),
        ("http://[::1]:9/a/b", "http://[::1]:9/a/b"),
    ];
    for (raw, want) in cases {
        assert_eq!(repo_url("code_repo", raw, &h).unwrap(), want, "{raw}");
    }
}

#[test]
fn repo_urls_that_are_not_github_repos_are_rejected() {
    let h = host();
    for bad in [
        "",
        "github.com/acme/shop",
        "ftp://github.com/acme/shop",
        "http://github.com/acme/shop",
        "https://gitlab.com/acme/shop",
        "https://github.com.evil.com/acme/shop",
        "https://tok@github.com/acme/shop",
        "https://u:p@github.com/acme/shop",
        "https://github.com/acme",
        "https://github.com/acme/shop/tree/main",
        "https://github.com/acme/shop?tab=1",
        "https://github.com/acme/shop#x",
        "https://github.com/../shop",
        "https://github.com/acme/..",
        "https://github.com/acme/.git",
        "https://github.com/ac me/shop",
        "https://github.com/acme/sh%6fp",
        "http://localhost:/a/b",
        "http://localhost:99999/a/b",
        "http://[::1/a/b",
        &format!("https://github.com/acme/{}", "r".repeat(101)),
        // Owners GitHub itself refuses.
        "https://github.com/-acme/shop",
        "https://github.com/acme-/shop",
        "https://github.com/ac--me/shop",
        "https://github.com/ac_me/shop",
        "https://github.com/ac.me/shop",
        &format!("https://github.com/{}/shop", "a".repeat(40)),
    ] {
        let err = repo_url("code_repo", bad, &h).unwrap_err();
        assert_eq!(err.code(), crate::Code::InvalidInput, "{bad:?} should be rejected");
        assert_eq!(field_of(err), "code_repo");
    }
}

#[test]
fn an_enterprise_host_replaces_github_com() {
    let h = RepoHost::new("github_host", "GHE.example.com:8443").unwrap();
    assert_eq!(
        repo_url("docs_repo", "https://ghe.example.com:8443/team/docs", &h).unwrap(),
        "https://ghe.example.com:8443/team/docs"
    );
    assert!(repo_url("docs_repo", "https://github.com/team/docs", &h).is_err());
    for bad in ["", "exa mple.com", "-x.com", "x.com:0", "x.com:http", "a..b"] {
        assert!(RepoHost::new("github_host", bad).is_err(), "{bad:?}");
    }
}

#[test]
fn file_paths_are_relative_and_normalised() {
    let ok = [
        ("lib/my_app/user.ex", "lib/my_app/user.ex"),
        ("./lib//my_app/./user.ex", "lib/my_app/user.ex"),
        ("lib\\my_app\\user.ex", "lib/my_app/user.ex"),
        ("lib/my_app/", "lib/my_app"),
        ("lib/..hidden/x.ex", "lib/..hidden/x.ex"),
    ];
    for (raw, want) in ok {
        assert_eq!(file_path("file_path", raw).unwrap(), want, "{raw}");
    }
    for bad in [
        "",
        " ",
        "/etc/passwd",
        "\\\\server\\share",
        "C:\\x.ex",
        "c:x.ex",
        "../x.ex",
        "lib/../../x.ex",
        "lib/..",
        ".",
        "./",
        "lib/\u{0}x",
        "lib/\nx",
        &"a/".repeat(300),
    ] {
        let err = file_path("file_path", bad).unwrap_err();
        assert_eq!(err.code(), crate::Code::InvalidInput, "{bad:?} should be rejected");
    }
}

#[test]
fn module_aliases_emails_and_ids() {
    assert_eq!(module_alias("name", "Accounts.User").unwrap(), "Accounts.User");
    for bad in ["", "accounts", "Accounts.", ".User", "Accounts..User", "Acc-ounts", "A b"] {
        assert!(module_alias("name", bad).is_err(), "{bad:?}");
    }
    assert_eq!(email("email", " Ada@Example.com ").unwrap(), "Ada@Example.com");
    for bad in
        ["", "ada", "ada@", "@x.com", "ada@x", "a da@x.com", "a@b@c.com", "a@.com", "a@x.com."]
    {
        assert!(email("email", bad).is_err(), "{bad:?}");
    }
}

// ---- Property tests: generated inputs against an independent oracle. ----

const CASES: u32 = 10_000;

fn name_oracle(raw: &str) -> bool {
    let re = Regex::new(r"^[a-z][a-z0-9_]{0,63}$").unwrap();
    let name = raw.trim();
    re.is_match(name)
        && !RESERVED_APP_NAMES.contains(&name)
        && !TAKEN_ERLANG_MODULES.contains(&name)
        && !TAKEN_ELIXIR_MODULES.contains(&module_name(name).as_str())
}

fn name_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z][a-z0-9_]{0,70}",
        "[ a-zA-Z0-9_\\-.éß]{0,70}",
        prop::sample::select(TAKEN_ERLANG_MODULES.to_vec()).prop_map(str::to_owned),
        prop::sample::select(vec!["server", "table", "string", "date_time", "gen_server"])
            .prop_map(str::to_owned),
    ]
}

fn url_oracle(raw: &str) -> Option<String> {
    let re = Regex::new(
        r"^(?i:(https)://(github\.com)|(https?)://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?)/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)/?$",
    )
    .unwrap();
    let caps = re.captures(raw.trim())?;
    let port = caps.get(5).map(|m| m.as_str());
    if let Some(p) = port {
        let n: u32 = p[1..].parse().ok()?;
        if n == 0 || n > 65_535 {
            return None;
        }
    }
    let owner = caps.get(6)?.as_str();
    let full = caps.get(7)?.as_str();
    let repo = full.strip_suffix(".git").unwrap_or(full);
    // GitHub's own rules: an owner is letters and digits in runs joined by single hyphens,
    // at most 39 characters; a repository 1 to 100 of A-Z a-z 0-9 . _ -, not . or ..
    let owner_ok = |p: &str| {
        p.len() <= 39 && Regex::new(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$").unwrap().is_match(p)
    };
    let part_ok = |p: &str| !p.is_empty() && p.len() <= 100 && p != "." && p != "..";
    if !owner_ok(owner) || !part_ok(repo) {
        return None;
    }
    let (scheme, authority) = match (caps.get(1), caps.get(3)) {
        (Some(s), _) => (s.as_str(), caps.get(2)?.as_str().to_owned()),
        (None, Some(s)) => (s.as_str(), caps.get(4)?.as_str().to_owned() + port.unwrap_or("")),
        _ => return None,
    };
    Some(format!(
        "{}://{}/{owner}/{repo}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    ))
}

fn url_input() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "https://",
        "http://",
        "HTTPS://",
        "ftp://",
        "",
        "https:/",
        "https:///",
        "git@",
    ]);
    let authority = prop::sample::select(vec![
        "github.com",
        "GitHub.com",
        "github.com:443",
        "evil.com",
        "github.com.evil.com",
        "127.0.0.1",
        "127.0.0.1:8080",
        "127.0.0.1:0",
        "127.0.0.1:70000",
        "localhost",
        "localhost:",
        "[::1]:9",
        "[::1]",
        "tok@github.com",
        "u:p@127.0.0.1",
        "",
    ]);
    let part = "[A-Za-z0-9._\\-]{0,3}|[A-Za-z0-9._\\-/%@?# :]{0,8}|\\.{1,2}|[a-z]{99,102}\
                |[A-Za-z0-9-]{1,6}|-?[a-z0-9]{1,4}(--?[a-z0-9]{1,4}){0,3}-?|[a-z]{38,41}";
    let suffix = prop::sample::select(vec!["", ".git", "/", ".git/", "?x=1", "#y", "/z", "//"]);
    prop_oneof![
        1 => any::<String>(),
        6 => (scheme, authority, part, part, suffix)
            .prop_map(|(s, a, o, r, x)| format!("{s}{a}/{o}/{r}{x}")),
    ]
}

fn path_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z./\\\\:]{0,12}",
        prop::collection::vec(
            prop::sample::select(vec![
                "lib", "..", ".", "", "a..b", "C:", "x.ex", " ", "\\", "\u{0}"
            ]),
            0..6
        )
        .prop_map(|parts| parts.join("/")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn project_name_accepts_exactly_what_the_rules_allow(raw in name_input()) {
        let got = project_name("name", &raw);
        prop_assert_eq!(got.is_ok(), name_oracle(&raw), "input {:?} -> {:?}", raw, got);
        if let Ok(name) = got {
            prop_assert_eq!(name, raw.trim());
        }
    }

    #[test]
    fn repo_url_accepts_exactly_what_the_rules_allow(raw in url_input()) {
        let got = repo_url("code_repo", &raw, &host()).ok();
        prop_assert_eq!(&got, &url_oracle(&raw), "input {:?}", raw);
        if let Some(url) = got {
            prop_assert!(!url.contains('@') && !url.contains('?') && !url.contains('#'));
        }
    }

    #[test]
    fn file_path_never_escapes_the_repository(raw in path_input()) {
        if let Ok(path) = file_path("file_path", &raw) {
            prop_assert!(!path.is_empty());
            prop_assert!(!path.contains('\\') && !path.chars().any(char::is_control));
            for part in path.split('/') {
                prop_assert!(!part.is_empty() && part != "." && part != "..", "{:?}", path);
            }
            for c in Path::new(&path).components() {
                prop_assert!(matches!(c, Component::Normal(_)), "{:?} escapes via {:?}", path, c);
            }
        } else {
            let unified = raw.trim().replace('\\', "/");
            let parts: Vec<&str> =
                unified.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
            let acceptable = !raw.chars().any(char::is_control)
                && !unified.starts_with('/')
                && unified.as_bytes().get(1) != Some(&b':')
                && !parts.is_empty()
                && !parts.contains(&"..")
                && parts.join("/").chars().count() <= FILE_PATH_MAX;
            prop_assert!(!acceptable, "{:?} was rejected but is a fine relative path", raw);
        }
    }
}

#[test]
fn owners_github_allows_are_accepted() {
    let h = host();
    for ok in ["a", "A1", "acme-corp", "a-b-c", &"a".repeat(39)] {
        let url = format!("https://github.com/{ok}/shop");
        assert!(repo_url("code_repo", &url, &h).is_ok(), "{ok} is a valid GitHub owner");
    }
}

#[test]
fn names_only_phoenix_refuses_are_fine_for_an_elixir_project() {
    let err = project_name_for("name", "server", true).unwrap_err();
    assert!(err.to_string().contains("reserved by Phoenix"), "{err}");
    assert_eq!(project_name_for("name", "server", false).unwrap(), "server");
    assert!(project_name_for("name", "String", false).is_err(), "still a bad name");
}

#[test]
fn a_form_reports_every_field_problem_at_once() {
    let mut checks = Checks::new();
    assert_eq!(checks.check(email("email", "nope")), None);
    assert_eq!(checks.check(password("password", "short")), None);
    assert!(checks.check(required_line("name", "Ada", TITLE_MAX)).is_some());
    let err = checks.finish().unwrap_err();
    let view = err.to_view();
    let fields: Vec<&str> = view.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["email", "password"]);
    assert_eq!(view.field.as_deref(), Some("email"));
    assert_eq!(err.code(), crate::Code::InvalidInput);
    // One problem stays the plain error of that field.
    let mut one = Checks::new();
    one.check(email("email", "nope"));
    assert!(matches!(one.finish(), Err(Error::InvalidInput { field, .. }) if field == "email"));
    assert!(Checks::new().finish().is_ok());
}
