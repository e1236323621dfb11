import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import App from "./App.svelte";
import { account, docsStatus, project } from "./test/fixtures";
import { register } from "./lib/unsaved.svelte";
import { mockCommands } from "./test/ipc";

describe("App", () => {
  it("starts with the first-run form when there is no profile", async () => {
    const calls: string[] = [];
    let created = false;
    mockCommands((cmd, args) => {
      calls.push(cmd);
      if (cmd === "profile_state") return { current: created ? account() : null, profiles: created ? [account()] : [] };
      if (cmd === "create_profile") {
        expect(args).toMatchObject({ input: { email: "ada@example.com", password: "a long password" } });
        created = true;
        return account();
      }
      if (cmd === "list_projects") return [];
    });
    render(App);
    const email = (await screen.findByLabelText("Email")) as HTMLInputElement;
    await fireEvent.input(email, { target: { value: "ada@example.com" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "a long password" } });
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect(await screen.findByTestId("empty")).toBeTruthy();
    expect(calls).toContain("create_profile");
  });

  it("first run keeps a chosen workspace folder, and shows a bad one at its field before creating anything", async () => {
    const calls: string[] = [];
    mockCommands((cmd, args) => {
      calls.push(cmd);
      if (cmd === "profile_state") return { current: null, profiles: [] };
      if (cmd === "set_setting") {
        expect(args).toMatchObject({ key: "workspace_dir", value: "code" });
        throw { code: "invalid_input", field: "value", message: "the workspace folder must be an absolute path" };
      }
    });
    render(App);
    await fireEvent.input(await screen.findByLabelText("Email"), { target: { value: "ada@example.com" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "a long password" } });
    await fireEvent.input(screen.getByLabelText(/Workspace folder/), { target: { value: "code" } });
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect((await screen.findByTestId("field-error-workspace")).textContent).toContain("absolute path");
    expect(calls).not.toContain("create_profile");
  });

  it("lists the projects of the acting profile", async () => {
    mockCommands((cmd) => {
      if (cmd === "profile_state") return { current: account(), profiles: [account()] };
      if (cmd === "list_projects") return [project({ id: "a", name: "alpha" }), project({ id: "b", name: "beta", stage: "estimated" })];
    });
    render(App);
    expect(await screen.findByText("alpha")).toBeTruthy();
    expect(screen.getByText("beta")).toBeTruthy();
    expect(screen.getByTestId("project-count").textContent).toContain("2 projects");
  });

  it("shows an error it cannot recover from instead of failing silently", async () => {
    mockCommands(() => {
      throw { code: "internal", message: "disk on fire" };
    });
    render(App);
    expect((await screen.findByRole("alert")).textContent).toContain("disk on fire");
  });
});

describe("App with unsaved edits", () => {
  it("asks in the window before following a link away, and stays when the edits are kept", async () => {
    mockCommands((cmd) => {
      if (cmd === "profile_state") return { current: account(), profiles: [account()] };
      if (cmd === "list_projects") return [];
      if (cmd === "list_jobs") return [];
      return null;
    });
    location.hash = "#/";
    await new Promise((r) => setTimeout(r, 0));
    render(App);
    await screen.findByText("Settings");
    const off = register({ title: () => "“Pay by card”", dirty: () => true });
    try {
      await fireEvent.click(screen.getByRole("link", { name: "Settings" }));
      location.hash = "#/settings";
      const prompt = await screen.findByRole("alertdialog");
      expect(prompt.textContent).toContain("Discard your unsaved changes to “Pay by card”?");
      await fireEvent.click(screen.getByRole("button", { name: "Keep editing" }));
      await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
      expect(location.hash).toBe("#/");
      expect(screen.getByRole("link", { name: "Projects" }).getAttribute("aria-current")).toBe("page");
    } finally {
      off();
    }
  });
});

