// A form's busy flag, its problem and its notice, and the one way its actions run through
// them: what each form otherwise writes out around every request. Uses runes: create it
// while a component initializes (or in a class that does).
import { problemOf, type Problem } from "./edit";

export class FormState {
  /** An action is running (the form's buttons are disabled meanwhile). */
  busy = $state(false);
  /** What went wrong in the last action, shown under its fields and above the form. */
  problem = $state<Problem | null>(null);
  /** What the last action did ("Saved."), set by the action itself. */
  notice = $state<string | null>(null);

  /**
   * Runs `action`: busy meanwhile, the last problem and notice cleared first, a failure kept
   * as the problem (`toProblem` shapes it, e.g. to rename a field). True when it succeeded.
   */
  async run(action: () => Promise<unknown>, toProblem: (error: unknown) => Problem = problemOf): Promise<boolean> {
    this.busy = true;
    this.problem = null;
    this.notice = null;
    try {
      await action();
      return true;
    } catch (error) {
      this.problem = toProblem(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
