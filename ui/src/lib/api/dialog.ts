// The native folder chooser (Tauri's dialog plugin; the window is granted its `open` only).
import { open } from "@tauri-apps/plugin-dialog";

/** Asks the person for a folder, starting at `start` when given; null when they cancel. */
export async function pickFolder(title: string, start?: string): Promise<string | null> {
  const chosen = await open({ directory: true, multiple: false, title, defaultPath: start || undefined });
  return typeof chosen === "string" ? chosen : null;
}
