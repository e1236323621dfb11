//! One merge of the docs sync: the remote's changed files read, each changed entity merged
//! three-way against its base, the database's side written and the commit built, in one
//! transaction ([`prepare`]); once the push is through, the merge becomes the base
//! ([`finish`]).

use super::*;
/// An entity as the synced commit holds it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Base {
    kind: Kind,
    path: String,
    version: i64,
    fields: Fields,
}

/// A conflict row as stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ConflictRow {
    kind: Kind,
    field: String,
    label: String,
    base: Value,
    theirs: Value,
}

/// What a merge decided, to be recorded once the push is through.
pub(super) struct Prepared {
    pub(super) commit: Option<String>,
    head: Option<String>,
    outbox_max: i64,
    bases: Vec<(String, Option<Base>)>,
    conflicts: Vec<(String, Vec<ConflictRow>)>,
    checked_paths: Vec<String>,
    problems: Vec<Problem>,
    published: u32,
    imported: u32,
}

async fn base_of(conn: &mut SqliteConnection, project_id: &str, id: &str) -> Result<Option<Base>> {
    let row: Option<(String, String, i64, String)> = sqlx::query_as(
        "SELECT kind, path, version, fields FROM docs_entities WHERE project_id = ? AND entity_id = ?",
    )
    .bind(project_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(kind, path, version, fields)| {
        let kind = kind_of(&kind)?;
        let fields: Fields = serde_json::from_str(&fields)
            .map_err(|e| Error::Internal(format!("a stored merge base is not JSON: {e}")))?;
        Ok(Base { kind, path, version, fields })
    })
    .transpose()
}

/// The remote's side of this merge: the files that changed since the base, parsed.
struct RemoteSide {
    docs: HashMap<String, (Kind, String, Doc)>,
    deleted: BTreeSet<String>,
    problems: Vec<Problem>,
    checked: Vec<String>,
}

async fn remote_side(
    conn: &mut SqliteConnection,
    project_id: &str,
    dir: &std::path::Path,
    synced: Option<&str>,
    head: &str,
) -> std::result::Result<RemoteSide, SyncError> {
    // Owned (a `&Repository` is not `Send` across the awaits below).
    let git = repo::open(dir)?;
    let full = !synced.is_some_and(|s| repo::has_commit(&git, s));
    let mut files = if Some(head) == synced {
        Vec::new()
    } else if full {
        repo::all_files(&git, head)?
    } else {
        repo::changed(&git, synced, head)?
    };
    // Files that could not be read before are read again until they can.
    let earlier: Vec<String> =
        sqlx::query_scalar("SELECT path FROM docs_problems WHERE project_id = ?")
            .bind(project_id)
            .fetch_all(&mut *conn)
            .await?;
    for path in earlier {
        if files.iter().any(|f| f.path == path) {
            continue;
        }
        let blob = repo::file_at(&git, head, &path).map(|(oid, _)| oid);
        if let Some(kind) = Kind::of_path(&path) {
            files.push(repo::Changed { path, kind, blob });
        }
    }
    let mut side = RemoteSide {
        docs: HashMap::new(),
        deleted: BTreeSet::new(),
        problems: Vec::new(),
        checked: files.iter().map(|f| f.path.clone()).collect(),
    };
    let mut gone_paths = Vec::new();
    for file in &files {
        let Some(blob) = file.blob else {
            gone_paths.push(file.path.clone());
            continue;
        };
        let text = repo::text(&git, blob)?;
        match parse(file.kind, &text) {
            Ok(doc) => {
                if let Some((_, other, _)) = side.docs.get(&doc.id) {
                    side.problems.push(Problem {
                        path: file.path.clone(),
                        message: format!("its id {} is also the id of {other}", doc.id),
                    });
                    continue;
                }
                side.docs.insert(doc.id.clone(), (file.kind, file.path.clone(), doc));
            }
            Err(e) => {
                side.problems.push(Problem { path: file.path.clone(), message: e.to_string() })
            }
        }
    }
    let deleted_ids: Vec<String> = if full {
        // Without the base commit, every base entity whose file is not there was deleted.
        let all: Vec<(String, String)> =
            sqlx::query_as("SELECT entity_id, path FROM docs_entities WHERE project_id = ?")
                .bind(project_id)
                .fetch_all(&mut *conn)
                .await?;
        let unreadable: BTreeSet<&str> = side.problems.iter().map(|p| p.path.as_str()).collect();
        all.into_iter()
            .filter(|(id, path)| !side.docs.contains_key(id) && !unreadable.contains(path.as_str()))
            .map(|(id, _)| id)
            .collect()
    } else {
        let mut out = Vec::new();
        for path in gone_paths {
            let id: Option<String> = sqlx::query_scalar(
                "SELECT entity_id FROM docs_entities WHERE project_id = ? AND path = ?",
            )
            .bind(project_id)
            .bind(&path)
            .fetch_optional(&mut *conn)
            .await?;
            out.extend(id);
        }
        out
    };
    side.deleted = deleted_ids.into_iter().filter(|id| !side.docs.contains_key(id)).collect();
    Ok(side)
}

