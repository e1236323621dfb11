// Keep working when the window closes (the app started as a person would, under Xvfb with a
// D-Bus session and dunst, by tests/e2e/run.sh; the window manager's close button, the keys
// and the tray menu driven from outside by tests/e2e/desktop.py):
// - closing the window hides it; the app keeps running, says so once in a notification, and
//   the GitHub heartbeat still happens while the window is away;
// - launching the app again brings the window back; a second close says nothing more;
// - Quit from the tray menu ends the app cleanly (exit code 0);
// - Ctrl+Q in the window quits too;
// - with "Keep running in the tray" off, closing the window quits the app;
// - "Start at login" writes the login start entry (with --in-tray), and the app started that
//   way stays in the tray without showing its window;
// - a docs conflict the app's own docs sync finds is shown as a desktop notification, once;
// - started as the desktop menu starts it (a PATH without mix), the app finds mix through
//   the login shell's profile; a login shell that hangs does not stop it from starting;
// - a data dir that cannot be opened ends the app at once with a message, no window left.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "./webdriver.mjs";
import { cliFor, desktop, tally, until } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const APP = process.env.APP;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-tray-e2e-"));
const TITLE = "CodeMySpec";
const { check, finish } = tally();

const cli = cliFor(APP, DATA);

function summaries() {
  // dunstctl history: {"data": [[{"summary": {"data": "…"}, …}, …]]}
  return JSON.parse(execFileSync("dunstctl", ["history"], { encoding: "utf8" })).data.flat().map((n) => n.summary.data);
}

function exited(child) {
  return new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok() : child.once("exit", ok)));
}

function start(...args) {
  return startWith({}, ...args);
}

