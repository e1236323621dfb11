import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import ProjectEditForm from "./ProjectEditForm.svelte";
import { project } from "../../test/fixtures";
import { coreError } from "../../test/project-fixtures";
import type { Project } from "../api";
import { mockCommands } from "../../test/ipc";

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe("ProjectEditForm", () => {
  it("sends only the changed fields and shows the core's error at its field", async () => {
    const sent: unknown[] = [];
    let current = project({ code_repo: "https://github.com/acme/my_shop" });
    mockCommands((cmd, args) => {
      if (cmd !== "update_project") throw new Error(`unexpected command ${cmd}`);
      const { changes } = args as { changes: Record<string, unknown> };
      sent.push(changes);
      if ("name" in changes) throw coreError("invalid_input", "must start with a lowercase letter", "name");
      return (current = { ...current, ...(changes as Partial<Project>) });
    });
    let changed: Project | null = null;
    render(ProjectEditForm, { project: current, onChanged: (p: Project) => (changed = p) });

    const save = screen.getByTestId("project-edit-save") as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await fireEvent.input(input("project-edit-description"), { target: { value: "A shop" } });
    await fireEvent.input(input("project-edit-docs-repo"), { target: { value: " https://github.com/acme/my_shop_docs " } });
    await fireEvent.click(save);
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ description: "A shop", docs_repo: "https://github.com/acme/my_shop_docs" });
    await waitFor(() => expect((changed as Project | null)?.description).toBe("A shop"));

    // Clearing the code repository sends "" for it, and nothing else.
    await fireEvent.input(input("project-edit-code-repo"), { target: { value: "" } });
    await fireEvent.click(save);
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toEqual({ code_repo: "" });

    await fireEvent.input(input("project-edit-name"), { target: { value: "Bad Name" } });
    await fireEvent.click(save);
    const error = await screen.findByTestId("project-edit-error-name");
    expect(error.textContent).toContain("lowercase letter");
    expect(input("project-edit-name").getAttribute("aria-invalid")).toBe("true");
    expect(sent[2]).toEqual({ name: "Bad Name" });
  });

  it("disables the name, framework and database once a setup has run, and says why", () => {
    mockCommands(() => null);
    render(ProjectEditForm, {
      project: project({ setup_status: "ready", setup_complete: true, stage: "initialized", framework: "phoenix" }),
      onChanged: () => {},
    });
    expect(input("project-edit-name").disabled).toBe(true);
    expect(input("project-edit-framework").disabled).toBe(true);
    expect(input("project-edit-database").disabled).toBe(true);
    expect(input("project-edit-description").disabled).toBe(false);
    expect(input("project-edit-code-repo").disabled).toBe(false);
    expect(screen.getByText(/name cannot change once a setup has run/)).toBeTruthy();
    // Every input has a label.
    expect(screen.getByLabelText("Name")).toBe(input("project-edit-name"));
    expect(screen.getByLabelText("Docs repository URL")).toBe(input("project-edit-docs-repo"));
  });

  it("keeps the framework open after a failed setup, but not the name", () => {
    mockCommands(() => null);
    render(ProjectEditForm, { project: project({ setup_status: "failed" }), onChanged: () => {} });
    expect(input("project-edit-name").disabled).toBe(true);
    expect(input("project-edit-framework").disabled).toBe(false);
  });
});
