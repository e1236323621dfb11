// What GitHub shows of a project (issue 21), in the words the window and the CLI share.
import type { LastChange } from "./api";
import { count, when } from "./format";

/** "Last change on GitHub: bob-gh, <local date and time>, Add the price list". */
export function lastChangeText(c: LastChange): string {
  return `Last change on GitHub: ${c.who}, ${when(c.when)}, ${c.title}`;
}

/** "3 commits on GitHub you do not have here", or null when the working copy has them all
 * (or there is none on this machine, or the count is not known yet). */
export function behindText(c: LastChange): string | null {
  const n = c.behind ?? 0;
  return n > 0 ? `${count(n, "commit")} on GitHub you do not have here` : null;
}
