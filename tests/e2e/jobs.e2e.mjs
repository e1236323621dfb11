// End to end in the real window (issue 19, the setup panel and the jobs): a project with
// local git remotes is set up from its page; a burst of story edits made in the window is
// one docs sync; back on Overview the setup's steps and log still show; the Jobs page
// filters by queue, project and state and folds a project's docs syncs into one row that
// opens; Check requirements answers (all met, or what is missing); a setup the person
// cancels reads "cancelled" in neutral colours, its history line "setup cancelled", and no
// "failed" notification is raised. Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session, sleep } from "./webdriver.mjs";
import { axe } from "./axe.mjs";
import { gitServer } from "./servers.mjs";
import { cliFor, createProfile, tally } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-e2e-jobs-"));
const { check, crashed, finish } = tally();

const cli = cliFor(APP, DATA);

/** What the notification daemon was shown, by summary. */
function notifications() {
  return JSON.parse(execFileSync("dunstctl", ["history"], { encoding: "utf8" })).data.flat().map((n) => n.summary.data);
}

async function select(s, css, value) {
  await s.find(css);
  await s.script(`const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("change", { bubbles: true }));`, [css, value]);
}

const go = (s, hash) => s.script(`location.hash = arguments[0];`, [hash]);
// A pointer click lands where the button was when it was found: the lines the project page
// draws above its setup panel once their reads answer (the publish state, the lifecycle's
// moves) move the button down, and a click made meanwhile lands beside it (seen once in CI).
const settled = (s) =>
  s.until("the project page drawn", () => s.script(`return !!document.querySelector('[data-testid="publish-state"]') && !!document.querySelector('[data-testid^="move-"]');`), 15000, 100);
const texts = (s, css) => s.script(`return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.replace(/\\s+/g, " ").trim());`, [css]);
const docsSyncs = (project) => cli("jobs", "list", "--queue", "docs_sync", "--project", project, "--limit", "1000");
const waiting = (project) => docsSyncs(project).filter((j) => ["available", "scheduled", "executing", "retryable"].includes(j.state));

