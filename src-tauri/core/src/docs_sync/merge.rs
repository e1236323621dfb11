//! One merge of the docs sync: the remote's changed files read, each changed entity merged
//! three-way against its base, the database's side written and the commit built, in one
//! transaction ([`prepare`]); once the push is through, the merge becomes the base
//! ([`super::record::finish`]).

use super::state::StoredConflict;
use super::*;
use crate::ids::ProjectId;
/// An entity as the synced commit holds it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Base {
    pub(super) kind: Kind,
    pub(super) path: String,
    pub(super) version: i64,
    pub(super) fields: Fields,
}

/// What a merge decided, to be recorded once the push is through.
pub(super) struct Prepared {
    pub(super) commit: Option<String>,
    pub(super) head: Option<String>,
    /// The repository this merge ran against: nothing is recorded if the project points
    /// elsewhere by the time the push is through.
    pub(super) url: String,
    pub(super) outbox_max: i64,
    /// The bases are replaced as a whole (no base was used: a first sync, an empty remote).
    pub(super) replace_bases: bool,
    pub(super) bases: Vec<(String, Option<Base>)>,
    pub(super) conflicts: Vec<(String, Vec<ConflictRow>)>,
    pub(super) checked_paths: Vec<String>,
    pub(super) problems: Vec<Problem>,
    pub(super) published: u32,
    pub(super) imported: u32,
    /// Entities new here from files a person added by hand (without an id).
    pub(super) added: u32,
}

/// A row of `docs_entities`: an entity's merge base as stored (its fields as JSON text).
#[derive(sqlx::FromRow)]
struct StoredBase {
    entity_id: String,
    #[sqlx(try_from = "String")]
    kind: Kind,
    path: String,
    version: i64,
    fields: String,
}

impl StoredBase {
    fn into_base(self) -> Result<Base> {
        let fields: Fields = serde_json::from_str(&self.fields)
            .map_err(|e| Error::Internal(format!("a stored merge base is not JSON: {e}")))?;
        Ok(Base { kind: self.kind, path: self.path, version: self.version, fields })
    }
}

async fn base_of(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    id: &str,
) -> Result<Option<Base>> {
    let sql = "SELECT entity_id, kind, path, version, fields FROM docs_entities \
               WHERE entity_id = ?1 AND project_id = ?2";
    let row: Option<StoredBase> = local::row_of(conn, sql, project_id, id).await?;
    row.map(StoredBase::into_base).transpose()
}

/// The entities this merge looks at: changed here (the outbox), waiting on a conflict,
/// changed there, and — without a base to diff against — every entity on either side.
async fn candidates(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
    history: History,
    max_outbox: i64,
    side: &RemoteSide,
    open: &HashMap<String, Vec<ConflictRow>>,
) -> Result<BTreeMap<String, Kind>> {
    let mut out: BTreeMap<String, Kind> = BTreeMap::new();
    let changed: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT coalesce(subject, entity_id), entity FROM outbox \
         WHERE project_id = ? AND id <= ?",
    )
    .bind(pid)
    .bind(max_outbox)
    .fetch_all(&mut *conn)
    .await?;
    for (id, entity) in changed {
        let kind = match entity.as_str() {
            "story" => Kind::Story,
            "context" | "context_story" => Kind::Context,
            _ => Kind::Component,
        };
        out.insert(id, kind);
    }
    for (id, rows) in open {
        if let Some(row) = rows.first() {
            out.insert(id.clone(), row.kind);
        }
    }
    if history != History::Descends {
        for (kind, id, _) in local::read_all(conn, pid).await? {
            out.insert(id, kind);
        }
    }
    if history == History::Unrelated {
        let all: Vec<(String, String)> =
            sqlx::query_as("SELECT entity_id, kind FROM docs_entities WHERE project_id = ?")
                .bind(pid)
                .fetch_all(&mut *conn)
                .await?;
        for (id, kind) in all {
            out.insert(id, kind_of(&kind)?);
        }
    }
    for (id, (kind, _, _)) in &side.docs {
        out.insert(id.clone(), *kind);
    }
    for id in &side.deleted {
        if let Some(b) = base_of(conn, pid, id).await? {
            out.insert(id.clone(), b.kind);
        }
    }
    Ok(out)
}