fn label(kind: Kind, fields: Option<&Fields>) -> String {
    fields
        .and_then(|f| f.get(kind.label_field()))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One entity's merge, with the conflicts still open on it.
struct Decision {
    kind: Kind,
    local_before: Option<Fields>,
    local_after: Option<Fields>,
    repo: Option<Fields>,
    remote: Option<Fields>,
    conflicts: Vec<ConflictRow>,
    conflicts_changed: bool,
}

fn decide(
    kind: Kind,
    base: Option<&Fields>,
    local: Option<Fields>,
    remote: Option<Fields>,
    open: &[ConflictRow],
) -> Decision {
    let whole = open.iter().find(|c| c.field == "*");
    let name = label(kind, local.as_ref().or(remote.as_ref()).or(base));
    let row = |field: &str, base: Value, theirs: Value| ConflictRow {
        kind,
        field: field.to_owned(),
        label: name.clone(),
        base,
        theirs,
    };
    if whole.is_some() {
        // An edit against a delete waits for a choice: nothing local moves, the repository
        // follows the remote.
        let settled = local == remote;
        let theirs =
            remote.clone().map(|f| Value::Object(f.into_iter().collect())).unwrap_or(Value::Null);
        let conflicts = if settled {
            vec![]
        } else {
            vec![row("*", whole.map(|c| c.base.clone()).unwrap_or(Value::Null), theirs)]
        };
        return Decision {
            kind,
            local_before: local.clone(),
            local_after: local,
            repo: remote.clone(),
            remote,
            conflicts_changed: conflicts != open,
            conflicts,
        };
    }
    if !open.is_empty() && local.is_some() && remote.is_none() {
        // Deleted there while a clash on it waits here: an edit against a delete.
        let b = base.map(|f| Value::Object(f.clone().into_iter().collect())).unwrap_or(Value::Null);
        return Decision {
            kind,
            local_before: local.clone(),
            local_after: local,
            repo: None,
            remote: None,
            conflicts: vec![row("*", b, Value::Null)],
            conflicts_changed: true,
        };
    }
    // Fields in conflict count as unchanged here until the person chooses.
    let masked = local.clone().map(|mut l| {
        for c in open {
            if let Some(b) = base.and_then(|b| b.get(&c.field)) {
                l.insert(c.field.clone(), b.clone());
            }
        }
        l
    });
    let merged = merge(base, masked.as_ref(), remote.as_ref(), kind.set_fields());
    let mut local_after = merged.local.clone();
    let mut conflicts = Vec::new();
    if let (Some(after), Some(l)) = (local_after.as_mut(), local.as_ref()) {
        for c in open {
            let mine = l.get(&c.field).cloned().unwrap_or(Value::Null);
            let theirs =
                remote.as_ref().and_then(|r| r.get(&c.field)).cloned().unwrap_or(Value::Null);
            after.insert(c.field.clone(), mine.clone());
            if mine != theirs {
                conflicts.push(row(&c.field, c.base.clone(), theirs));
            }
        }
    }
    for clash in merged.clashes {
        match clash {
            Clash::Field { field, base, theirs } => conflicts.push(row(&field, base, theirs)),
            Clash::Entity { theirs } => {
                let b = base
                    .map(|f| Value::Object(f.clone().into_iter().collect()))
                    .unwrap_or(Value::Null);
                let t =
                    theirs.map(|f| Value::Object(f.into_iter().collect())).unwrap_or(Value::Null);
                conflicts.push(row("*", b, t));
            }
        }
    }
    Decision {
        kind,
        local_before: local,
        local_after,
        repo: merged.repo,
        remote,
        conflicts_changed: conflicts != open,
        conflicts,
    }
}

/// Merges, writes the database's side and builds the commit — one transaction. Nothing is
/// recorded as synced yet: that waits for the push ([`finish`]).
pub(super) async fn prepare(
    store: &Store,
    project: &Project,
    dir: &std::path::Path,
    head: Option<String>,
    author: &Author,
) -> std::result::Result<Prepared, SyncError> {
    let pid = project.id.as_str();
    let now = store.now();
    let mut tx = store.write().await?;
    let synced: Option<String> =
        sqlx::query_scalar("SELECT synced_commit FROM docs_sync WHERE project_id = ?")
            .bind(pid)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    let max_before: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?")
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
    let git = repo::open(dir)?;
    // An empty remote (a new repository, or one emptied since) gets the whole spec again.
    let fresh = head.is_none();
    let mut candidates: BTreeMap<String, Kind> = BTreeMap::new();
    if fresh {
        for (kind, id, _) in local::read_all(&mut tx, pid).await? {
            candidates.insert(id, kind);
        }
    } else {
        let changed: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT DISTINCT coalesce(subject, entity_id), subject, entity FROM outbox \
             WHERE project_id = ? AND id <= ?",
        )
        .bind(pid)
        .bind(max_before)
        .fetch_all(&mut *tx)
        .await?;
        for (id, _, entity) in changed {
            let kind = match entity.as_str() {
                "story" => Kind::Story,
                "context" | "context_story" => Kind::Context,
                _ => Kind::Component,
            };
            candidates.insert(id, kind);
        }
    }
    let mut open: HashMap<String, Vec<ConflictRow>> = HashMap::new();
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT entity_id, kind, field, label, base, theirs FROM docs_conflicts WHERE project_id = ?",
    )
    .bind(pid)
    .fetch_all(&mut *tx)
    .await?;
    for (id, kind, field, label, base, theirs) in rows {
        let kind = kind_of(&kind)?;
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        candidates.insert(id.clone(), kind);
        open.entry(id).or_default().push(ConflictRow {
            kind,
            field,
            label,
            base: json(&base),
            theirs: json(&theirs),
        });
    }
    let side = match &head {
        Some(h) => remote_side(&mut tx, pid, dir, synced.as_deref(), h).await?,
        None => RemoteSide {
            docs: HashMap::new(),
            deleted: BTreeSet::new(),
            problems: vec![],
            checked: vec![],
        },
    };
    for (id, (kind, _, _)) in &side.docs {
        candidates.insert(id.clone(), *kind);
    }
    for id in &side.deleted {
        if let Some(b) = base_of(&mut tx, pid, id).await? {
            candidates.insert(id.clone(), b.kind);
        }
    }

    let mut problems = side.problems.clone();
    let mut decisions: Vec<(String, Option<Base>, Decision)> = Vec::new();
    for (id, kind) in candidates {
        let base = if fresh { None } else { base_of(&mut tx, pid, &id).await? };
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
        let local = local::read(&mut tx, pid, kind, &id).await?;
        let remote = match side.docs.get(&id) {
            Some((_, _, doc)) => Some(doc.fields.clone()),
            None if side.deleted.contains(&id) || fresh => None,
            None => base.as_ref().map(|b| b.fields.clone()),
        };
        let decision = decide(
            kind,
            base.as_ref().map(|b| &b.fields),
            local,
            remote,
            open.get(&id).map(Vec::as_slice).unwrap_or_default(),
        );
        decisions.push((id, base, decision));
    }

    // The database's side: entities first (stories, contexts, then components, which may
    // point at a context), then deletes, then the links between them.
    let mut failed: BTreeSet<String> = BTreeSet::new();
    let mut imported = 0u32;
    let path_of = |id: &str, base: &Option<Base>| {
        side.docs
            .get(id)
            .map(|(_, p, _)| p.clone())
            .or_else(|| base.as_ref().map(|b| b.path.clone()))
    };
    for pass in [Kind::Story, Kind::Context, Kind::Component] {
        for (id, base, d) in decisions.iter().filter(|(_, _, d)| d.kind == pass) {
            if d.local_after == d.local_before || d.local_after.is_none() {
                continue;
            }
            let written = local::write(
                &mut tx,
                &now,
                pid,
                d.kind,
                id,
                d.local_before.as_ref(),
                d.local_after.as_ref(),
            )
            .await;
            if let Err(e) = written {
                problems.push(Problem {
                    path: path_of(id, base).unwrap_or_else(|| id.clone()),
                    message: format!("not imported: {e}"),
                });
                failed.insert(id.clone());
            } else {
                imported += 1;
            }
        }
    }
    // A story whose text came from elsewhere lost its approval here: that is published too.
    for (id, _, d) in decisions.iter_mut() {
        if d.kind != Kind::Story || failed.contains(id) || d.local_after == d.local_before {
            continue;
        }
        let now_here = local::read(&mut tx, pid, d.kind, id).await?;
        let approved = |f: &Option<Fields>| f.as_ref().and_then(|f| f.get("approved")).cloned();
        if let (Some(a), Some(repo)) = (approved(&now_here), d.repo.as_mut()) {
            if approved(&d.local_after) != Some(a.clone()) {
                repo.insert("approved".into(), a);
            }
        }
        d.local_after = now_here;
    }
    for (id, _, d) in &decisions {
        if d.local_after.is_none() && d.local_before.is_some() {
            local::write(&mut tx, &now, pid, d.kind, id, d.local_before.as_ref(), None).await?;
            imported += 1;
        }
    }
    for (id, _, d) in &decisions {
        if let Some(after) = d.local_after.as_ref().filter(|_| !failed.contains(id)) {
            let before = if d.local_before.is_some() { d.local_before.as_ref() } else { None };
            local::write_links(&mut tx, &now, pid, d.kind, id, before, after).await?;
        }
    }

    // The repository's side.
    let mut writes: Vec<(String, Option<String>)> = Vec::new();
    let mut bases: Vec<(String, Option<Base>)> = Vec::new();
    let mut conflicts: Vec<(String, Vec<ConflictRow>)> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for (id, base, d) in &decisions {
        if failed.contains(id) {
            continue;
        }
        if d.conflicts_changed {
            conflicts.push((id.clone(), d.conflicts.clone()));
        }
        let remote_version =
            side.docs.get(id).map(|(_, _, doc)| doc.version).or(base.as_ref().map(|b| b.version));
        let known_path = path_of(id, base);
        let new_base = match &d.repo {
            None => None,
            Some(fields) => {
                let path = match &known_path {
                    Some(p) => p.clone(),
                    None => {
                        free_path(&mut tx, pid, d.kind, id, &label(d.kind, Some(fields))).await?
                    }
                };
                let changed = d.repo != d.remote;
                let version = remote_version.unwrap_or(0) + i64::from(changed);
                if changed {
                    let doc = Doc { id: id.clone(), version, fields: fields.clone() };
                    writes.push((path.clone(), Some(render(d.kind, &doc))));
                    lines.push(edit_line(d.kind, fields, d.remote.as_ref()));
                }
                Some(Base { kind: d.kind, path, version, fields: fields.clone() })
            }
        };
        if d.repo.is_none() && d.remote.is_some() {
            if let Some(p) = &known_path {
                writes.push((p.clone(), None));
                lines.push(format!(
                    "- {} \"{}\": deleted",
                    d.kind.as_str(),
                    label(d.kind, d.remote.as_ref())
                ));
            }
        }
        if new_base != *base || fresh {
            bases.push((id.clone(), new_base));
        }
    }
    let published = lines.len() as u32;
    let commit = if writes.is_empty() {
        None
    } else {
        let message = commit_message(&lines);
        let readme = crate::pipeline::docs::readme(project);
        repo::commit(&git, head.as_deref(), &writes, &readme, author, &message)?
    };
    let outbox_max: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?")
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(Prepared {
        head: commit.clone().or(head),
        commit,
        outbox_max,
        bases,
        conflicts,
        checked_paths: side.checked,
        problems,
        published,
        imported,
    })
}

