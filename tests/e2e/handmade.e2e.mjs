// Issue 23: people work in the docs repository too. In the real window (WebKitGTK under Xvfb
// through tauri-driver) against the local smart-HTTP git server: a person pushes a story file
// with only a title from a plain git clone, as GitHub's "Add file" would; pressing "Sync now"
// brings it into the stories list and the publish line says "1 added on GitHub"; the file
// gains its id; deleting the file by hand and syncing takes the story away.
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitServer } from "./servers.mjs";
import { Session, sleep } from "./webdriver.mjs";
import { cliFor, docsProject, gitAs, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-handmade-"));
const { check, finish } = tally();

const cli = cliFor(APP, DATA);

// A person's plain clone of the docs repository.
const person = gitAs("Pat", "pat@example.com");

const git = await gitServer(["shop_docs"]);
const bare = join(git.root, "acme", "shop_docs.git");
const project = docsProject(APP, DATA, git);
cli("story", "create", "-p", "shop", "--title", "Checkout", "--description", "Pay for the cart.");
cli("docs", "sync", "shop");

const work = join(mkdtempSync(join(tmpdir(), "codemyspec-person-")), "w");
person(dirname(work), "clone", "-q", "-b", "main", bare, "w");

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await s.find('[data-testid="project-card"], [data-testid="empty"], main', 30000);
  await s.script(`location.hash = arguments[0];`, [`/projects/${project.id}/stories`]);
  await s.find('[data-testid="story-row"]');
  const titles = () => s.script(`return [...document.querySelectorAll('[data-testid="story-row"]')].map((r) => r.textContent);`);

  // A story file with only a title, pushed like GitHub's "Add file".
  writeFileSync(join(work, "stories", "wishlist.md"), "---\ntitle: Wishlist\n---\nKeep things for later.\n");
  person(work, "add", "-A");
  person(work, "commit", "-qm", "Add a wishlist story");
  person(work, "push", "-q", "origin", "HEAD:main");

  await (await s.find('[data-testid="publish-sync-now"]')).click();
  const arrived = await s.until("the hand-made story in the list", async () => ((await titles()).some((t) => t.includes("Wishlist")) ? true : null), 30000, 300).catch(() => false);
  check("the story added by hand on GitHub shows in the stories list", arrived === true, JSON.stringify(await titles()));
  const added = await s.until("the publish line's count", async () => {
    const el = await s.script(`const e = document.querySelector('[data-testid="publish-added"]'); return e ? e.textContent : null;`);
    return el && el.includes("1 added on GitHub") ? el : null;
  }, 15000, 300).catch(() => "");
  check('the publish line says "1 added on GitHub"', added.includes("1 added on GitHub"), added);
  await s.screenshot(join(OUT, "handmade-added.png"));
  const statusText = execFileSync(CLI, ["--data-dir", DATA, "docs", "status", "shop"], { encoding: "utf8" });
  check('`codemyspec docs status` says "1 added on GitHub"', statusText.includes("1 added on GitHub"), statusText.split("\n")[0]);

  person(work, "pull", "-q", "--rebase", "origin", "main");
  const file = readFileSync(join(work, "stories", "wishlist.md"), "utf8");
  const wishlist = cli("story", "list", "--project", "shop").find((st) => st.title === "Wishlist");
  check("the file keeps its name and gains the story's id", Boolean(wishlist) && file.includes(`id: "${wishlist.id}"`), file.split("\n").slice(0, 3).join(" "));

  // Deleted by hand on GitHub: gone here after the next sync.
  rmSync(join(work, "stories", "wishlist.md"));
  person(work, "commit", "-qam", "Remove the wishlist");
  person(work, "push", "-q", "origin", "HEAD:main");
  await sleep(300);
  await (await s.find('[data-testid="publish-sync-now"]')).click();
  const gone = await s.until("the deleted story gone from the list", async () => {
    const now = await titles();
    return now.length > 0 && !now.some((t) => t.includes("Wishlist")) ? true : null;
  }, 30000, 300).catch(() => false);
  check("a story file deleted by hand disappears from the list", gone === true, JSON.stringify(await titles()));
  check("and the other story stays", (await titles()).some((t) => t.includes("Checkout")));
  await s.screenshot(join(OUT, "handmade-deleted.png"));
} catch (e) {
  check("the run finished", false, String(e?.stack ?? e));
} finally {
  await s.end().catch(() => {});
  git.server.kill();
}
finish();