async fn open_conflicts(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
) -> Result<HashMap<String, Vec<ConflictRow>>> {
    let mut open: HashMap<String, Vec<ConflictRow>> = HashMap::new();
    let rows: Vec<StoredConflict> = sqlx::query_as(
        "SELECT entity_id, kind, field, label, base, theirs, at FROM docs_conflicts \
         WHERE project_id = ?",
    )
    .bind(pid)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        open.entry(row.entity_id).or_default().push(ConflictRow {
            kind: row.kind,
            field: row.field,
            label: row.label,
            base: json(&row.base),
            theirs: json(&row.theirs),
        });
    }
    Ok(open)
}

/// One entity's merge with the base it started from.
type Decided = (String, Option<Base>, Decision);

/// Merges, writes the database's side and builds the commit — one transaction. Nothing is
/// recorded as synced yet: that waits for the push ([`finish`]).
pub(super) async fn prepare(
    store: &Store,
    project: &Project,
    url: &str,
    dir: &std::path::Path,
    head: Option<String>,
    author: &Author,
) -> std::result::Result<Prepared, SyncError> {
    let pid = &project.id;
    let mut tx = store.write().await?;
    let synced: Option<String> =
        sqlx::query_scalar("SELECT synced_commit FROM docs_sync WHERE project_id = ?")
            .bind(pid)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    let max_before = outbox_max(&mut tx, pid).await?;
    let git = repo::open(dir)?;
    let history = History::of(&git, head.as_deref(), synced.as_deref());
    let side = remote::read(&mut tx, pid, dir, history, synced.as_deref(), head.as_deref()).await?;
    let mut open = open_conflicts(&mut tx, pid).await?;
    // A clash with a file that could not be read is over once the file can be: the entity is
    // merged with it like any other from then on.
    open.retain(|id, rows| {
        let was_broken = rows.iter().any(|r| r.field.is_whole() && r.theirs.is_string());
        !(was_broken && side.docs.contains_key(id))
    });
    let candidates = candidates(&mut tx, pid, history, max_before, &side, &open).await?;
    let mut problems = side.problems.clone();
    let mut decisions =
        decide_all(&mut tx, pid, history, &side, &open, candidates, &mut problems).await?;
    let imported = import(&mut tx, store, pid, &side, &mut decisions, &mut problems).await?;
    let out = repo_side(&mut tx, pid, history, &side, &decisions, &imported.failed).await?;
    // The README's overview follows what the repository lists, also when nothing else is
    // written (an entity deleted by hand on GitHub): the commit is made only if it differs.
    // Nothing moved in the repository (no base changed): the overview cannot have either.
    let commit = if out.writes.is_empty() && (head.is_none() || out.bases.is_empty()) {
        None
    } else {
        // The overview is built from every entity: only when a row it shows changed, or it
        // has none yet (its cost would otherwise grow with the spec, not the change).
        let has_readme = head.as_deref().and_then(|h| repo::blob_at(&git, h, "README.md"));
        let listed = if has_readme.is_none()
            || !history.has_base()
            || overview_changes(&mut tx, pid, &out.bases).await?
        {
            Some(listed(&mut tx, pid, !history.has_base(), &out.bases).await?)
        } else {
            None
        };
        build_commit(&git, project, head.as_deref(), &out, listed.as_deref(), author)?
    };
    let outbox_max = outbox_max(&mut tx, pid).await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(Prepared {
        head: commit.clone().or(head),
        commit,
        url: url.to_owned(),
        outbox_max,
        replace_bases: !history.has_base(),
        published: out.lines.len() as u32,
        bases: out.bases,
        conflicts: out.conflicts,
        checked_paths: side.checked,
        problems,
        imported: imported.imported,
        added: imported.added,
    })
}

