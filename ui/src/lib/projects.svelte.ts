// The project list, kept live: loaded once, then updated by project events as they come
// (the broadcaster's `projects:*` topic) and by removals (a project deleted or left, by any
// process), reloaded when the backend says events were missed.
import { api, messageOf, onProjectRemoved, onResync, subscribeToAllProjects, type ProjectRow } from "./api";

class LiveProjects {
  // Raw, not deeply reactive: 10,000 projects filter and render without a proxy per object.
  // Every change replaces the array.
  list = $state.raw<ProjectRow[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
}

export const projects = new LiveProjects();

/** Projects that left the list (by their removal's count): an update or a read that was on
 * its way when the removal came does not bring one back. A load that starts after a removal
 * has the last word on it (the project may have been shared again). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never shown: not state
const removed = new Map<string, number>();
let removals = 0;

export async function loadProjects(): Promise<void> {
  const before = removals;
  try {
    const list = await api.listProjects();
    for (const [id, at] of removed) if (at <= before) removed.delete(id);
    projects.list = removed.size ? list.filter((p) => !removed.has(p.id)) : list;
    projects.error = null;
  } catch (e) {
    projects.error = messageOf(e);
  } finally {
    projects.loaded = true;
  }
}

/** A project's row: a whole project (from an event, a page) keeps only what the list shows. */
function rowOf(p: ProjectRow): ProjectRow {
  const { id, name, description, framework, stage, setup_status, setup_error, updated_at } = p;
  return { id, name, description, framework, stage, setup_status, setup_error, updated_at };
}

/** Puts a project (new or changed) in its place in the list, which stays sorted by name. */
export function upsert(whole: ProjectRow): void {
  if (removed.has(whole.id)) return;
  const project = rowOf(whole);
  const list = projects.list.slice();
  const i = list.findIndex((p) => p.id === project.id);
  if (i >= 0) {
    list[i] = project;
  } else {
    const at = list.findIndex((p) => p.name > project.name);
    list.splice(at < 0 ? list.length : at, 0, project);
  }
  projects.list = list;
}

export function remove(id: string): void {
  removed.set(id, ++removals);
  projects.list = projects.list.filter((p) => p.id !== id);
}

let subscribed: Promise<void> | null = null;

/** The next start subscribes again, and nothing is remembered as removed: for the unit tests,
 * whose mocked backend (and its event listeners) is new for each test. */
export function forgetSubscriptions(): void {
  subscribed = null;
  removed.clear();
}

/** (Re)loads the list and keeps it current; subscribes only once. */
export async function startLiveProjects(): Promise<void> {
  // Both subscriptions before the first load, so that no change falls between; side by side,
  // so that the window's start waits for one round trip, not two.
  subscribed ??= Promise.all([
    subscribeToAllProjects((m) => upsert(m.project)),
    onProjectRemoved(remove),
    onResync(() => void loadProjects()),
  ]).then(() => {});
  await subscribed;
  await loadProjects();
}
