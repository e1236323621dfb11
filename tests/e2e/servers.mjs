// The local servers the window tests run against, one copy for every test file: the
// smart-HTTP git server that demands a token (tests/support/git_http_server.py) and the
// GitHub stand-in (tests/support/github_api_server.py: REST API, device flow, git, with
// GitHub's own payloads). Each prints its port on its first line.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const support = resolve(dirname(fileURLToPath(import.meta.url)), "../support");

/** Starts `args` with python3 and waits for the port it prints. */
async function listening(what, args, stderr = "ignore") {
  const server = spawn("python3", args, { stdio: ["ignore", "pipe", stderr] });
  const port = await new Promise((ok, fail) => {
    server.stdout.once("data", (d) => ok(Number(String(d).trim())));
    server.once("exit", () => fail(new Error(`the ${what} did not start`)));
  });
  return { server, port };
}

/** The git server with these bare repositories under `acme/`, demanding a token of its own. */
export async function gitServer(repos) {
  const root = mkdtempSync(join(tmpdir(), "codemyspec-git-"));
  for (const repo of repos) execFileSync("git", ["init", "-q", "--bare", join(root, "acme", `${repo}.git`)]);
  const token = `ghp_e2e${process.pid}`;
  const { server, port } = await listening("git server", [join(support, "git_http_server.py"), root, token]);
  return { root, token, port, server, host: `127.0.0.1:${port}` };
}

/** The GitHub stand-in; `control(what, body)` drives its /_stand_in/ controls. `log`: a file
 * for its stderr. */
export async function gitHubStandIn({ log } = {}) {
  const root = mkdtempSync(join(tmpdir(), "codemyspec-gh-"));
  const stderr = log ? openSync(log, "w") : "ignore";
  const { server, port } = await listening("GitHub stand-in", [join(support, "github_api_server.py"), join(support, "github-api"), root], stderr);
  const url = `http://127.0.0.1:${port}`;
  const control = async (what, body, tries = 2) => {
    try {
      const r = await fetch(`${url}/_stand_in/${what}`, { method: "POST", body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`stand-in ${what}: ${r.status}`);
      return r.json();
    } catch (e) {
      // A kept-alive connection the stand-in closed during a long wait: ask once more.
      if (tries > 1 && e.name === "TypeError") return control(what, body, tries - 1);
      throw e;
    }
  };
  return { url, server, control };
}
