// Every page of the real window: an accessibility check (axe-core, injected through
// WebDriver) with zero serious or critical violations, no sideways overflow at 800×600, and
// a screenshot of each page at 1280×800 and at 800×600. `make test` runs it twice: in the
// light theme and with GTK_THEME=Adwaita:dark (WebKitGTK then reports
// `prefers-color-scheme: dark`); THEME names the screenshots.
import { Session } from "./webdriver.mjs";
import { axe } from "./axe.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliFor, createProfile, tally } from "./harness.mjs";

const APP = process.env.APP;
const OUT = process.env.E2E_OUT;
const THEME = process.env.THEME ?? "light";
const DATA = mkdtempSync(join(tmpdir(), "codemyspec-pages-"));

const { check, finish } = tally();

const cli = cliFor(APP, DATA);

/** Whether anything sticks out to the right of the window (sideways scrolling). */
function overflow(s) {
  return s.script(`
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1 && getComputedStyle(e).position !== "fixed";
    }).slice(0, 3).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
    return { scroll: document.documentElement.scrollWidth > width + 1, wide };`);
}

async function size(s, width, height) {
  await s.cmd("POST", "/window/rect", { width, height }).catch(() => {});
  await s.until("the window size", () => s.script(`return window.innerWidth <= ${width} ? true : null;`), 5000).catch(() => null);
}

async function visit(s, name, hash, ready) {
  await s.script(`location.hash = arguments[0];`, [hash]);
  await s.find(ready);
  await new Promise((r) => setTimeout(r, 300));
  for (const [w, h, tag] of [[1280, 800, ""], [800, 600, "-800x600"]]) {
    await size(s, w, h);
    const violations = await axe(s);
    check(`${name}${tag} (${THEME}): no serious or critical accessibility violation`, violations.length === 0, violations.join("; "));
    if (tag) {
      const o = await overflow(s);
      check(`${name} (${THEME}) fits 800×600 without sideways scrolling`, !o.scroll, o.wide.join(", "));
    }
    await s.screenshot(join(OUT, `page-${name}-${THEME}${tag}.png`));
  }
}

const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", DATA]);
try {
  await size(s, 1280, 800);
  // First run, before any profile.
  await s.find("#profile-email", 30000);
  const dark = await s.script(`return matchMedia("(prefers-color-scheme: dark)").matches;`);
  check(`the window follows the OS theme (${THEME})`, dark === (THEME === "dark"), `prefers dark: ${dark}`);
  await visit(s, "first-run", "#/", "#profile-email");
  await createProfile(s, { name: null });

  // A project with something on every tab, long names included.
  const p = cli("project", "create", "pages_app", "--framework", "elixir", "--description", "A project with a description long enough to wrap across the header at a small window size, as real ones do.");
  const story = cli("story", "create", "-p", "pages_app", "--title", "As a shopper with a very long account name I can pay by card, by bank transfer or with a voucher", "--description", "As a buyer\n\n1. I add to cart\n2. I pay\n\n> quoted", "--criteria", "- it works\n- | a | b |\n  |---|---|\n  | 1 | 2 |");
  cli("story", "create", "-p", "pages_app", "--title", "Refunds", "--description", "Money back.");
  const ctx = cli("context", "create", "-p", "pages_app", "--purpose", "Take payments from shoppers", "Payments");
  cli("context", "link", ctx.id, "--story", story.id);
  const charge = cli("component", "create", "-p", "pages_app", "--type", "schema", "--file", "lib/pages_app/payments/charges/very_long_module_name_that_goes_on.ex", "Payments.Charges.VeryLongModuleNameThatGoesOnAndOn");
  const pay = cli("component", "create", "-p", "pages_app", "--type", "context", "--file", "lib/pages_app/payments.ex", "Payments");
  cli("component", "depend", pay.id, "--on", charge.id);
  cli("session", "create", "-p", "pages_app", "--type", "design", "--target-type", "component", "--target", charge.id);

  await visit(s, "dashboard", "#/", '[data-testid="project-row"], [data-testid="project-card"], table');
  await visit(s, "new-project", "#/new", "#project-name");
  for (const tab of ["overview", "stories", "contexts", "components", "sessions", "conflicts"]) {
    await visit(s, `project-${tab}`, `#/projects/${p.id}/${tab}`, "main");
  }
  await visit(s, "jobs", "#/jobs", "main");
  await visit(s, "settings", "#/settings", "main");
} finally {
  await s.end();
}
finish();
