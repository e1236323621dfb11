// Issue 22: the project list and the last project are kept between visits (ui/src/lib/kept.ts,
// docs/DECISIONS.md). In the real window, with 41 projects made by the CLI:
// 1. the list, searched and scrolled down, then left for a project and come back to by the
//    Projects link, is where it was left: the same search, the same count, the same scroll,
//    and the row at its top is the row that was there (the rows drawn follow the scroll);
// 2. while the project is shown, nothing of the list is in the document (no second heading,
//    no row), and the other way round;
// 3. the project page come back to is the one left (the same heading element, on the tab
//    that was open), and another project's page is made fresh;
// 4. a project deleted by the CLI leaves the list shown within seconds (the spec watch's
//    removal event), and its address reads as not found, not as the kept page had it;
// 5. a project deleted by the CLI while its page is shown reads as not found there.
// Screenshots go to $E2E_OUT. Run by tests/e2e/run.sh (the Makefile's e2e-run target).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Session } from "./webdriver.mjs";
import { cliFor, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const CLI = join(dirname(APP), "codemyspec");
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-kept-"));
const { check, crashed, finish } = tally();
const cli = cliFor(APP, DATA);

execFileSync(CLI, ["--data-dir", DATA, "account", "create", "--email", "ada@example.com"], { input: "a long password\n" });
const made = [];
for (let i = 0; i < 40; i++) made.push(cli("project", "create", `proj_${String(i).padStart(2, "0")}`, "--framework", "elixir"));
cli("project", "create", "other", "--framework", "elixir");

const text = (s, id) => s.script(`return document.querySelector('[data-testid="${id}"]')?.textContent?.trim() ?? null;`);
const count = (s, css) => s.script(`return document.querySelectorAll(arguments[0]).length;`, [css]);
/** The list's scroll and the name of the row at its top edge, as the window draws it. */
const listTop = (s) =>
  s.script(`
    const v = document.querySelector('[data-testid="virtual-list"]');
    if (!v) return null;
    const box = v.getBoundingClientRect();
    const row = document.elementFromPoint(box.left + 20, box.top + 10)?.closest('[data-testid="project-row"]');
    return { scrollTop: v.scrollTop, top: row?.querySelector(".name")?.textContent ?? null };`);

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await s.find('[data-testid="project-row"]', 30000);
  await (await s.find("#project-search")).type("proj");
  await s.until("the search", async () => ((await text(s, "project-count")) === "40 of 41 projects" ? true : null), 10000);
  await s.script(`document.querySelector('[data-testid="virtual-list"]').scrollTop = 20 * 44;`);
  const before = await s.until("the list scrolled down", async () => {
    const t = await listTop(s);
    return t && t.top && t.top !== "proj_00" ? t : null;
  }, 10000);
  await s.screenshot(join(OUT, "kept-list-before.png"));

  // 1–3. To a project in view and back by the Projects link.
  const openName = before.top;
  const open = made.find((p) => p.name === openName);
  await s.script(`[...document.querySelectorAll('[data-testid="project-row"]')].find((r) => r.querySelector(".name").textContent === arguments[0]).click();`, [openName]);
  await s.until("the project's page", async () => ((await text(s, "project-title")) === openName ? true : null), 15000);
  check(
    "while a project is shown, nothing of the list is in the document",
    (await count(s, '[data-testid="project-row"], [data-testid="project-count"], #project-search')) === 0 && (await count(s, "h1")) === 1,
  );
  await s.script(`document.querySelector('[data-testid="project-title"]').dataset.keptMark = "left here";`);
  await (await s.find('a[href$="/stories"]')).click();
  await s.until("the stories tab", async () => ((await s.script(`return location.hash;`)).endsWith("/stories") ? true : null), 10000);

  await (await s.find('nav[aria-label="Main"] a[href="#/"]')).click();
  const after = await s.until("the list back", async () => ((await text(s, "project-count")) ? listTop(s) : null), 10000);
  check("the list comes back with its search", (await s.script(`return document.querySelector("#project-search").value;`)) === "proj");
  check("the list comes back with its count", (await text(s, "project-count")) === "40 of 41 projects", await text(s, "project-count"));
  check(
    "the list comes back scrolled where it was left, its top row the one that was there",
    after.scrollTop === before.scrollTop && after.top === before.top,
    `before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
  );
  check("while the list is shown, nothing of the project is in the document", (await count(s, '[data-testid="project-title"]')) === 0 && (await count(s, "h1")) === 1);
  await s.screenshot(join(OUT, "kept-list-after.png"));

  await s.script(`history.back();`);
  await s.until("the project again", async () => ((await text(s, "project-title")) === openName ? true : null), 10000);
  check("the project come back to is the page that was left, on its tab", (await s.script(
    `return document.querySelector('[data-testid="project-title"]').dataset.keptMark === "left here" && location.hash.endsWith("/stories") && !!document.querySelector('a[aria-current="page"][href$="/stories"]');`,
  )) === true);

  const other = made.find((p) => p.name === "proj_00");
  await s.script(`location.hash = arguments[0];`, [`#/projects/${other.id}`]);
  await s.until("another project", async () => ((await text(s, "project-title")) === "proj_00" ? true : null), 10000);
  check(
    "another project's page is made fresh, and only one project page is in the document",
    (await s.script(`return document.querySelector('[data-testid="project-title"]').dataset.keptMark ?? null;`)) === null && (await count(s, '[data-testid="project-title"]')) === 1,
  );

  // 4. Deleted by the CLI while kept, with the list shown: the list follows at once.
  await (await s.find('nav[aria-label="Main"] a[href="#/"]')).click();
  await s.find('[data-testid="project-count"]');
  cli("project", "delete", "proj_00");
  const dropped = await s
    .until("the list without the deleted project", async () => ((await text(s, "project-count")) === "39 of 40 projects" ? true : null), 10000)
    .catch(() => false);
  check("a project the CLI deleted leaves the list shown, without a restart", dropped, await text(s, "project-count"));
  await s.script(`location.hash = arguments[0];`, [`#/projects/${other.id}`]);
  const gone = await s.until("the deleted project's address answered", async () => (await s.script(`return document.querySelector('#main [role="alert"]')?.textContent ?? null;`)), 10000).catch(() => null);
  check("a project deleted while its page was kept reads as not found, not as it was", !!gone && /not found/i.test(gone) && (await count(s, '[data-testid="project-title"]')) === 0, String(gone));
  await s.screenshot(join(OUT, "kept-deleted.png"));

  // 5. Deleted by the CLI while its page is shown: the page says so by itself.
  const shown = made.find((p) => p.name === "proj_01");
  await s.script(`location.hash = arguments[0];`, [`#/projects/${shown.id}`]);
  await s.until("proj_01's page", async () => ((await text(s, "project-title")) === "proj_01" ? true : null), 10000);
  cli("project", "delete", "proj_01");
  const notFound = await s.until("the shown project's page answered", async () => (await s.script(`return document.querySelector('#main [role="alert"]')?.textContent ?? null;`)), 10000).catch(() => null);
  check("a project the CLI deleted while its page was shown reads as not found there, without a click", !!notFound && /not found/i.test(notFound) && (await count(s, '[data-testid="project-title"]')) === 0, String(notFound));
} catch (e) {
  crashed(e);
  await s.screenshot(join(OUT, "kept-failure.png")).catch(() => {});
} finally {
  await s.end();
}
finish();
