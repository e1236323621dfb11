// End to end in the real app window (WebKitGTK under Xvfb, driven through tauri-driver):
// first run → a bad name is refused at its field → a project with local git remotes is set
// up and its statuses arrive live → ready, pushed, and a desktop notification is shown → a
// story edited in two places offers the conflict choice → the component graph is drawn.
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (see the Makefile's e2e target).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Session, sleep } from "./webdriver.mjs";
import { axe } from "./axe.mjs";
import { gitHubStandIn, gitServer } from "./servers.mjs";
import { cliFor, createProfile, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-e2e-"));
const { check, crashed, finish } = tally();

const cli = cliFor(APP, DATA);

function mainCommit(root, repo) {
  try {
    return execFileSync("git", ["--git-dir", join(root, "acme", `${repo}.git`), "log", "-1", "--format=%s", "main"], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

async function select(s, css, value) {
  await s.find(css);
  await s.script(
    `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("change", { bubbles: true }));`,
    [css, value],
  );
}

const git = await gitServer(["e2e_app", "e2e_app_docs"]);

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  // First run: the local profile.
  await createProfile(s);
  check("first run creates the profile", cli("account", "list").length === 1);
  // The profile's token for the local git server (tokens are kept per profile and host).
  execFileSync(CLI, ["--data-dir", DATA, "token", "set", "--host", git.host], { input: `${git.token}\n` });

  // A bad project name shows its field error and creates nothing.
  await (await s.find('[data-testid="new-project"]')).click();
  await (await s.find("#project-name")).type("Bad Name");
  await (await s.find('[data-testid="project-create"]')).click();
  const fieldError = await (await s.find('[data-testid="field-error-name"]')).text();
  check("a bad name shows its field error", /lowercase letter/.test(fieldError), fieldError);
  check("and creates nothing", cli("project", "list").length === 0);

  // A project with local git remotes.
  await (await s.find("#project-name")).type("e2e_app");
  await select(s, "#project-framework", "elixir");
  await (await s.find("#project-code-repo")).type(`http://${git.host}/acme/e2e_app`);
  await (await s.find("#project-docs-repo")).type(`http://${git.host}/acme/e2e_app_docs`);
  await (await s.find('[data-testid="project-create"]')).click();
  await s.find('[data-testid="setup-button"]');

  // Set up, and watch the statuses arrive.
  await (await s.find('[data-testid="setup-button"]')).click();
  const seen = [];
  let shotDuringSetup = false;
  let logWhileRunning = "";
  await s.until(
    "the setup to finish",
    async () => {
      const status = await (await s.find('[data-testid="setup-status"]')).text();
      if (seen.at(-1) !== status) seen.push(status);
      if (status !== "ready" && !logWhileRunning.includes("creating mix.exs")) {
        logWhileRunning = await s.script(`return document.querySelector('[data-testid="log-tail"]')?.textContent ?? "";`);
      }
      if (!shotDuringSetup && /compiling|testing/.test(status)) {
        await s.screenshot(join(OUT, "project-during-setup.png"));
        shotDuringSetup = true;
      }
      return status === "ready" || status === "failed";
    },
    180000,
    40,
  );
  check("the statuses arrived live", seen.at(-1) === "ready" && seen.length >= 4, seen.join(" → "));
  check("the step output streamed into the log tail while it ran", logWhileRunning.includes("creating mix.exs"));
  if (!shotDuringSetup) await s.screenshot(join(OUT, "project-during-setup.png"));
  const setupViolations = await axe(s);
  check("the project page after a setup has no serious accessibility violation", setupViolations.length === 0, setupViolations.join("; "));
  const steps = await s.findAll('[data-testid="setup-step"]');
  check("the timeline shows every step (creating repositories, then the five of the recipe)", steps.length === 6, `${steps.length} steps`);
  check("the code repo holds the commit", /Initial commit of e2e_app/.test(mainCommit(git.root, "e2e_app")));
  check("the docs repo holds the spec", /Initial spec of e2e_app/.test(mainCommit(git.root, "e2e_app_docs")));
  const stage = await (await s.find('[data-testid="project-stage"]')).text();
  check("the project moved to initialized", stage === "initialized", stage);

  // The desktop notification reached the notification daemon.
  const notified = await s.until(
    "the notification",
    () => {
      const history = execFileSync("dunstctl", ["history"], { encoding: "utf8" });
      return history.includes("e2e_app is ready") ? history : null;
    },
    15000,
    250,
  ).catch(() => "");
  check("a desktop notification says the setup finished", notified.includes("e2e_app is ready"));

  // The setup's job, in the jobs list and its detail page.
  const setupJob = cli("jobs", "list").find((j) => j.worker !== "DocsSync" && j.worker !== "OrgSync");
  await s.script(`location.hash = arguments[0];`, [`/jobs/${setupJob.id}`]);
  await s.find('[data-testid="job-log"]');
  await sleep(300);
  await s.screenshot(join(OUT, "job-detail.png"));
  const jobViolations = await axe(s);
  check("the job detail page has no serious accessibility violation", jobViolations.length === 0, jobViolations.join("; "));

  // A story edited in two places gives the conflict choice.
  const projectId = cli("project", "show", "e2e_app").id;
  const story = cli("story", "create", "-p", "e2e_app", "--title", "Pay by card", "--description", "As a buyer I pay");
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}/stories`]);
  await (await s.find('[data-testid="story-row"] button')).click();
  await s.find("#story-title");
  // My edit first (an editor with no edits would take their newer version as it arrives).
  await (await s.find("#story-title")).type("Pay with a card");
  cli("story", "update", story.id, "--version", "1", "--title", "Pay by card or cash");
  await sleep(1500);
  await (await s.find('[data-testid="story-save"]')).click();
  await s.find('[data-testid="conflict-choice"]');
  await s.screenshot(join(OUT, "story-conflict.png"));
  check("a stale story edit offers the conflict choice", true);
  await (await s.find('[data-testid="conflict-overwrite"]')).click();
  const saved = await s.until("the overwrite", () => {
    const now = cli("story", "show", story.id);
    return now.title === "Pay with a card" ? now : null;
  }, 15000);
  check("overwrite keeps my edit at the newer version", saved.version === 3, `version ${saved.version}`);

  // The spec reaches the docs repository by itself (the app's docs sync, a few seconds after
  // the edit), and the project page says so.
  const docsRepo = join(git.root, "acme", "e2e_app_docs.git");
  const inDocs = (text) => {
    try {
      return execFileSync("git", ["--git-dir", docsRepo, "grep", "-l", text, "main", "--", "stories"], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const publishState = () => s.script(`const e = document.querySelector('[data-testid="publish-state"]'); return e ? e.dataset.state : null;`);
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}`]);
  const published = await s.until("the edit published", async () => ((await publishState()) === "published" && inDocs("Pay with a card") ? "published" : null), 40000, 500).catch(() => String(cli("docs", "status", "e2e_app").state));
  check("the story edit reaches the docs repository by itself; the page says published", published === "published", published);

  // Another machine (a second data dir) changes the same story's title and publishes first;
  // this one changes it too: a conflict, settled in the window with "Keep mine".
  const other = mkdtempSync(join(tmpdir(), "codemyspec-e2e-other-"));
  const otherCli = (args, input = "") => JSON.parse(execFileSync(CLI, ["--data-dir", other, "--json", ...args], { encoding: "utf8", input }) || "null");
  otherCli(["account", "create", "--email", "bob@example.com"], "a long password\n");
  execFileSync(CLI, ["--data-dir", other, "token", "set", "--host", git.host], { input: `${git.token}\n` });
  otherCli(["project", "create", "e2e_app", "--framework", "elixir", "--docs-repo", `http://${git.host}/acme/e2e_app_docs`]);
  otherCli(["docs", "sync", "e2e_app"]);
  const theirs = otherCli(["story", "show", story.id]);
  otherCli(["story", "update", story.id, "--version", String(theirs.version), "--title", "Pay by card (Bob)"]);
  otherCli(["docs", "sync", "e2e_app"]);
  const mine = cli("story", "show", story.id);
  cli("story", "update", story.id, "--version", String(mine.version), "--title", "Pay by card (Ada)");
  await s.until("the conflict", async () => ((await publishState()) === "conflicts" ? true : null), 40000, 500).catch(() => null);
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}/conflicts`]);
  const card = await s.find('[data-testid="conflict-card"]');
  const cardText = await card.text();
  await s.screenshot(join(OUT, "docs-conflict.png"));
  const conflictViolations = await axe(s);
  check("the conflicts view with a conflict has no serious accessibility violation", conflictViolations.length === 0, conflictViolations.join("; "));
  check("the conflicts view shows both titles side by side", cardText.includes("Pay by card (Ada)") && cardText.includes("Pay by card (Bob)"), cardText.replace(/\s+/g, " ").slice(0, 200));
  await (await s.find('[data-testid="conflict-keep-mine"]')).click();
  await s.find('[data-testid="conflicts-empty"]');
  const kept = await s.until("mine published", () => (inDocs("Pay by card (Ada)") ? "published" : null), 40000, 500).catch(() => "not published");
  check("keeping mine publishes it to the docs repository", kept === "published", kept);
  otherCli(["docs", "sync", "e2e_app"]);
  check("and the other machine takes it", otherCli(["story", "show", story.id]).title === "Pay by card (Ada)");

  // The component graph.
  for (const [name, file] of [["Payments", "lib/payments.ex"], ["Payments.Charge", "lib/payments/charge.ex"], ["Web.PayLive", "lib/web/pay_live.ex"], ["Catalog", "lib/catalog.ex"]]) {
    cli("component", "create", "-p", "e2e_app", name, "--file", file);
  }
  cli("component", "depend", "Payments", "-p", "e2e_app", "--on", "Payments.Charge");
  cli("component", "depend", "Web.PayLive", "-p", "e2e_app", "--on", "Payments");
  cli("component", "depend", "Web.PayLive", "-p", "e2e_app", "--on", "Catalog");
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}/components`]);
  await s.find('[data-testid="component-graph"]');
  await sleep(500);
  await s.screenshot(join(OUT, "component-graph.png"));
  const nodes = await s.script(`return document.querySelectorAll('[data-testid="graph-node"]').length;`);
  check("the component graph draws every component", nodes >= 4, `${nodes} nodes`);

  // Everything the CLI does with components, in the window: edit, remove a dependency, delete.
  const componentRow = (name) => s.script(
    `return [...document.querySelectorAll('[data-testid="component-row"] button.link')].find((b) => b.textContent.trim() === arguments[0]) ? true : null;`,
    [name],
  );
  const pick = (name) => s.script(
    `[...document.querySelectorAll('[data-testid="component-row"] button.link')].find((b) => b.textContent.trim() === arguments[0]).click();`,
    [name],
  );
  await s.until("the Catalog row", () => componentRow("Catalog"));
  await pick("Catalog");
  const nameInput = await s.find('[data-testid="component-edit-name"]');
  await nameInput.type("Catalog.Browse");
  await (await s.find('[data-testid="component-edit-save"]')).click();
  const renamed = await s.until("the rename", () => (cli("component", "list", "-p", "e2e_app").some((c) => c.name === "Catalog.Browse") ? true : null), 10000).catch(() => false);
  check("a component is renamed in the window", renamed === true);
  await pick("Web.PayLive");
  await s.find('[data-testid="component-dependencies"]');
  const before = (await s.findAll('[data-testid="dependency-remove"]')).length;
  await (await s.find('[data-testid="dependency-remove"]')).click();
  const after = await s.until("the dependency gone", async () => {
    const n = (await s.findAll('[data-testid="dependency-remove"]')).length;
    return n === before - 1 ? String(n) : null;
  }, 10000).catch(() => "unchanged");
  const deps = cli("component", "deps", "Web.PayLive", "-p", "e2e_app");
  check("a dependency is removed in the window, and the list follows", after === String(before - 1) && deps.length === before - 1, `${before} → ${after}, CLI ${deps.length}`);
  await pick("Catalog.Browse");
  await (await s.find('[data-testid="component-delete"]')).click();
  await s.find('[data-testid="confirm-delete"]');
  await s.screenshot(join(OUT, "component-delete-confirm.png"));
  await s.script(`[...document.querySelectorAll('[data-testid="confirm-delete"] button')].find((b) => /yes, delete/i.test(b.textContent)).click();`);
  const gone = await s.until("the component deleted", () => (cli("component", "list", "-p", "e2e_app").every((c) => c.name !== "Catalog.Browse") ? true : null), 10000).catch(() => false);
  check("a component is deleted in the window after one confirmation", gone === true);

  // A session's details.
  cli("session", "create", "-p", "e2e_app", "--type", "design", "--target-type", "project");
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}/sessions`]);
  await (await s.find('[data-testid="session-row"] button')).click();
  const detail = await (await s.find('[data-testid="session-detail"]')).text();
  check("a session's details open from its row", /design/i.test(detail), detail.replace(/\s+/g, " ").slice(0, 120));

  // The project itself: description, executive summary and its approval, the context
  // mapping, members.
  await s.script(`location.hash = arguments[0];`, [`/projects/${projectId}`]);
  await (await s.find('[data-testid="project-edit-description"]')).type(" Edited in the window.");
  await (await s.find('[data-testid="project-edit-save"]')).click();
  const described = await s.until("the description", () => (/Edited in the window\./.test(cli("project", "show", "e2e_app").description ?? "") ? true : null), 10000).catch(() => false);
  check("the project's description is edited in the window", described === true);
  await (await s.find('[data-testid="summary-text"]')).type("A shop that takes card payments.");
  await (await s.find('[data-testid="summary-save"]')).click();
  await s.until("the summary saved", () => (cli("project", "show", "e2e_app").executive_summary ? true : null), 10000).catch(() => null);
  await (await s.find('[data-testid="summary-approve"]')).click();
  await (await s.find('[data-testid="mapping-approve"]')).click();
  const approved = await s.until("the approvals", () => {
    const p = cli("project", "show", "e2e_app");
    return p.executive_summary_approved && p.context_mapping_approved ? p : null;
  }, 10000).catch(() => null);
  check("the executive summary and the context mapping are approved in the window", approved !== null);
  execFileSync(CLI, ["--data-dir", DATA, "account", "create", "--email", "bob@example.com"], { input: "a long password\n" });
  cli("--as", "ada@example.com", "account", "show");
  await (await s.find('[data-testid="member-email"]')).type("bob@example.com");
  await select(s, '[data-testid="member-role"]', "member");
  await (await s.find('[data-testid="member-add"]')).click();
  const added = await s.until("bob added", () => (cli("member", "list", "e2e_app").some((m) => m.email === "bob@example.com") ? true : null), 10000).catch(() => false);
  check("a member is added by email in the window", added === true);
  await s.until("bob's row", async () => ((await s.findAll('[data-testid="member-row"][data-email="bob@example.com"]')).length ? true : null), 10000);
  await s.screenshot(join(OUT, "project-overview-members.png"));
  await (await s.find('[data-testid="member-row"][data-email="bob@example.com"] [data-testid="member-remove"]')).click();
  await s.script(`[...document.querySelectorAll('[data-testid="confirm-delete"] button')].find((b) => /yes/i.test(b.textContent)).click();`);
  const removed = await s.until("bob removed", () => (cli("member", "list", "e2e_app").every((m) => m.email !== "bob@example.com") ? true : null), 10000).catch(() => false);
  check("a member is removed in the window after one confirmation", removed === true);

  // Deleting a project: one question that names it and keeps its GitHub repositories.
  const scratch = cli("project", "create", "scratch_app", "--framework", "elixir");
  await s.script(`location.hash = arguments[0];`, [`/projects/${scratch.id}`]);
  await (await s.find('[data-testid="project-delete"]')).click();
  const question = await (await s.find('[data-testid="confirm-delete"]')).text();
  check("deleting a project names it and says GitHub repositories are kept", /scratch_app/.test(question) && /GitHub/.test(question), question.replace(/\s+/g, " ").slice(0, 160));
  await s.script(`[...document.querySelectorAll('[data-testid="confirm-delete"] button')].find((b) => /yes, delete/i.test(b.textContent)).click();`);
  const deleted = await s.until("scratch_app deleted", () => (cli("project", "list").every((p) => p.name !== "scratch_app") ? true : null), 10000).catch(() => false);
  check("a project is deleted in the window", deleted === true);

  // The dashboard.
  await s.script(`location.hash = "/";`);
  await s.find('[data-testid="project-row"]');
  await sleep(300);
  await s.screenshot(join(OUT, "dashboard.png"));
  check("the dashboard lists the project", (await s.findAll('[data-testid="project-row"]')).length === 1);

  // GitHub: sign in with a token against the local stand-in, sync, see a discovered project.
  const gh = await gitHubStandIn();
  await gh.control("users", { login: "ada-gh", token: "ghp_e2e_ada" });
  await gh.control("orgs", { login: "acme" });
  await gh.control("repos", { owner: "acme", name: "Found-On-GitHub" });
  cli("config", "set", "github_api_url", gh.url);
  cli("config", "set", "github_org", "acme");
  await s.script(`location.hash = "/settings";`);
  await (await s.find("#settings-token")).type("ghp_e2e_ada");
  await (await s.find('[data-testid="token-sign-in"]')).click();
  const login = await (await s.find('[data-testid="github-login"]')).text();
  check("Settings signs in with a token GitHub accepts", login.includes("ada-gh"), login);
  await s.script(`location.hash = "/";`);
  await (await s.find('[data-testid="sync-now"]')).click();
  const found = await s.until("the discovered project", async () => {
    const rows = await s.script(`return [...document.querySelectorAll('[data-testid="project-row"]')].map((r) => r.textContent);`);
    return rows.find((r) => r.includes("found_on_github")) ?? null;
  }, 20000).catch(() => "");
  check("a sync shows the repository as a discovered project", /discovered/i.test(found), found);
  await s.screenshot(join(OUT, "dashboard-synced.png"));
  const line = await (await s.find('[data-testid="sync-line"]')).text();
  check("the sync line tells the last run", /Last run succeeded/.test(line), line);
  // A discovered project is brought onto this machine by setting it up (its code cloned):
  // no Adopt, and the button says so.
  const discovered = cli("project", "show", "found_on_github");
  await s.script(`location.hash = arguments[0];`, [`/projects/${discovered.id}`]);
  const setUp = await (await s.find('[data-testid="setup-button"]')).text();
  check("a discovered project offers Set up on this machine", setUp.includes("Set up on this machine"), setUp);
  check("and no move to initialized by hand", !(await s.exists('[data-testid="move-initialized"]')));
  await s.screenshot(join(OUT, "project-discovered.png"));
  gh.server.kill();

  // The app's log: a file in the OS log folder (Settings shows where) holding what happened
  // — and neither token nor password.
  await s.script(`location.hash = "/settings";`);
  const logDirShown = await (await s.find('[data-testid="log-dir"]')).text();
  const logDir = join(process.env.XDG_DATA_HOME, "dev.codemyspec.desktop", "logs");
  check("Settings shows the log folder", logDirShown.includes(logDir), logDirShown);
  const logs = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), "utf8")).join("\n");
  check("the log holds what happened (start, docs syncs, the org sync)", /CodeMySpec starts/.test(logs) && /docs sync/.test(logs) && /org sync/.test(logs), `${logs.length} characters`);
  const secrets = [git.token, "ghp_e2e_ada", "a long password"].filter((x) => logs.includes(x));
  check("the log holds no token and no password", secrets.length === 0, secrets.join(", "));
} catch (e) {
  crashed(e);
  await s.screenshot(join(OUT, "failure.png")).catch(() => {});
} finally {
  await s.end();
  git.server.kill();
}
finish(`screenshots in ${OUT}`);

