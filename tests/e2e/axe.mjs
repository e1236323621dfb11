// The accessibility check the e2e tests run in the real window: axe-core (tests/e2e's own
// npm package), injected through WebDriver; what counts is a serious or critical violation.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const AXE = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "node_modules/axe-core/axe.min.js"), "utf8");

/** The page's serious and critical violations, each as "rule (impact): where". */
export async function axe(s) {
  const loaded = await s.script(`return typeof window.axe === "object";`);
  if (!loaded) await s.script(`${AXE}\n;return true;`);
  return s.asyncScript(`
    const done = arguments[arguments.length - 1];
    window.axe.run(document, { resultTypes: ["violations"] })
      .then((r) => done(r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "))))
      .catch((e) => done(["axe failed: " + e]));`);
}
