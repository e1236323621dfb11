// Issue 22: the docs repository's layout. In the real window (WebKitGTK under Xvfb through
// tauri-driver) against the local smart-HTTP git server:
// 1. a story published with "Sync now" is written to
//    stories/<first two hex digits of its id>/<its title's words>-<id start>.md, and edited
//    in the window and published again it keeps that path and holds the edit;
// 2. a docs repository an older version left flat (every file directly in stories/ and
//    contexts/) is brought in with "Sync now": the stories show in the list, and the repository
//    gained one commit of renames (git shows R100 for each file, names kept) — no file is left
//    flat and none is duplicated;
// 3. a teammate on an older version then pushes a new story flat: "Sync now" shows it, it stays
//    where it was put, and no second move is made; a second machine (another data dir) syncs
//    after the move and ends with the same files, no duplicates.
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { gitServer } from "./servers.mjs";
import { Session, sleep } from "./webdriver.mjs";
import { cliFor, docsProject, gitAs, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-layout-"));
const { check, finish } = tally();
const cli = cliFor(APP, DATA);

const git = await gitServer(["shop_docs", "old_docs"]);
const bareOf = (name) => join(git.root, "acme", `${name}.git`);
const inRepo = (name, ...args) => execFileSync("git", ["--git-dir", bareOf(name), ...args], { encoding: "utf8" }).trim();
const filesOf = (name) => inRepo(name, "ls-tree", "-r", "--name-only", "main").split("\n").filter(Boolean);
const specFiles = (name) => filesOf(name).filter((f) => f !== "README.md");

// Someone with an older version, working in a plain clone.
const person = gitAs("Old version", "old@example.com");
const story = (id, title) =>
  `---\nid: "${id}"\ntitle: "${title}"\nstatus: "draft"\napproved: false\nversion: 1\n---\n\n# ${title}\n\nAs a buyer.\n`;
const slug = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, "-");

const shop = docsProject(APP, DATA, git);
const checkout = cli("story", "create", "-p", "shop", "--title", "Checkout", "--description", "Pay for the cart.");

