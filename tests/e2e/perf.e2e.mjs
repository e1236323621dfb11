// Issue 22, the core's figures: list_projects and the org sync's reconcile were made faster
// (each project read as a JSON array; the reconcile reads the projects once, narrowly). What a
// person sees must not change; this checks it in the real window against the GitHub stand-in.
// Two projects made by hand and an organization of three repositories (one the docs of
// another): "Sync now" on the dashboard lists every project by name, the docs repository
// joined to its code repository's project (no row of its own); each project's page shows its
// fields as the CLI reads them; a repository renamed on GitHub is followed at the next sync,
// and a sync with nothing new changes nothing; the window's web process runs with
// JavaScriptCore's FTL JIT off. Times are not checked (`make bench` prints them).
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitHubStandIn } from "./servers.mjs";
import { Session } from "./webdriver.mjs";
import { axe } from "./axe.mjs";
import { cliFor, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-perf-"));
const TOKEN = "ghp_e2e_perf_ada";
const { check, crashed, finish } = tally();
const cli = cliFor(APP, DATA);

const gh = await gitHubStandIn();
await gh.control("users", { login: "ada-gh", token: TOKEN });
await gh.control("orgs", { login: "acme", members: ["ada-gh"] });
for (const name of ["shop", "shop-docs", "blog"]) await gh.control("repos", { owner: "acme", name });

execFileSync(CLI, ["--data-dir", DATA, "account", "create", "--email", "ada@example.com"], { input: "a long password\n" });
cli("config", "set", "github_api_url", gh.url);
cli("config", "set", "github_org", "acme");
execFileSync(CLI, ["--data-dir", DATA, "--json", "github", "login", "--with-token"], { input: `${TOKEN}\n` });
cli("project", "create", "zeta", "--description", 'Says "hello"\nin two lines');
cli("project", "create", "alpha", "--framework", "elixir");

/** The names in the dashboard's rows, top to bottom. */
const rows = (s) => s.script(`return [...document.querySelectorAll('[data-testid="project-row"] .name')].map((e) => e.textContent.trim());`);
const text = (s, id) => s.script(`return document.querySelector('[data-testid="${id}"]')?.textContent?.trim() ?? null;`);

async function syncNow(s) {
  await (await s.find('[data-testid="sync-now"]')).click();
  await s.until("Sync now to finish", async () => ((await s.script(`return document.querySelector('[data-testid="sync-now"]')?.disabled === false;`)) ? true : null), 30000, 200);
}

/** The environment of the web process of the app on `dataDir` (a descendant of the app's
 *  process), as "NAME=value" lines; null when none is found. */
function webProcessEnvironment(dataDir) {
  const parentOf = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parentOf.set(pid, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {}
  }
  const app = [...parentOf.keys()].find((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return cmd[0].endsWith("codemyspec-desktop") && cmd.includes(dataDir);
    } catch {
      return false;
    }
  });
  const descends = (pid) => pid && pid !== "0" && (pid === app || descends(parentOf.get(pid)));
  for (const pid of parentOf.keys()) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "WebKitWebProces" && descends(parentOf.get(pid))) {
        return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      }
    } catch {}
  }
  return null;
}

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await s.find('[data-testid="sync-now"]', 30000);
  // The app turns JavaScriptCore's FTL JIT off for its page (src-tauri/src/script_engine.rs).
  const env = webProcessEnvironment(DATA);
  check(
    "the window's web process runs with the FTL JIT off, which the app set",
    process.env.JSC_useFTLJIT === undefined && env?.includes("JSC_useFTLJIT=false"),
    env ? env.filter((v) => v.startsWith("JSC_")).join(" ") || "no JSC_ variable" : "no web process found",
  );
  await syncNow(s);
  const want = ["alpha", "blog", "shop", "zeta"];
  const shown = await s.until("the discovered projects listed", async () => {
    const r = await rows(s);
    return r.length === want.length ? r : null;
  }, 15000, 200).catch(async () => rows(s));
  check("the dashboard lists the hand-made and the discovered projects by name", JSON.stringify(shown) === JSON.stringify(want), JSON.stringify(shown));
  check("the docs repository joined shop: it has no row of its own", !shown.includes("shop_docs") && !shown.includes("shop-docs"), JSON.stringify(shown));
  await s.screenshot(join(OUT, "perf-dashboard.png"));
  const violations = await axe(s);
  check("the listed dashboard raises no serious accessibility violation", violations.length === 0, violations.join("; "));

  // Each project as the list gave it is the project the CLI reads by id.
  const listed = cli("project", "list");
  const byName = Object.fromEntries(listed.map((p) => [p.name, p]));
  const shop = byName.shop;
  check("the CLI's list has shop with its docs repository paired", /\/acme\/shop-docs$/.test(shop?.docs_repo ?? "") && shop?.stage === "discovered", JSON.stringify(shop));
  // `project show` adds the last change on GitHub; the rest is compared key by key.
  const canon = (o) => JSON.stringify(Object.keys(o).filter((k) => k !== "last_change").sort().map((k) => [k, o[k]]));
  const same = listed.every((p) => canon(cli("project", "show", p.id)) === canon(p));
  check("every listed project is field for field the project shown by id", same);
  check("a description with quotes and a line break comes back as written", byName.zeta?.description === 'Says "hello"\nin two lines', JSON.stringify(byName.zeta?.description));

  await s.script(`location.hash = arguments[0];`, [`/projects/${shop.id}`]);
  const repo = await s.until("shop's repository line", async () => text(s, "project-repository"), 15000, 200).catch(() => "");
  check("shop's page shows its repository on GitHub", repo === "GitHub: acme/shop", repo);

  // A rename on GitHub is followed at the next sync; the project keeps its name and row.
  await gh.control("rename", { owner: "acme", name: "blog", new_name: "journal" });
  await s.script(`location.hash = "/";`);
  await s.find('[data-testid="sync-now"]', 15000);
  await syncNow(s);
  const blog = byName.blog;
  await s.script(`location.hash = arguments[0];`, [`/projects/${blog.id}`]);
  const renamed = await s.until("blog's new repository", async () => {
    const t = await text(s, "project-repository");
    return t && t.includes("journal") ? t : null;
  }, 15000, 200).catch(async () => text(s, "project-repository"));
  check("blog's page shows the repository under its new name", renamed === "GitHub: acme/journal", renamed);
  await s.screenshot(join(OUT, "perf-renamed.png"));

  // Nothing new on GitHub: the next sync changes no project.
  const before = JSON.stringify(cli("project", "list"));
  await s.script(`location.hash = "/";`);
  await s.find('[data-testid="sync-now"]', 15000);
  await syncNow(s);
  check("a sync with nothing new changes no project", JSON.stringify(cli("project", "list")) === before);
  const again = await rows(s);
  check("and the dashboard lists the same four", JSON.stringify(again) === JSON.stringify(want), JSON.stringify(again));
} catch (e) {
  crashed(e);
} finally {
  await s.end().catch(() => {});
  gh.server.kill();
}
finish();
