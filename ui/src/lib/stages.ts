// The lifecycle of docs/DESIGN.md (State machines) as the picture draws it: the forward chain, then the loop
// and the detours; and what each stage and each setup status means, for the badges' hints.
import type { Project, SetupStatus, Stage } from "./api";
import { label } from "./format";

export const CHAIN: Stage[] = [
  "draft",
  "estimated",
  "provisioning",
  "initialized",
  "designing",
  "designed",
  "implementing",
  "implemented",
  "verifying",
  "verified",
  "deploying",
  "active",
];

export const OFF_CHAIN: Stage[] = ["maintenance", "error", "archived", "missing", "discovered"];

/** Every stage, in the picture's order. */
export const STAGES: Stage[] = [...CHAIN, ...OFF_CHAIN];

/** Where a stage stands relative to the current one, for colouring the picture. */
export function position(stage: Stage, current: Stage): "done" | "current" | "next" {
  if (stage === current) return "current";
  const i = CHAIN.indexOf(stage);
  const c = CHAIN.indexOf(current);
  return i >= 0 && c >= 0 && i < c ? "done" : "next";
}

/** One short sentence per stage. */
export const STAGE_MEANING: Record<Stage, string> = {
  draft: "Just created: being described, nothing generated yet.",
  estimated: "Described and sized up; ready to be set up.",
  provisioning: "The setup is creating the repositories and generating the app.",
  initialized: "Set up: the app is generated, compiles and is committed.",
  designing: "The contexts, components and design documents are being written.",
  designed: "The design is done and approved.",
  implementing: "The code is being written from the design.",
  implemented: "The code is written.",
  verifying: "The code is being tested against the stories.",
  verified: "The tests pass: ready to deploy.",
  deploying: "Being deployed.",
  active: "Deployed and in use.",
  maintenance: "In use and being changed; goes back to designing for the next round.",
  error: "Something failed; it returns to the stage it left once fixed.",
  archived: "Put aside; it can return to the stage it left.",
  missing: "Its GitHub repository can no longer be found; the GitHub sync brings it back.",
  discovered: "Found on GitHub by the org sync, not on this machine yet; set it up here to clone it and bring its spec in.",
};

/** One short sentence per setup status. */
export const SETUP_MEANING: Record<SetupStatus, string> = {
  created: "No setup has run yet.",
  setup_queued: "Waiting in the setup queue.",
  creating_repositories: "Creating (or adopting) the code and docs repositories on GitHub.",
  checking_access: "Checking that your GitHub account can read the project's repositories.",
  cloning: "Cloning the code repository onto this machine.",
  importing_spec: "Bringing the spec in from the docs repository.",
  initializing: "Generating the app.",
  deps_installing: "Installing its dependencies.",
  setting_up_auth: "Adding authentication.",
  compiling: "Compiling.",
  testing: "Running its tests.",
  committing: "Committing and pushing the result.",
  ready: "Set up: the app is on this machine, built and tested (generated and pushed, or cloned).",
  failed: "The setup stopped with an error; see Setup on the Overview to retry.",
};

/** The stage badge's hint: the current stage, then what every stage means. */
export function stageHint(stage: Stage): string {
  const all = STAGES.map((s) => `${label(s)}: ${STAGE_MEANING[s]}`).join("\n");
  return (
    `Stage: where the project is in its lifecycle — now ${label(stage)}: ${STAGE_MEANING[stage]}\n` + `The ${STAGES.length} stages:\n${all}`
  );
}

/** The setup badge's hint: what setup status means, and the current one. */
export function setupHint(status: SetupStatus): string {
  return (
    "Setup: how far the one-time setup has got — it creates the GitHub repositories, generates the app, " +
    `installs its dependencies, compiles, tests and commits it. Now ${label(status)}: ${SETUP_MEANING[status]}`
  );
}

/** The setup error `cancel_setup` records (core `pipeline::CANCELLED`): a person's choice. */
export const CANCELLED = "cancelled";

/** Whether the project's setup stopped because a person cancelled it (not a failure). */
export function wasCancelled(p: Pick<Project, "setup_status" | "setup_error">): boolean {
  return p.setup_status === "failed" && p.setup_error === CANCELLED;
}

/** What a setup badge reads: a cancelled setup reads "cancelled", not "failed". */
export function setupShown(p: Pick<Project, "setup_status" | "setup_error">): string {
  return wasCancelled(p) ? CANCELLED : p.setup_status;
}

/** The setup badge's hint for the project, a cancelled setup told as one. */
export function setupHintFor(p: Pick<Project, "setup_status" | "setup_error">): string {
  return wasCancelled(p)
    ? "Setup: how far the one-time setup has got. Now cancelled: you cancelled it; Retry runs it again from where it stopped."
    : setupHint(p.setup_status);
}