const git = await gitServer(["e2e_jobs", "e2e_jobs_docs", "e2e_stop", "e2e_stop_docs"]);
const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await createProfile(s);
  execFileSync(CLI, ["--data-dir", DATA, "token", "set", "--host", git.host], { input: `${git.token}\n` });

  const repo = (name) => `http://${git.host}/acme/${name}`;
  const jobsProject = cli("project", "create", "e2e_jobs", "--framework", "elixir", "--code-repo", repo("e2e_jobs"), "--docs-repo", repo("e2e_jobs_docs"));
  const stories = ["Pay by card", "Ship to a locker", "Return an order"].map((title) => cli("story", "create", "-p", "e2e_jobs", "--title", title, "--description", "As a buyer"));
  const phx = cli("project", "create", "e2e_phx", "--framework", "phoenix");

  // Check requirements always answers: here everything the elixir recipe needs is present.
  await go(s, `/projects/${jobsProject.id}`);
  await settled(s);
  await (await s.find('[data-testid="check-requirements"]')).click();
  const answer = async () => {
    const text = await s.until("an answer", async () => {
      const t = (await (await s.find('[data-testid="check-answer"]')).text()).trim();
      return t && !t.startsWith("Checking") ? t : null;
    }, 60000); // the first check boots Elixir from a cold disk
    const missing = await texts(s, '[data-testid="check"].missing');
    return { text, missing };
  };
  const met = await answer();
  check("Check requirements answers that all requirements are met", met.text === "All requirements met." && met.missing.length === 0, met.text);
  await (await s.find('[data-testid="check-requirements"]')).click();
  const again = await answer();
  check("and answers again when pressed again", again.text === "All requirements met.", again.text);

  // A Phoenix project: whatever this machine lacks is named, and the answer matches the list.
  await go(s, `/projects/${phx.id}`);
  await s.until("the phoenix page", async () => ((await (await s.find('[data-testid="project-title"]')).text()) === "e2e_phx" ? true : null));
  await settled(s);
  await (await s.find('[data-testid="check-requirements"]')).click();
  const phxAnswer = await answer();
  const names = await s.script(
    `return [...document.querySelectorAll('[data-testid="check"].missing')].map((e) => e.textContent.replace(/^\\s*✗\\s*Missing:\\s*/, "").split(":")[0].trim());`,
  );
  const expected = names.length === 0 ? "All requirements met." : `${names.length === 1 ? "1 requirement is" : `${names.length} requirements are`} missing: ${names.join(", ")}.`;
  check("for a Phoenix project it answers with exactly what is missing (or all met)", phxAnswer.text === expected, `${phxAnswer.text} | ${names.join(", ")}`);
  await s.screenshot(join(OUT, "jobs-check-requirements.png"));

  // Set the project up from its page.
  await go(s, `/projects/${jobsProject.id}`);
  await s.until("the jobs project page", async () => ((await (await s.find('[data-testid="project-title"]')).text()) === "e2e_jobs" ? true : null));
  await (await s.find('[data-testid="setup-button"]')).click();
  const status = () => s.script(`return document.querySelector('[data-testid="setup-status"]')?.textContent ?? "";`);
  await s.until("the setup to finish", async () => (["ready", "failed"].includes(await status()) ? true : null), 240000, 200);
  check("the project is set up", (await status()) === "ready", await status());
  const setupJob = cli("jobs", "list", "--queue", "project_setup", "--project", "e2e_jobs")[0];
  const stepsAfterSetup = (await s.findAll('[data-testid="setup-step"]')).length;
  check("the setup panel shows the setup's steps", stepsAfterSetup >= 5, `${stepsAfterSetup} steps`);
  const ready = await s.until("the ready notification", () => (notifications().some((n) => n.includes("e2e_jobs is ready")) ? true : null), 15000, 250).catch(() => false);
  check("the desktop notification of the finished setup reached the notification daemon", ready === true);

  // Let whatever the setup left to publish go first, so the burst below starts clean.
  await s.until("no docs sync waiting", () => (waiting("e2e_jobs").length === 0 ? true : null), 60000, 500);
  const before = Math.max(0, ...docsSyncs("e2e_jobs").map((j) => j.id));

  // A burst of edits in the window: each story's title changed and saved, one after another.
  await go(s, `/projects/${jobsProject.id}/stories`);
  for (const [i, story] of stories.entries()) {
    // A person's pace: longer between saves than a fixed debounce of a few seconds.
    if (i > 0) await sleep(4000);
    await (await s.find(`button[data-story-id="${story.id}"]`)).click();
    await s.until(`the editor of ${story.title}`, async () => ((await (await s.find("#story-title")).value()) === story.title ? true : null));
    await (await s.find("#story-title")).type(`${story.title} (burst)`);
    await (await s.find('[data-testid="story-save"]')).click();
    await s.until(`${story.title} saved`, () => (cli("story", "show", story.id).title === `${story.title} (burst)` ? true : null), 15000, 200);
  }
  const docsRepo = join(git.root, "acme", "e2e_jobs_docs.git");
  const inDocs = (text) => {
    try {
      return execFileSync("git", ["--git-dir", docsRepo, "grep", "-l", text, "main", "--", "stories"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  const published = await s.until("the burst published", () => (inDocs("(burst)") === stories.length ? true : null), 90000, 500).catch(() => false);
  check("the burst of edits reaches the docs repository", published === true, `${inDocs("(burst)")} of ${stories.length} stories`);
  const burstJobs = docsSyncs("e2e_jobs").filter((j) => j.id > before);
  check("the burst of edits was one docs-sync job", burstJobs.length === 1, burstJobs.map((j) => `#${j.id} ${j.state}`).join(", "));

  // Back on Overview, the setup panel still shows the setup, not the docs sync.
  await (await s.find(`nav.tabs a[href="#/projects/${jobsProject.id}/"]`)).click();
  await s.find('[data-testid="setup"]');
  const jobLine = await s.until("the setup panel", async () => {
    const t = await s.script(`return document.querySelector('[data-testid="setup"]')?.textContent ?? "";`);
    return t.includes(`Job ${setupJob.id} `) ? t : null;
  }).catch(async () => s.script(`return document.querySelector('[data-testid="setup"]')?.textContent ?? "";`));
  check("after the edits, Overview → Setup still shows the setup job", jobLine.includes(`Job ${setupJob.id} `) && jobLine.includes("completed"), jobLine.replace(/\s+/g, " ").slice(0, 160));
  const stepsNow = (await s.findAll('[data-testid="setup-step"]')).length;
  check("and its steps", stepsNow === stepsAfterSetup, `${stepsNow} steps (${stepsAfterSetup} after the setup)`);
  const log = await s.until("the setup's log", async () => {
    const t = await s.script(`return document.querySelector('[data-testid="log-tail"]')?.textContent ?? "";`);
    return t.trim() ? t : null;
  }).catch(() => "");
  check("and its log", log.trim().length > 0, `${log.length} characters`);
  const docsLine = await (await s.find('[data-testid="publish-state"]')).text();
  check("the docs sync has its own line on the page", docsLine.trim().length > 0, docsLine);
  await s.screenshot(join(OUT, "jobs-setup-kept-after-edits.png"));

  // A second burst (one edit): another docs sync, so that the project has several.
  await go(s, `/projects/${jobsProject.id}/stories`);
  await (await s.find(`button[data-story-id="${stories[0].id}"]`)).click();
  await s.until("the editor", async () => ((await (await s.find("#story-title")).value()).includes("(burst)") ? true : null));
  await (await s.find("#story-title")).type("Pay by card (again)");
  await (await s.find('[data-testid="story-save"]')).click();
  await s.until("the second edit published", () => (inDocs("(again)") === 1 && waiting("e2e_jobs").length === 0 ? true : null), 90000, 500).catch(() => null);

  // A second project whose setup the person cancels while a step runs.
  const stop = cli("project", "create", "e2e_stop", "--framework", "elixir", "--code-repo", repo("e2e_stop"), "--docs-repo", repo("e2e_stop_docs"));
  await go(s, `/projects/${stop.id}`);
  await s.until("the stop project page", async () => ((await (await s.find('[data-testid="project-title"]')).text()) === "e2e_stop" ? true : null));
  await (await s.find('[data-testid="setup-button"]')).click();
  await s.until("a step running", async () => ((await texts(s, '[data-testid="setup-step"].running')).length > 0 ? true : null), 120000, 50);
  await (await s.find('[data-testid="cancel-button"]')).click();
  await s.until("the cancel", async () => ((await status()) === "cancelled" ? true : null), 30000, 100).catch(() => null);
  check("a cancelled setup reads cancelled, not failed", (await status()) === "cancelled", await status());
  const said = await (await s.find('[data-testid="setup-error"]')).text();
  check("it says the person cancelled it", said.includes("You cancelled this setup"), said);
  // The step ends after the cancel is recorded (its process is killed then): the timeline
  // follows it there, and no step stays running.
  await s.until("the cancelled step", async () => ((await texts(s, '[data-testid="setup-step"].cancelled')).length > 0 ? true : null), 15000, 100).catch(() => null);
  const stillRunning = await texts(s, '[data-testid="setup-step"].running');
  check("no step of the cancelled setup stays running", stillRunning.length === 0, stillRunning.join(" | "));
  const colours = await s.script(`
    const probe = document.createElement("span");
    probe.style.color = "var(--danger)";
    document.body.append(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    const panel = document.querySelector('[data-testid="setup"]');
    const dots = [...panel.querySelectorAll('[data-testid="setup-step"].cancelled .dot')].map((d) => getComputedStyle(d).backgroundColor);
    const badge = panel.querySelector('[data-testid="setup-status"]').closest(".badge");
    const reds = [...panel.querySelectorAll("*")].filter((e) => e.children.length === 0 && !e.closest('[data-testid="log-tail"]') && e.textContent.trim() && getComputedStyle(e).color === danger).map((e) => e.textContent.trim());
    const log = panel.querySelector('[data-testid="log-tail"]')?.textContent ?? "";
    return { danger, dots, badgeFailed: badge.classList.contains("badge-failed"), reds, text: panel.textContent.replace(log, "") };`);
  check("the cancelled step is in the timeline, in a neutral colour", colours.dots.length === 1 && !colours.dots.includes(colours.danger), `${colours.dots.join(", ")} vs danger ${colours.danger}`);
  check("nothing in the setup panel is red or says failed", !colours.badgeFailed && colours.reds.length === 0 && !/failed/i.test(colours.text), colours.reds.join(" | "));
  const historyReason = await s.until("the history line", async () => {
    const r = await s.script(`
      const h = [...document.querySelectorAll("h2")].find((e) => e.textContent.trim() === "Stage history");
      const rows = h ? [...h.closest("section").querySelectorAll("tbody tr")] : [];
      return rows.length ? rows.at(-1).lastElementChild.textContent.trim() : null;`);
    return r === "setup cancelled" ? r : null;
  }, 10000).catch(() => "not found");
  check("the stage history line reads setup cancelled", historyReason === "setup cancelled", historyReason);
  await s.screenshot(join(OUT, "jobs-setup-cancelled.png"));
  await sleep(3000); // a notification would have been raised with the cancel
  const shown = notifications();
  check("no failed notification for the cancelled setup", !shown.some((n) => n.includes("e2e_stop")), shown.join(" | "));
  const cancelViolations = await axe(s);
  check("the cancelled setup's page has no serious accessibility violation", cancelViolations.length === 0, cancelViolations.join("; "));

  // The Jobs page: the project's docs syncs fold into one row with their count.
  await go(s, "/jobs");
  await s.find('[data-testid="job-table"]');
  const allSyncs = docsSyncs("e2e_jobs");
  const group = await s.until("the folded docs syncs", async () => {
    const groups = await texts(s, '[data-testid="docs-group"]');
    return groups.find((g) => g.includes("e2e_jobs")) ?? null;
  }).catch(() => "");
  const count = await s.script(
    `const g = [...document.querySelectorAll('[data-testid="docs-group"]')].find((r) => r.textContent.includes("e2e_jobs")); return g ? g.querySelector('[data-testid="docs-group-count"]').textContent : null;`,
  );
  check("a project's docs syncs are one row with their count", allSyncs.length >= 2 && count === String(allSyncs.length), `${group} (CLI: ${allSyncs.length})`);
  const syncRows = async () => (await texts(s, '[data-testid="job-row"] .col-job a')).filter((t) => t.includes("DocsSync"));
  check("none of them is shown while folded", (await syncRows()).length === 0, (await syncRows()).join(", "));
  await s.screenshot(join(OUT, "jobs-folded.png"));
  await (await s.find('[data-testid="docs-group-toggle"]')).click();
  const opened = await s.until("the unfolded syncs", async () => ((await syncRows()).length === allSyncs.length ? await syncRows() : null)).catch(async () => syncRows());
  check("opening the row shows each of them", opened.length === allSyncs.length && allSyncs.every((j) => opened.includes(`#${j.id} DocsSync`)), opened.join(", "));
  const expanded = await s.script(`return document.querySelector('[data-testid="docs-group-toggle"]').getAttribute("aria-expanded");`);
  check("the row says it is open", expanded === "true", expanded);
  await s.screenshot(join(OUT, "jobs-unfolded.png"));
  const jobsViolations = await axe(s);
  check("the Jobs page with its filters and an open group has no serious accessibility violation", jobsViolations.length === 0, jobsViolations.join("; "));

  // Filter by queue: the setups only.
  const rowNames = () => texts(s, '[data-testid="job-row"] .col-job a');
  await select(s, '[data-testid="filter-queue"]', "project_setup");
  const setups = cli("jobs", "list", "--queue", "project_setup").map((j) => `#${j.id} ${j.worker}`);
  const bySetup = await s.until("the setups", async () => {
    const names = await rowNames();
    return names.length === setups.length && !(await s.exists('[data-testid="docs-group"]')) ? names : null;
  }).catch(async () => rowNames());
  check("filtering by the setup queue shows the setups only", bySetup.length === setups.length && setups.every((n) => bySetup.includes(n)), bySetup.join(", "));

  // And by project.
  await select(s, '[data-testid="filter-project"]', stop.id);
  const stopRows = await s.until("the stop project's setup", async () => {
    const rows = await texts(s, '[data-testid="job-row"]');
    return rows.length === 1 && rows[0].includes("e2e_stop") ? rows : null;
  }).catch(async () => texts(s, '[data-testid="job-row"]'));
  check("and by project: its one setup, cancelled", stopRows.length === 1 && stopRows[0].includes("cancelled"), stopRows.join(" | "));
  await select(s, '[data-testid="filter-project"]', phx.id);
  const none = await s.until("no jobs", async () => ((await s.exists('[data-testid="job-row"]')) ? null : (await (await s.find(".jobs p")).text()))).catch(() => "rows shown");
  check("a project without jobs says no job matches", none === "No jobs match these filters.", none);

  // And by state, with the queue filter cleared.
  await (await s.find('[data-testid="filter-clear"]')).click();
  await (await s.find('[data-testid="count-cancelled"]')).click();
  const cancelledIds = cli("jobs", "list", "--state", "cancelled").map((j) => j.id);
  const byState = await s.until("the cancelled jobs", async () => {
    const rows = await texts(s, '[data-testid="job-row"] .col-state');
    return rows.length === cancelledIds.length && rows.every((r) => r === "cancelled") ? rows : null;
  }).catch(async () => texts(s, '[data-testid="job-row"] .col-state'));
  check("filtering by state shows that state's jobs only", cancelledIds.length >= 1 && byState.length === cancelledIds.length, byState.join(", "));
  await s.screenshot(join(OUT, "jobs-filtered.png"));
} catch (e) {
  crashed(e);
  await s.screenshot(join(OUT, "jobs-failure.png")).catch(() => {});
} finally {
  await s.end();
  git.server.kill();
}
finish(`screenshots in ${OUT}`);
