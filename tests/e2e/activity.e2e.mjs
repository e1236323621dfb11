// Issue 21: what GitHub shows, in the real window (WebKitGTK under Xvfb through tauri-driver)
// against the GitHub stand-in (its events feed and commits, real git over smart HTTP). Another
// user pushes to the project's code repository; "Sync now" on the dashboard; the project page
// shows "Last change on GitHub: <who>, <when>, <title>" and "1 commit on GitHub you do not have
// here"; Pull brings the file and the notice goes. Then a working copy with a commit of its own
// and a new push on GitHub: Pull is refused under its button, and nothing in the copy changes.
// The project's folder is a plain clone recorded as the project's folder (what a setup on this
// machine leaves; the setup itself is tested in phoenix.e2e.mjs and clone_setup.rs).
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitHubStandIn } from "./servers.mjs";
import { Session } from "./webdriver.mjs";
import { axe } from "./axe.mjs";
import { cliFor, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-activity-"));
const HOME = mkdtempSync(join(tmpdir(), "codemyspec-activity-work-"));
const ADA = "ghp_e2e_activity_ada";
const BOB = "ghp_e2e_activity_bob";
const { check, crashed, finish } = tally();
const cli = cliFor(APP, DATA);

/** `git ARGS` in `dir` as `login` at a terminal: their own name and credentials. */
function git(dir, [login, token], ...args) {
  const helper = `!f() { echo username=x-access-token; echo password=${token}; }; f`;
  const id = ["-c", `credential.helper=${helper}`, "-c", `user.name=${login}`, "-c", `user.email=${login}@users.noreply.github.com`];
  return execFileSync("git", [...id, ...args], { cwd: dir, encoding: "utf8" }).trim();
}

function commit(dir, who, file, text, message) {
  writeFileSync(join(dir, file), text);
  git(dir, who, "add", file);
  git(dir, who, "commit", "-qm", message);
}

const gh = await gitHubStandIn();
await gh.control("users", { login: "ada-gh", token: ADA });
await gh.control("users", { login: "bob-gh", token: BOB });
await gh.control("orgs", { login: "acme", members: ["ada-gh", "bob-gh"] });
await gh.control("repos", { owner: "acme", name: "shop" });
const repoUrl = `${gh.url}/acme/shop.git`;
const ada = ["ada-gh", ADA];
const bob = ["bob-gh", BOB];

// Ada's first commit, her profile signed in and synced; her working copy is the project's folder.
git(HOME, ada, "clone", "-q", repoUrl, "first");
git(join(HOME, "first"), ada, "checkout", "-q", "-b", "main");
commit(join(HOME, "first"), ada, "README.md", "# shop\n", "First commit");
git(join(HOME, "first"), ada, "push", "-q", "origin", "HEAD:main");
execFileSync(CLI, ["--data-dir", DATA, "account", "create", "--email", "ada@example.com"], { input: "a long password\n" });
cli("config", "set", "github_api_url", gh.url);
cli("config", "set", "github_org", "acme");
execFileSync(CLI, ["--data-dir", DATA, "--json", "github", "login", "--with-token"], { input: `${ADA}\n` });
const firstSync = cli("sync", "now");
check("`codemyspec sync now` polls the activity feed too", firstSync.activity?.status === "ok", JSON.stringify(firstSync.activity));
const shop = cli("project", "list").find((p) => p.name === "shop");
git(HOME, ada, "clone", "-q", repoUrl, "ada");
const work = join(HOME, "ada");
execFileSync("sqlite3", [join(DATA, "codemyspec.db"), `UPDATE projects SET local_path = '${work}', stage = 'initialized', setup_status = 'ready', setup_complete = 1 WHERE id = '${shop.id}'`]);

// Bob pushes from his own clone.
git(HOME, bob, "clone", "-q", repoUrl, "bob");
commit(join(HOME, "bob"), bob, "prices.txt", "tea 3\n", "Add the price list");
git(join(HOME, "bob"), bob, "push", "-q", "origin", "HEAD:main");

const text = (s, id) => s.script(`return document.querySelector('[data-testid="${id}"]')?.textContent?.trim() ?? null;`);

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  // The profile made with the CLI opens at the dashboard.
  await s.find('[data-testid="sync-now"]', 30000);
  await (await s.find('[data-testid="sync-now"]')).click();
  await s.until("Sync now to finish", async () => ((await s.script(`return document.querySelector('[data-testid="sync-now"]')?.disabled === false;`)) ? true : null), 30000, 200);

  await s.script(`location.hash = arguments[0];`, [`/projects/${shop.id}`]);
  const line = await s.until("the last change line", async () => {
    const t = await text(s, "last-change");
    return t && t.includes("Add the price list") ? t : null;
  }, 15000, 200).catch(() => "");
  check("the project page shows who changed it on GitHub and the commit's title", /^Last change on GitHub: bob-gh, .+, Add the price list$/.test(line), line);
  const why = (await s.until("the stage rule line", async () => text(s, "stage-why"), 15000, 200).catch(() => "")).replace(/\s+/g, " ");
  check("the lifecycle says which rule GitHub's evidence would move it by next, and what is missing", /^Next by GitHub: designed — missing: none of IMPLEMENTATION\.md, docs\/architecture on main at [0-9a-f]{7}$/.test(why), why);
  const notice = (await text(s, "behind-notice")) ?? "";
  check('and "1 commit on GitHub you do not have here"', notice.includes("1 commit on GitHub you do not have here"), notice);
  await s.screenshot(join(OUT, "activity-last-change.png"));
  const noticeViolations = await axe(s);
  check("the line, the notice and Pull raise no serious accessibility violation", noticeViolations.length === 0, noticeViolations.join("; "));
  const shown = execFileSync(CLI, ["--data-dir", DATA, "project", "show", "shop"], { encoding: "utf8" });
  check("`codemyspec project show` says the same", shown.includes("Last change on GitHub: bob-gh,") && shown.includes("Add the price list") && shown.includes("1 commit on GitHub you do not have here"), shown.split("\n").slice(-3).join(" | "));

  await (await s.find('[data-testid="pull"]')).click();
  const gone = await s.until("the notice to go", async () => ((await text(s, "behind-notice")) === null && (await text(s, "pulled")) ? true : null), 30000, 200).catch(() => false);
  check("Pull: the notice is gone and says what it brought", gone === true, (await text(s, "pulled")) ?? "");
  check("the pushed file is in the working copy", existsSync(join(work, "prices.txt")) && readFileSync(join(work, "prices.txt"), "utf8") === "tea 3\n");
  await s.screenshot(join(OUT, "activity-pulled.png"));
  const again = execFileSync(CLI, ["--data-dir", DATA, "pull", "shop"], { encoding: "utf8" }).trim();
  check("`codemyspec pull` after it: up to date", again === "shop is up to date with GitHub", again);

  // Diverged: a commit here, another on GitHub. Pull is refused under its button.
  commit(work, ada, "notes.txt", "mine\n", "Ada's notes");
  const mine = git(work, ada, "rev-parse", "HEAD");
  // Bob also commits the implementation plan: the stage rules move the project to designed.
  commit(join(HOME, "bob"), bob, "IMPLEMENTATION.md", "# Plan\n", "Plan the shop");
  commit(join(HOME, "bob"), bob, "prices.txt", "tea 4\n", "Raise the price of tea");
  git(join(HOME, "bob"), bob, "push", "-q", "origin", "HEAD:main");
  await s.script(`location.hash = "/";`);
  await (await s.find('[data-testid="sync-now"]', 15000)).click();
  await s.until("Sync now to finish", async () => ((await s.script(`return document.querySelector('[data-testid="sync-now"]')?.disabled === false;`)) ? true : null), 30000, 200);
  await s.script(`location.hash = arguments[0];`, [`/projects/${shop.id}`]);
  await s.until("the new head", async () => ((await text(s, "last-change"))?.includes("Raise the price of tea") ? true : null), 15000, 200);
  const current = await s.until("the stage to follow GitHub", async () => {
    const stage = await s.script(`return document.querySelector('[data-testid="lifecycle"] li[aria-current="step"]')?.dataset.stage ?? null;`);
    return stage === "designed" ? stage : null;
  }, 15000, 200).catch(() => "");
  const moves = cli("stage", "history", "shop").filter((m) => m.trigger === "sync").map((m) => `${m.to_stage}: ${m.reason}`);
  check("IMPLEMENTATION.md on GitHub moved the project to designed, by GitHub, with the evidence in its history", current === "designed" && moves.length === 2 && /^designed: GitHub: IMPLEMENTATION\.md on main at [0-9a-f]{7}/.test(moves[1]), `${current}; ${moves.join(" | ")}`);
  await (await s.find('[data-testid="pull"]')).click();
  const refused = await s.until("the refusal", async () => text(s, "pull-error"), 30000, 200).catch(() => "");
  check("a diverged working copy: Pull says so under its button, with what to do", /diverged/.test(refused) && /rebase/.test(refused), refused);
  check("and nothing in the working copy changed", git(work, ada, "rev-parse", "HEAD") === mine && readFileSync(join(work, "prices.txt"), "utf8") === "tea 3\n" && git(work, ada, "status", "--porcelain") === "");
  await s.screenshot(join(OUT, "activity-diverged.png"));
  let cliRefusal = { status: 0, out: "" };
  try {
    execFileSync(CLI, ["--data-dir", DATA, "--json", "pull", "shop"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    cliRefusal = { status: e.status, out: `${e.stdout}${e.stderr}` };
  }
  check("`codemyspec pull` refuses the same way, with a typed error", cliRefusal.status !== 0 && /"code":\s*"conflict"/.test(cliRefusal.out) && /"reason":\s*"diverged"/.test(cliRefusal.out), cliRefusal.out.replace(/\s+/g, " ").slice(0, 200));
  check("and still nothing changed", git(work, ada, "rev-parse", "HEAD") === mine);
  const refusalViolations = await axe(s);
  check("nor does the refusal under Pull", refusalViolations.length === 0, refusalViolations.join("; "));
} catch (e) {
  crashed(e);
} finally {
  await s.end().catch(() => {});
  gh.server.kill();
}
finish();
