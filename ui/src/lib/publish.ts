// Words for the docs repository's publish state and its clashes (the window's part of the
// docs sync: the publish line on a project, and the conflicts view).
import type { DocsConflict, DocsStatus } from "./api";
import { count } from "./format";

/** The publish line's main phrase for a project's docs status. */
export function publishText(status: DocsStatus): string {
  const pending = status.outbox.entities;
  switch (status.state) {
    case "no_repository":
      return "No docs repository yet";
    case "published":
      return "Published";
    case "pending":
      // Never synced and nothing edited: the first sync publishes the whole spec.
      if (pending === 0) return "Not published yet";
      return `${count(pending, "edit")} pending`;
    case "offline":
      return `Offline — ${count(pending, "edit")} not published`;
    case "failing":
      return `Sync failed: ${status.error ?? "unknown error"}`;
    case "conflicts":
      return count(status.conflicts, "conflict");
  }
}

/** How many entities the last sync made from files people added by hand on GitHub. */
export function addedText(status: DocsStatus): string | null {
  return status.added > 0 ? `${status.added} added on GitHub` : null;
}

/** "story" → "Story". */
export function kindLabel(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** What clashes on this field, in words: the field's name, or who deleted it for `*`. */
export function fieldLabel(conflict: DocsConflict): string {
  if (conflict.field !== "*") return conflict.field.replaceAll("_", " ");
  if (conflict.unreadable)
    return conflict.mine === null ? "deleted here, their file cannot be read" : "edited here, their file cannot be read";
  if (conflict.mine !== null && conflict.theirs !== null) return "edited on both sides";
  if (conflict.mine === null && conflict.theirs === null) return "deleted on both sides";
  if (conflict.mine === null) return "deleted here, edited in the repository";
  return "edited here, deleted in the repository";
}

// Fields that are not free text: the backend refuses an edited merge of these.
const NOT_TEXT = new Set(["stories", "depends_on", "approved", "design_approved", "docs_complete", "code_complete", "tests_complete"]);

/** Whether an edited merge can settle this clash (not for an edit against a delete). */
export function mergeable(conflict: DocsConflict): boolean {
  return conflict.field !== "*" && !NOT_TEXT.has(conflict.field) && conflict.mine !== null && conflict.theirs !== null;
}

/** One card per entity: its clashes (one per field), in the order they came. */
export type ConflictGroup = { entity_id: string; kind: string; label: string; conflicts: DocsConflict[] };

export function groupByEntity(conflicts: DocsConflict[]): ConflictGroup[] {
  const groups = new Map<string, ConflictGroup>();
  for (const c of conflicts) {
    let group = groups.get(c.entity_id);
    if (!group) {
      group = { entity_id: c.entity_id, kind: c.kind, label: c.label, conflicts: [] };
      groups.set(c.entity_id, group);
    }
    group.conflicts.push(c);
  }
  return [...groups.values()];
}
