//! The docs repository's first tree, written at setup: a README and one file per story,
//! context and component in the layout the docs sync reads and writes (docs/DOCS_SYNC.md).
//! Once pushed, it is recorded as the docs sync's first synced commit, with each entity as
//! its base: a teammate's edit made before this machine's first sync is then merged, not a
//! conflict.

use crate::access;
use crate::docs_readme::{readme, with_overview, Published};
use crate::docs_sync::local;
use crate::error::{Error, Result};
use crate::projects::Project;
use crate::store::Store;
use crate::AccountId;
use codemyspec_specdocs::{path_for, render, Doc};
use std::path::Path;

/// Every file of the tree: (relative path, content), and the entities they hold.
pub async fn files(
    store: &Store,
    actor: &AccountId,
    project: &Project,
) -> Result<(Vec<(String, String)>, Vec<Published>)> {
    let project_id = project.id;
    let mut conn = store.pool().acquire().await?;
    access::require(&mut *conn, actor, &project_id, access::Need::Read).await?;
    let mut files = Vec::new();
    let mut published = Vec::new();
    for (kind, id, fields) in local::read_all(&mut conn, &project_id).await? {
        let label = fields.get(kind.label_field()).and_then(|v| v.as_str()).unwrap_or_default();
        let path = path_for(kind, &id, label);
        let doc = Doc { id: id.clone(), version: 1, fields: fields.clone() };
        files.push((path.clone(), render(kind, &doc)));
        published.push(Published { kind, id, path, fields });
    }
    files.insert(0, ("README.md".to_owned(), with_overview(&readme(project), &published)));
    Ok((files, published))
}

/// Reads the project's spec as `actor` and writes the tree into `dir`; returns the entities
/// written.
pub async fn write_tree(
    store: &Store,
    actor: &AccountId,
    project: &Project,
    dir: &Path,
) -> Result<Vec<Published>> {
    let (files, published) = files(store, actor, project).await?;
    for (path, content) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("cannot create {}", parent.display()),
                source,
            })?;
        }
        std::fs::write(&full, content).map_err(|source| Error::Io {
            context: format!("cannot write {}", full.display()),
            source,
        })?;
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_has_its_folder() {
        use codemyspec_specdocs::Kind;
        let dirs: Vec<&str> = Kind::ALL.iter().map(|k| k.dir()).collect();
        assert_eq!(dirs, ["stories", "contexts", "components"]);
    }
}
