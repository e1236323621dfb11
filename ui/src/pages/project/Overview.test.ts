import { describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import Overview from "./Overview.svelte";
import { project } from "../../test/fixtures";
import { member } from "../../test/project-fixtures";
import { projects } from "../../lib/projects.svelte";
import { mockCommands } from "../../test/ipc";

function backend(calls: [string, unknown][], answers: Record<string, (args: unknown) => unknown> = {}) {
  mockCommands((cmd, args) => {
    calls.push([cmd, args]);
    if (answers[cmd]) return answers[cmd](args);
    if (cmd === "allowed_transitions" || cmd === "stage_history") return [];
    if (cmd === "list_members") return [member()];
    if (cmd === "project_team")
      return { members: [member()], github: null, absent: { reason: "no_repository", message: "this project has no code repository" } };
    if (cmd === "project_setup") return null;
    throw new Error(`unexpected command ${cmd}`);
  });
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
    expect((await screen.findByRole("alert")).textContent).toContain("Only https GitHub pages open");
  });

  it("ignores a discovered project: it leaves the list, and a refusal shows in place", async () => {
    const calls: [string, unknown][] = [];
    let refuse = true;
    backend(calls, {
      ignore_repository: () => {
        if (refuse)
          throw {
            code: "conflict",
            field: "project",
            message: "project shop holds more than the sync imported; delete it, choosing to ignore its repository too, if it should go",
          };
        return {
          ignored: { repo_id: 7, full_name: "acme/shop", html_url: "https://github.com/acme/shop", ignored_at: "x" },
          removed_project: { id: "p-1", name: "shop" },
        };
      },
    });
    const shop = project({ name: "shop", stage: "discovered", code_repo: "https://github.com/acme/shop", github_repo_id: 7 });
    projects.list = [shop];
    location.hash = "#/projects/p-1";
    render(Overview, { project: shop, onChanged: () => {} });

    const ignore = screen.getByTestId("project-ignore");
    expect(ignore.textContent).toBe("Ignore acme/shop");
    expect(screen.getByTestId("discovered-panel").textContent).toContain("will not bring it back");
    await fireEvent.click(ignore);
    expect((await screen.findByRole("alert")).textContent).toContain("holds more than the sync imported");
    expect(projects.list).toHaveLength(1);

    refuse = false;
    await fireEvent.click(ignore);
    await waitFor(() => expect(location.hash).toBe("#/"));
    expect(calls.filter(([c]) => c === "ignore_repository").map(([, a]) => a)).toEqual([{ target: "p-1" }, { target: "p-1" }]);
    expect(projects.list).toEqual([]);
  });

  it("deleting a discovered project asks whether to ignore it too, and does what was chosen", async () => {
    for (const [choice, command] of [
      ["Delete and ignore", "delete_and_ignore_project"],
      ["Delete only", "delete_project"],
    ]) {
      const calls: [string, unknown][] = [];
      backend(calls, { delete_project: () => null, delete_and_ignore_project: () => ({}) });
      const shop = project({ name: "shop", stage: "discovered", code_repo: "https://github.com/acme/shop", github_repo_id: 7 });
      projects.list = [shop];
      location.hash = "#/projects/p-1";
      render(Overview, { project: shop, onChanged: () => {} });

      await fireEvent.click(screen.getByTestId("project-delete"));
      const question = screen.getByTestId("confirm-delete");
      expect(question.textContent).toContain("Ignore acme/shop too, so that the sync does not bring it back?");
      await fireEvent.click(screen.getByRole("button", { name: choice }));
      await waitFor(() => expect(location.hash).toBe("#/"));
      const deletes = calls.filter(([c]) => c.startsWith("delete_"));
      expect(deletes).toEqual([[command, { id: "p-1" }]]);
      expect(projects.list).toEqual([]);
      cleanup();
    }
  });

  it("offers neither Ignore nor the choice for a project in use", async () => {
    backend([]);
    render(Overview, { project: project({ stage: "initialized", code_repo: "https://github.com/acme/my_shop" }), onChanged: () => {} });
    expect(screen.queryByTestId("project-ignore")).toBeNull();
    await fireEvent.click(screen.getByTestId("project-delete"));
    expect(screen.getByTestId("confirm-delete").textContent).not.toContain("Ignore");
    expect(screen.getByRole("button", { name: "Yes, delete" })).toBeTruthy();
  });
});
