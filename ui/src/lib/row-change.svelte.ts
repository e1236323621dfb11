// A change made from one row of a table (a member's role): one at a time, its refusal kept
// at that row, and the row's control put back to what it showed when the change is refused.
// What MemberList and GitHubTeam each wrote out around their role selects.
import { problemOf } from "./edit";

export class RowChange {
  /** The row whose change is running; the rows' controls wait meanwhile. */
  busy = $state<string | null>(null);
  /** Each row's refused change, by row key. */
  problems = $state<Record<string, string>>({});

  /**
   * Runs `change` for row `key`: its earlier refusal cleared first; on a refusal the
   * `select` shows `previous` again and the message (`shown` shapes it) stays at the row.
   * True when the change went through.
   */
  async run(
    key: string,
    select: HTMLSelectElement,
    previous: string,
    change: () => Promise<unknown>,
    shown: (message: string) => string = (m) => m,
  ): Promise<boolean> {
    this.busy = key;
    this.problems = Object.fromEntries(Object.entries(this.problems).filter(([k]) => k !== key));
    try {
      await change();
      return true;
    } catch (error) {
      select.value = previous;
      this.problems = { ...this.problems, [key]: shown(problemOf(error).message) };
      return false;
    } finally {
      this.busy = null;
    }
  }
}