/// The newest outbox entry of the project (0 when it has none).
async fn outbox_max(conn: &mut SqliteConnection, pid: &ProjectId) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?")
        .bind(pid)
        .fetch_one(&mut *conn)
        .await?)
}

/// Merges every candidate entity; a hand-made file whose name is taken, or an id that
/// belongs to another kind, is a problem instead.
async fn decide_all(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
    history: History,
    side: &RemoteSide,
    open: &HashMap<String, Vec<ConflictRow>>,
    candidates: BTreeMap<String, Kind>,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Decided>> {
    let clashing = clashing_handmade(conn, pid, side).await?;
    let mut decisions: Vec<Decided> = Vec::new();
    for (id, kind) in candidates {
        if let Some(problem) = clashing.get(&id) {
            problems.push(problem.clone());
            continue;
        }
        let base = if history.has_base() { base_of(conn, pid, &id).await? } else { None };
        let kind = base.as_ref().map(|b| b.kind).unwrap_or(kind);
        if let Some((k, path, _)) = side.docs.get(&id) {
            if *k != kind {
                problems.push(Problem {
                    path: path.clone(),
                    message: format!(
                        "its id belongs to a {} elsewhere in the repository",
                        kind.as_str()
                    ),
                });
                continue;
            }
        }
        let local = local::read(conn, pid, kind, &id).await?;
        let waiting = open.get(&id).map(Vec::as_slice).unwrap_or_default();
        if let Some(decision) = decide_one(history, side, &id, kind, &base, local, waiting) {
            decisions.push((id, base, decision));
        }
    }
    Ok(decisions)
}

/// One entity's merge, or `None` when someone's unreadable file waits untouched here.
fn decide_one(
    history: History,
    side: &RemoteSide,
    id: &str,
    kind: Kind,
    base: &Option<Base>,
    local: Option<Fields>,
    waiting: &[ConflictRow],
) -> Option<Decision> {
    let unreadable = base
        .as_ref()
        .filter(|_| !side.docs.contains_key(id))
        .and_then(|b| side.broken.get(&b.path).map(|text| (b, text)));
    if let Some((b, text)) = unreadable {
        // Someone's file that cannot be read: never overwritten. Untouched here, it just
        // waits (reported as a problem); changed here, it is a clash keeping their text.
        if local.as_ref() != Some(&b.fields) || !waiting.is_empty() {
            return Some(decide::broken(kind, &b.fields, local, text.as_deref(), waiting));
        }
        return None;
    }
    let (remote, present) = match side.docs.get(id) {
        // A file without an id: as if absent, so the merge writes it with its id.
        Some((_, _, doc)) if side.handmade.contains(id) => (Some(doc.fields.clone()), None),
        Some((_, _, doc)) => (Some(doc.fields.clone()), Some(doc.fields.clone())),
        None if side.deleted.contains(id) => (None, None),
        None => match history {
            // Unchanged there since the synced commit.
            History::Descends => {
                let b = base.as_ref().map(|b| b.fields.clone());
                (b.clone(), b)
            }
            // Not in a history that does not continue ours: not a delete, the file is
            // published again.
            History::Unrelated => (base.as_ref().map(|b| b.fields.clone()), None),
            History::First | History::Empty => (None, None),
        },
    };
    Some(decide::decide(kind, base.as_ref().map(|b| &b.fields), local, remote, present, waiting))
}

/// What the database's side of a merge did.
struct Imported {
    /// Entities the app refused to import (each reported as a problem).
    failed: BTreeSet<String>,
    imported: u32,
    added: u32,
}

/// Where an entity's file is: where the remote has it, else where its base was.
fn path_of(side: &RemoteSide, id: &str, base: &Option<Base>) -> Option<String> {
    side.docs.get(id).map(|(_, p, _)| p.clone()).or_else(|| base.as_ref().map(|b| b.path.clone()))
}

/// The database's side: entities first (stories, contexts, then components, which may
/// point at a context), then deletes, then the links between them.
async fn import(
    tx: &mut SqliteConnection,
    store: &Store,
    pid: &ProjectId,
    side: &RemoteSide,
    decisions: &mut [Decided],
    problems: &mut Vec<Problem>,
) -> Result<Imported> {
    let now = store.now();
    let mut done = Imported { failed: BTreeSet::new(), imported: 0, added: 0 };
    for pass in [Kind::Story, Kind::Context, Kind::Component] {
        for (id, base, d) in decisions.iter().filter(|(_, _, d)| d.kind == pass) {
            if d.local_after == d.local_before || d.local_after.is_none() {
                continue;
            }
            let written = local::write(
                tx,
                store,
                &now,
                pid,
                d.kind,
                id,
                d.local_before.as_ref(),
                d.local_after.as_ref(),
            )
            .await;
            if let Err(e) = written {
                // The app's own refusal says what to change (a name clash of a hand-made
                // file is reported before the merge, in words of its own).
                problems.push(Problem {
                    path: path_of(side, id, base).unwrap_or_else(|| id.clone()),
                    message: format!("not imported: {e}"),
                });
                done.failed.insert(id.clone());
            } else {
                done.imported += 1;
                if side.handmade.contains(id) && d.local_before.is_none() {
                    done.added += 1;
                }
            }
        }
    }
    keep_approvals(tx, pid, decisions, &done.failed).await?;
    for (id, _, d) in decisions.iter() {
        if d.local_after.is_none() && d.local_before.is_some() {
            local::write(tx, store, &now, pid, d.kind, id, d.local_before.as_ref(), None).await?;
            done.imported += 1;
        }
    }
    for (id, _, d) in decisions.iter() {
        if let Some(after) = d.local_after.as_ref().filter(|_| !done.failed.contains(id)) {
            let before = d.local_before.as_ref();
            local::write_links(tx, store, &now, pid, d.kind, id, before, after).await?;
        }
    }
    Ok(done)
}

/// An approval the import did not keep (its text changed here) is not published either.
async fn keep_approvals(
    tx: &mut SqliteConnection,
    pid: &ProjectId,
    decisions: &mut [Decided],
    failed: &BTreeSet<String>,
) -> Result<()> {
    for (id, _, d) in decisions.iter_mut() {
        let Some(after) = d.local_after.as_mut() else { continue };
        if failed.contains(id) || d.local_before.as_ref() == Some(after) {
            continue;
        }
        let Some(now_here) = local::read(tx, pid, d.kind, id).await? else { continue };
        for flag in ["approved", "design_approved"] {
            let Some(kept) = now_here.get(flag) else { continue };
            if after.get(flag) != Some(kept) {
                after.insert(flag.into(), kept.clone());
                if let Some(repo) = d.repo.as_mut() {
                    repo.insert(flag.into(), kept.clone());
                }
            }
        }
    }
    Ok(())
}

/// The repository's side of a merge: the files to write, the new bases, the conflicts that
/// changed and the commit message's lines.
struct RepoSide {
    writes: Vec<(String, Option<String>)>,
    bases: Vec<(String, Option<Base>)>,
    conflicts: Vec<(String, Vec<ConflictRow>)>,
    lines: Vec<String>,
}

async fn repo_side(
    tx: &mut SqliteConnection,
    pid: &ProjectId,
    history: History,
    side: &RemoteSide,
    decisions: &[Decided],
    failed: &BTreeSet<String>,
) -> Result<RepoSide> {
    let mut out = RepoSide {
        writes: Vec::new(),
        bases: Vec::new(),
        conflicts: Vec::new(),
        lines: Vec::new(),
    };
    let mut taken: HashMap<String, String> = side
        .paths
        .iter()
        .map(|(path, id)| (path.clone(), id.clone().unwrap_or_default()))
        .collect();
    for (id, base, d) in decisions {
        if failed.contains(id) {
            continue;
        }
        if d.conflicts_changed {
            out.conflicts.push((id.clone(), d.conflicts.clone()));
        }
        if d.keep_file {
            continue;
        }
        let known_path = path_of(side, id, base);
        let new_base = match &d.repo {
            None => None,
            Some(fields) => {
                let path = match &known_path {
                    Some(p) if taken.get(p).is_none_or(|holder| holder == id) => p.clone(),
                    _ => {
                        free_path(tx, pid, d.kind, id, &label(d.kind, Some(fields)), &taken).await?
                    }
                };
                taken.insert(path.clone(), id.clone());
                Some(file_of(side, id, base, d, fields, path, &mut out))
            }
        };
        if d.repo.is_none() && d.present.is_some() {
            if let Some(p) = &known_path {
                out.writes.push((p.clone(), None));
                out.lines.push(format!(
                    "- {} \"{}\": deleted",
                    d.kind.as_str(),
                    label(d.kind, d.present.as_ref())
                ));
            }
        }
        if new_base != *base || !history.has_base() {
            out.bases.push((id.clone(), new_base));
        }
    }
    Ok(out)
}

/// The entity's file at `path` (written when the repository's side changed) and its new base.
fn file_of(
    side: &RemoteSide,
    id: &str,
    base: &Option<Base>,
    d: &Decision,
    fields: &Fields,
    path: String,
    out: &mut RepoSide,
) -> Base {
    let remote_version =
        side.docs.get(id).map(|(_, _, doc)| doc.version).or(base.as_ref().map(|b| b.version));
    let changed = d.repo != d.present;
    let version = remote_version.unwrap_or(0).saturating_add(i64::from(changed));
    if changed {
        let doc = Doc { id: id.to_owned(), version, fields: fields.clone() };
        out.writes.push((path.clone(), Some(render(d.kind, &doc))));
        out.lines.push(edit_line(d.kind, fields, d.present.as_ref()));
    }
    Base { kind: d.kind, path, version, fields: fields.clone() }
}

/// The commit of a merge's writes, with the README's overview following what the repository
/// lists (also when nothing else is written: an entity deleted by hand on GitHub) when
/// `listed` is given; `None` when the tree would not change.
fn build_commit(
    git: &git2::Repository,
    project: &Project,
    head: Option<&str>,
    out: &RepoSide,
    listed: Option<&[crate::docs_readme::Published]>,
    author: &Author,
) -> std::result::Result<Option<String>, SyncError> {
    let message = if out.lines.is_empty() {
        "Spec overview: README.md lists the spec as it is now\n".to_owned()
    } else {
        commit_message(&out.lines)
    };
    // No overview to follow (nothing it lists changed): the README is left as it is.
    let readme = match listed {
        Some(listed) => {
            let current = head
                .and_then(|h| repo::blob_at(git, h, "README.md"))
                .map(|blob| repo::text(git, blob))
                .transpose()?
                .unwrap_or_else(|| crate::docs_readme::readme(project));
            Some(crate::docs_readme::with_overview(&current, listed))
        }
        None => None,
    };
    Ok(repo::commit(git, head, &out.writes, readme.as_deref(), author, &message)?)
}

/// Files added by hand whose title or name another entity of their kind has here: each stays
/// a problem (by entity id) that says what to change, rather than a second entity of that name.
async fn clashing_handmade(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
    side: &RemoteSide,
) -> Result<HashMap<String, Problem>> {
    let mut out = HashMap::new();
    if side.handmade.is_empty() {
        return Ok(out);
    }
    let here = local::read_all(conn, pid).await?;
    for id in &side.handmade {
        let Some((kind, path, doc)) = side.docs.get(id) else { continue };
        if here.iter().any(|(_, other, _)| other == id) {
            continue;
        }
        let field = kind.label_field();
        let name = label(*kind, Some(&doc.fields));
        let taken = here.iter().any(|(k, _, f)| {
            k == kind && label(*k, Some(f)).trim().eq_ignore_ascii_case(name.trim())
        });
        if taken {
            let message = format!(
                "a {} named \"{name}\" is already in the spec: give it a {field} no other {} has \
                 (or, to edit that one, change its own file)",
                kind.as_str(),
                kind.as_str()
            );
            out.insert(id.clone(), Problem { path: path.clone(), message });
        }
    }
    Ok(out)
}

/// Whether any of the merge's new bases reads differently in the README's overview from the
/// base it replaces.
async fn overview_changes(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
    bases: &[(String, Option<Base>)],
) -> Result<bool> {
    let published = |id: &str, b: Base| crate::docs_readme::Published {
        kind: b.kind,
        id: id.to_owned(),
        path: b.path,
        fields: b.fields,
    };
    for (id, new) in bases {
        let old = base_of(conn, pid, id).await?.map(|b| published(id, b));
        let new = new.clone().map(|b| published(id, b));
        if crate::docs_readme::lists_differently(old.as_ref(), new.as_ref()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What the repository holds once this merge's commit is on it (for the README's overview):
/// the bases of the synced commit with this merge's new ones over them.
async fn listed(
    conn: &mut SqliteConnection,
    pid: &ProjectId,
    replace: bool,
    bases: &[(String, Option<Base>)],
) -> Result<Vec<crate::docs_readme::Published>> {
    let mut all: BTreeMap<String, Base> = BTreeMap::new();
    if !replace {
        let rows: Vec<StoredBase> = sqlx::query_as(
            "SELECT entity_id, kind, path, version, fields FROM docs_entities WHERE project_id = ?",
        )
        .bind(pid)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            all.insert(row.entity_id.clone(), row.into_base()?);
        }
    }
    for (id, base) in bases {
        match base {
            Some(b) => all.insert(id.clone(), b.clone()),
            None => all.remove(id),
        };
    }
    Ok(all
        .into_iter()
        .map(|(id, b)| crate::docs_readme::Published {
            kind: b.kind,
            id,
            path: b.path,
            fields: b.fields,
        })
        .collect())
}

/// A path for a new entity's file that no other entity uses.
async fn free_path(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    kind: Kind,
    id: &str,
    label: &str,
    in_repo: &HashMap<String, String>,
) -> Result<String> {
    let path = path_for(kind, id, label);
    let held = in_repo.get(&path).is_some_and(|holder| holder != id);
    let taken: bool = held || sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM docs_entities WHERE project_id = ? AND path = ? AND entity_id <> ?)",
    )
    .bind(project_id)
    .bind(&path)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if taken { path_for(kind, id, &format!("{label} {id}")) } else { path })
}

fn edit_line(kind: Kind, fields: &Fields, before: Option<&Fields>) -> String {
    let name = label(kind, Some(fields));
    match before {
        None => format!("- {} \"{name}\": new", kind.as_str()),
        Some(b) => {
            let changed: Vec<&str> = fields
                .iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, _)| k.as_str())
                .collect();
            format!("- {} \"{name}\": {}", kind.as_str(), changed.join(", "))
        }
    }
}

fn commit_message(lines: &[String]) -> String {
    const SHOWN: usize = 100;
    let n = lines.len();
    let mut message =
        format!("Spec: {n} {} edited\n\n", if n == 1 { "entity" } else { "entities" });
    for line in lines.iter().take(SHOWN) {
        message.push_str(line);
        message.push('\n');
    }
    if n > SHOWN {
        message.push_str(&format!("- … and {} more\n", n - SHOWN));
    }
    message
}
