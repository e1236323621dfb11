//! Where a project's spec stands with its docs repository, and the clashes that wait for a
//! person: listed with both values, and settled (mine, theirs, or an edited text).

use super::*;
use crate::ids::{AccountId, EntityId, ProjectId};
/// Where a project's spec stands with its docs repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PublishState {
    /// No docs repository yet.
    NoRepository,
    /// Everything here is in the repository.
    Published,
    /// Edits wait for the next sync.
    Pending,
    /// The last sync could not reach the repository; edits wait and it retries.
    Offline,
    /// The last sync failed for another reason (see `error`).
    Failing,
    /// Clashes wait for a choice.
    Conflicts,
}

/// What `codemyspec docs status` and the window's publish line show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DocsStatus {
    pub project: ProjectId,
    pub state: PublishState,
    pub docs_repo: Option<String>,
    pub outbox: outbox::Pending,
    pub synced_commit: Option<String>,
    pub synced_at: Option<String>,
    pub attempted_at: Option<String>,
    pub error: Option<String>,
    pub offline: bool,
    pub conflicts: u32,
    pub problems: Vec<Problem>,
    /// Entities the last sync made from files people added by hand on GitHub.
    pub added: u32,
}

/// A project's row of `docs_sync`: where its last sync left it.
#[derive(Default, sqlx::FromRow)]
struct SyncRow {
    synced_commit: Option<String>,
    synced_at: Option<String>,
    attempted_at: Option<String>,
    error: Option<String>,
    offline: bool,
    added: i64,
}

pub async fn status(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<DocsStatus> {
    let pending = outbox::pending(store, actor, project_id).await?;
    let project = crate::projects::get(store, actor, project_id).await?;
    let mut conn = store.pool().acquire().await?;
    let row: Option<SyncRow> = sqlx::query_as(
        "SELECT synced_commit, synced_at, attempted_at, error, offline, added FROM docs_sync \
         WHERE project_id = ?",
    )
    .bind(project.id)
    .fetch_optional(&mut *conn)
    .await?;
    let SyncRow { synced_commit, synced_at, attempted_at, error, offline, added } =
        row.unwrap_or_default();
    let conflicts: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT entity_id) FROM docs_conflicts WHERE project_id = ?",
    )
    .bind(project.id)
    .fetch_one(&mut *conn)
    .await?;
    let problems = all_problems(&mut conn, &project.id).await?;
    let state = if project.docs_repo.is_none() {
        PublishState::NoRepository
    } else if conflicts > 0 {
        PublishState::Conflicts
    } else if error.is_some() && offline {
        PublishState::Offline
    } else if error.is_some() {
        PublishState::Failing
    } else if pending.entities > 0 || synced_commit.is_none() {
        PublishState::Pending
    } else {
        PublishState::Published
    };
    Ok(DocsStatus {
        project: project.id,
        state,
        docs_repo: project.docs_repo,
        outbox: pending,
        synced_commit,
        synced_at,
        attempted_at,
        error,
        offline,
        conflicts: conflicts as u32,
        problems,
        added: u32::try_from(added).unwrap_or(0),
    })
}

/// A clash waiting for a choice, with both values as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DocsConflict {
    pub entity_id: String,
    pub kind: Kind,
    /// Its title or name.
    pub label: String,
    /// The field both sides changed, or `*` for the whole entity: an edit against a delete,
    /// or an edit against a file that cannot be read.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub field: ConflictField,
    /// The value here (`None`: deleted here).
    pub mine: Option<String>,
    /// The value in the repository (`None`: deleted there).
    pub theirs: Option<String>,
    /// The value both started from.
    pub base: Option<String>,
    /// For `*`: their file cannot be read, and `theirs` is its raw text (it is never
    /// overwritten until the person keeps theirs or chooses mine).
    pub unreadable: bool,
    pub at: String,
}

fn shown(kind: Kind, id: &str, value: &Value, whole: bool) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Object(map) if whole => {
            let fields: Fields = map.clone().into_iter().collect();
            Some(render(kind, &Doc { id: id.to_owned(), version: 0, fields }))
        }
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            Some(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        }
        other => Some(other.to_string()),
    }
}

