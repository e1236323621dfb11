// Hash routes: the window loads one page and moves between views without reloading.
//   #/                      dashboard
//   #/new                   new project
//   #/projects/:id[/:tab]   a project (overview, stories, contexts, components, sessions,
//                           conflicts with its docs repository)
//   #/jobs[/:id]            the job queue, a job
//   #/settings              settings

export type Route =
  | { name: "dashboard" }
  | { name: "new" }
  | { name: "project"; id: string; tab: ProjectTab }
  | { name: "jobs" }
  | { name: "job"; id: number }
  | { name: "settings" }
  | { name: "missing"; path: string };

export const PROJECT_TABS = ["overview", "stories", "contexts", "components", "sessions", "conflicts"] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

export function parse(path: string): Route {
  const parts = path.replace(/^#/, "").split("/").filter(Boolean);
  if (parts.length === 0) return { name: "dashboard" };
  if (parts[0] === "new" && parts.length === 1) return { name: "new" };
  if (parts[0] === "settings" && parts.length === 1) return { name: "settings" };
  if (parts[0] === "jobs" && parts.length === 1) return { name: "jobs" };
  if (parts[0] === "jobs" && parts.length === 2 && /^\d+$/.test(parts[1])) return { name: "job", id: Number(parts[1]) };
  if (parts[0] === "projects" && (parts.length === 2 || parts.length === 3)) {
    const tab = (parts[2] ?? "overview") as ProjectTab;
    if (PROJECT_TABS.includes(tab)) return { name: "project", id: parts[1], tab };
  }
  return { name: "missing", path };
}

export const router = $state({ route: parse(typeof location === "undefined" ? "" : location.hash) });

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => {
    router.route = parse(location.hash);
  });
}

export function navigate(path: string) {
  if (location.hash !== `#${path}`) location.hash = path;
  router.route = parse(path);
}

export function href(path: string): string {
  return `#${path}`;
}
