// The real app window beside a `codemyspec worker` (no WebDriver: the app is started as a
// user would, under Xvfb with a D-Bus session and dunst, by tests/e2e/run.sh):
// - the worker runs the jobs; the app learns of them through the database and notifies a
//   setup's end once — the failure too — and never another profile's project;
// - when the worker stops, the app takes the queue over;
// - SIGTERM to the app stops the running step's whole process group and gives the attempt
//   back: the job waits in the queue, the project is not stuck.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sleep } from "./webdriver.mjs";
import { tally, until } from "./harness.mjs";

const APP = process.env.APP;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-worker-e2e-"));
const { check, finish } = tally();

function cli(as, ...args) {
  const out = execFileSync(CLI, ["--data-dir", DATA, "--as", as, "--json", ...args], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : null;
}

function recipe(framework, steps) {
  mkdirSync(join(DATA, "recipes"), { recursive: true });
  writeFileSync(join(DATA, "recipes", `${framework}.toml`), `name = "${framework}-e2e"\n[[steps]]\nstatus = "compiling"\nprogram = "sh"\nargs = ["-c", ${JSON.stringify(steps)}]\ntimeout_secs = 600\non_failure = "step"\n`);
}

function notifications() {
  return execFileSync("dunstctl", ["history"], { encoding: "utf8" });
}

/** Whether any process of the group still runs (zombies do not count). */
function groupRunning(pgid) {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

function exited(child) {
  return new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once("exit", ok)));
}

// Two profiles, each with projects; Ada acts last, so the window is Ada's.
for (const email of ["bob@example.com", "ada@example.com"]) {
  execFileSync(CLI, ["--data-dir", DATA, "--json", "account", "create", "--email", email], { input: "a long password\n" });
}
const workspace = join(DATA, "workspace");
cli("ada@example.com", "config", "set", "workspace_dir", workspace);
recipe("phoenix", "echo built");
recipe("elixir", "echo the assertion was false >&2; exit 3");
cli("ada@example.com", "jobs", "pause");
cli("bob@example.com", "project", "create", "bobs_app");
cli("bob@example.com", "setup", "bobs_app");
for (const [name, framework] of [["watched_app", "elixir"], ["second_app", "phoenix"], ["slow_app", "elixir"]]) {
  cli("ada@example.com", "project", "create", name, "--framework", framework);
}

const worker = spawn(CLI, ["--data-dir", DATA, "worker"], { stdio: "ignore" });
// APP_LOG=1 shows the app's stderr.
const app = spawn(APP, ["--data-dir", DATA], { stdio: ["ignore", "ignore", process.env.APP_LOG ? "inherit" : "ignore"] });
try {
  await until("the app's window", () => execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" }).includes('"CodeMySpec"'));
  cli("ada@example.com", "setup", "watched_app");
  cli("ada@example.com", "setup", "second_app");
  cli("ada@example.com", "jobs", "resume");

  // The worker runs bobs_app, watched_app (fails), second_app, in that order.
  const history = await until("the notification of second_app", () => {
    const h = notifications();
    return h.includes("second_app is ready") ? h : null;
  }).catch(() => notifications());
  check("the app notifies a setup the worker finished", history.includes("second_app is ready"));
  check("the app notifies a setup the worker failed", history.includes("The setup of watched_app failed"));
  check("another profile's project is never notified", !history.includes("bobs_app"), history.includes("bobs_app") ? "bobs_app was shown" : "");
  // dunstctl history: {"data": [[{"summary": {"data": "…"}, …}, …]]}
  const summaries = JSON.parse(history).data.flat().map((n) => n.summary.data);
  const count = (text) => summaries.filter((s) => s === text).length;
  check("each end is notified once", count("second_app is ready") === 1 && count("The setup of watched_app failed") === 1, JSON.stringify(summaries));

  // The worker stops; the app takes the queue over and runs the next setup itself.
  worker.kill("SIGTERM");
  await exited(worker);
  recipe("elixir", "sleep 300 & sleep 300 & wait");
  const job = cli("ada@example.com", "setup", "slow_app").job.id;
  const running = await until("the app to run the setup", () => {
    const j = cli("ada@example.com", "jobs", "show", String(job)).job;
    return j.state === "executing" && Number(j.meta.pgid) > 0 ? j : null;
  });
  const pgid = Number(running.meta.pgid);
  check("the app takes the queue over when the worker stops", groupRunning(pgid));

  // SIGTERM: the app quits as its Quit does.
  app.kill("SIGTERM");
  await Promise.race([exited(app), sleep(30000)]);
  check("SIGTERM quits the app", app.exitCode !== null || app.signalCode !== null);
  await until("the step's processes to end", () => !groupRunning(pgid), 10000).catch(() => null);
  check("no step process is left behind", !groupRunning(pgid), `group ${pgid}`);
  const after = cli("ada@example.com", "jobs", "show", String(job));
  const last = after.job.errors.at(-1);
  check("the job waits in the queue for the next run", after.job.state === "retryable", after.job.state);
  check("the attempt is recorded as interrupted and given back", last?.class === "interrupted" && after.job.attempt < after.job.max_attempts, JSON.stringify(last));
  check("the project is queued, not stuck", cli("ada@example.com", "project", "show", "slow_app").setup_status === "setup_queued");
} catch (e) {
  check("the scenario ran to its end", false, String(e));
} finally {
  for (const child of [app, worker]) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
finish();
