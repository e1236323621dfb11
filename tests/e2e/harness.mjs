// What every window test shares: the tally of its checks, the CLI on its data dir, the
// first-run profile made in the window, waiting for a condition, and the desktop helper.
// Each check prints "ok" or "FAIL" with what it checked; finish() prints the counts and
// ends the process non-zero when anything failed.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The checks of one test file. */
export function tally() {
  let passed = 0;
  let failed = 0;
  return {
    /** Records one check; returns `ok`, so a test can skip what depends on it. */
    check(what, ok, detail = "") {
      console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ` — ${detail}` : ""}`);
      if (ok) passed++;
      else failed++;
      return ok;
    },
    /** The run stopped on an exception: a failure, with where it happened. */
    crashed(error) {
      console.log(`FAIL the run stopped: ${error?.stack ?? error}`);
      failed++;
    },
    get failed() {
      return failed;
    },
    /** Prints the counts (and `note`) and exits: 0 when every check passed. */
    finish(note = "") {
      console.log(`${passed} passed, ${failed} failed${note ? ` (${note})` : ""}`);
      process.exit(failed ? 1 : 0);
    },
  };
}

/** `codemyspec --data-dir DATA --json ...args` beside the app binary, its JSON answer (or null). */
export function cliFor(app, data, ...leading) {
  const bin = join(dirname(app), "codemyspec");
  return (...args) => {
    const out = execFileSync(bin, ["--data-dir", data, ...leading, "--json", ...args], { encoding: "utf8" });
    return out.trim() ? JSON.parse(out) : null;
  };
}

/**
 * Makes the first profile as a person does on the first-run page: email, name (none when
 * `name` is null), password, Create profile; then waits for `until` (by default the empty
 * dashboard). `timeout` covers the window's start when this is its first page.
 */
export async function createProfile(
  s,
  { email = "ada@example.com", name = "Ada", password = "a long password", until = '[data-testid="empty"]', timeout = 30000 } = {},
) {
  await (await s.find("#profile-email", timeout)).type(email);
  if (name !== null) await (await s.find("#profile-name")).type(name);
  await (await s.find("#profile-password")).type(password);
  await (await s.find('[data-testid="profile-submit"]')).click();
  await s.find(until);
}

/** Git in a directory as a person working in a plain clone: `name` and `email` sign their commits. */
export function gitAs(name, email) {
  return (dir, ...args) =>
    execFileSync("git", ["-c", `user.name=${name}`, "-c", `user.email=${email}`, ...args], { cwd: dir, encoding: "utf8" });
}

/**
 * On `data`: the profile ada@example.com holding the local git server's token, and a project
 * `name` that publishes to `acme/<name>_docs` there. Returns the project as the CLI answers.
 */
export function docsProject(app, data, git, name = "shop") {
  const bin = join(dirname(app), "codemyspec");
  execFileSync(bin, ["--data-dir", data, "account", "create", "--email", "ada@example.com"], { input: "a long password\n" });
  execFileSync(bin, ["--data-dir", data, "token", "set", "--host", git.host], { input: `${git.token}\n` });
  return cliFor(app, data)("project", "create", name, "--framework", "elixir", "--docs-repo", `http://${git.host}/acme/${name}_docs`);
}

/** Polls `probe` (sync or async) every `stepMs` until it gives something truthy, and returns it. */
export async function until(what, probe, timeoutMs = 30000, stepMs = 200) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, stepMs));
  }
}

/** tests/e2e/desktop.py (the X11 side: windows, the tray, keys), its output trimmed. */
export function desktop(...args) {
  return execFileSync("/usr/bin/python3", [join(here, "desktop.py"), ...args], { encoding: "utf8" }).trim();
}