/// A path for a new entity's file that no other entity uses.
async fn free_path(
    conn: &mut SqliteConnection,
    project_id: &str,
    kind: Kind,
    id: &str,
    label: &str,
) -> Result<String> {
    let path = path_for(kind, id, label);
    let taken: bool = sqlx::query_scalar(
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

/// The push went through (or there was nothing to push): the merge becomes the base.
pub(super) async fn finish(
    store: &Store,
    project_id: &str,
    p: Prepared,
    merges: u32,
) -> Result<SyncReport> {
    let now = store.now();
    let mut tx = store.write().await?;
    for (id, base) in &p.bases {
        match base {
            Some(b) => {
                sqlx::query(
                    "INSERT INTO docs_entities (project_id, entity_id, kind, path, version, fields) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id, entity_id) DO UPDATE \
                     SET kind = ?3, path = ?4, version = ?5, fields = ?6",
                )
                .bind(project_id)
                .bind(id)
                .bind(b.kind.as_str())
                .bind(&b.path)
                .bind(b.version)
                .bind(serde_json::to_string(&b.fields).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM docs_entities WHERE project_id = ? AND entity_id = ?")
                    .bind(project_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    for (id, rows) in &p.conflicts {
        sqlx::query("DELETE FROM docs_conflicts WHERE project_id = ? AND entity_id = ?")
            .bind(project_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO docs_conflicts (project_id, entity_id, kind, field, label, base, theirs, at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(project_id)
            .bind(id)
            .bind(row.kind.as_str())
            .bind(&row.field)
            .bind(&row.label)
            .bind(row.base.to_string())
            .bind(row.theirs.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    for path in &p.checked_paths {
        sqlx::query("DELETE FROM docs_problems WHERE project_id = ? AND path = ?")
            .bind(project_id)
            .bind(path)
            .execute(&mut *tx)
            .await?;
    }
    for problem in &p.problems {
        sqlx::query(
            "INSERT INTO docs_problems (project_id, path, message, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (project_id, path) DO UPDATE SET message = ?3, at = ?4",
        )
        .bind(project_id)
        .bind(&problem.path)
        .bind(&problem.message)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM outbox WHERE project_id = ? AND id <= ?")
        .bind(project_id)
        .bind(p.outbox_max)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO docs_sync (project_id, synced_commit, synced_at, attempted_at, error, offline) \
         VALUES (?1, ?2, ?3, ?3, NULL, 0) ON CONFLICT (project_id) DO UPDATE \
         SET synced_commit = ?2, synced_at = ?3, attempted_at = ?3, error = NULL, offline = 0",
    )
    .bind(project_id)
    .bind(&p.head)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM docs_conflicts WHERE project_id = ?")
        .bind(project_id)
        .fetch_one(&mut *tx)
        .await?;
    let problems = all_problems(&mut tx, project_id).await?;
    tx.commit().await?;
    Ok(SyncReport {
        commit: p.commit,
        synced_commit: p.head,
        published: p.published,
        imported: p.imported,
        conflicts: open as u32,
        problems,
        merges,
    })
}

pub(super) async fn all_problems(
    conn: &mut SqliteConnection,
    project_id: &str,
) -> Result<Vec<Problem>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT path, message FROM docs_problems WHERE project_id = ? ORDER BY path",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(path, message)| Problem { path, message }).collect())
}
