// The rows of the Jobs page: every job, except that a project's docs syncs (one after each
// burst of edits, and on every heartbeat) fold into one row per project, with their count,
// that opens to show them. The queues as a person names them, for the queue filter.
import type { Job } from "./api";

export const SETUP_QUEUE = "project_setup";
export const DOCS_SYNC_QUEUE = "docs_sync";
export const ORG_SYNC_QUEUE = "github_sync";

/** The queues a person can filter by, in the order they are offered. */
export const QUEUES: { name: string; label: string }[] = [
  { name: SETUP_QUEUE, label: "Setups" },
  { name: DOCS_SYNC_QUEUE, label: "Docs syncs" },
  { name: ORG_SYNC_QUEUE, label: "GitHub org sync" },
];

export type JobRow =
  | { kind: "job"; job: Job }
  /** A project's docs syncs, newest first; the row stands where the newest one would. */
  | { kind: "docs"; projectId: string; jobs: Job[] };

/**
 * Folds the docs syncs of each project into one row, kept where its newest sync stands in
 * `jobs` (newest first). A project with a single docs sync keeps it as a plain row.
 */
export function jobRows(jobs: Job[]): JobRow[] {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    const project = job.args.project_id;
    if (job.queue !== DOCS_SYNC_QUEUE || !project) continue;
    groups.set(project, [...(groups.get(project) ?? []), job]);
  }
  const rows: JobRow[] = [];
  const placed = new Set<string>();
  for (const job of jobs) {
    const project = job.args.project_id;
    const group = project && job.queue === DOCS_SYNC_QUEUE ? groups.get(project) : undefined;
    if (!project || !group || group.length < 2) {
      rows.push({ kind: "job", job });
    } else if (!placed.has(project)) {
      placed.add(project);
      rows.push({ kind: "docs", projectId: project, jobs: group });
    }
  }
  return rows;
}
