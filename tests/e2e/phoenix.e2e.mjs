// End to end in the real window (issue 24): a Phoenix project made in the New project form
// and set up from its page runs the real recipe — phx.new → deps.get → phx.gen.auth →
// deps.get → compile → test → commit — against the offline Hex repository in
// ../shared/hex-mirror (hex.pm cannot be reached here), and the person sees each step of the
// timeline reach done, the setup become ready, and the app's own test summary in the log.
// The mirror is served for this run's scratch HOME (run.sh's): `use.sh --git-global` puts
// Hex and phx_new in $HOME/.mix, Hex's repository in $HOME/.hex and the heroicons git rule
// in $HOME/.gitconfig, which is where the app (started by tauri-driver with the same HOME)
// and its steps look. Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "./webdriver.mjs";
import { gitServer } from "./servers.mjs";
import { cliFor, createProfile, tally } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-e2e-phoenix-"));
const MIRROR = resolve(here, "../../../shared/hex-mirror");
const { check, crashed, finish } = tally();

const cli = cliFor(APP, DATA);

async function select(s, css, value) {
  await s.find(css);
  await s.script(`const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event("change", { bubbles: true }));`, [css, value]);
}

if (!existsSync(join(MIRROR, "use.sh"))) {
  console.error(`the offline Hex repository is missing: ${MIRROR} (clone ../shared beside the repository)`);
  process.exit(1);
}
// use.sh's own state (the registry's pid and port) in this run's scratch home too.
const mirrorEnv = { ...process.env, HEXMIRROR_STATE: join(process.env.HOME, "hexmirror-state") };
const mirror = (...args) => execFileSync(join(MIRROR, "use.sh"), args, { env: mirrorEnv, stdio: ["ignore", "ignore", "pipe"] });

/** The recipe's steps as the timeline names them, with a word of each command. */
const RECIPE = [
  ["creating_repositories", ""],
  ["initializing", "phx.new e2e_phx"],
  ["deps_installing", "deps.get"],
  ["setting_up_auth", "phx.gen.auth Accounts User users"],
  ["deps_installing", "deps.get"],
  ["compiling", "mix compile"],
  ["testing", "mix test"],
  ["committing", ""],
];

