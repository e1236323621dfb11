//! What the window may hand to the OS to open: a repository's page on the configured GitHub
//! host (https only), the device flow's verification page on the GitHub web host, a link a
//! person chose in a markdown preview (http and https only), and a set-up project's folder
//! inside the workspace folder. Anything else is refused here, before an opener ever sees it.

use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::store::Store;
use crate::{projects, settings, validate};
use std::path::PathBuf;

/// `url` if it is an https page of a repository on the GitHub host (`https://HOST/OWNER/REPO`
/// and anything below it); the canonical repository URL rules apply to its first two parts.
pub async fn web_url(store: &Store, url: &str) -> Result<String> {
    let host = store.repo_host().await?;
    let url = url.trim();
    let refuse = || {
        Error::invalid(
            "url",
            format!("only https pages of {} repositories can be opened", host.as_str()),
        )
    };
    let rest = url.strip_prefix("https://").ok_or_else(refuse)?;
    let mut parts = rest.splitn(4, '/');
    let (Some(authority), Some(owner), Some(repo)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse());
    };
    // The repository URL rules judge the owner and the name; the host must be the GitHub
    // host itself (those rules also let loopback hosts through, for tests' stand-ins).
    if !authority.eq_ignore_ascii_case(host.as_str()) {
        return Err(refuse());
    }
    validate::repo_url("url", &format!("https://{authority}/{owner}/{repo}"), &host)
        .map_err(|_| refuse())?;
    Ok(url.to_owned())
}

/// `url` if it is a page of the GitHub web host the profile's token is for (the device
/// flow's verification page): the same scheme, host and port as that host's web address,
/// which is `https://HOST`. The one exception is a loopback test stand-in, whose API
/// address (plain http is allowed there only, by `github_api_url`'s rules) is its own web
/// host: its pages are on `http://127.0.0.1:PORT` and nowhere else.
pub async fn verification_url(store: &Store, url: &str) -> Result<String> {
    let web = crate::github::endpoints(store).await?.web;
    let refuse = || Error::invalid("url", format!("only pages of {web} open from the sign-in"));
    let page = url::Url::parse(url.trim()).map_err(|_| refuse())?;
    let home = url::Url::parse(&web).map_err(|_| refuse())?;
    let same_origin = page.scheme() == home.scheme()
        && page.host_str().is_some_and(|h| home.host_str() == Some(h))
        && page.port_or_known_default() == home.port_or_known_default();
    if !same_origin || !page.username().is_empty() || page.password().is_some() {
        return Err(refuse());
    }
    Ok(page.to_string())
}

/// `url` if it is a web page a person may open from a markdown preview: http or https, with
/// a host and without a user name or password in it (a link that hides where it goes).
pub fn external_url(url: &str) -> Result<String> {
    let refuse = || Error::invalid("url", "only http and https links open in the browser");
    let page = url::Url::parse(url.trim()).map_err(|_| refuse())?;
    let web = matches!(page.scheme(), "http" | "https") && page.host_str().is_some();
    if !web || !page.username().is_empty() || page.password().is_some() {
        return Err(refuse());
    }
    Ok(page.to_string())
}