// The flat repository an older version wrote: three stories and a context, each directly in its folder.
const oldWork = join(mkdtempSync(join(tmpdir(), "codemyspec-old-")), "w");
mkdirSync(join(oldWork, "stories"), { recursive: true });
mkdirSync(join(oldWork, "contexts"), { recursive: true });
person(dirname(oldWork), "init", "-q", "-b", "main", "w");
const oldStories = ["Ship to a locker", "Return an order", "Gift wrap"].map((title) => ({ id: randomUUID(), title }));
for (const { id, title } of oldStories) writeFileSync(join(oldWork, "stories", `${slug(title)}-${id.slice(0, 8)}.md`), story(id, title));
const ctx = randomUUID();
writeFileSync(
  join(oldWork, "contexts", `shipping-${ctx.slice(0, 8)}.md`),
  `---\nid: "${ctx}"\nname: "Shipping"\ntype: "domain"\npurpose: "Get it there."\napproved: false\nstories: ["${oldStories[0].id}"]\nversion: 1\n---\n\n# Shipping\n`,
);
person(oldWork, "add", "-A");
person(oldWork, "commit", "-qm", "Spec: 4 entities edited");
person(oldWork, "push", "-q", bareOf("old_docs"), "main");
const flatBefore = specFiles("old_docs");
const older = cli("project", "create", "warehouse", "--framework", "elixir", "--docs-repo", `http://${git.host}/acme/old_docs`);

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await s.find('[data-testid="project-card"], [data-testid="empty"], main', 30000);
  const go = (hash) => s.script(`location.hash = arguments[0];`, [hash]);
  const titles = () => s.script(`return [...document.querySelectorAll('[data-testid="story-row"]')].map((r) => r.textContent);`);
  // Presses "Sync now" and waits for the button to be back (the sync over: pushed and recorded).
  const syncNow = async () => {
    await (await s.find('[data-testid="publish-sync-now"]')).click();
    await sleep(300);
    await s.until("the sync's end", async () =>
      s.script(`const b = document.querySelector('[data-testid="publish-sync-now"]'); return b && !b.disabled && b.textContent.includes("Sync now") && document.querySelector('[data-testid="publish-report"], [data-testid="publish-error"]') ? true : null;`),
    30000, 300);
  };

  // 1. A story published with "Sync now" lands in its id's sub-folder; edited in the window
  //    and published again, its file keeps its path (chosen once) and holds the edit.
  await go(`/projects/${shop.id}`);
  await syncNow();
  const want = `stories/${checkout.id.slice(0, 2)}/checkout-${checkout.id.slice(0, 8)}.md`;
  const first = specFiles("shop_docs");
  check("a published story is in its id's sub-folder, named by its title", JSON.stringify(first) === JSON.stringify([want]), JSON.stringify(first));
  await go(`/projects/${shop.id}/stories`);
  await (await s.find('[data-testid="story-row"] button')).click();
  await (await s.find("#story-title")).type("Pay by card");
  await (await s.find('[data-testid="story-save"]')).click();
  await s.until("the saved title", () => (cli("story", "show", checkout.id).title === "Pay by card" ? true : null), 15000, 300);
  await go(`/projects/${shop.id}`);
  await syncNow();
  const shopFiles = specFiles("shop_docs");
  check("the edited story's file keeps its path", JSON.stringify(shopFiles) === JSON.stringify([want]), JSON.stringify(shopFiles));
  const text = inRepo("shop_docs", "show", `main:${want}`);
  check("the file holds the edit made in the window", text.includes('title: "Pay by card"'), text.split("\n")[2]);
  await s.screenshot(join(OUT, "layout-published.png"));

  // 2. The flat repository, brought in with "Sync now": moved in one commit of renames.
  await go(`/projects/${older.id}`);
  await syncNow();
  await go(`/projects/${older.id}/stories`);
  const arrived = await s.until("the older version's stories", async () => {
    const now = await titles();
    return oldStories.every((o) => now.some((t) => t.includes(o.title))) ? now : null;
  }, 30000, 300).catch(async () => titles());
  check("the stories of a flat repository show in the list after Sync now", oldStories.every((o) => arrived.some((t) => t.includes(o.title))), JSON.stringify(arrived));
  await s.screenshot(join(OUT, "layout-moved-stories.png"));
  const moves = inRepo("old_docs", "log", "--format=%H %s", "main").split("\n").filter((l) => l.includes("Spec layout"));
  check("the repository gained one move commit", moves.length === 1, JSON.stringify(moves));
  const moveCommit = (moves[0] ?? "").split(" ")[0];
  const changes = moveCommit ? inRepo("old_docs", "show", "-M", "--name-status", "--format=", moveCommit).split("\n").filter(Boolean) : [];
  const renames = changes.filter((l) => l.startsWith("R100\t"));
  check("every flat file is renamed, its content unchanged (R100)", renames.length === flatBefore.length && changes.every((l) => l.startsWith("R100\t") || l.endsWith("README.md")), JSON.stringify(changes));
  const namesKept = renames.every((l) => {
    const [, from, to] = l.split("\t");
    const [dir, name] = from.split("/");
    return to.split("/").length === 3 && to.startsWith(`${dir}/`) && to.endsWith(`/${name}`);
  });
  check("each file keeps its name, in the sub-folder of its id", namesKept, JSON.stringify(renames));
  const moved = specFiles("old_docs");
  check("no spec file is left flat and none is duplicated", moved.length === flatBefore.length && moved.every((f) => f.split("/").length === 3), JSON.stringify(moved));

  // 3. A teammate on an older version pushes a new story flat, after the move.
  person(oldWork, "pull", "-q", bareOf("old_docs"), "main");
  const late = { id: randomUUID(), title: "Pick up in store" };
  const latePath = `stories/${slug(late.title)}-${late.id.slice(0, 8)}.md`;
  writeFileSync(join(oldWork, latePath), story(late.id, late.title));
  person(oldWork, "add", "-A");
  person(oldWork, "commit", "-qm", "Spec: 1 entity edited");
  person(oldWork, "push", "-q", bareOf("old_docs"), "main");
  await go(`/projects/${older.id}`);
  await syncNow();
  await go(`/projects/${older.id}/stories`);
  const withLate = await s.until("the teammate's flat story", async () => ((await titles()).some((t) => t.includes(late.title)) ? true : null), 30000, 300).catch(() => false);
  check("a story an older version adds flat after the move shows in the list", withLate === true, JSON.stringify(await titles()));
  check("it stays where it was put", filesOf("old_docs").includes(latePath), JSON.stringify(specFiles("old_docs")));
  const movesAfter = inRepo("old_docs", "log", "--format=%s", "main").split("\n").filter((l) => l.includes("Spec layout"));
  check("no second move commit", movesAfter.length === 1, JSON.stringify(movesAfter));

  // A second machine (another data dir) syncs the moved repository: the same files, once each.
  const other = mkdtempSync(join(tmpdir(), "codemyspec-layout-other-"));
  const otherCli = (args, input = "") => JSON.parse(execFileSync(CLI, ["--data-dir", other, "--json", ...args], { encoding: "utf8", input }) || "null");
  otherCli(["account", "create", "--email", "bob@example.com"], "a long password\n");
  execFileSync(CLI, ["--data-dir", other, "token", "set", "--host", git.host], { input: `${git.token}\n` });
  otherCli(["project", "create", "warehouse", "--framework", "elixir", "--docs-repo", `http://${git.host}/acme/old_docs`]);
  const before = specFiles("old_docs");
  const report = otherCli(["docs", "sync", "warehouse"]);
  check("the second machine imports every story", report.imported === 5, JSON.stringify(report));
  check("and changes no file", JSON.stringify(specFiles("old_docs")) === JSON.stringify(before), JSON.stringify(specFiles("old_docs")));
  await sleep(200);
  await s.screenshot(join(OUT, "layout-late-story.png"));
} catch (e) {
  check("the run finished", false, String(e?.stack ?? e));
} finally {
  await s.end().catch(() => {});
  git.server.kill();
}
finish();
