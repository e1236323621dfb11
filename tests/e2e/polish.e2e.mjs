// Issue 19's polish, in the real window at 800×600 (WebKitGTK under Xvfb through tauri-driver,
// the native GTK folder chooser driven with real key presses by tests/e2e/desktop.py, the
// local GitHub stand-in for GitHub's API and git):
// - the workspace folder's Browse… opens the native folder chooser (first run and Settings);
//   the chosen folder lands in the field and is saved;
// - focus goes to the new page's heading after a link and after creating a project;
// - messages are in sentence case; the sync line keeps a time and a status apart;
// - stage history wraps, approved/dirty badges are never clipped, the dashboard has one
//   scrollbar, and the conflict choice that opens after Save is scrolled into view;
// - a project whose repository was deleted on GitHub says what happened and offers
//   repointing (which brings it back at the next sync), archiving and deleting; Set up is
//   not its primary button.
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitHubStandIn } from "./servers.mjs";
import { Session, sleep } from "./webdriver.mjs";
import { cliFor, createProfile, desktop, tally, until } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-polish-"));
const { check, finish } = tally();

const cli = cliFor(APP, DATA);

async function select(s, css, value) {
  await s.find(css);
  await s.script(`const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("change", { bubbles: true }));`, [
    css,
    value,
  ]);
}

async function size(s, width, height) {
  await s.cmd("POST", "/window/rect", { width, height }).catch(() => {});
  await s.until("the window size", () => s.script(`return window.innerWidth <= ${width} ? true : null;`), 5000).catch(() => null);
}

/** What has the focus, as a person's screen reader would say it. */
const focused = (s) => s.script(`const e = document.activeElement; return e ? { tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim() } : null;`);

/** Clicks Browse…, picks `folder` in the native GTK chooser titled `title` as a person does
 * (Ctrl+L, the path, Enter), and returns the field's value after. */
async function chooseFolder(s, browse, title, field, folder) {
  await (await s.find(browse)).click();
  const shown = await until(`the chooser “${title}”`, () => desktop("state", title) === "shown", 15000).catch(() => false);
  check(`Browse… opens the native folder chooser “${title}”`, shown, desktop("state", title));
  if (!shown) return "";
  await sleep(1500);
  const shotName = `polish-chooser-${title.replaceAll(" ", "-")}`;
  desktop("key", title, "ctrl+l");
  await sleep(300);
  // The path with its closing "/" (GTK's completion offers that "/" otherwise, and Enter
  // would take the offer): Enter opens the folder, the next Enter chooses it.
  desktop("type", title, `${folder}/`);
  await sleep(500);
  // The screen, native chooser included (a page screenshot shows only the web view).
  desktop("shot", join(OUT, `${shotName}.png`));
  for (let i = 0; i < 3 && desktop("state", title) === "shown"; i++) {
    desktop("key", title, "Return");
    await until("the chooser to close", () => desktop("state", title) === "none", 2000).catch(() => null);
  }
  return until("the field to take the folder", async () => ((await (await s.find(field)).value()) === folder ? folder : null), 5000).catch(
    async () => (await s.find(field)).value(),
  );
}

const gh = await gitHubStandIn({ log: join(OUT, "polish-github-stand-in.log") });
gh.server.on("exit", (code, signal) => console.log(`(the GitHub stand-in exited: ${code ?? signal})`));
await gh.control("users", { login: "ada-gh", token: "ghp_polish_ada" });
await gh.control("orgs", { login: "acme" });
cli("config", "set", "github_api_url", gh.url);

