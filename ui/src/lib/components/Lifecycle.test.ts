import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import Lifecycle from "./Lifecycle.svelte";
import { project } from "../../test/fixtures";
import type { Project } from "../api";
import { mockCommands } from "../../test/ipc";

describe("Lifecycle", () => {
  it("marks the current stage and moves through an allowed transition", async () => {
    let moved: unknown = null;
    mockCommands((cmd, args) => {
      if (cmd === "allowed_transitions")
        return [
          { to: "estimated", trigger: "user" },
          { to: "archived", trigger: "user" },
        ];
      if (cmd === "transition_project") {
        moved = args;
        return project({ stage: "estimated" });
      }
    });
    let result: Project | null = null;
    const { container } = render(Lifecycle, { project: project(), onMoved: (p: Project) => (result = p) });
    expect(container.querySelector('li.current[data-stage="draft"]')).toBeTruthy();
    await fireEvent.click(await screen.findByTestId("move-estimated"));
    await new Promise((r) => setTimeout(r, 0));
    expect(moved).toEqual({ id: "p-1", to: "estimated", reason: "changed in the app" });
    expect((result as Project | null)?.stage).toBe("estimated");
  });

  it("says no move is open only once the moves are read, not while they are", async () => {
    let answer: (moves: unknown[]) => void = () => {};
    mockCommands((cmd) => {
      if (cmd === "allowed_transitions") return new Promise((resolve) => (answer = resolve));
    });
    render(Lifecycle, { project: project(), onMoved: () => {} });
    expect(screen.getByTestId("moves-loading").textContent).toContain("Reading the moves");
    expect(screen.queryByText(/No move is open/)).toBeNull();
    answer([]);
    expect((await screen.findByText(/No move is open/)).textContent).toContain("draft");
    expect(screen.queryByTestId("moves-loading")).toBeNull();
  });

  it("shows a refused move's error", async () => {
    mockCommands((cmd) => {
      if (cmd === "allowed_transitions") return [{ to: "estimated", trigger: "user" }];
      if (cmd === "transition_project") throw { code: "conflict", field: "to", message: "a project cannot move from draft to estimated" };
    });
    render(Lifecycle, { project: project(), onMoved: () => {} });
    await fireEvent.click(await screen.findByTestId("move-estimated"));
    expect((await screen.findByRole("alert")).textContent).toContain("cannot move");
  });

  it("says which rule GitHub's evidence would move the project by next, and what is missing", async () => {
    mockCommands((cmd) => {
      if (cmd === "allowed_transitions") return [];
      if (cmd === "stage_why")
        return {
          stage: "designed",
          evidence: { branch: "main", head: "0123456789", files: ["IMPLEMENTATION.md"], checks: { state: "pending" }, merged: [] },
          rules: [
            { stage: "implemented", holds: false, shown: [], missing: ["no branch matching feature/* merged into main"] },
            { stage: "verified", holds: false, shown: [], missing: ["checks still running on main at 0123456"] },
          ],
        };
    });
    render(Lifecycle, { project: project({ stage: "designed" }), onMoved: () => {} });
    const line = await screen.findByTestId("stage-why");
    expect(line.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Next by GitHub: implemented — missing: no branch matching feature/* merged into main",
    );
  });
});
