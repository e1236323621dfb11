import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import ProjectApprovals from "./ProjectApprovals.svelte";
import { project } from "../../test/fixtures";
import { coreError } from "../../test/project-fixtures";
import type { Project } from "../api";
import { mockCommands } from "../../test/ipc";

describe("ProjectApprovals", () => {
  it("saves the summary, then approves it", async () => {
    const sent: unknown[] = [];
    let current = project();
    mockCommands((cmd, args) => {
      if (cmd !== "update_project") throw new Error(`unexpected command ${cmd}`);
      const { changes } = args as { changes: Partial<Project> };
      sent.push(changes);
      current = { ...current, ...changes };
      return current;
    });
    const { rerender } = render(ProjectApprovals, { project: current, onChanged: (p: Project) => (current = p) });
    const approve = screen.getByTestId("summary-approve") as HTMLButtonElement;
    expect(approve.disabled).toBe(true); // nothing written yet
    expect(screen.getByTestId("summary-state").textContent).toBe("Not written");

    await fireEvent.input(screen.getByLabelText(/What the project is for/), { target: { value: "A shop for tea." } });
    await fireEvent.click(screen.getByTestId("summary-save"));
    await waitFor(() => expect(sent).toEqual([{ executive_summary: "A shop for tea." }]));
    await rerender({ project: current, onChanged: (p: Project) => (current = p) });
    expect(screen.getByTestId("summary-state").textContent).toBe("Not approved");

    await fireEvent.click(screen.getByTestId("summary-approve"));
    await waitFor(() => expect(sent[1]).toEqual({ executive_summary_approved: true }));
    await rerender({ project: current, onChanged: (p: Project) => (current = p) });
    expect(screen.getByTestId("summary-state").textContent).toBe("Approved");
  });

  it("shows the core's refusal at the summary", async () => {
    mockCommands(() => {
      throw coreError("invalid_input", "there is no executive summary to approve", "executive_summary_approved");
    });
    render(ProjectApprovals, { project: project({ executive_summary: "Tea." }), onChanged: () => {} });
    await fireEvent.click(screen.getByTestId("summary-approve"));
    expect((await screen.findByTestId("summary-error")).textContent).toContain("no executive summary");
  });

  it("approves the context mapping and shows that it is", async () => {
    let sent: unknown = null;
    mockCommands((cmd, args) => {
      sent = (args as { changes: unknown }).changes;
      return project({ context_mapping_approved: true });
    });
    let changed: Project | null = null;
    const { rerender } = render(ProjectApprovals, { project: project(), onChanged: (p: Project) => (changed = p) });
    expect(screen.getByTestId("mapping-state").textContent).toBe("Not approved");
    await fireEvent.click(screen.getByTestId("mapping-approve"));
    await waitFor(() => expect(changed).not.toBeNull());
    expect(sent).toEqual({ context_mapping_approved: true });
    await rerender({ project: changed!, onChanged: () => {} });
    expect(screen.getByTestId("mapping-state").textContent).toBe("Approved");
  });
});
