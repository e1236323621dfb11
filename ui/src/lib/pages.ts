// The pages the window does not need for its first paint (the first run and the dashboard
// are part of the main script). Each is a chunk of its own, loaded when first shown, and all of
// them just after the first page is up, so that moving around never waits.
export const pages = {
  newProject: () => import("../pages/NewProject.svelte"),
  project: () => import("../pages/Project.svelte"),
  jobs: () => import("../pages/Jobs.svelte"),
  job: () => import("../pages/JobDetail.svelte"),
  settings: () => import("../pages/Settings.svelte"),
};

/**
 * Loads every page's chunk once the window has drawn what it has: the next frame is painted
 * first (a timer set in an animation frame runs after that frame), so parsing the chunks never
 * holds back the first page or its rows.
 */
export function preloadPages(): void {
  requestAnimationFrame(() =>
    setTimeout(() => {
      for (const load of Object.values(pages)) void load().catch(() => {});
    }, 0),
  );
}
