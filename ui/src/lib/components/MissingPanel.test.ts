import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import Overview from "../../pages/project/Overview.svelte";
import { project } from "../../test/fixtures";
import { member } from "../../test/project-fixtures";
import { mockCommands } from "../../test/ipc";

const wentMissing = {
  id: "t-2",
  project_id: "p-1",
  from_stage: "initialized",
  to_stage: "missing",
  reason: "its repository blog is gone from GitHub",
  trigger: "sync",
  actor_id: null,
  inserted_at: "2026-12-01T09:00:00Z",
};

function backend(calls: [string, unknown][]) {
  mockCommands((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === "stage_history") return [wentMissing];
    if (cmd === "allowed_transitions") return [{ to: "archived", trigger: "user" }];
    if (cmd === "transition_project") return project({ stage: "archived" });
    if (cmd === "list_members") return [member()];
    if (cmd === "project_team")
      return { members: [member()], github: null, absent: { reason: "no_repository", message: "this project has no code repository" } };
    if (cmd === "project_setup") return null;
    throw new Error(`unexpected command ${cmd}`);
  });
}

const missing = () => project({ stage: "missing", setup_status: "created", code_repo: "https://github.com/acme/blog" });

describe("a missing project's page", () => {
  it("says what GitHub answered and what that can mean", async () => {
    backend([]);
    render(Overview, { project: missing(), onChanged: () => {} });
    const what = await screen.findByTestId("missing-what");
    await waitFor(() => expect(what.textContent).toMatch(/^On .+, the org sync asked GitHub for acme\/blog by its id/));
    const why = screen.getByTestId("missing-why").textContent ?? "";
    for (const cause of ["deleted", "renamed or moved", "lost access"]) expect(why).toContain(cause);
  });

  it("offers repointing first, archiving and deleting; Set up is not the primary button", async () => {
    const calls: [string, unknown][] = [];
    const changed: string[] = [];
    backend(calls);
    render(Overview, { project: missing(), onChanged: (p: { stage: string }) => changed.push(p.stage) });
    expect(screen.getByTestId("missing-repoint").classList.contains("btn-primary")).toBe(true);
    expect(screen.getByTestId("missing-delete").textContent).toBe("Delete…");
    expect(screen.getByTestId("setup-button").classList.contains("btn-primary")).toBe(false);

    await fireEvent.click(screen.getByTestId("missing-repoint"));
    await waitFor(() => expect(document.activeElement?.id).toBe("project-edit-code-repo"));

    await fireEvent.click(screen.getByTestId("missing-archive"));
    await waitFor(() => expect(changed).toEqual(["archived"]));
    expect(calls.find(([c]) => c === "transition_project")?.[1]).toMatchObject({ id: "p-1", to: "archived" });
  });

  it("is not shown for a project that is not missing, whose Set up stays primary", () => {
    backend([]);
    render(Overview, { project: project({ setup_status: "created" }), onChanged: () => {} });
    expect(screen.queryByTestId("missing-panel")).toBeNull();
    expect(screen.getByTestId("setup-button").classList.contains("btn-primary")).toBe(true);
  });
});
