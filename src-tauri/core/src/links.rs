//! What the window may hand to the OS to open: a repository's page on the configured GitHub
//! host (https only), and a set-up project's folder inside the workspace folder. Anything
//! else is refused here, before an opener ever sees it.

use crate::error::{Error, Result};
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

/// The project's folder, if it has one and it lies inside the workspace folder.
pub async fn project_folder(store: &Store, actor: &str, project_id: &str) -> Result<PathBuf> {
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
            let (store, id) = (store.clone(), p.id.clone());
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