/// A row of `docs_conflicts` (base and theirs are JSON text).
#[derive(sqlx::FromRow)]
pub(super) struct StoredConflict {
    pub(super) entity_id: String,
    #[sqlx(try_from = "String")]
    pub(super) kind: Kind,
    pub(super) field: ConflictField,
    pub(super) label: String,
    pub(super) base: String,
    pub(super) theirs: String,
    pub(super) at: String,
}

pub async fn conflicts(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<DocsConflict>> {
    let mut conn = store.pool().acquire().await?;
    access::require(&mut *conn, actor, project_id, access::Need::Read).await?;
    let rows: Vec<StoredConflict> = sqlx::query_as(
        "SELECT entity_id, kind, field, label, base, theirs, at FROM docs_conflicts \
         WHERE project_id = ? ORDER BY at, entity_id, field",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for row in rows {
        let (id, k) = (row.entity_id, row.kind);
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        let whole = row.field.is_whole();
        let local = local::read(&mut conn, project_id, k, &id).await?;
        let mine = match (&local, row.field.name()) {
            (None, _) => Value::Null,
            (Some(l), None) => Value::Object(l.clone().into_iter().collect()),
            (Some(l), Some(name)) => l.get(name).cloned().unwrap_or(Value::Null),
        };
        let theirs = json(&row.theirs);
        out.push(DocsConflict {
            unreadable: whole && theirs.is_string(),
            mine: shown(k, &id, &mine, whole),
            theirs: shown(k, &id, &theirs, whole),
            base: shown(k, &id, &json(&row.base), whole),
            entity_id: id,
            kind: k,
            label: row.label,
            field: row.field,
            at: row.at,
        });
    }
    Ok(out)
}

/// A clash open on the entity being settled (theirs and base are JSON text).
#[derive(sqlx::FromRow)]
struct OpenClash {
    #[sqlx(try_from = "String")]
    kind: Kind,
    field: ConflictField,
    theirs: String,
    base: String,
}

/// How a person settles a clash (the window sends it as `{keep: "mine" | "theirs" | "merged"}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "keep", rename_all = "snake_case")]
pub enum Resolution {
    /// Keep this machine's values (they are published at the next sync).
    Mine,
    /// Take the repository's values.
    Theirs,
    /// An edited text for one field (`field` may be left out when only one clashes).
    Merged { field: Option<String>, text: String },
}

/// Settles the clashes on one entity and schedules a sync to publish the outcome.
pub async fn resolve(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    entity_id: &EntityId,
    choice: Resolution,
) -> Result<Vec<DocsConflict>> {
    // The sync's tables and readers speak of any kind's entity in its text form.
    let entity_id = entity_id.to_string();
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, access::Need::Write).await?;
    let rows: Vec<OpenClash> = sqlx::query_as(
        "SELECT kind, field, theirs, base FROM docs_conflicts WHERE project_id = ? AND entity_id = ?",
    )
    .bind(project_id)
    .bind(&entity_id)
    .fetch_all(&mut *tx)
    .await?;
    let Some(kind) = rows.first().map(|r| r.kind) else {
        return Err(Error::not_found("conflict"));
    };
    let local = local::read(&mut tx, project_id, kind, &entity_id).await?;
    let at = Settling { store, now: store.now(), project_id, entity_id: &entity_id };
    let settled = match choice {
        Resolution::Mine => keep_mine(&mut tx, &at, kind, &rows, local.is_some()).await?,
        Resolution::Theirs => take_theirs(&mut tx, &at, kind, &rows, local).await?,
        Resolution::Merged { field, text } => {
            take_merged(&mut tx, &at, kind, &rows, local, field, text).await?
        }
    };
    for field in &settled {
        sqlx::query(
            "DELETE FROM docs_conflicts WHERE project_id = ? AND entity_id = ? AND field = ?",
        )
        .bind(project_id)
        .bind(&entity_id)
        .bind(field)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let owner = crate::projects::get(store, actor, project_id).await?.owner_id;
    schedule(store, project_id, &owner, DEBOUNCE_SECS).await?;
    // A runner in this process plans its next wake-up around the new job.
    store.notify_jobs();
    conflicts(store, actor, project_id).await
}

/// The entity whose clashes are being settled, and when.
struct Settling<'a> {
    store: &'a Store,
    now: String,
    project_id: &'a ProjectId,
    entity_id: &'a str,
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The whole-entity clash among `rows`, if there is one: (theirs, base).
fn whole_of(rows: &[OpenClash]) -> Option<(Value, Value)> {
    rows.iter().find(|r| r.field.is_whole()).map(|r| (json(&r.theirs), json(&r.base)))
}

/// Keeps this machine's values: counted as an edit here, so the next sync publishes them
/// over theirs. Returns the clashes it settles (all of them).
async fn keep_mine(
    tx: &mut SqliteConnection,
    at: &Settling<'_>,
    kind: Kind,
    rows: &[OpenClash],
    exists_here: bool,
) -> Result<Vec<ConflictField>> {
    // Their file could not be read: `theirs` is its raw text.
    if matches!(whole_of(rows), Some((Value::String(_), _))) {
        // Chosen over their unreadable file: it is not a problem that protects the
        // file any more, and the next sync writes this machine's version over it.
        sqlx::query(
            "DELETE FROM docs_problems WHERE project_id = ?1 AND path = \
             (SELECT path FROM docs_entities WHERE project_id = ?1 AND entity_id = ?2)",
        )
        .bind(at.project_id)
        .bind(at.entity_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO outbox (project_id, entity, entity_id, op, subject) VALUES (?1, ?2, ?3, ?4, ?3)",
    )
    .bind(at.project_id)
    .bind(kind.as_str())
    .bind(at.entity_id)
    .bind(if exists_here { "update" } else { "delete" })
    .execute(&mut *tx)
    .await?;
    Ok(rows.iter().map(|r| r.field.clone()).collect())
}

/// Takes the repository's values. Returns the clashes it settles (all of them).
async fn take_theirs(
    tx: &mut SqliteConnection,
    at: &Settling<'_>,
    kind: Kind,
    rows: &[OpenClash],
    local: Option<Fields>,
) -> Result<Vec<ConflictField>> {
    let after = match whole_of(rows) {
        Some((Value::Object(map), _)) => Some(canonical(kind, map.into_iter().collect())),
        // Their file cannot be read: back to what both last agreed on; their file
        // stays as it is until it is fixed, then it is imported like any edit.
        Some((Value::String(_), Value::Object(base))) => {
            Some(canonical(kind, base.into_iter().collect()))
        }
        Some(_) => None,
        None => local.clone().map(|mut l| {
            for row in rows {
                l.insert(row.field.to_string(), json(&row.theirs));
            }
            canonical(kind, l)
        }),
    };
    let (store, now, pid, id) = (at.store, at.now.as_str(), at.project_id, at.entity_id);
    local::write(tx, store, now, pid, kind, id, local.as_ref(), after.as_ref()).await?;
    if let Some(after) = &after {
        local::write_links(tx, store, now, pid, kind, id, local.as_ref(), after).await?;
    }
    Ok(rows.iter().map(|r| r.field.clone()).collect())
}

/// Writes an edited text for one clashing field (`field` may be left out when only one
/// clashes). Returns the clash it settles.
async fn take_merged(
    tx: &mut SqliteConnection,
    at: &Settling<'_>,
    kind: Kind,
    rows: &[OpenClash],
    local: Option<Fields>,
    field: Option<String>,
    text: String,
) -> Result<Vec<ConflictField>> {
    if whole_of(rows).is_some() {
        return Err(Error::invalid(
            "keep",
            "an edit against a delete or an unreadable file is settled with mine or theirs, not an edited text",
        ));
    }
    let open: Vec<ConflictField> = rows.iter().map(|r| r.field.clone()).collect();
    let field = match field.map(ConflictField::from) {
        Some(f) if open.contains(&f) => f.to_string(),
        Some(f) => return Err(Error::invalid("field", format!("{f} is not in conflict here"))),
        None if open.len() == 1 => open[0].to_string(),
        None => {
            let names: Vec<&str> = open.iter().map(ConflictField::as_str).collect();
            return Err(Error::invalid(
                "field",
                format!("several fields clash here ({}); name one", names.join(", ")),
            ));
        }
    };
    if kind.set_fields().contains(&field.as_str()) {
        return Err(Error::invalid("field", format!("{field} is not a text")));
    }
    let mut after = local.clone().ok_or(Error::not_found(kind.as_str()))?;
    after.insert(field.clone(), Value::String(text));
    let after = canonical(kind, after);
    let (store, now, pid, id) = (at.store, at.now.as_str(), at.project_id, at.entity_id);
    local::write(tx, store, now, pid, kind, id, local.as_ref(), Some(&after)).await?;
    Ok(vec![ConflictField::Field(field)])
}
