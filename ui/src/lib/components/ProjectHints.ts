// The core's messages and hints are written for both of its faces; the window shows them
// without telling a person to run a CLI command, and says where in the window to fix what
// "Check requirements" finds missing.
import type { Check } from "../api";
import { problemOf, type Problem } from "../edit";
import { sentence } from "../format";

/** Where the window sets a project's docs repository. */
const DOCS_REPO_FIELD = "Overview → Edit project → Docs repository URL";

const REWRITES: [RegExp, string][] = [
  // "run `codemyspec github login`, or Settings → GitHub": the second half is the window's.
  [/first: `codemyspec github login`, or (Settings → GitHub)/g, "first, in $1"],
  [/(?:run |with )?`codemyspec github login`,? or (Settings → GitHub)/g, "sign in to GitHub in $1"],
  [/sign in again with `codemyspec github login`/g, "sign in to GitHub again in Settings → GitHub"],
  [
    /\(sign in with `codemyspec github login`, or set a token for \S+ with `codemyspec token set`\)/g,
    "(sign in to GitHub in Settings → GitHub)",
  ],
  [/(?:run |with )?`codemyspec github login`/g, "sign in to GitHub in Settings → GitHub"],
  [/(?:run |with )?`codemyspec token set[^`]*`/g, "set a token in Settings → GitHub"],
  [/(?:set one with |run )?`?codemyspec config set workspace_dir[^`)]*`?/g, "pick a workspace folder in Settings → Workspace"],
  [/`?codemyspec config set github_client_id[^`)]*`?/g, "Settings → GitHub"],
  // "set one (codemyspec project update --docs-repo URL)": the project's Edit project form has it.
  [/\(`?codemyspec project update\b[^`)]*--docs-repo\b[^`)]*`?\)/g, `(in ${DOCS_REPO_FIELD})`],
  [/(?:run |with )?`codemyspec project update\b[^`]*--docs-repo\b[^`]*`/g, `in ${DOCS_REPO_FIELD}`],
  [/(?:run |with )?codemyspec project update\b[^;,()`]*?--docs-repo\b(?: [^\s;,()`]+)?/g, `in ${DOCS_REPO_FIELD}`],
  [/\(`?codemyspec project update\b[^`)]*`?\)/g, "(in Overview → Edit project)"],
  [/(?:run |with )?`?codemyspec project update\b[^`);]*`?/g, "in Overview → Edit project"],
  // The dependency cache is emptied from the CLI only (docs/DECISIONS.md, issue 24): the
  // window shows its size and leaves the hint out.
  [/; `codemyspec cache clear` empties it/g, ""],
  // Anything else the CLI would do has a place in Settings.
  [/(?:run |with )?`codemyspec [^`]*`/g, "Settings"],
];

/** A core message with its CLI hints turned into places in the window. */
export function forWindow(message: string): string {
  return sentence(REWRITES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message));
}

/** A refusal as a form shows it in the window: its message and each field's in the window's words. */
export function problemForWindow(error: unknown): Problem {
  const p = problemOf(error);
  return { ...p, message: forWindow(p.message), fields: p.fields.map((f) => ({ ...f, message: forWindow(f.message) })) };
}

/** Where in the window (or on this computer) a missing requirement is fixed. */
export function whereToFix(check: Check): { text: string; settings: boolean } {
  const name = check.name.toLowerCase();
  if (name.startsWith("token for") || name.startsWith("github sign-in")) {
    return { text: "Sign in to GitHub in Settings → GitHub.", settings: true };
  }
  if (name === "workspace folder") {
    return { text: "Pick a workspace folder you can write to in Settings → Workspace.", settings: true };
  }
  // Machine requirements of a Phoenix app (issue 24): fixed on this computer, not in the app.
  if (name === "hex repository") {
    return { text: "Connect to the network, or point Hex at a repository that answers, as the detail says.", settings: false };
  }
  if (name.startsWith("erlang headers")) {
    return { text: "Install Erlang's development headers on this computer, as the detail says.", settings: false };
  }
  if (name.includes("repository")) {
    return { text: "Change the repository URL in Edit project below, or ask for write access on GitHub.", settings: false };
  }
  if (name.startsWith("program ")) {
    return { text: `Install ${check.name.slice("program ".length)} on this computer (it must be on the PATH).`, settings: false };
  }
  if (name.startsWith("mix archive")) {
    return { text: "Install it in a terminal, as the detail says.", settings: false };
  }
  if (name === "database") {
    return { text: "Start the database on this computer.", settings: false };
  }
  return { text: "See the detail above.", settings: false };
}
