import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import Contexts from "./Contexts.svelte";
import UnsavedPrompt from "../../lib/components/UnsavedPrompt.svelte";
import type { Context, Story } from "../../lib/api";
import { context, story as storyOf } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";

const story = (title: string) => storyOf(title, { description: "" });

describe("Contexts", () => {
  it("creates a context, showing a duplicate name under the name field", async () => {
    let attempts = 0;
    mockCommands((cmd, args) => {
      if (cmd === "list_contexts") return [context("Orders")];
      if (cmd === "create_context") {
        attempts += 1;
        if (attempts === 1) throw { code: "conflict", field: "name", message: "this project already has a context with this name" };
        const input = (args as { input: Partial<Context> }).input;
        return context(input.name!, { type: input.type!, purpose: input.purpose! });
      }
      if (cmd === "context_stories" || cmd === "list_stories") return [];
      throw new Error(`unexpected ${cmd}`);
    });
    render(Contexts, { projectId: "p1" });
    expect(await screen.findAllByTestId("context-row")).toHaveLength(1);

    await fireEvent.click(screen.getByRole("button", { name: "New context" }));
    await fireEvent.input(document.getElementById("new-context-name")!, { target: { value: "Orders" } });
    await fireEvent.input(document.getElementById("new-context-purpose")!, { target: { value: "orders" } });
    await fireEvent.click(screen.getByRole("button", { name: "Create context" }));
    const nameField = document.getElementById("new-context-name")!.closest(".field")!;
    await waitFor(() => expect(nameField.textContent).toContain("already has a context with this name"));

    await fireEvent.input(document.getElementById("new-context-name")!, { target: { value: "Billing" } });
    await fireEvent.change(document.getElementById("new-context-type")!, { target: { value: "coordination" } });
    await fireEvent.click(screen.getByRole("button", { name: "Create context" }));
    await waitFor(() => expect(screen.getAllByTestId("context-row")).toHaveLength(2));
    const billing = screen.getAllByTestId("context-row")[0];
    expect(billing.textContent).toContain("Billing");
    expect(billing.textContent).toContain("coordination");
    expect((document.getElementById("context-name") as HTMLInputElement).value).toBe("Billing");
  });

  it("links a story to the selected context and shows the context dirty", async () => {
    const linked: Story[] = [];
    const stories = [story("Checkout"), story("Refunds")];
    mockCommands((cmd, args) => {
      const a = args as Record<string, string>;
      if (cmd === "list_contexts") return [context("Orders", { dirty: linked.length > 0 })];
      if (cmd === "list_stories") return stories;
      if (cmd === "context_stories") return [...linked];
      if (cmd === "link_story") {
        linked.push(stories.find((s) => s.id === a.storyId)!);
        return null;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    render(Contexts, { projectId: "p1" });
    await fireEvent.click(await screen.findByRole("button", { name: "Orders" }));
    const panel = await screen.findByTestId("context-stories");
    await within(panel).findByText("No stories linked to this context yet.");

    await fireEvent.change(within(panel).getByLabelText("Story to link"), { target: { value: "s-Refunds" } });
    await fireEvent.click(within(panel).getByRole("button", { name: "Link" }));

    await within(panel).findByRole("button", { name: "Unlink Refunds" });
    expect(within(panel).queryByRole("option", { name: "Refunds" })).toBeNull();
    await waitFor(() => expect(screen.getByTestId("context-row").textContent).toContain("Dirty"));
  });

  it("offers the conflict choice on a stale save, with theirs from the project's list", async () => {
    let current = context("Orders");
    const updates: Record<string, unknown>[] = [];
    mockCommands((cmd, raw) => {
      const args = raw as Record<string, unknown>;
      if (cmd === "list_contexts") return [current];
      if (cmd === "context_stories" || cmd === "list_stories") return [];
      if (cmd === "update_context") {
        updates.push(args);
        if (args.version !== current.version)
          throw {
            code: "conflict",
            field: "version",
            message: "stale",
            detail: { kind: "stale_version", entity: "context", expected: args.version, actual: current.version },
          };
        current = { ...current, ...(args.input as object), version: current.version! + 1 };
        return current;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    render(Contexts, { projectId: "p1" });
    await fireEvent.click(await screen.findByRole("button", { name: "Orders" }));
    // Someone else saves a new purpose after this editor loaded version 1.
    current = { ...current, purpose: "their purpose", version: 2 };
    await fireEvent.input(document.getElementById("context-purpose")!, { target: { value: "my purpose" } });
    await fireEvent.click(screen.getByTestId("context-save"));

    const choice = await screen.findByTestId("conflict-choice");
    expect(choice.textContent).toContain("my purpose");
    expect(choice.textContent).toContain("their purpose");
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));
    await waitFor(() => expect(screen.queryByTestId("conflict-choice")).toBeNull());
    expect(updates.map((u) => u.version)).toEqual([1, 2]);
    expect(updates.map((u) => u.input)).toEqual([{ purpose: "my purpose" }, { purpose: "my purpose" }]);
    expect(current.purpose).toBe("my purpose");
    expect(screen.getByTestId("context-row").textContent).toContain("3");
  });
});

describe("Contexts: every problem at once, and unsaved edits", () => {
  it("shows every field error of a new context under its field at once", async () => {
    mockCommands((cmd) => {
      if (cmd === "list_contexts") return [];
      if (cmd === "create_context")
        throw {
          code: "invalid_input",
          field: "name",
          message: "name: name is required; purpose: purpose is required",
          fields: [
            { field: "name", message: "name is required" },
            { field: "purpose", message: "purpose is required" },
          ],
        };
      throw new Error(`unexpected ${cmd}`);
    });
    render(Contexts, { projectId: "p1" });
    await screen.findByTestId("empty");
    await fireEvent.click(screen.getByRole("button", { name: "New context" }));
    await fireEvent.click(screen.getByRole("button", { name: "Create context" }));
    const errorOf = (id: string) => document.getElementById(id)!.closest(".field")!.querySelector(".field-error")?.textContent;
    await waitFor(() => expect(errorOf("new-context-name")).toBe("name is required"));
    expect(errorOf("new-context-purpose")).toBe("purpose is required");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks before switching contexts with unsaved edits", async () => {
    mockCommands((cmd) => {
      if (cmd === "list_contexts") return [context("Orders"), context("Billing")];
      if (cmd === "context_stories" || cmd === "list_stories") return [];
      throw new Error(`unexpected ${cmd}`);
    });
    render(UnsavedPrompt);
    render(Contexts, { projectId: "p1" });
    await fireEvent.click(await screen.findByRole("button", { name: "Orders" }));
    await fireEvent.input(document.getElementById("context-purpose")!, { target: { value: "changed" } });
    await fireEvent.click(screen.getByRole("button", { name: "Billing" }));
    expect((await screen.findByTestId("unsaved-prompt")).textContent).toContain("Discard your unsaved changes to “Orders”?");
    await fireEvent.click(screen.getByTestId("keep-editing"));
    expect((document.getElementById("context-name") as HTMLInputElement).value).toBe("Orders");
    await fireEvent.click(screen.getByRole("button", { name: "Billing" }));
    await fireEvent.click(await screen.findByTestId("discard-changes"));
    await waitFor(() => expect((document.getElementById("context-name") as HTMLInputElement).value).toBe("Billing"));
  });

  describe("live", () => {
    /** A backend whose lists a test changes as another process would; returns the commands made. */
    function live(db: { contexts: Context[]; linked: Story[] }) {
      const calls: string[] = [];
      mockCommands((cmd) => {
        calls.push(cmd);
        if (cmd === "list_contexts") return db.contexts;
        if (cmd === "context_stories") return db.linked;
        if (cmd === "list_stories") return [story("Checkout"), story("Refunds")];
        throw new Error(`unexpected ${cmd}`);
      });
      return calls;
    }

    it("a SpecChanged for this project reloads the list and the linked stories, leaving the editor's edits alone", async () => {
      const db = { contexts: [context("Orders"), context("Billing")], linked: [] as Story[] };
      const calls = live(db);
      render(Contexts, { projectId: "p1" });
      await fireEvent.click(await screen.findByRole("button", { name: "Orders" }));
      await fireEvent.input(document.getElementById("context-purpose")!, { target: { value: "mine, not saved" } });

      db.contexts = [context("Orders", { version: 2, dirty: true }), context("Billing"), context("Shipping")];
      db.linked = [story("Checkout")];
      await emit("spec-changed", { project_id: "p1" });
      await waitFor(() => expect(screen.getAllByTestId("context-row")).toHaveLength(3));
      expect(within(screen.getAllByTestId("context-row")[0]).getByText("Dirty")).toBeTruthy();
      await waitFor(() => expect(within(screen.getByTestId("context-stories")).getByText("Checkout")).toBeTruthy());
      expect(calls.filter((c) => c === "list_contexts")).toHaveLength(2);
      expect((document.getElementById("context-purpose") as HTMLInputElement).value).toBe("mine, not saved");
    });

    it("a SpecChanged for another project reloads nothing", async () => {
      const db = { contexts: [context("Orders")], linked: [] as Story[] };
      const calls = live(db);
      render(Contexts, { projectId: "p1" });
      await screen.findAllByTestId("context-row");
      db.contexts = [context("Orders"), context("Billing")];
      await emit("spec-changed", { project_id: "p2" });
      // Events arrive in order: once this project's is handled, the other one's would have been.
      await emit("spec-changed", { project_id: "p1" });
      await waitFor(() => expect(screen.getAllByTestId("context-row")).toHaveLength(2));
      expect(calls.filter((c) => c === "list_contexts")).toHaveLength(2);
    });
  });
});
