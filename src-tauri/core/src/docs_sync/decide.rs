//! One entity's merge: the three-way merge of its fields (specdocs), with the conflicts that
//! wait on it, and what the database and the repository hold afterwards.

use super::*;

/// A conflict row as stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ConflictRow {
    pub(super) kind: Kind,
    pub(super) field: ConflictField,
    pub(super) label: String,
    pub(super) base: Value,
    pub(super) theirs: Value,
}

pub(super) fn label(kind: Kind, fields: Option<&Fields>) -> String {
    fields
        .and_then(|f| f.get(kind.label_field()))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn object(fields: Option<&Fields>) -> Value {
    fields.map(|f| Value::Object(f.clone().into_iter().collect())).unwrap_or(Value::Null)
}

/// One entity's merge, with the conflicts still open on it.
pub(super) struct Decision {
    pub(super) kind: Kind,
    pub(super) local_before: Option<Fields>,
    pub(super) local_after: Option<Fields>,
    /// What the repository holds after this merge.
    pub(super) repo: Option<Fields>,
    /// What the remote's `main` holds now (the file is rewritten when `repo` differs).
    pub(super) present: Option<Fields>,
    pub(super) conflicts: Vec<ConflictRow>,
    pub(super) conflicts_changed: bool,
    /// The entity's file is left exactly as it is (someone's unreadable file).
    pub(super) keep_file: bool,
}

/// Merges one entity: `remote` is what the merge treats as the remote side, `present` what
/// the remote's `main` actually holds for it.
pub(super) fn decide(
    kind: Kind,
    base: Option<&Fields>,
    local: Option<Fields>,
    remote: Option<Fields>,
    present: Option<Fields>,
    open: &[ConflictRow],
) -> Decision {
    let whole = open.iter().find(|c| c.field.is_whole());
    let name = label(kind, local.as_ref().or(remote.as_ref()).or(base));
    let row = |field: ConflictField, base: Value, theirs: Value| ConflictRow {
        kind,
        field,
        label: name.clone(),
        base,
        theirs,
    };
    if let Some(whole) = whole {
        // An edit against a delete waits for a choice: nothing local moves, the repository
        // keeps what it has.
        let settled = local == present;
        let conflicts = if settled {
            vec![]
        } else {
            vec![row(ConflictField::Whole, whole.base.clone(), object(present.as_ref()))]
        };
        return unmoved(kind, local, present.clone(), present, conflicts, open);
    }
    if !open.is_empty() && local.is_some() && remote.is_none() {
        // Deleted there while a clash on it waits here: an edit against a delete.
        let conflicts = vec![row(ConflictField::Whole, object(base), Value::Null)];
        return unmoved(kind, local, None, present, conflicts, open);
    }
    // Fields in conflict count as unchanged here until the person chooses.
    let masked = local.clone().map(|mut l| {
        // (No whole-entity clash is open here: that case returned above.)
        for name in open.iter().filter_map(|c| c.field.name()) {
            if let Some(b) = base.and_then(|b| b.get(name)) {
                l.insert(name.to_owned(), b.clone());
            }
        }
        l
    });
    let merged = merge(base, masked.as_ref(), remote.as_ref(), kind.set_fields());
    let mut local_after = merged.local.clone();
    let mut conflicts = Vec::new();
    if let (Some(after), Some(l)) = (local_after.as_mut(), local.as_ref()) {
        for c in open {
            let Some(name) = c.field.name() else { continue };
            let mine = l.get(name).cloned().unwrap_or(Value::Null);
            let theirs = remote.as_ref().and_then(|r| r.get(name)).cloned().unwrap_or(Value::Null);
            after.insert(name.to_owned(), mine.clone());
            if mine != theirs {
                conflicts.push(row(c.field.clone(), c.base.clone(), theirs));
            }
        }
    }
    for clash in merged.clashes {
        match clash {
            Clash::Field { field, base, theirs } => {
                conflicts.push(row(ConflictField::Field(field), base, theirs))
            }
            Clash::Entity { theirs } => {
                conflicts.push(row(ConflictField::Whole, object(base), object(theirs.as_ref())))
            }
        }
    }
    Decision {
        kind,
        local_before: local,
        local_after,
        repo: merged.repo,
        present,
        conflicts_changed: conflicts != open,
        conflicts,
        keep_file: false,
    }
}

/// A decision that moves nothing here while `conflicts` wait: the repository holds `repo`.
fn unmoved(
    kind: Kind,
    local: Option<Fields>,
    repo: Option<Fields>,
    present: Option<Fields>,
    conflicts: Vec<ConflictRow>,
    open: &[ConflictRow],
) -> Decision {
    Decision {
        kind,
        local_before: local.clone(),
        local_after: local,
        repo,
        present,
        conflicts_changed: conflicts != open,
        conflicts,
        keep_file: false,
    }
}

/// The entity's file in the repository cannot be read (`text`, when it was small enough to
/// read) and it changed here: their file is never overwritten. The clash keeps their raw text
/// until the person chooses; nothing moves on either side meanwhile.
pub(super) fn broken(
    kind: Kind,
    base: &Fields,
    local: Option<Fields>,
    text: Option<&str>,
    open: &[ConflictRow],
) -> Decision {
    let theirs = match text {
        Some(t) => t.to_owned(),
        None => format!(
            "(the file is larger than {} KiB and was not read)",
            remote::MAX_FILE_BYTES / 1024
        ),
    };
    let conflicts = vec![ConflictRow {
        kind,
        field: ConflictField::Whole,
        label: label(kind, local.as_ref().or(Some(base))),
        base: object(Some(base)),
        theirs: Value::String(theirs),
    }];
    Decision {
        kind,
        local_before: local.clone(),
        local_after: local,
        repo: Some(base.clone()),
        present: Some(base.clone()),
        conflicts_changed: conflicts != open,
        conflicts,
        keep_file: true,
    }
}
