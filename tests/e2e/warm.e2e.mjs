// End to end in the real window (issue 24): what a Phoenix project's "Check requirements"
// says about the machine. A Hex repository that does not answer is named with what to set;
// once the person points Hex at one that answers and presses again, it is met. Erlang's
// headers (erl_nif.h) are found where they are, and the dependency cache that makes later
// setups warm shows its size and bound (a bound changed with `codemyspec config set` shows
// at the next press). Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Session } from "./webdriver.mjs";
import { cliFor, createProfile, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-e2e-warm-"));
// The app was started by run.sh with this environment: it reads Hex's config from here.
const HEX_HOME = process.env.HEX_HOME || join(process.env.HOME, ".hex");
const { check, crashed, finish } = tally();

const cli = cliFor(APP, DATA);

/** Points Hex's hexpm repository at `url`, as `mix hex.repo set hexpm --url` does. */
function hexpmAt(url) {
  mkdirSync(HEX_HOME, { recursive: true });
  writeFileSync(join(HEX_HOME, "hex.config"), `{'$repos',#{<<"hexpm">> =>\n  #{url => <<"${url}">>}}}.\n`);
}

/** A TCP server on a free loopback port; closed, the port is left with nothing listening. */
async function listener() {
  const server = createServer((socket) => socket.end());
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return server;
}

const go = (s, hash) => s.script(`location.hash = arguments[0];`, [hash]);

/** Presses Check requirements and reads every check as the person sees it. */
async function checkRequirements(s) {
  await (await s.find('[data-testid="check-requirements"]')).click();
  await s.until("an answer", async () => {
    const t = (await (await s.find('[data-testid="check-answer"]')).text()).trim();
    return t && !t.startsWith("Checking") ? t : null;
  });
  const rows = await s.script(
    `return [...document.querySelectorAll('[data-testid="check"]')].map((e) => ({ ok: e.classList.contains("ok"), text: e.textContent.replace(/\\s+/g, " ").trim() }));`,
  );
  const row = (name) => rows.find((r) => r.text.includes(`${name}:`));
  return { rows, row };
}

const closed = await listener();
const closedUrl = `http://127.0.0.1:${closed.address().port}`;
await new Promise((ok) => closed.close(ok));
hexpmAt(closedUrl);
const open = await listener();
const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await createProfile(s);
  const phx = cli("project", "create", "e2e_warm", "--framework", "phoenix");
  await go(s, `/projects/${phx.id}`);
  await s.until("the project page", async () => ((await (await s.find('[data-testid="project-title"]')).text()) === "e2e_warm" ? true : null));

  let { row } = await checkRequirements(s);
  const hex = row("Hex repository");
  check(
    "a Hex repository that does not answer is missing, named with what to set",
    hex && !hex.ok && hex.text.includes(`${closedUrl} (hex.config's hexpm repository) does not answer`) && hex.text.includes("mix hex.repo set hexpm --url"),
    hex?.text,
  );
  const nif = row("Erlang headers (erl_nif.h)");
  check("Erlang's headers are found and where they are is shown", nif && nif.ok && nif.text.endsWith("erl_nif.h"), nif?.text);
  const cache = row("dependency cache");
  check(
    "the dependency cache shows its size, bound and folder (no CLI command in the window)",
    cache && cache.ok && cache.text.endsWith(`0 entries, 0.0 MB of 2.0 GB in ${join(DATA, "dep-cache")}`) && !cache.text.includes("cache clear"),
    cache?.text,
  );
  const answer = (await (await s.find('[data-testid="check-answer"]')).text()).trim();
  check("the answer names the Hex repository among what is missing", answer.includes("Hex repository"), answer);
  const fix = await s.script(`return document.querySelector('[data-testid="setup-blocked"]')?.textContent.replace(/\\s+/g, " ") ?? "";`);
  check("where to fix it is this computer's Hex, not the project's repository", fix.includes("point Hex at a repository that answers") && !/Hex repository[^.]*Edit project/.test(fix), fix);
  await s.screenshot(join(OUT, "warm-hex-missing.png"));

  // The person points Hex at a repository that answers, sets a smaller cache, presses again.
  hexpmAt(`http://127.0.0.1:${open.address().port}`);
  cli("config", "set", "dep_cache_max_mb", "512");
  ({ row } = await checkRequirements(s));
  const hexAgain = row("Hex repository");
  check("pointed at one that answers, the Hex repository is met", hexAgain && hexAgain.ok && hexAgain.text.includes("answers (hex.config's hexpm repository)"), hexAgain?.text);
  const cacheAgain = row("dependency cache");
  check("the new bound shows at the next press", cacheAgain && cacheAgain.text.includes("of 512.0 MB"), cacheAgain?.text);
  await s.screenshot(join(OUT, "warm-hex-met.png"));
} catch (e) {
  crashed(e);
} finally {
  await s.end();
  open.close();
}
finish();
