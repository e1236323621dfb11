import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import Project from "./Project.svelte";
import { docsConflict, docsStatus, project } from "../test/fixtures";
import { component } from "../test/component-fixtures";
import { mockCommands } from "../test/ipc";

describe("Project", () => {
  it("shows the publish state in the header, and the conflicts tab settles them", async () => {
    let left = [docsConflict()];
    const calls: string[] = [];
    mockCommands((cmd) => {
      calls.push(cmd);
      if (cmd === "get_project") return project({ id: "p-1", docs_repo: "https://github.com/acme/my_shop_docs" });
      if (cmd === "docs_status") return docsStatus(left.length ? { state: "conflicts", conflicts: left.length } : { state: "published" });
      if (cmd === "docs_conflicts") return left;
      if (cmd === "docs_resolve") return (left = []);
      throw new Error(`unexpected command ${cmd}`);
    });
    render(Project, { id: "p-1", tab: "conflicts" });
    const state = await screen.findByTestId("publish-state");
    await waitFor(() => expect(state.dataset.state).toBe("conflicts"));
    expect(screen.getByRole("link", { name: /^conflicts$/i }).getAttribute("aria-current")).toBe("page");
    await fireEvent.click(await screen.findByTestId("conflict-take-theirs"));
    await screen.findByTestId("conflicts-empty");
    await waitFor(() => expect(screen.getByTestId("publish-state").dataset.state).toBe("published"));
    expect(calls).toContain("docs_resolve");
  });

  it("labels the stage and setup badges and explains them", async () => {
    mockCommands((cmd) => {
      if (cmd === "get_project") return project({ stage: "initialized", setup_status: "ready", setup_complete: true });
      if (cmd === "docs_status") return docsStatus({ state: "no_repository", docs_repo: null });
      if (cmd === "allowed_transitions" || cmd === "stage_history" || cmd === "list_members") return [];
      if (cmd === "project_team") return { members: [], github: null, absent: { reason: "no_repository", message: "no code repository" } };
      if (cmd === "project_setup") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(Project, { id: "p-1", tab: "overview" });
    const stage = await screen.findByTestId("stage-badge");
    expect(stage.textContent).toBe("Stage: initialized");
    expect(screen.getByTestId("project-stage").textContent).toBe("initialized");
    const setup = screen.getByTestId("setup-badge");
    expect(setup.textContent).toBe("Setup: ready");
    // A tooltip and the same text as the accessible description; reachable by keyboard.
    expect(stage.getAttribute("title")).toContain("The 17 stages");
    expect(stage.getAttribute("title")).toContain("draft: ");
    expect(stage.tabIndex).toBe(0);
    const described = document.getElementById(stage.getAttribute("aria-describedby")!);
    expect(described?.textContent).toBe(stage.getAttribute("title"));
    expect(document.getElementById(setup.getAttribute("aria-describedby")!)?.textContent).toContain("one-time setup");
  });

  it("names the project and, beside it, its repository as GitHub names it now", async () => {
    let current = project({ name: "shop", code_repo: "https://github.com/acme/shop", github_repo_name: "shop", stage: "initialized" });
    mockCommands((cmd) => {
      if (cmd === "get_project") return current;
      if (cmd === "docs_status") return docsStatus({ state: "no_repository", docs_repo: null });
      if (cmd === "allowed_transitions" || cmd === "stage_history" || cmd === "list_members") return [];
      if (cmd === "project_setup") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(Project, { id: "p-1", tab: "overview" });
    expect((await screen.findByTestId("project-title")).textContent).toBe("shop");
    expect(screen.getByTestId("project-repository").textContent).toBe("GitHub: acme/shop");

    // Renamed on GitHub: the sync's update reaches the page; the project keeps its name.
    current = { ...current, code_repo: "https://github.com/acme/storefront", github_repo_name: "storefront" };
    await emit("project-updated", { project_id: current.id });
    await waitFor(() => expect(screen.getByTestId("project-repository").textContent).toBe("GitHub: acme/storefront"));
    expect(screen.getByTestId("project-title").textContent).toBe("shop");
    expect(screen.getByTestId("code-repo").textContent).toBe("https://github.com/acme/storefront");
  });
  it("keeps the open component and its design doc when an update of the project arrives", async () => {
    let current = project({ id: "p1", name: "shop" });
    mockCommands((cmd) => {
      if (cmd === "get_project") return current;
      if (cmd === "docs_status") return docsStatus({ state: "no_repository", docs_repo: null });
      if (cmd === "dependency_graph") return { components: [component("Order")], dependencies: [] };
      if (cmd === "list_contexts") return [];
      if (cmd === "get_design_doc")
        return { id: "d1", component_id: "k-Order", content: "See [the guide](https://example.com/guide).", version: 1, approved: false };
      throw new Error(`unexpected command ${cmd}`);
    });
    render(Project, { id: "p1", tab: "components" });
    const row = async () => within(await screen.findByTestId("component-table")).getByRole("button", { name: "Order" });
    await fireEvent.click(await row());
    const preview = await screen.findByTestId("design-doc-preview");
    await waitFor(() => expect(preview.querySelector("a")).toBeTruthy());
    await fireEvent.click(preview.querySelector("a")!);
    await fireEvent.click(await screen.findByTestId("open-link-cancel"));

    // The project changes (a CLI created it, a sync ran): the page's header follows; the
    // component stays open, its design doc on screen.
    current = { ...current, name: "shop renamed" };
    await emit("project-updated", { project_id: current.id });
    await waitFor(() => expect(screen.getByTestId("project-title").textContent).toBe("shop renamed"));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByTestId("component-details")).toBeTruthy();
    expect(screen.getByTestId("design-doc-preview").textContent).toContain("the guide");
    expect((await row()).getAttribute("aria-current")).toBe("true");
  });
});
