// Words for the window about GitHub sign-in problems: the core's messages serve the CLI and
// the window alike, so where one names a setting the window has a field for, say that field.
import type { Problem } from "./edit";

/** What the device sign-in's problem says beside its button. */
export function deviceProblemText(problem: Problem): string {
  if (problem.field === "github_client_id") {
    return "Signing in with a code needs an OAuth App client id: enter it above under GitHub and save.";
  }
  return problem.message;
}

/** The picker's value for an owner: "" is the account itself (no organization). */
export function ownerValue(owner: { login: string; is_account: boolean }): string {
  return owner.is_account ? "" : owner.login;
}
