//! Which host's token an API base may carry. Tokens are kept per git host (`github.com`, an
//! Enterprise host); a token goes only to that host's own API: `api.github.com` for
//! `github.com`, `https://HOST/api/v3` (or `api.HOST`) for an Enterprise host. A loopback
//! API (a local stand-in) is a host of its own: its tokens are kept for its own origin.
//!
//! The base is read with `http::Uri`, the parser octocrab itself uses for its base and for
//! deciding where the `Authorization` header goes, so that this check and the request can
//! never disagree about the host.

use http::Uri;

/// An API base that does not belong to the GitHub host whose token it would carry. Its text
/// names no command (the window shows it under its API field); the CLI adds how to reset it
/// there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the GitHub API URL {api_url} does not belong to the GitHub host {host}: a token kept for \
     {host} is sent only to {expected}. Set the API URL to {expected}, or leave it empty for \
     the host's own"
)]
pub struct NotOfHost {
    pub api_url: String,
    pub host: String,
    /// The API base a token for `host` does go to.
    pub expected: String,
}

/// `127.0.0.1`, `localhost` or `::1` (as `http::Uri` spells hosts).
fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// A host name and port (`github_host` is a name with an optional port), `443` when none is
/// written (https's).
fn name_and_port(host: &str) -> (&str, u16) {
    match host.rsplit_once(':').map(|(name, port)| (name, port.parse::<u16>())) {
        Some((name, Ok(port))) => (name, port),
        _ => (host, 443),
    }
}

/// The host whose token requests to `api_url` may carry, given the configured GitHub host
/// (`github_host`: `github.com`, `ghe.acme.com`, `ghe.acme.com:8443`):
/// - a loopback base is its own host: its origin's authority (`127.0.0.1:PORT`);
/// - an https base on `github_host` or on `api.` + `github_host`, same port: `github_host`;
/// - anything else does not belong to `github_host`: [`NotOfHost`], naming both.
pub fn token_host(api_url: &str, github_host: &str) -> Result<String, NotOfHost> {
    let github_host = github_host.trim().to_ascii_lowercase();
    let api_url = api_url.trim().trim_end_matches('/');
    let refused = || NotOfHost {
        api_url: api_url.to_owned(),
        host: github_host.clone(),
        expected: crate::api_url_for_host(&github_host),
    };
    let uri: Uri = api_url.parse().map_err(|_| refused())?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(refused());
    };
    // A user name in the authority is where URL parsers disagree about the host.
    if authority.as_str().contains('@') {
        return Err(refused());
    }
    let host = authority.host().to_ascii_lowercase();
    if is_loopback(&host) && matches!(scheme, "http" | "https") {
        return Ok(authority.as_str().to_ascii_lowercase());
    }
    if scheme != "https" {
        return Err(refused());
    }
    let (name, port) = name_and_port(&github_host);
    let same_host = host == name || host.strip_prefix("api.") == Some(name);
    if same_host && authority.port_u16().unwrap_or(443) == port {
        Ok(github_host.clone())
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_for_a_host_goes_only_to_that_hosts_own_api() {
        let ok = |api: &str, host: &str| token_host(api, host).map_err(|e| e.to_string());
        assert_eq!(ok("https://api.github.com", "github.com"), Ok("github.com".into()));
        assert_eq!(ok("https://API.GitHub.com/", "github.com"), Ok("github.com".into()));
        assert_eq!(ok("https://api.github.com:443", "github.com"), Ok("github.com".into()));
        assert_eq!(ok("https://ghe.acme.com/api/v3", "ghe.acme.com"), Ok("ghe.acme.com".into()));
        assert_eq!(ok("https://api.acme.ghe.com", "acme.ghe.com"), Ok("acme.ghe.com".into()));
        assert_eq!(
            ok("https://ghe.acme.com:8443/api/v3", "ghe.acme.com:8443"),
            Ok("ghe.acme.com:8443".into())
        );
        // A loopback stand-in is its own host, whatever github_host says.
        assert_eq!(ok("http://127.0.0.1:4000", "github.com"), Ok("127.0.0.1:4000".into()));
        assert_eq!(ok("https://localhost:4443/api", "ghe.acme.com"), Ok("localhost:4443".into()));
        assert_eq!(ok("http://[::1]:9/", "github.com"), Ok("[::1]:9".into()));
    }

    #[test]
    fn an_api_on_any_other_host_is_refused_naming_both() {
        for (api, host) in [
            ("https://evil.example", "github.com"),
            ("https://127.0.0.2:8443", "github.com"),
            ("https://api.github.com.evil.example", "github.com"),
            ("https://evilgithub.com", "github.com"),
            ("https://api.github.com@evil.example", "github.com"),
            ("https://evil.example/api.github.com", "github.com"),
            ("http://api.github.com", "github.com"),
            ("https://api.github.com:8443", "github.com"),
            ("https://ghe.acme.com/api/v3", "github.com"),
            ("https://api.github.com", "ghe.acme.com"),
            ("https://ghe.acme.com/api/v3", "ghe.acme.com:8443"),
            ("not a url", "github.com"),
            ("", "github.com"),
        ] {
            let e = token_host(api, host).expect_err(api);
            let text = e.to_string();
            assert!(text.contains(api.trim_end_matches('/')) && text.contains(host), "{text}");
        }
        let e = token_host("https://evil.example", "github.com").unwrap_err();
        assert_eq!(e.expected, "https://api.github.com");
    }
    #[test]
    fn the_refusal_says_what_to_set_without_naming_a_command() {
        let text = token_host("https://api.github.com", "ghe.example.com").unwrap_err().to_string();
        assert!(
            text.ends_with(
                "Set the API URL to https://ghe.example.com/api/v3, or leave it empty for the \
                 host's own"
            ),
            "{text}"
        );
        assert!(!text.contains("codemyspec") && !text.contains("config set"), "{text}");
    }
}
