//! Copying, hashing and measuring folder trees as Mix left them: files keep their
//! modification times (Mix's own staleness checks compare them), symlinks stay symlinks
//! (a build's `priv` is a relative link to `deps/<package>/priv`).

use sha2::{Digest, Sha256};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Every path under `root` (files, symlinks and folders), sorted, relative to it.
fn walk(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        for entry in fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                todo.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Copies `from` to `to` (which must not exist), keeping modification times, permissions
/// and symlinks.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for rel in walk(from)? {
        let (src, dst) = (from.join(&rel), to.join(&rel));
        let meta = fs::symlink_metadata(&src)?;
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else if meta.is_dir() {
            fs::create_dir_all(&dst)?;
        } else {
            fs::copy(&src, &dst)?;
            fs::File::options().write(true).open(&dst)?.set_modified(meta.modified()?)?;
        }
    }
    Ok(())
}

/// A SHA-256 over every path, its kind, its contents or link target (not its times: a copy
/// hashes the same).
pub fn hash_tree(root: &Path) -> io::Result<String> {
    let mut hash = Sha256::new();
    for rel in walk(root)? {
        let path = root.join(&rel);
        let meta = fs::symlink_metadata(&path)?;
        hash.update(rel.to_string_lossy().as_bytes());
        if meta.file_type().is_symlink() {
            hash.update(b"\0link\0");
            hash.update(fs::read_link(&path)?.to_string_lossy().as_bytes());
        } else if meta.is_dir() {
            hash.update(b"\0dir\0");
        } else {
            hash.update(b"\0file\0");
            let mut file = fs::File::open(&path)?;
            io::copy(&mut file, &mut hash)?;
        }
        hash.update(b"\0");
    }
    Ok(format!("{:x}", hash.finalize()))
}

/// The bytes of the files under `root`.
pub fn size_of(root: &Path) -> io::Result<u64> {
    let mut total = 0;
    for rel in walk(root)? {
        let meta = fs::symlink_metadata(root.join(rel))?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

/// Removes a tree if it is there.
pub fn remove(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_keeps_times_and_links_and_hashes_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        fs::create_dir_all(from.join("ebin")).unwrap();
        fs::write(from.join("ebin/a.beam"), b"beam").unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        fs::File::options()
            .write(true)
            .open(from.join("ebin/a.beam"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        std::os::unix::fs::symlink("../../deps/x/priv", from.join("priv")).unwrap();
        let to = dir.path().join("to");
        copy_tree(&from, &to).unwrap();
        assert_eq!(fs::metadata(to.join("ebin/a.beam")).unwrap().modified().unwrap(), old);
        assert_eq!(fs::read_link(to.join("priv")).unwrap(), Path::new("../../deps/x/priv"));
        assert_eq!(hash_tree(&from).unwrap(), hash_tree(&to).unwrap());
        assert_eq!(size_of(&to).unwrap(), 4);
        fs::write(to.join("ebin/a.beam"), b"BEAM").unwrap();
        assert_ne!(hash_tree(&from).unwrap(), hash_tree(&to).unwrap());
    }
}