const firstFolder = join(mkdtempSync(join(tmpdir(), "polish-ws-")), "first");
const secondFolder = join(mkdtempSync(join(tmpdir(), "polish-ws-")), "second");
mkdirSync(firstFolder);
mkdirSync(secondFolder);

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await size(s, 800, 600);

  // 1. First run: the workspace folder from the native chooser.
  await s.find("#profile-email", 30000);
  // The window has just started: GTK's first file chooser takes a moment more.
  await sleep(1500);
  const picked = await chooseFolder(s, '[data-testid="browse-folder"]', "Workspace folder", "#profile-workspace", firstFolder);
  check("first run: the chosen folder is in the workspace field", picked === firstFolder, picked);
  await createProfile(s, { until: '[data-testid="new-project"]' });
  const ws1 = cli("config", "list");
  check("first run saves the chosen workspace folder", JSON.stringify(ws1).includes(firstFolder), JSON.stringify(ws1));

  // 2. Messages: the sync line, not signed in, in sentence case and apart from its time.
  await (await s.find('[data-testid="sync-now"]')).click();
  const reason = await s
    .until("the skipped run", async () => (await s.exists('[data-testid="sync-last-error"]')) && (await (await s.find('[data-testid="sync-last-error"]')).text()), 15000)
    .catch(() => "");
  const line = await (await s.find('[data-testid="sync-line"]')).text();
  check("the sync line says “Not signed in” in sentence case", /^— Not signed in/.test(reason) && !/not signed in/.test(line), line);
  check("no time runs into the next text (“AM—”)", !/[AP]M—|\d—/.test(line) && /Last run skipped/.test(line), line);
  await s.screenshot(join(OUT, "polish-sync-line.png"));

  // 3. Focus after navigation: the new page's heading.
  await (await s.find('nav a[href="#/jobs"]')).click();
  const onJobs = await until("focus on Jobs", async () => {
    const f = await focused(s);
    return f?.tag === "h1" ? f : null;
  }, 5000).catch(() => focused(s));
  check("after the Jobs link, focus is on the heading “Jobs”", onJobs?.tag === "h1" && onJobs.text === "Jobs", JSON.stringify(onJobs));
  await (await s.find('nav a[href="#/settings"]')).click();
  const onSettings = await until("focus on Settings", async () => {
    const f = await focused(s);
    return f?.tag === "h1" && f.text === "Settings" ? f : null;
  }, 5000).catch(() => focused(s));
  check("after the Settings link, focus is on the heading “Settings”", onSettings?.text === "Settings", JSON.stringify(onSettings));

  // 4. Settings: Browse… beside the workspace folder.
  const picked2 = await chooseFolder(s, '[data-testid="browse-folder"]', "Folder for set-up projects", "#settings-workspace", secondFolder);
  check("Settings: the chosen folder is in the workspace field", picked2 === secondFolder, picked2);
  await s.script(`document.querySelector("#settings-workspace").closest("form").querySelector('button[type="submit"]').click();`);
  const ws2 = await until("the folder saved", () => (JSON.stringify(cli("config", "list")).includes(secondFolder) ? true : null), 5000).catch(
    () => false,
  );
  check("Save folder keeps the chosen folder", ws2, JSON.stringify(cli("config", "list")));
  await s.script(`document.querySelector("#settings-workspace").scrollIntoView({ block: "center" });`);
  await s.screenshot(join(OUT, "polish-settings-workspace.png"));

  // 5. Signed in to the stand-in; a project created in the window gets the focus on its heading.
  cli("config", "set", "github_org", "acme");
  execFileSync(CLI, ["--data-dir", DATA, "--json", "github", "login", "--with-token"], { input: "ghp_polish_ada\n" });
  await (await s.find('nav a[href="#/"]')).click();
  await (await s.find('[data-testid="new-project"]')).click();
  const onNew = await until("focus on New project", async () => {
    const f = await focused(s);
    return f?.tag === "h1" && f.text === "New project" ? f : null;
  }, 5000).catch(() => focused(s));
  check("the New project button puts focus on the heading “New project”", onNew?.text === "New project", JSON.stringify(onNew));
  await (await s.find("#project-name")).type("blog");
  await select(s, "#project-framework", "elixir");
  // Repositories on the stand-in that do not exist yet: the setup creates them on GitHub.
  await (await s.find("#project-code-repo")).type(`${gh.url}/acme/blog`);
  await (await s.find("#project-docs-repo")).type(`${gh.url}/acme/blog_docs`);
  await (await s.find('[data-testid="project-create"]')).click();
  await s.find('[data-testid="project-title"]');
  const onProject = await until("focus on the project", async () => {
    const f = await focused(s);
    return f?.tag === "h1" && f.text === "blog" ? f : null;
  }, 5000).catch(() => focused(s));
  check("after Create project, focus is on the new project's heading", onProject?.text === "blog", JSON.stringify(onProject));

  // Its setup creates acme/blog on the stand-in and pushes to it.
  await (await s.find('[data-testid="setup-button"]')).click();
  const status = await s
    .until("the setup to finish", async () => {
      const st = await (await s.find('[data-testid="setup-status"]')).text();
      return st === "ready" || st === "failed" ? st : null;
    }, 240000, 500)
    .catch(() => "timeout");
  check("the project is set up against the GitHub stand-in", status === "ready", status);
  const blog = cli("project", "list").find((p) => p.name === "blog");

  // Enough projects for the dashboard's list to scroll at 800×600 (made by the CLI meanwhile).
  for (let i = 0; i < 14; i++) cli("project", "create", `filler_${String(i).padStart(2, "0")}`, "--framework", "elixir");

  // 6. Badges and stage history at 800×600.
  const story = cli("story", "create", "-p", "blog", "--title", "Pay by card with a long title that takes room", "--description", "As a buyer I pay.");
  cli("story", "approve", story.id, "--version", String(story.version));
  cli("story", "dirty", story.id);
  await s.script(`location.hash = arguments[0];`, [`/projects/${blog.id}/stories`]);
  await s.find('[data-testid="story-row"]');
  await sleep(300);
  const badges = await s.script(`
    return [...document.querySelectorAll('[data-testid="story-row"] .badge')].map((b) => {
      const r = b.getBoundingClientRect();
      const clippers = [];
      for (let e = b.parentElement; e && e !== document.body; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.overflowX !== "visible" || style.overflowY !== "visible") {
          const c = e.getBoundingClientRect();
          if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5) clippers.push(e.tagName + "." + e.className);
        }
      }
      // Inside its row's table, and the table inside its column: a badge that runs out of
      // the list draws over the editor beside it.
      const table = b.closest("table"), t = table.getBoundingClientRect(), col = table.parentElement.getBoundingClientRect();
      if (r.right > t.right + 0.5 || t.right > col.right + 0.5) clippers.push(\`outside its list (badge \${r.right}, table \${t.right}, column \${col.right})\`);
      return { text: b.textContent.trim(), whole: b.scrollWidth <= b.clientWidth + 1, inWindow: r.right <= document.documentElement.clientWidth, clippers };
    });`);
  check(
    "the Approved and Dirty badges show whole at 800×600",
    badges.length === 2 && badges.every((b) => b.whole && b.inWindow && b.clippers.length === 0) && badges.map((b) => b.text).join(",") === "Approved,Dirty",
    JSON.stringify(badges),
  );
  await s.screenshot(join(OUT, "polish-stories-800x600.png"));

  // The conflict choice after Save comes into view.
  await (await s.find('[data-testid="story-row"] button.link')).click();
  await (await s.find("#story-title")).type("Pay by card, in the window");
  const fresh = cli("story", "show", story.id);
  cli("story", "update", story.id, "--version", String(fresh.version), "--title", "Pay by card, from the CLI");
  await s.script(`window.scrollTo(0, 0);`);
  await (await s.find('[data-testid="story-save"]')).click();
  await s.find('[data-testid="conflict-choice"]', 10000);
  await sleep(400);
  const seen = await s.script(`
    const r = document.querySelector('[data-testid="conflict-choice"]').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: innerHeight };`);
  check("the conflict choice that opens after Save is scrolled into view", seen.top >= 0 && seen.top < seen.height - 40, JSON.stringify(seen));
  await s.screenshot(join(OUT, "polish-conflict-800x600.png"));
  await (await s.find('[data-testid="conflict-choice"] button')).click().catch(() => {});

  // 7. The repository is deleted on GitHub; the heartbeat marks the project missing.
  await gh.control("delete", { owner: "acme", name: "blog" });
  await s.script(`location.hash = "/";`);
  await s.until("the 15 projects listed", async () => /^15 projects$/.test(await (await s.find('[data-testid="project-count"]')).text()), 20000).catch(() => null);
  // Leaving the story with unsaved edits may ask first: keep going.
  await s.script(`document.querySelector('[data-testid="discard-changes"]')?.click();`).catch(() => {});
  await (await s.find('[data-testid="sync-now"]')).click();
  await s.find('[data-testid="missing-banner"]', 20000).catch(() => null);
  check("the dashboard says the project lost its repository", await s.exists('[data-testid="missing-banner"]'));
  await sleep(300);
  const scrollbars = await s.script(`
    const page = document.scrollingElement;
    const list = document.querySelector('[data-testid="virtual-list"]');
    return { page: page.scrollHeight > page.clientHeight + 1, list: list.scrollHeight > list.clientHeight + 1, pageHeight: page.scrollHeight, window: page.clientHeight };`);
  check("the dashboard at 800×600 has one scrollbar (the list's)", !scrollbars.page && scrollbars.list, JSON.stringify(scrollbars));
  await s.screenshot(join(OUT, "polish-dashboard-800x600.png"));

  // 8. The missing project's page.
  await s.script(`location.hash = arguments[0];`, [`/projects/${blog.id}`]);
  const panel = await s.find('[data-testid="missing-panel"]', 10000);
  const what = await (await s.find('[data-testid="missing-what"]')).text();
  const why = await (await s.find('[data-testid="missing-why"]')).text();
  check("the page says GitHub answered that acme/blog does not exist", /asked GitHub for acme\/blog by its id, and GitHub answered that it does not exist/.test(what), what);
  check("and what that can mean: deleted, renamed or moved away, access lost", /deleted/.test(why) && /renamed or moved/.test(why) && /lost access/.test(why), why);
  const buttons = await s.script(`
    return [...document.querySelectorAll('[data-testid="missing-panel"] button')].map((b) => (b.classList.contains("btn-primary") ? "primary: " : "") + b.textContent.trim());`);
  check(
    "it offers Point it at another repository (primary), Archive and Delete…",
    buttons.join(" | ") === "primary: Point it at another repository | Archive | Delete…",
    buttons.join(" | "),
  );
  const primaries = await s.script(`return [...document.querySelectorAll("main .btn-primary")].map((b) => b.textContent.trim()).filter((t) => /^Set up|^Retry/.test(t));`);
  check("Set up is not a primary button on the missing project's page", primaries.length === 0, JSON.stringify(primaries));
  void panel;
  const history = await s.script(`
    const table = document.querySelector('[data-testid="stage-history"]'), panel = table.closest("section");
    const t = table.getBoundingClientRect(), p = panel.getBoundingClientRect();
    const cells = [...table.querySelectorAll("td")].filter((c) => c.scrollWidth > c.clientWidth + 1).length;
    // A stage name (one word) is never cut in two: its text takes one line.
    const lines = (cell) => { const r = document.createRange(); r.selectNodeContents(cell); return new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size; };
    const cut = [...table.querySelectorAll("tbody tr")].flatMap((r) => [...r.cells].slice(1, 3)).filter((c) => lines(c) > 1).map((c) => c.textContent.trim());
    return { fits: t.right <= p.right + 0.5 && panel.scrollWidth <= panel.clientWidth + 1 && cells === 0, cut, page: document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1, rows: table.querySelectorAll("tbody tr").length, missingRow: table.textContent.includes("gone from GitHub") };`);
  check("the stage history wraps inside its panel at 800×600, no stage cut in two", history.fits && history.page && history.missingRow && history.cut.length === 0, JSON.stringify(history));
  await s.screenshot(join(OUT, "polish-missing-800x600.png"));
  await s.script(`document.querySelector('[data-testid="stage-history"]').scrollIntoView();`);
  await s.screenshot(join(OUT, "polish-stage-history-800x600.png"));

  // Delete… asks first (nothing is deleted here).
  await (await s.find('[data-testid="missing-delete"]')).click();
  const question = await (await s.find('[data-testid="confirm-delete"]')).text();
  check("Delete… asks first, naming the project", /blog/.test(question), question);
  await s.script(`[...document.querySelectorAll('[data-testid="confirm-delete"] button')].find((b) => b.textContent.trim() === "Cancel")?.click();`);

  // 9. Point it at another repository: the edit form's field, then the next sync brings it back.
  await gh.control("repos", { owner: "acme", name: "blog-2026" });
  await (await s.find('[data-testid="missing-repoint"]')).click();
  const onField = await focused(s);
  check("Point it at another repository focuses the code repository field", onField?.id === "project-edit-code-repo", JSON.stringify(onField));
  await (await s.find("#project-edit-code-repo")).type(`${gh.url}/acme/blog-2026`);
  await (await s.find('[data-testid="project-edit-save"]')).click();
  await until("the new URL saved", () => (cli("project", "list").find((p) => p.name === "blog")?.code_repo ?? "").endsWith("/acme/blog-2026"), 5000).catch(() => null);
  await s.script(`location.hash = "/";`);
  // Sync now, as a person presses it again when a run already under way started before the
  // save (that run cannot know the new URL; the next heartbeat is minutes away).
  await until(
    "the project back",
    async () => {
      if (cli("project", "list").find((p) => p.name === "blog")?.stage !== "missing") return true;
      await s.script(`document.querySelector('[data-testid="sync-now"]:not([disabled])')?.click();`);
      await sleep(2000);
      return false;
    },
    30000,
  ).catch(() => null);
  await s.script(`location.hash = arguments[0];`, [`/projects/${blog.id}`]);
  const stage = await s.until("the stage", async () => {
    const t = await (await s.find('[data-testid="project-stage"]')).text();
    return t !== "missing" ? t : null;
  }, 10000).catch(() => "missing");
  check("pointed at acme/blog-2026, the project is back after the next sync", stage === "initialized" && !(await s.exists('[data-testid="missing-panel"]')), stage);
  await s.screenshot(join(OUT, "polish-back-800x600.png"));
} catch (e) {
  check("the polish e2e ran to the end", false, e.stack ?? String(e));
  await s.screenshot(join(OUT, "polish-error.png")).catch(() => {});
} finally {
  await s.end();
  gh.server.kill();
}
finish();
