//! The generated tree's way from the job's work dir to the workspace folder, where it is the
//! project's folder from then on (docs/PIPELINE.md).

use crate::clock::format_ts;
use crate::jobs::FailureClass;
use crate::projects::Project;
use crate::runner::JobFailure;
use crate::settings;
use crate::store::Store;
use std::path::{Path, PathBuf};

/// Where a setup's tree was kept.
#[derive(Debug)]
pub(crate) struct Kept {
    /// The project's folder from now on.
    pub path: PathBuf,
    /// What the person should know although the setup succeeded (the original could not be
    /// removed after a copy).
    pub note: Option<String>,
}

/// On success the tree moves to the workspace folder (the setting, or its default), as
/// `<name>` or `<name>-<time>` when that exists: an existing folder is never overwritten.
/// Across filesystems it is copied, then removed. A failure before the copy is whole leaves
/// the tree where it is and says where that is; once the copy is whole, the copy is the
/// project's folder even when the original cannot be removed (the note names both).
pub(crate) async fn keep(
    store: &Store,
    tree: &Path,
    project: &Project,
) -> std::result::Result<Kept, JobFailure> {
    let kept_here = |why: String| {
        JobFailure::new(
            FailureClass::Step,
            format!("{why}; the generated project is kept in {}", tree.display()),
        )
    };
    let workspace = settings::workspace_dir(store).await.map_err(|e| kept_here(e.to_string()))?;
    std::fs::create_dir_all(&workspace).map_err(|e| {
        kept_here(format!("cannot make the workspace folder {}: {e}", workspace.display()))
    })?;
    let mut target = workspace.join(&project.name);
    if target.exists() {
        target = workspace.join(format!(
            "{}-{}",
            project.name,
            format_ts(store.clock().now()).replace([':', '.'], "-")
        ));
    }
    let (from, to) = (tree.to_owned(), target.clone());
    let moved = tokio::task::spawn_blocking(move || move_tree(&from, &to))
        .await
        .map_err(|e| kept_here(e.to_string()))?
        .map_err(|e| kept_here(format!("cannot move it to {}: {e}", target.display())))?;
    let note = match moved {
        Moved::Whole => None,
        Moved::OriginalLeft(e) => Some(format!(
            "the generated project was copied in full to {}, its folder from now on; what is \
             left of the original in {} could not be removed: {e}",
            target.display(),
            tree.display()
        )),
    };
    Ok(Kept { path: target, note })
}

/// How a move ended.
#[derive(Debug)]
pub(crate) enum Moved {
    /// Renamed, or copied and the original removed.
    Whole,
    /// Copied in full, but the original (all or part of it) could not be removed.
    OriginalLeft(std::io::Error),
}

/// `rename`, or — across filesystems — a copy and then the removal of the original. A copy
/// that fails half way is removed and the original stays (an error); a whole copy whose
/// original cannot be removed is [`Moved::OriginalLeft`]: the copy is what counts then, as
/// the removal may already have taken part of the original.
pub(crate) fn move_tree(from: &Path, to: &Path) -> std::io::Result<Moved> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(Moved::Whole),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            if let Err(e) = copy_tree(from, to) {
                let _ = std::fs::remove_dir_all(to);
                return Err(e);
            }
            Ok(match std::fs::remove_dir_all(from) {
                Ok(()) => Moved::Whole,
                Err(e) => Moved::OriginalLeft(e),
            })
        }
        Err(e) => Err(e),
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            copy_link(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    // Last: a read-only folder is copied read-only, once its content is in.
    std::fs::set_permissions(to, std::fs::metadata(from)?.permissions())
}

#[cfg(unix)]
fn copy_link(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(src)?, dst)
}

#[cfg(not(unix))]
fn copy_link(src: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::copy(src, dst).map(|_| ())
}