function startWith(env, ...args) {
  // APP_LOG=1 shows the app's stderr.
  return spawn(APP, ["--data-dir", DATA, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", process.env.APP_LOG ? "inherit" : "ignore"] });
}

/** The app's log (its daily files in the OS log folder), all of it. */
function appLog() {
  const dir = join(process.env.XDG_DATA_HOME ?? join(process.env.HOME, ".local", "share"), "dev.codemyspec.desktop", "logs");
  if (!existsSync(dir)) return "";
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("");
}

/** The local smart-HTTP git server that demands the token, with a docs repository. */
async function gitServer() {
  const root = mkdtempSync(join(tmpdir(), "codemyspec-git-"));
  execFileSync("git", ["init", "-q", "--bare", join(root, "acme", "notes_docs.git")]);
  const token = `ghp_tray${process.pid}`;
  const server = spawn("python3", [resolve(here, "../support/git_http_server.py"), root, token], { stdio: ["ignore", "pipe", "ignore"] });
  const port = await new Promise((ok, fail) => {
    server.stdout.once("data", (d) => ok(Number(String(d).trim())));
    server.once("exit", () => fail(new Error("the git server did not start")));
  });
  return { token, server, host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/acme/notes_docs` };
}

async function gitHubStandIn() {
  const root = mkdtempSync(join(tmpdir(), "codemyspec-gh-"));
  const server = spawn("python3", [resolve(here, "../support/github_api_server.py"), resolve(here, "../support/github-api"), root], { stdio: ["ignore", "pipe", "ignore"] });
  const port = await new Promise((ok, fail) => {
    server.stdout.once("data", (d) => ok(Number(String(d).trim())));
    server.once("exit", () => fail(new Error("the GitHub stand-in did not start")));
  });
  const url = `http://127.0.0.1:${port}`;
  const control = async (what, body) => {
    const r = await fetch(`${url}/_stand_in/${what}`, { method: "POST", body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`stand-in ${what}: ${r.status}`);
    return r.json();
  };
  return { url, server, control };
}

// A profile signed in to the GitHub stand-in, its heartbeat every 30 s (the shortest).
execFileSync(CLI, ["--data-dir", DATA, "--json", "account", "create", "--email", "ada@example.com"], { input: "a long password\n" });
const gh = await gitHubStandIn();
await gh.control("users", { login: "ada-gh", token: "ghp_tray_e2e" });
await gh.control("orgs", { login: "acme" });
await gh.control("repos", { owner: "acme", name: "shop" });
cli("config", "set", "github_api_url", gh.url);
cli("config", "set", "github_org", "acme");
cli("config", "set", "sync_interval_secs", "30");
execFileSync(CLI, ["--data-dir", DATA, "--json", "github", "login", "--with-token"], { input: "ghp_tray_e2e\n" });
const runs = () => cli("sync", "runs").length;

// A teammate (another data dir) and this machine both retitle one story of notes_app while
// apart: the app's docs sync at start finds the clash.
const git = await gitServer();
const OTHER = mkdtempSync(join(tmpdir(), "codemyspec-tray-other-"));
const on = (dir, args, input = "") => {
  const out = execFileSync(CLI, ["--data-dir", dir, "--json", ...args], { encoding: "utf8", input });
  return out.trim() ? JSON.parse(out) : null;
};
on(OTHER, ["account", "create", "--email", "bob@example.com"], "a long password\n");
for (const dir of [OTHER, DATA]) {
  on(dir, ["token", "set", "--host", git.host], `${git.token}\n`);
  on(dir, ["project", "create", "notes_app", "--framework", "elixir", "--docs-repo", git.url]);
}
const story = on(OTHER, ["story", "create", "-p", "notes_app", "--title", "Checkout", "--description", "Pay."]).id;
on(OTHER, ["docs", "sync", "notes_app"]);
on(DATA, ["docs", "sync", "notes_app"]);
const retitle = (dir, title) => {
  const version = String(on(dir, ["story", "show", story]).version);
  on(dir, ["story", "update", story, "--version", version, "--title", title]);
};
retitle(OTHER, "Checkout (Bob)");
on(OTHER, ["docs", "sync", "notes_app"]);
retitle(DATA, "Checkout (Ada)");

let app = start();
try {
  await until("the app's window", () => desktop("state", TITLE) === "shown");
  await until("the first heartbeat", () => runs() > 0, 30000);
  const conflict = await until("the conflict notification", () => summaries().includes("A docs conflict in notes_app"), 30000).catch(() => false);
  check("a docs conflict the app's sync found is notified", conflict, JSON.stringify(summaries()));
  check("the conflict is recorded", on(DATA, ["docs", "conflicts", "notes_app"]).length === 1);

  // The window manager's close button: the window goes, the app stays, and says so once.
  desktop("close", TITLE);
  await until("the window to hide", () => desktop("state", TITLE) === "hidden", 10000).catch(() => null);
  check("closing the window hides it", desktop("state", TITLE) === "hidden", desktop("state", TITLE));
  await sleep(1000);
  check("the app keeps running after the close", app.exitCode === null && app.signalCode === null);
  const told = await until("the tray notice", () => summaries().includes("CodeMySpec is still running"), 10000).catch(() => false);
  check("the first close says the app keeps running in the tray", told, JSON.stringify(summaries()));
  const before = runs();
  const beat = await until("a heartbeat with the window closed", () => runs() > before, 60000).catch(() => false);
  check("a heartbeat happens while the window is closed", beat, `${before} → ${runs()} runs`);

  // Launching again brings the window back (one instance); the second close says nothing new.
  const again = start();
  await exited(again);
  await until("the window back", () => desktop("state", TITLE) === "shown", 10000).catch(() => null);
  check("launching the app again shows its window", desktop("state", TITLE) === "shown");
  desktop("close", TITLE);
  await until("the window to hide again", () => desktop("state", TITLE) === "hidden", 10000).catch(() => null);
  await sleep(2000);
  check("the notice is given once", summaries().filter((s) => s === "CodeMySpec is still running").length === 1, JSON.stringify(summaries()));
  check("the conflict is notified once", summaries().filter((s) => s === "A docs conflict in notes_app").length === 1, JSON.stringify(summaries()));

  // Quit from the tray menu.
  const labels = desktop("tray-menu", String(app.pid));
  check("the tray menu has Open and Quit", labels.includes("Open CodeMySpec") && labels.includes("Quit"), labels.replace(/\n/g, ", "));
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);
  check("Quit from the tray ends the app cleanly", app.exitCode === 0, `exit ${app.exitCode} ${app.signalCode ?? ""}`);

  // Ctrl+Q in the window.
  app = start();
  await until("the app's window", () => desktop("state", TITLE) === "shown");
  await sleep(2000); // the page's key handler is installed with its first script
  desktop("key", TITLE, "ctrl+q");
  await Promise.race([exited(app), sleep(20000)]);
  check("Ctrl+Q quits the app", app.exitCode === 0, `exit ${app.exitCode} ${app.signalCode ?? ""}`);

  // Keep running in the tray off: closing the window quits.
  cli("config", "set", "keep_in_tray", "false");
  app = start();
  await until("the app's window", () => desktop("state", TITLE) === "shown");
  desktop("close", TITLE);
  await Promise.race([exited(app), sleep(20000)]);
  check("with keep_in_tray off, closing the window quits the app", app.exitCode === 0, `exit ${app.exitCode} ${app.signalCode ?? ""}`);
  cli("config", "set", "keep_in_tray", "true");

  // Start at login: the entry the session starts, with --in-tray; started so, no window shows.
  cli("config", "set", "start_at_login", "true");
  app = start();
  const entry = join(process.env.HOME, ".config", "autostart", "CodeMySpec.desktop");
  await until("the login start entry", () => existsSync(entry), 20000).catch(() => null);
  const text = existsSync(entry) ? readFileSync(entry, "utf8") : "";
  check("start at login writes the login entry, starting in the tray", text.includes(APP) && text.includes("--in-tray") && text.includes(DATA), text.replace(/\n/g, " | "));
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);
  app = start("--in-tray");
  await until("the tray of the login start", () => desktop("tray-menu", String(app.pid)).includes("Quit"), 20000).catch(() => null);
  await sleep(2000);
  check("started at login, the app runs without showing its window", app.exitCode === null && desktop("state", TITLE) !== "shown", desktop("state", TITLE));
  cli("config", "set", "start_at_login", "false");
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);
  app = start();
  await until("the login start entry gone", () => !existsSync(entry), 20000).catch(() => null);
  check("start at login off removes the entry", !existsSync(entry));
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);

  // Started from the desktop menu: PATH without mix; the login shell's profile has it.
  const menuPath = mkdtempSync(join(tmpdir(), "codemyspec-menu-path-"));
  const shims = join(process.env.HOME, ".elixir", "bin");
  mkdirSync(shims, { recursive: true });
  for (const tool of ["mix", "elixir"]) symlinkSync(realpathSync(`/usr/bin/${tool}`), join(shims, tool));
  writeFileSync(join(process.env.HOME, ".bash_profile"), 'echo "hello from the profile"\nexport PATH="$HOME/.elixir/bin:$PATH"\n');
  app = startWith({ PATH: menuPath, SHELL: "/bin/bash" });
  const found = `mix: ${join(shims, "mix")} (from login shell)`;
  await until("mix found through the login shell", () => appLog().includes(found), 30000).catch(() => null);
  check("started with a PATH without mix, the app finds it through the login shell's profile", appLog().includes(found));
  await until("the app's window", () => desktop("state", TITLE) === "shown");
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);

  // A login shell that never answers: the window still comes, the shell is stopped.
  const hanging = join(menuPath, "hanging-shell");
  writeFileSync(hanging, "#!/bin/sh\nwhile :; do /bin/sleep 1; done\n");
  chmodSync(hanging, 0o755);
  app = startWith({ PATH: menuPath, SHELL: hanging });
  const shown = await until("the app's window", () => desktop("state", TITLE) === "shown", 30000).catch(() => false);
  check("a login shell that hangs does not keep the app from starting", shown);
  const stopped = `${hanging} did not print its PATH within 5 s; it was stopped`;
  await until("the hanging shell stopped", () => appLog().includes(stopped), 20000).catch(() => null);
  check("the hanging login shell is stopped after its timeout", appLog().includes(stopped));
  desktop("tray-click", String(app.pid), "Quit");
  await Promise.race([exited(app), sleep(30000)]);

  // A data dir that cannot be opened (a file where the folder should be): the app ends at
  // once, saying why, and leaves no window behind.
  const notADir = join(mkdtempSync(join(tmpdir(), "codemyspec-not-a-dir-")), "data");
  writeFileSync(notADir, "not a folder\n");
  const broken = spawn(APP, ["--data-dir", notADir], { stdio: ["ignore", "ignore", "pipe"] });
  let said = "";
  broken.stderr.on("data", (d) => (said += d));
  await Promise.race([exited(broken), sleep(30000)]);
  check("a data dir that cannot be opened ends the app with exit 1", broken.exitCode === 1, `exit ${broken.exitCode} ${broken.signalCode ?? ""}`);
  check("it says the database cannot be opened, and where", said.includes("cannot open the database") && said.includes(notADir), said.trim());
  if (broken.exitCode === null) broken.kill("SIGKILL");
  check("no window is left behind", desktop("state", TITLE) !== "shown", desktop("state", TITLE));
} catch (e) {
  check("the tray scenario ran to its end", false, String(e?.stack ?? e));
} finally {
  if (app.exitCode === null && app.signalCode === null) {
    app.kill("SIGTERM");
    await Promise.race([exited(app), sleep(10000)]);
  }
  gh.server.kill();
  git.server.kill();
}

finish();
