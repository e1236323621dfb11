// The project list, kept live: loaded once, then updated by project events as they come
// (the broadcaster's `projects:*` topic), reloaded when the backend says events were missed.
import { api, messageOf, onResync, subscribeToAllProjects, type Project } from "./api";

export const projects = $state({
  list: [] as Project[],
  loaded: false,
  error: null as string | null,
});

export async function loadProjects(): Promise<void> {
  try {
    projects.list = await api.listProjects();
    projects.error = null;
  } catch (e) {
    projects.error = messageOf(e);
  } finally {
    projects.loaded = true;
  }
}

/** Puts a project (new or changed) in its place in the list, which stays sorted by name. */
export function upsert(project: Project): void {
  const i = projects.list.findIndex((p) => p.id === project.id);
  if (i >= 0) {
    projects.list[i] = project;
  } else {
    const at = projects.list.findIndex((p) => p.name > project.name);
    projects.list.splice(at < 0 ? projects.list.length : at, 0, project);
  }
}

export function remove(id: string): void {
  projects.list = projects.list.filter((p) => p.id !== id);
}

let subscribed: Promise<void> | null = null;

/** (Re)loads the list and keeps it current; subscribes only once. */
export async function startLiveProjects(): Promise<void> {
  subscribed ??= (async () => {
    await subscribeToAllProjects((m) => upsert(m.project));
    await onResync(() => void loadProjects());
  })();
  await subscribed;
  await loadProjects();
}