/// The project's folder, if it has one and it lies inside the workspace folder.
pub async fn project_folder(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<PathBuf> {
    let project = projects::get(store, actor, project_id).await?;
    let path = project.local_path.ok_or_else(|| {
        Error::conflict(Some("local_path"), "this project has no folder yet: set it up first")
    })?;
    let workspace = settings::workspace_dir(store).await?;
    let (Ok(path), Ok(workspace)) =
        (std::fs::canonicalize(&path), std::fs::canonicalize(&workspace))
    else {
        return Err(Error::not_found("project folder"));
    };
    if !path.starts_with(&workspace) || !path.is_dir() {
        return Err(Error::forbidden(format!(
            "{} is outside the workspace folder {}; it is not opened",
            path.display(),
            workspace.display()
        )));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{self, NewAccount};
    use crate::projects::NewProject;
    use crate::Secret;

    #[tokio::test]
    async fn only_https_pages_of_the_github_host_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        for ok in ["https://github.com/acme/shop", "https://github.com/acme/shop/tree/main/lib"] {
            assert_eq!(web_url(&store, ok).await.unwrap(), ok);
        }
        for bad in [
            "http://github.com/acme/shop",
            "https://evil.com/acme/shop",
            "https://github.com.evil.com/acme/shop",
            "https://github.com/acme",
            "https://github.com/-acme/shop",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://127.0.0.1:8080/acme/shop",
        ] {
            let err = web_url(&store, bad).await.unwrap_err();
            assert_eq!(err.field(), Some("url"), "{bad}");
        }
    }

    #[tokio::test]
    async fn the_verification_page_opens_only_on_the_github_web_host() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let page = "https://github.com/login/device";
        assert_eq!(verification_url(&store, page).await.unwrap(), page);
        for bad in [
            "http://github.com/login/device",
            "https://github.com.evil.com/login/device",
            "https://evil.com/login/device",
            "https://github.com:8443/login/device",
            "https://user:pw@github.com/login/device",
            "https://api.github.com/login/device",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://127.0.0.1:8080/login/device",
        ] {
            let err = verification_url(&store, bad).await.unwrap_err();
            assert_eq!(err.field(), Some("url"), "{bad}");
        }

        // An Enterprise host: its own https pages, not github.com's.
        settings::set(&store, settings::Setting::GithubHost, "ghe.example.com").await.unwrap();
        let ghe = "https://ghe.example.com/login/device";
        assert_eq!(verification_url(&store, ghe).await.unwrap(), ghe);
        assert!(verification_url(&store, page).await.is_err());

        // A loopback stand-in is its own web host, on its own port and scheme only.
        settings::set(&store, settings::Setting::GithubHost, "").await.unwrap();
        let api = "http://127.0.0.1:9411";
        settings::set(&store, settings::Setting::GithubApiUrl, api).await.unwrap();
        let local = "http://127.0.0.1:9411/login/device";
        assert_eq!(verification_url(&store, local).await.unwrap(), local);
        for bad in ["http://127.0.0.1:9412/login/device", "https://github.com/login/device"] {
            assert!(verification_url(&store, bad).await.is_err(), "{bad}");
        }
    }

    #[test]
    fn a_preview_link_opens_only_as_an_http_or_https_page() {
        for ok in ["https://example.com/a?b=c#d", "http://example.com/"] {
            assert_eq!(external_url(ok).unwrap(), ok);
        }
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "mailto:ada@example.com",
            "ftp://example.com/x",
            "data:text/html,<b>x</b>",
            "https://user:pw@example.com/",
            "/relative/path",
            "",
        ] {
            assert_eq!(external_url(bad).unwrap_err().field(), Some("url"), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_project_folder_is_opened_only_inside_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).await.unwrap();
        let new = NewAccount {
            email: "ada@example.com".into(),
            password: Secret::new("a long password"),
            name: None,
        };
        let ada = accounts::create(&store, new).await.unwrap();
        let p = projects::create(
            &store,
            &ada.id,
            NewProject { name: "shop".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let err = project_folder(&store, &ada.id, &p.id).await.unwrap_err();
        assert_eq!(err.field(), Some("local_path"), "not set up yet");

        let workspace = dir.path().join("workspace");
        let inside = workspace.join("shop");
        let outside = dir.path().join("elsewhere");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        settings::set(&store, settings::Setting::WorkspaceDir, &workspace.display().to_string())
            .await
            .unwrap();
        let set_path = |path: std::path::PathBuf| {
            let (store, id) = (store.clone(), p.id);
            async move {
                sqlx::query("UPDATE projects SET local_path = ? WHERE id = ?")
                    .bind(path.display().to_string())
                    .bind(id)
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
        };
        set_path(inside.clone()).await;
        assert_eq!(
            project_folder(&store, &ada.id, &p.id).await.unwrap(),
            inside.canonicalize().unwrap()
        );
        set_path(outside).await;
        let err = project_folder(&store, &ada.id, &p.id).await.unwrap_err();
        assert_eq!(err.code(), crate::Code::Forbidden);
        set_path(workspace.join("shop/../../elsewhere")).await;
        assert_eq!(
            project_folder(&store, &ada.id, &p.id).await.unwrap_err().code(),
            crate::Code::Forbidden
        );
    }
}
