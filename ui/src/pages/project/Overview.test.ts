import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Overview from "./Overview.svelte";
import { project } from "../../test/fixtures";
import { member } from "../../test/project-fixtures";
import { projects } from "../../lib/projects.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

function backend(calls: [string, unknown][], answers: Record<string, (args: unknown) => unknown> = {}) {
  mockIPC(
    (cmd, args) => {
      calls.push([cmd, args]);
      if (answers[cmd]) return answers[cmd](args);
      if (cmd === "allowed_transitions" || cmd === "stage_history") return [];
      if (cmd === "list_members") return [member()];
      if (cmd === "project_team")
        return { members: [member()], github: null, absent: { reason: "no_repository", message: "this project has no code repository" } };
      if (cmd === "project_setup") return null;
      throw new Error(`unexpected command ${cmd}`);
    },
    { shouldMockEvents: true },
  );
}

describe("Overview", () => {
  it("deletes the project after asking once, naming it and keeping its GitHub repositories", async () => {
    const calls: [string, unknown][] = [];
    backend(calls, { delete_project: () => null });
    projects.list = [project()];
    location.hash = "#/projects/p-1";
    render(Overview, { project: project({ code_repo: "https://github.com/acme/my_shop" }), onChanged: () => {} });

    await fireEvent.click(screen.getByTestId("project-delete"));
    const question = screen.getByTestId("confirm-delete");
    expect(question.textContent).toContain("Delete the project “my_shop”?");
    for (const goes of ["stories", "contexts", "components", "design docs", "sessions", "jobs", "local clone of its docs repository"]) {
      expect(question.textContent).toContain(goes);
    }
    expect(question.textContent).toContain("GitHub repositories are never deleted");
    // The safe choice has the focus.
    expect(document.activeElement?.textContent).toBe("Cancel");
    expect(calls.some(([c]) => c === "delete_project")).toBe(false);

    await fireEvent.click(screen.getByRole("button", { name: "Yes, delete" }));
    await waitFor(() => expect(location.hash).toBe("#/"));
    expect(calls.find(([c]) => c === "delete_project")?.[1]).toEqual({ id: "p-1" });
    expect(projects.list).toEqual([]);
  });

  it("cannot delete while a setup runs", () => {
    backend([]);
    render(Overview, { project: project({ setup_status: "compiling", stage: "provisioning" }), onChanged: () => {} });
    expect((screen.getByTestId("project-delete") as HTMLButtonElement).disabled).toBe(true);
  });

  it("has the edit form, the approvals and the members on the page", async () => {
    backend([]);
    render(Overview, { project: project(), onChanged: () => {} });
    expect(screen.getByTestId("project-edit")).toBeTruthy();
    expect(screen.getByTestId("summary-text")).toBeTruthy();
    expect(screen.getByTestId("mapping-approve")).toBeTruthy();
    expect(await screen.findAllByTestId("member-row")).toHaveLength(1);
    expect((await screen.findByTestId("github-absent")).textContent).toContain("no code repository");
  });

  it("reloads the members here after a change on GitHub, which can change them too", async () => {
    let members = [member()];
    const bob = { login: "bob-gh", role: "viewer", github_role: "read", invited: false, account_id: "acc-2", email: "bob@example.com" };
    backend([], {
      list_members: () => members,
      project_team: () => ({
        members,
        github: { repository: "acme/my_shop", repositories: ["acme/my_shop"], people: [bob], can_manage: true, personal: false },
        absent: null,
      }),
      set_team_role: () => {
        members = [member(), member({ id: "m-2", user_id: "acc-2", email: "bob@example.com", name: "Bob", role: "member" })];
        return { login: "bob-gh", role: "member", repositories: [], profiles: ["bob@example.com"] };
      },
    });
    render(Overview, { project: project(), onChanged: () => {} });
    expect(await screen.findAllByTestId("member-row")).toHaveLength(1);
    await fireEvent.change(await screen.findByLabelText("Role of bob-gh"), { target: { value: "member" } });
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(2));
  });

  it("opens the repositories in the browser and the folder in the file manager, showing a refusal beside its link", async () => {
    const calls: [string, unknown][] = [];
    backend(calls, {
      open_url: (args) => {
        if (!(args as { url: string }).url.startsWith("https://github.com/"))
          throw { code: "invalid_input", field: "url", message: "only https GitHub pages open" };
        return null;
      },
      open_project_folder: () => null,
    });
    render(Overview, {
      project: project({
        code_repo: "https://github.com/acme/my_shop",
        docs_repo: "http://example.com/acme/my_shop_docs",
        local_path: "/home/ada/CodeMySpec/my_shop",
        setup_status: "ready",
        stage: "initialized",
      }),
      onChanged: () => {},
    });
    await fireEvent.click(screen.getByTestId("open-code-repo"));
    await fireEvent.click(screen.getByTestId("open-folder"));
    await waitFor(() => expect(calls.filter(([c]) => c.startsWith("open_"))).toHaveLength(2));
    expect(calls.find(([c]) => c === "open_url")?.[1]).toEqual({ url: "https://github.com/acme/my_shop" });
    expect(calls.find(([c]) => c === "open_project_folder")?.[1]).toEqual({ projectId: "p-1" });

    await fireEvent.click(screen.getByTestId("open-docs-repo"));
    expect((await screen.findByRole("alert")).textContent).toContain("only https GitHub pages open");
  });
});
