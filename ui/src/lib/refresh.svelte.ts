// A part of a page that reads its own data (a context's linked stories, a design doc) reads
// it again when the page bumps a counter (the project's spec changed elsewhere).
import { untrack } from "svelte";

/** Calls `reload` each time `counter` changes, not at first. Call it while a component initializes. */
export function reloadOnBump(counter: () => number, reload: () => unknown): void {
  let seen = untrack(counter);
  $effect(() => {
    const now = counter();
    if (now === seen) return;
    seen = now;
    untrack(reload);
  });
}
