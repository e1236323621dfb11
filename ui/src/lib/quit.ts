// Ctrl+Q (Cmd+Q on macOS) quits the app, as the tray's Quit does; unsaved edits are asked
// about first (closing the window only hides it while the app keeps running in the tray).
import { api } from "./api";
import { confirmDiscard } from "./unsaved.svelte";

/** Whether `event` is the quit key: Ctrl+Q or Cmd+Q, nothing else held. */
export function isQuitKey(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "q";
}

let quitting = false;

/** Listens for the quit key on this window. */
export function quitOnKey(): void {
  window.addEventListener("keydown", (event) => {
    if (!isQuitKey(event)) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    void confirmDiscard()
      .then((ok) => (ok ? api.quitApp() : undefined))
      .finally(() => (quitting = false));
  });
}
