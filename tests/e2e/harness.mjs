// What every window test shares: the tally of its checks, and the CLI on its data dir.
// Each check prints "ok" or "FAIL" with what it checked; finish() prints the counts and
// ends the process non-zero when anything failed.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";

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
