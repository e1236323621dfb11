// Hash routes: the window loads one page and moves between views without reloading.
//   #/                      dashboard
//   #/new                   new project
//   #/projects/:id[/:tab]   a project (overview, stories, contexts, components, sessions,
//                           conflicts with its docs repository)
//   #/jobs[/:id]            the job queue, a job
//   #/settings              settings
// Leaving a route with unsaved edits asks first (lib/unsaved); kept edits keep the address.

import { confirmDiscard, hasUnsaved } from "./unsaved.svelte";
import { focusHeadingWhenShown } from "./focus-heading";

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

/** The hash of the route shown (the address bar may be ahead of it while a question is open). */
let shown = typeof location === "undefined" ? "" : location.hash;
/** Bumped per navigation that waits for an answer: only the latest goes ahead. */
let asking = 0;

/** The route shown, and how many times the person gave up unsaved edits to leave a page (the
 * window makes its kept pages again then: lib/kept). */
export const router = $state({ route: parse(shown), discarded: 0 });

/** Which page a route shows: a project's tabs are one page (the tab list keeps focus). */
export function pageOf(route: Route): string {
  if (route.name === "project") return `project/${route.id}`;
  if (route.name === "job") return `job/${route.id}`;
  return route.name;
}

function show(hash: string) {
  shown = hash;
  const before = pageOf(router.route);
  router.route = parse(hash);
  if (typeof document !== "undefined" && pageOf(router.route) !== before) focusHeadingWhenShown();
}

/** Puts the address back to the route shown, adding no history entry and no hashchange. */
function revert() {
  history.replaceState(history.state, "", shown === "" ? location.pathname + location.search : shown);
}

/** A link, the back button or a typed address changed the hash: leave only with nothing unsaved. */
async function hashChanged() {
  const next = location.hash;
  if (next === shown) return;
  const same = JSON.stringify(parse(next)) === JSON.stringify(parse(shown));
  if (same || !hasUnsaved()) return show(next);
  const ticket = ++asking;
  const discard = await confirmDiscard();
  if (ticket !== asking) return;
  if (discard) {
    router.discarded++;
    show(next);
  } else revert();
}

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => void hashChanged());
}

/** Goes to `path`, asking first if open editors hold unsaved edits; resolves to whether it went. */
export function navigate(path: string): Promise<boolean> {
  const hash = `#${path}`;
  const go = () => {
    show(hash);
    if (location.hash !== hash) location.hash = path;
  };
  if (!hasUnsaved()) {
    go();
    return Promise.resolve(true);
  }
  const ticket = ++asking;
  return confirmDiscard().then((discard) => {
    const going = discard && ticket === asking;
    if (going) {
      router.discarded++;
      go();
    }
    return going;
  });
}

export function href(path: string): string {
  return `#${path}`;
}
