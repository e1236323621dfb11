//! The move from the flat layout (`stories/pay-by-card-1a2b3c4d.md`, every file of a kind in
//! one folder) to sub-folders by the id's first two hex digits
//! (`stories/1a/pay-by-card-1a2b3c4d.md`; docs/DECISIONS.md, "The docs repository's layout").
//! The first sync of a machine that finds the remote still flat commits the move on top of
//! it — one commit of renames, each file's blob unchanged, and the README's links to them —
//! which the merge then reads like any other change: the entities' files are elsewhere, so
//! the stored paths follow in the transaction that records the commit as synced. A machine
//! that syncs after that finds sub-folders and moves nothing: there is one such commit.

use crate::git::{step, Author, PublishError};
use codemyspec_specdocs::{moved_path, parse, Kind};
use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Oid, Repository, Signature};
use std::collections::HashMap;
use std::path::Path;

/// A file the move renames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Move {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) blob: Oid,
}

/// The files of `head` to move: none when any kind's folder already has a sub-folder (the
/// repository was moved, or made in the new layout: a file an older machine or a person
/// adds there later stays where it was put, as every path is chosen once). Only readable
/// files with an id move; a file without one (its id is derived from its path, see
/// `repo::handmade_id`) or one that cannot be read stays, and is read where it is.
pub(super) fn moves(repo: &Repository, head: &str) -> Result<Vec<Move>, PublishError> {
    let oid = Oid::from_str(head).map_err(|e| step("commit id", e))?;
    let tree =
        repo.find_commit(oid).and_then(|c| c.tree()).map_err(|e| step("git read commit", e))?;
    let mut flat = Vec::new();
    for kind in Kind::ALL {
        let Some(entry) = tree.get_name(kind.dir()) else { continue };
        let Ok(folder) = entry.to_object(repo).and_then(|o| o.peel_to_tree()) else { continue };
        for file in folder.iter() {
            match file.kind() {
                Some(ObjectType::Tree) => return Ok(Vec::new()),
                Some(ObjectType::Blob) => {
                    let Ok(name) = file.name() else { continue };
                    flat.push((kind, format!("{}/{name}", kind.dir()), file.id()));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for (kind, from, blob) in flat {
        if Kind::of_path(&from).is_none()
            || super::repo::size(repo, blob)? > super::remote::MAX_FILE_BYTES
        {
            continue;
        }
        let Ok(doc) = parse(kind, &super::repo::text(repo, blob)?) else { continue };
        if let Some(to) = moved_path(&from, &doc.id) {
            out.push(Move { from, to, blob });
        }
    }
    Ok(out)
}

/// Commits `moves` on top of `head` (the README's links to the moved files follow) and
/// points the clone's `main` at it; returns the commit.
pub(super) fn commit(
    repo: &Repository,
    head: &str,
    moves: &[Move],
    author: &Author,
) -> Result<String, PublishError> {
    let parent = Oid::from_str(head)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| step("git read commit", e))?;
    let base = parent.tree().map_err(|e| step("git read tree", e))?;
    let mut update = TreeUpdateBuilder::new();
    for m in moves {
        update.remove(m.from.as_str());
        update.upsert(m.to.as_str(), m.blob, FileMode::Blob);
    }
    if let Ok(entry) = base.get_path(Path::new("README.md")) {
        let readme = super::repo::text(repo, entry.id())?;
        let to: HashMap<&str, &str> =
            moves.iter().map(|m| (m.from.as_str(), m.to.as_str())).collect();
        let blob =
            repo.blob(relink(&readme, &to).as_bytes()).map_err(|e| step("git hash-object", e))?;
        update.upsert("README.md", blob, FileMode::Blob);
    }
    let tree_id = update.create_updated(repo, &base).map_err(|e| step("git write-tree", e))?;
    let tree = repo.find_tree(tree_id).map_err(|e| step("git write-tree", e))?;
    let sig = Signature::now(&author.name, &author.email).map_err(|e| step("commit author", e))?;
    let message = format!(
        "Spec layout: {} files moved into sub-folders by id\n\n\
         Each kind's folder now holds 256 sub-folders named after the first two hex digits of\n\
         the ids (stories/1a/pay-by-card-1a2b3c4d.md), so that no folder lists more than GitHub\n\
         shows and a commit rewrites only the small folders it touches. The files are renamed,\n\
         their names and content unchanged.\n",
        moves.len()
    );
    let oid = repo
        .commit(None, &sig, &sig, &message, &tree, &[&parent])
        .map_err(|e| step("git commit", e))?;
    repo.reference("refs/heads/main", oid, true, "docs layout")
        .map_err(|e| step("git update-ref", e))?;
    Ok(oid.to_string())
}

/// `text` with every markdown link target `](path)` that `to` maps replaced: the README's
/// overview links each file. One pass, whatever the number of moves.
fn relink(text: &str, to: &HashMap<&str, &str>) -> String {
    let mut out = String::with_capacity(text.len() + to.len() * 3);
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let (before, after) = rest.split_at(i + 2);
        out.push_str(before);
        let Some(end) = after.find(')') else {
            rest = after;
            break;
        };
        let target = &after[..end];
        out.push_str(to.get(target).copied().unwrap_or(target));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::relink;
    use std::collections::HashMap;

    #[test]
    fn the_readme_links_follow_the_moved_files_and_nothing_else_changes() {
        let to = HashMap::from([("stories/pay-1a.md", "stories/1a/pay-1a.md")]);
        let readme = "# Shop\n\nSee [x](https://example.com).\n\n| [Pay](stories/pay-1a.md) | \
                      draft |\n| [Ship](stories/ship-2b.md) | x |\nunclosed ](stories/pay-1a.md";
        assert_eq!(
            relink(readme, &to),
            "# Shop\n\nSee [x](https://example.com).\n\n| [Pay](stories/1a/pay-1a.md) | \
             draft |\n| [Ship](stories/ship-2b.md) | x |\nunclosed ](stories/pay-1a.md"
        );
    }
}
