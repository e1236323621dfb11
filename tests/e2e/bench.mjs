// `make bench`, the app's figures, in the real window (release build with the `bench`
// feature, under Xvfb through tauri-driver): cold start to first paint, idle resident memory
// of the whole app (the Rust process and its WebKit processes), status events delivered per
// second with none lost, and the dashboard's render time with 10,000 projects.
// usage (by tests/e2e/run.sh): bench.mjs SEEDER   where SEEDER is the codemyspec-bench binary
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, sleep } from "./webdriver.mjs";

const APP = process.env.APP;
const SEEDER = process.argv[2];
const rows = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = (figure, value, note = "") => {
  rows.push([figure, value, note]);
  console.log(`${figure}: ${value} ${note}`);
};

function seed(projects) {
  const dir = mkdtempSync(join(tmpdir(), "codemyspec-bench-app-"));
  execFileSync(SEEDER, ["--only", "seed", "--data-dir", dir, "--projects", String(projects)]);
  return dir;
}

const TICKS = 100; // USER_HZ on Linux
// When the machine booted, in epoch seconds to 10 ms: now minus the uptime. (`btime` in
// /proc/stat is whole seconds, which put up to a second of error on every start time.)
const bootTime = Date.now() / 1000 - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);

/** The app's process (newest one of this binary) and when it started (epoch ms). */
function appProcess() {
  const pid = Number(execFileSync("pgrep", ["-n", "-f", APP], { encoding: "utf8" }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  return { pid, startedAt: (bootTime + startTicks / TICKS) * 1000 };
}

/** Memory (kB) of a process and all its descendants: resident (shared libraries counted in
 *  every process), proportional (shared pages split between their users) and anonymous. */
function treeMemory(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(status.match(/^PPid:\s+(\d+)/m)[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const total = { rss: 0, pss: 0, anon: 0, names: [] };
  const field = (text, name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
  const visit = (p) => {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      total.rss += field(rollup, "Rss");
      total.pss += field(rollup, "Pss");
      total.anon += field(rollup, "Anonymous");
      total.names.push(readFileSync(`/proc/${p}/status`, "utf8").match(/^Name:\s+(.*)$/m)[1]);
    } catch {}
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

async function start(dataDir) {
  const s = await Session.start(process.env.WD_URL, APP, ["--data-dir", dataDir]);
  await s.cmd("POST", "/timeouts", { script: 120000 });
  const painted = await s.until("the first paint", () => s.script("return window.__codemyspecPainted ?? null;"), 30000, 10);
  const pageStart = await s.script("return performance.timeOrigin;");
  return { s, painted, pageStart, proc: appProcess() };
}

// 1. Cold start to first paint (a profile and one project), five times.
const small = seed(1);
const starts = [];
const toPage = [];
let idle = null;
for (let i = 0; i < 5; i++) {
  const { s, painted, pageStart, proc } = await start(small);
  starts.push(painted - proc.startedAt);
  toPage.push(pageStart - proc.startedAt);
  if (i === 4) {
    // 2. Idle memory, with the window open on the dashboard.
    await s.find('[data-testid="project-row"]');
    await sleep(10000);
    idle = treeMemory(proc.pid);

    // 3. Status events per second: the app sends 3,000 project updates as typed events, back
    //    to back, the way the bridge forwards the broadcaster; the page counts them.
    const n = 3000;
    const result = await s.asyncScript(
      `const done = arguments[arguments.length - 1];
       const n = arguments[0];
       const T = window.__TAURI_INTERNALS__;
       let got = 0, first = 0, last = 0;
       const handler = T.transformCallback(() => { got++; const t = performance.now(); if (!first) first = t; last = t; if (got === n) done({ got, ms: last - t0 }); });
       const t0 = performance.now();
       T.invoke("plugin:event|listen", { event: "project-updated", target: { kind: "Any" }, handler })
         .then(() => T.invoke("emit_test_events", { n }))
         .catch((e) => done({ error: String(e) }));
       setTimeout(() => done({ got, ms: last - t0, timedOut: true }), 90000);`,
      [n],
    );
    if (result.error) throw new Error(result.error);
    report(
      `status events to the window (${n} sent)`,
      `${Math.round(result.got / (result.ms / 1000))} events/s`,
      `${result.got} of ${n} delivered${result.got === n ? ", none lost" : " — SOME LOST"}`,
    );
  }
  await s.end();
  await sleep(500);
}
report("cold start to first paint (median of 5)", `${Math.round(median(starts))} ms`, `target < 1000 ms; runs ${starts.map(Math.round).join(", ")} ms`);
report("  of which process start to the page's navigation", `${Math.round(median(toPage))} ms`, `runs ${toPage.map(Math.round).join(", ")} ms`);
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
report(
  "idle memory, window open: proportional (PSS)",
  mb(idle.pss),
  `target < 150 MB; resident ${mb(idle.rss)} counting shared libraries in each process, anonymous ${mb(idle.anon)}; ${idle.names.join(" + ")}`,
);

// 4. The dashboard with 10,000 projects: first load, then re-render from memory.
const big = seed(10000);
const { s, proc } = await start(big);
const firstRows = await s.until(
  "10,000 projects",
  () => s.script(`const c = document.querySelector('[data-testid="project-count"]'); return c && c.textContent.startsWith("10,000") ? performance.timeOrigin + performance.now() : null;`),
  60000,
  10,
);
report("dashboard, 10,000 projects: process start to rows shown", `${Math.round(firstRows - proc.startedAt)} ms`);
const renders = [];
for (let i = 0; i < 7; i++) {
  await s.script(`location.hash = "/settings";`);
  await s.find("#settings-name");
  const ms = await s.asyncScript(
    `const done = arguments[arguments.length - 1];
     const t0 = performance.now();
     location.hash = "/";
     const wait = () => {
       const c = document.querySelector('[data-testid="project-count"]');
       if (c && c.textContent.startsWith("10,000") && document.querySelector('[data-testid="project-row"]')) requestAnimationFrame(() => done(performance.now() - t0));
       else requestAnimationFrame(wait);
     };
     wait();`,
  );
  renders.push(ms);
}
report("dashboard render with 10,000 projects (median of 7)", `${median(renders).toFixed(1)} ms`, `target < 100 ms; runs ${renders.map((r) => r.toFixed(0)).join(", ")} ms`);
await s.end();

console.log("\nfigure | value | note");
for (const r of rows) console.log(r.join(" | "));
