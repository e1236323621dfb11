//! The three-way merge of one entity, per field, against the last synced version (the
//! base). Only one side changed a field → take it. Both changed it the same way → take it.
//! Both changed it differently → a clash: the local value stays current, the remote value
//! stays in the repository, and the person chooses. A set of ids (a context's stories, a
//! component's dependencies) merges element by element: what either side added is in,
//! what either side removed is out, so two new links never clash. An edit against a delete
//! is a clash of the whole entity.

use crate::Fields;
use serde_json::Value;

/// Where a merge leaves one entity (`None` = it does not exist there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// What the local database holds afterwards.
    pub local: Option<Fields>,
    /// What the repository holds afterwards (and the next base).
    pub repo: Option<Fields>,
    pub clashes: Vec<Clash>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// Both sides changed `field` to different values; `theirs` is the remote value.
    Field { field: String, base: Value, theirs: Value },
    /// One side deleted the entity, the other changed it; `theirs` is the remote entity
    /// (`None`: the remote deleted it and the local side changed it).
    Entity { theirs: Option<Fields> },
}

fn ids(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Element-wise three-way merge of sets of ids: kept by both, or added by either.
fn merge_set(base: Option<&Value>, local: Option<&Value>, remote: Option<&Value>) -> Value {
    let (b, l, r) = (ids(base), ids(local), ids(remote));
    let mut out: Vec<&str> = l
        .iter()
        .chain(r.iter())
        .copied()
        .filter(|x| (l.contains(x) && r.contains(x)) || !b.contains(x))
        .collect();
    out.sort_unstable();
    out.dedup();
    Value::Array(out.into_iter().map(|s| Value::String(s.to_owned())).collect())
}

/// Merges one entity. `sets` names the fields merged element by element.
pub fn merge(
    base: Option<&Fields>,
    local: Option<&Fields>,
    remote: Option<&Fields>,
    sets: &[&str],
) -> Merged {
    let same = |x: Option<&Fields>, y: Option<&Fields>| x == y;
    if same(remote, base) {
        return Merged { local: local.cloned(), repo: local.cloned(), clashes: vec![] };
    }
    if same(local, base) || same(local, remote) {
        return Merged { local: remote.cloned(), repo: remote.cloned(), clashes: vec![] };
    }
    let (local, remote) = match (local, remote) {
        (Some(l), Some(r)) => (l, r),
        (None, remote) => {
            // Deleted here, changed there: nothing local comes back until the person
            // chooses; the repository keeps their version.
            return Merged {
                local: None,
                repo: remote.cloned(),
                clashes: vec![Clash::Entity { theirs: remote.cloned() }],
            };
        }
        (Some(l), None) => {
            return Merged {
                local: Some(l.clone()),
                repo: None,
                clashes: vec![Clash::Entity { theirs: None }],
            };
        }
    };
    let empty = Fields::new();
    let base = base.unwrap_or(&empty);
    let mut mine = Fields::new();
    let mut repo = Fields::new();
    let mut clashes = Vec::new();
    let names: std::collections::BTreeSet<&String> = local.keys().chain(remote.keys()).collect();
    for name in names {
        let (b, l, r) = (base.get(name), local.get(name), remote.get(name));
        let null = Value::Null;
        let value = if sets.contains(&name.as_str()) {
            merge_set(b, l, r)
        } else if l == b || l == r {
            r.unwrap_or(&null).clone()
        } else if r == b {
            l.unwrap_or(&null).clone()
        } else {
            let theirs = r.unwrap_or(&null).clone();
            clashes.push(Clash::Field {
                field: name.clone(),
                base: b.unwrap_or(&null).clone(),
                theirs: theirs.clone(),
            });
            mine.insert(name.clone(), l.unwrap_or(&null).clone());
            repo.insert(name.clone(), theirs);
            continue;
        };
        mine.insert(name.clone(), value.clone());
        repo.insert(name.clone(), value);
    }
    Merged { local: Some(mine), repo: Some(repo), clashes }
}
