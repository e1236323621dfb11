// Small display helpers.
import type { Database, Framework } from "./api";

export function duration(ms: number | null | undefined): string {
  if (ms == null) return "";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** "2026-11-22T01:02:03.000000Z" → a local date and time. */
export function when(ts: string | null | undefined): string {
  if (!ts) return "";
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}

/** 10000 → "10,000". */
export function number(n: number): string {
  return n.toLocaleString("en");
}

/** "1 project", "10,000 projects". */
export function count(n: number, noun: string): string {
  return `${number(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** snake_case status → words. */
export function label(value: string): string {
  return value.replaceAll("_", " ");
}

/** "https://github.com/acme/shop" → "acme/shop": a repository as GitHub names it (the
 * project's URLs follow renames, so this is its current name). */
export function repositoryName(url: string | null | undefined): string | null {
  const match = /^[a-z]+:\/\/[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url ?? "");
  return match ? `${match[1]}/${match[2]}` : null;
}

/** Statuses of a setup that is queued or running. */
/** The frameworks a project is generated with, as the project forms offer them. */
export const FRAMEWORKS: { value: Framework; label: string }[] = [
  { value: "phoenix", label: "Phoenix (mix phx.new, with authentication)" },
  { value: "elixir", label: "Elixir (mix new)" },
];

/** The databases a Phoenix project may use, as the project forms offer them. */
export const DATABASES: { value: Database; label: string }[] = [
  { value: "sqlite3", label: "SQLite" },
  { value: "postgres", label: "PostgreSQL" },
  { value: "mysql", label: "MySQL" },
];

export const RUNNING_SETUP = new Set([
  "setup_queued",
  "creating_repositories",
  "checking_access",
  "cloning",
  "importing_spec",
  "initializing",
  "deps_installing",
  "setting_up_auth",
  "compiling",
  "testing",
  "committing",
]);

/** Words that stay lower-case at the start of a sentence: programs, spelled as typed. */
const AS_TYPED = new Set(["mix", "git", "elixir", "erl", "npm", "node", "gh", "ssh", "psql", "docker", "cargo", "codemyspec"]);

/** "not signed in" → "Not signed in": a message the window shows starts with a capital.
 * Only a plain lower-case word is raised: code, paths, names with `_`/`/`/digits, and
 * program names stay as written. */
export function sentence(text: string): string {
  const first = /^[a-z]+(?=$|[\s,.;!?—-]|:(?!\/))/.exec(text)?.[0];
  if (!first || AS_TYPED.has(first)) return text;
  return first[0].toUpperCase() + text.slice(1);
}