const git = await gitServer(["e2e_phx", "e2e_phx_docs"]);
mirror("--git-global");
const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await createProfile(s);
  execFileSync(CLI, ["--data-dir", DATA, "token", "set", "--host", git.host], { input: `${git.token}\n` });

  // New project: Phoenix is the default framework and SQLite its default database.
  await (await s.find('[data-testid="new-project"]')).click();
  await (await s.find("#project-name")).type("e2e_phx");
  const defaults = await s.script(`return [document.querySelector("#project-framework").value, document.querySelector("#project-database")?.value];`);
  check("the form offers Phoenix with SQLite first", defaults[0] === "phoenix" && defaults[1] === "sqlite3", defaults.join(", "));
  await select(s, "#project-framework", "phoenix");
  await (await s.find("#project-code-repo")).type(`http://${git.host}/acme/e2e_phx`);
  await (await s.find("#project-docs-repo")).type(`http://${git.host}/acme/e2e_phx_docs`);
  await (await s.find('[data-testid="project-create"]')).click();
  await s.find('[data-testid="setup-button"]');
  const created = cli("project", "show", "e2e_phx");
  check("the project is a Phoenix app on SQLite", created.framework === "phoenix" && created.database === "sqlite3", `${created.framework}, ${created.database}`);

  // Set up, and follow the badge the way a person watches it: every status the window
  // renders is recorded in the page as it renders (the commit takes a moment only, shorter
  // than a poll from here).
  await s.script(`
    window.__seen = [];
    const note = () => {
      const t = document.querySelector('[data-testid="setup-status"]')?.textContent?.trim();
      if (t && window.__seen.at(-1) !== t) window.__seen.push(t);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });`);
  await (await s.find('[data-testid="setup-button"]')).click();
  let shotDuringSetup = false;
  await s.until(
    "the Phoenix setup to finish",
    async () => {
      const status = await (await s.find('[data-testid="setup-status"]')).text();
      if (!shotDuringSetup && status === "compiling") {
        await s.screenshot(join(OUT, "phoenix-during-setup.png"));
        shotDuringSetup = true;
      }
      return status === "ready" || status === "failed" ? status : null;
    },
    900000,
    500,
  );
  const seen = await s.script(`return window.__seen;`);
  const status = await (await s.find('[data-testid="setup-status"]')).text();
  check("the setup becomes ready", status === "ready", seen.join(" → "));
  for (const wanted of ["initializing", "deps installing", "setting up auth", "compiling", "testing", "committing"]) {
    const shown = seen.some((st) => st.replace(/_/g, " ").toLowerCase() === wanted);
    check(`the badge went through ${wanted}`, shown, seen.join(" → "));
  }

  // The timeline: every step of the recipe, in order, each done.
  const steps = await s.until("the finished timeline", async () => {
    const rows = await s.script(
      `return [...document.querySelectorAll('[data-testid="setup-step"]')].map((li) => ({ status: li.dataset.status, ok: li.classList.contains("ok"), running: li.classList.contains("running"), cmd: li.querySelector(".cmd")?.textContent ?? "", state: li.querySelector(".state")?.textContent ?? "" }));`,
    );
    return rows.length === RECIPE.length && rows.every((r) => !r.running) ? rows : null;
  }, 30000).catch(async () => s.script(`return [...document.querySelectorAll('[data-testid="setup-step"]')].map((li) => ({ status: li.dataset.status, ok: li.classList.contains("ok"), running: li.classList.contains("running"), cmd: li.querySelector(".cmd")?.textContent ?? "", state: li.querySelector(".state")?.textContent ?? "" }));`));
  check("the timeline lists the recipe's eight steps in order", steps.map((r) => r.status).join(",") === RECIPE.map(([st]) => st).join(","), steps.map((r) => r.status).join(", "));
  for (const [i, [st, cmd]] of RECIPE.entries()) {
    const row = steps[i];
    check(`step ${i + 1} (${st}${cmd ? `: ${cmd}` : ""}) is done`, !!row && row.status === st && row.ok && row.state.trim() === "ok" && row.cmd.includes(cmd), row ? `${row.ok ? "ok" : "not ok"} / ${row.state} / ${row.cmd}` : "missing");
  }

  // The log: the app's own test run, as mix test prints it.
  const log = await s.until("the test summary in the log", async () => {
    const t = await s.script(`return document.querySelector('[data-testid="log-tail"]')?.textContent ?? "";`);
    return /\d+ tests, 0 failures/.test(t) ? t : null;
  }, 30000).catch(async () => s.script(`return document.querySelector('[data-testid="log-tail"]')?.textContent ?? "";`));
  const summary = log.match(/(\d+) tests, (\d+) failures?/);
  check("the log shows the app's tests passing", !!summary && summary[2] === "0" && Number(summary[1]) > 50, summary ? summary[0] : log.slice(-300));
  await s.script(`document.querySelector('[data-testid="log-tail"]')?.scrollIntoView({ block: "end" });`);
  await s.screenshot(join(OUT, "phoenix-ready.png"));

  // What the window said is what happened: the app on disk and the commit on the server.
  const project = cli("project", "show", "e2e_phx");
  check("gen.auth's accounts context is in the generated app", existsSync(join(project.local_path, "lib/e2e_phx/accounts.ex")), project.local_path);
  const pushed = execFileSync("git", ["--git-dir", join(git.root, "acme", "e2e_phx.git"), "ls-tree", "--name-only", "main"], { encoding: "utf8" });
  check("the commit with mix.exs reached the git server", pushed.split("\n").includes("mix.exs"), pushed.replace(/\n/g, " ").slice(0, 120));
} catch (e) {
  crashed(e);
  await s.screenshot(join(OUT, "phoenix-failure.png")).catch(() => {});
} finally {
  await s.end().catch(() => {});
  git.server.kill();
  try {
    mirror("--stop");
  } catch {
    // already stopped
  }
}
finish(`screenshots in ${OUT}`);
