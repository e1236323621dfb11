// The lifecycle of DESIGN.md §4 as the picture draws it: the forward chain, then the loop
// and the detours.
import type { Stage } from "./api";

export const CHAIN: Stage[] = [
  "draft", "estimated", "provisioning", "initialized", "designing", "designed",
  "implementing", "implemented", "verifying", "verified", "deploying", "active",
];

export const OFF_CHAIN: Stage[] = ["maintenance", "error", "archived", "missing", "discovered"];

/** Where a stage stands relative to the current one, for colouring the picture. */
export function position(stage: Stage, current: Stage): "done" | "current" | "next" {
  if (stage === current) return "current";
  const i = CHAIN.indexOf(stage);
  const c = CHAIN.indexOf(current);
  return i >= 0 && c >= 0 && i < c ? "done" : "next";
}