describe("App keeps the dashboard and the last project", () => {
  let deleted = "";
  const backend = (cmd: string, args?: unknown) => {
    if (cmd === "profile_state") return { current: account(), profiles: [account()] };
    if (cmd === "get_project" && (args as { id: string }).id === deleted) throw { code: "not_found", message: "project not found" };
    if (cmd === "list_projects") return [project({ id: "a", name: "alpha" }), project({ id: "b", name: "beta" })];
    if (cmd === "get_project")
      return project({ id: (args as { id: string }).id, name: (args as { id: string }).id === "a" ? "alpha" : "beta" });
    if (cmd === "docs_status") return docsStatus({ state: "published" });
    if (cmd.startsWith("list_") || cmd === "docs_conflicts") return [];
    return null;
  };
  const go = async (hash: string) => {
    location.hash = hash;
    await new Promise((r) => setTimeout(r, 0));
  };
  /** The window on the list; its count line, to know it again. */
  const showList = async () => {
    mockCommands(backend);
    await go("#/");
    render(App);
    await screen.findByText("alpha");
    return screen.getByTestId("project-count");
  };

  it("takes the list out of the document while a project is shown, and brings the same one back", async () => {
    const count = await showList();
    await go("#/projects/a/conflicts");
    const title = await screen.findByTestId("project-title", {}, { timeout: 10000 });
    expect(count.isConnected).toBe(false);
    expect(screen.queryByTestId("project-count")).toBeNull();
    await go("#/");
    await waitFor(() => expect(screen.getByTestId("project-count")).toBe(count));
    expect(title.isConnected).toBe(false);
    await go("#/projects/a/conflicts");
    await waitFor(() => expect(screen.getByTestId("project-title")).toBe(title));
    await go("#/projects/b/conflicts");
    await waitFor(() => expect(screen.getByTestId("project-title").textContent).toBe("beta"));
    expect(screen.getAllByTestId("project-title")).toHaveLength(1);
    // From the list to another project than the kept one: the kept one is gone for good.
    await go("#/");
    await go("#/projects/a/conflicts");
    await waitFor(() => expect(screen.getByTestId("project-title").textContent).toBe("alpha"));
    expect(screen.getAllByTestId("project-title")).toHaveLength(1);
  });

  it("shows a kept project again only as it is now: one deleted meanwhile reads as not found", async () => {
    deleted = "";
    mockCommands(backend);
    await go("#/projects/a/conflicts");
    render(App);
    await screen.findByTestId("project-title", {}, { timeout: 10000 });
    await go("#/");
    await screen.findByTestId("project-count");
    // Deleted by another process, before the watch's event came (up to a second later): the
    // list still has it.
    deleted = "a";
    await go("#/projects/a/conflicts");
    expect((await screen.findByRole("alert")).textContent).toContain("not found");
    expect(screen.queryByTestId("project-title")).toBeNull();
    deleted = "";
  });

  it("drops a project another process deleted from the list, and its page shown reads as not found", async () => {
    deleted = "";
    let reads = 0;
    mockCommands((cmd, args) => {
      if (cmd === "get_project") reads++;
      return backend(cmd, args);
    });
    await go("#/projects/a/conflicts");
    render(App);
    await screen.findByTestId("project-title", {}, { timeout: 10000 });
    const readsBefore = reads;
    deleted = "a";
    await emit("project-removed", { project_id: "c" });
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(readsBefore);
    expect(screen.getByTestId("project-title").textContent).toBe("alpha");
    await emit("project-removed", { project_id: "a" });
    expect((await screen.findByRole("alert")).textContent).toContain("not found");
    await go("#/");
    await waitFor(() => expect(screen.getByTestId("project-count").textContent).toContain("1 project"));
    expect(screen.queryByText("alpha")).toBeNull();
    deleted = "";
  });

  it("makes the pages again once unsaved edits were given up to leave", async () => {
    const count = await showList();
    const off = register({ title: () => "“Pay by card”", dirty: () => true });
    try {
      await go("#/settings");
      await fireEvent.click(await screen.findByRole("button", { name: /Discard/ }));
    } finally {
      off();
    }
    await screen.findByRole("heading", { name: "Settings" });
    await go("#/");
    await waitFor(() => expect(screen.getByTestId("project-count")).not.toBe(count));
    expect(count.isConnected).toBe(false);
  });
});
