// The installed package, started the way a person starts it: the .deb's own binary with no
// arguments (its default data folder under $HOME), in the real window under Xvfb. It shows the
// first-run page, creates the profile, and the package's CLI (`codemyspec`, installed beside
// it) sees that profile; the app's log file says it started.
// usage (by tests/package/deb.sh through tests/e2e/run.sh): installed.e2e.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Session } from "./webdriver.mjs";
import { createProfile, tally } from "./harness.mjs";

const APP = process.env.APP;
const CLI = join(dirname(APP), "codemyspec");
const { check, finish } = tally();

const s = await Session.start(process.env.WD_URL, APP, []);
try {
  const heading = await (await s.find("h1", 30000)).text();
  check("the installed app opens on the first-run page", heading === "Welcome to CodeMySpec", `heading "${heading}"`);
  check("its window is titled CodeMySpec", (await s.cmd("GET", "/title")) === "CodeMySpec");
  await createProfile(s);
  const accounts = JSON.parse(execFileSync(CLI, ["--json", "account", "list"], { encoding: "utf8" }));
  check("the installed CLI sees the profile made in the window", accounts.length === 1 && accounts[0].email === "ada@example.com");
} finally {
  await s.end();
}
const logs = join(process.env.XDG_DATA_HOME, "dev.codemyspec.desktop", "logs");
const text = existsSync(logs) ? readdirSync(logs).map((f) => readFileSync(join(logs, f), "utf8")).join("") : "";
check("the installed app writes its log in the OS log folder", text.includes("CodeMySpec starts"), logs);
finish("installed package");
