import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import Stories from "./Stories.svelte";
import UnsavedPrompt from "../../lib/components/UnsavedPrompt.svelte";
import { story } from "../../test/fixtures";
import { mockBackend } from "../../test/ipc";

async function openEditor(title: string) {
  await fireEvent.click(await screen.findByRole("button", { name: title }));
  return (await screen.findByDisplayValue(title)) as HTMLInputElement;
}

describe("Stories", () => {
  it("lists the stories with their status, version and badges", async () => {
    mockBackend({
      list_stories: () => [story("Checkout", { approved: true, version: 3 }), story("Refunds", { dirty: true, status: "ready" })],
    });
    render(Stories, { projectId: "p1" });
    const rows = await screen.findAllByTestId("story-row");
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain("Checkout");
    expect(rows[0].textContent).toContain("Approved");
    expect(rows[0].textContent).toContain("3");
    expect(rows[1].textContent).toContain("ready");
    expect(rows[1].textContent).toContain("Dirty");
  });

  it("says when there are no stories yet", async () => {
    mockBackend({ list_stories: () => [] });
    render(Stories, { projectId: "p1" });
    expect((await screen.findByTestId("empty")).textContent).toContain("No stories yet");
  });

  it("shows a field error under the title", async () => {
    mockBackend({
      list_stories: () => [story("Checkout")],
      update_story: () => {
        throw { code: "invalid_input", field: "title", message: "title must not be blank" };
      },
    });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "  " } });
    await fireEvent.click(screen.getByTestId("story-save"));
    const field = document.getElementById("story-title")!.closest(".field")!;
    await waitFor(() => expect(field.querySelector(".field-error")?.textContent).toBe("title must not be blank"));
    expect(field.classList.contains("invalid")).toBe(true);
  });

  it("offers a choice for the field we both changed; saving it re-sends my edit at their version", async () => {
    // They changed the title (which I changed too) and the description (which I did not).
    const theirs = story("Checkout (their edit)", { id: "s-Checkout", version: 2 });
    let saves = 0;
    const calls = mockBackend({
      list_stories: () => [story("Checkout")],
      get_story: () => theirs,
      update_story: (args) => {
        saves += 1;
        if (saves === 1)
          throw {
            code: "conflict",
            field: "version",
            message: "this story was changed since you read it",
            detail: { kind: "stale_version", entity: "story", expected: 1, actual: 2 },
          };
        return { ...theirs, ...(args.input as object), version: 3 };
      },
    });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, mine" } });
    await fireEvent.click(screen.getByTestId("story-save"));

    const choice = await screen.findByTestId("conflict-choice");
    expect(choice.textContent).toContain("Checkout, mine");
    expect(choice.textContent).toContain("Checkout (their edit)");
    // Only the clashing field is a choice; their description was taken without asking.
    expect(screen.getByTestId("conflict-field-title")).toBeTruthy();
    expect(screen.queryByTestId("conflict-field-description")).toBeNull();
    expect(screen.getByTestId("conflict-taken").textContent).toContain("Description");

    await fireEvent.click(screen.getByTestId("conflict-overwrite"));
    await waitFor(() => expect(screen.queryByTestId("conflict-choice")).toBeNull());
    const updates = calls.filter((c) => c.cmd === "update_story");
    expect(updates.map((c) => c.args.version)).toEqual([1, 2]);
    expect(updates[0].args.input).toEqual({ title: "Checkout, mine" });
    expect(updates[1].args.input).toEqual({ title: "Checkout, mine" });
    expect((document.getElementById("story-title") as HTMLInputElement).value).toBe("Checkout, mine");
    expect((document.getElementById("story-description") as HTMLTextAreaElement).value).toBe("about Checkout (their edit)");
    expect(screen.getAllByTestId("story-row")[0].textContent).toContain("Checkout, mine");
    expect(screen.getByRole("status").textContent).toContain("kept their change to description");
  });

  it("reloading theirs discards my edit and shows theirs", async () => {
    const theirs = story("Their title", { id: "s-Checkout", version: 5, acceptance_criteria: "it works" });
    const calls = mockBackend({
      list_stories: () => [story("Checkout")],
      get_story: () => theirs,
      update_story: () => {
        throw {
          code: "conflict",
          field: "version",
          message: "this story was changed since you read it",
          detail: { kind: "stale_version", entity: "story", expected: 1, actual: 2 },
        };
      },
    });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "My title" } });
    await fireEvent.click(screen.getByTestId("story-save"));
    await fireEvent.click(await screen.findByTestId("conflict-reload"));

    await waitFor(() => expect(screen.queryByTestId("conflict-choice")).toBeNull());
    expect((document.getElementById("story-title") as HTMLInputElement).value).toBe("Their title");
    expect((document.getElementById("story-criteria") as HTMLTextAreaElement).value).toBe("it works");
    expect(screen.getByText("Version 5")).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "update_story")).toHaveLength(1);
  });

  it("approves at the version it read and deletes after a confirmation", async () => {
    const calls = mockBackend({
      list_stories: () => [story("Checkout", { version: 4 })],
      approve_story: () => story("Checkout", { version: 5, approved: true }),
      delete_story: () => null,
    });
    render(Stories, { projectId: "p1" });
    await openEditor("Checkout");
    await fireEvent.click(screen.getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(screen.getAllByTestId("story-row")[0].textContent).toContain("Approved"));
    expect(calls.find((c) => c.cmd === "approve_story")?.args).toMatchObject({ id: "s-Checkout", version: 4 });

    await fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(calls.some((c) => c.cmd === "delete_story")).toBe(false);
    await fireEvent.click(screen.getByRole("button", { name: "Yes, delete" }));
    expect(await screen.findByTestId("empty")).toBeTruthy();
  });
});

describe("Stories with unsaved edits", () => {
  const list = () => [story("Checkout"), story("Refunds")];
  const editorTitle = () => (document.getElementById("story-title") as HTMLInputElement | null)?.value;

  it("shows every field error of a save at once, under each field", async () => {
    mockBackend({
      list_stories: list,
      update_story: () => {
        throw {
          code: "invalid_input",
          field: "title",
          message: "title: title is required; description: description is too long",
          fields: [
            { field: "title", message: "title is required" },
            { field: "description", message: "description is too long" },
          ],
        };
      },
    });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: " " } });
    await fireEvent.click(screen.getByTestId("story-save"));
    const fieldOf = (id: string) => document.getElementById(id)!.closest(".field")!;
    await waitFor(() => expect(fieldOf("story-title").querySelector(".field-error")?.textContent).toBe("title is required"));
    expect(fieldOf("story-description").querySelector(".field-error")?.textContent).toBe("description is too long");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks once before switching stories; keeping the edits stays, discarding switches", async () => {
    mockBackend({ list_stories: list });
    render(UnsavedPrompt);
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, edited" } });

    await fireEvent.click(screen.getByRole("button", { name: "Refunds" }));
    const prompt = await screen.findByTestId("unsaved-prompt");
    expect(prompt.textContent).toContain("Discard your unsaved changes to “Checkout”?");
    expect(document.activeElement).toBe(screen.getByTestId("keep-editing"));
    await fireEvent.click(screen.getByTestId("keep-editing"));
    await waitFor(() => expect(screen.queryByTestId("unsaved-prompt")).toBeNull());
    expect(editorTitle()).toBe("Checkout, edited");

    await fireEvent.click(screen.getByRole("button", { name: "Refunds" }));
    await fireEvent.click(await screen.findByTestId("discard-changes"));
    await waitFor(() => expect(editorTitle()).toBe("Refunds"));
    expect(screen.queryByTestId("unsaved-prompt")).toBeNull();
  });

  it("switches without asking when nothing is edited", async () => {
    mockBackend({ list_stories: list });
    render(UnsavedPrompt);
    render(Stories, { projectId: "p1" });
    await openEditor("Checkout");
    await fireEvent.click(screen.getByRole("button", { name: "Refunds" }));
    await waitFor(() => expect(editorTitle()).toBe("Refunds"));
    expect(screen.queryByTestId("unsaved-prompt")).toBeNull();
  });

  it("Ctrl+S saves the open editor", async () => {
    const calls = mockBackend({
      list_stories: list,
      update_story: (args) => story("Checkout", { ...(args.input as object), version: 2 }),
    });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, saved" } });
    await fireEvent.keyDown(title, { key: "s", ctrlKey: true });
    await waitFor(() => expect(screen.getByText("Version 2")).toBeTruthy());
    expect(calls.filter((c) => c.cmd === "update_story").map((c) => c.args.input)).toEqual([{ title: "Checkout, saved" }]);
  });

  it("Escape closes the editor, asking first about unsaved edits, and gives the focus back to the list", async () => {
    mockBackend({ list_stories: list });
    render(UnsavedPrompt);
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, edited" } });
    title.focus();
    await fireEvent.keyDown(title, { key: "Escape" });
    await fireEvent.click(await screen.findByTestId("keep-editing"));
    expect(editorTitle()).toBe("Checkout, edited");

    await fireEvent.keyDown(document.getElementById("story-title")!, { key: "Escape" });
    await fireEvent.click(await screen.findByTestId("discard-changes"));
    await waitFor(() => expect(editorTitle()).toBeUndefined());
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Checkout" }));
  });

  it("keeps a new story's draft unless its discarding is confirmed", async () => {
    mockBackend({ list_stories: list });
    render(UnsavedPrompt);
    render(Stories, { projectId: "p1" });
    await screen.findAllByTestId("story-row");
    await fireEvent.click(screen.getByRole("button", { name: "New story" }));
    await fireEvent.input(document.getElementById("new-story-title")!, { target: { value: "Gift cards" } });
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect((await screen.findByTestId("unsaved-prompt")).textContent).toContain("the new story");
    await fireEvent.click(screen.getByTestId("keep-editing"));
    expect((document.getElementById("new-story-title") as HTMLInputElement).value).toBe("Gift cards");
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await fireEvent.click(await screen.findByTestId("discard-changes"));
    await waitFor(() => expect(screen.queryByTestId("new-story")).toBeNull());
  });

  it("a SpecChanged for this project reloads the list, leaving the open editor's unsaved edits alone", async () => {
    let stories = list();
    const calls = mockBackend({ list_stories: () => stories });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, edited" } });

    // Another process adds a story and changes Checkout.
    stories = [story("Checkout", { version: 2, dirty: true, title: "Checkout v2" }), story("Refunds"), story("Gift cards")];
    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(screen.getAllByTestId("story-row")).toHaveLength(3));
    expect(screen.getByRole("button", { name: "Gift cards" })).toBeTruthy();
    expect(calls.filter((c) => c.cmd === "list_stories")).toHaveLength(2);
    expect(editorTitle()).toBe("Checkout, edited");
  });

  it("a SpecChanged for another project reloads nothing", async () => {
    let stories = list();
    const calls = mockBackend({ list_stories: () => stories });
    render(Stories, { projectId: "p1" });
    await screen.findAllByTestId("story-row");
    stories = [...list(), story("Gift cards")];
    await emit("spec-changed", { project_id: "p2" });
    // Events arrive in order: once this project's is handled, the other one's would have been.
    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(screen.getAllByTestId("story-row")).toHaveLength(3));
    expect(calls.filter((c) => c.cmd === "list_stories")).toHaveLength(2);
  });

  it("a clean open editor shows the newer version the reload brings", async () => {
    let stories = list();
    mockBackend({ list_stories: () => stories });
    render(Stories, { projectId: "p1" });
    await openEditor("Checkout");
    stories = [story("Checkout", { version: 2, title: "Checkout by card" }), story("Refunds")];
    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(editorTitle()).toBe("Checkout by card"));
  });

  it("keeps an editor with unsaved edits when its story was deleted elsewhere", async () => {
    let stories = list();
    mockBackend({ list_stories: () => stories });
    render(Stories, { projectId: "p1" });
    const title = await openEditor("Checkout");
    await fireEvent.input(title, { target: { value: "Checkout, edited" } });
    stories = [story("Refunds")];
    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(screen.getAllByTestId("story-row")).toHaveLength(1));
    expect(screen.getByTestId("deleted-elsewhere")).toBeTruthy();
    expect(editorTitle()).toBe("Checkout, edited");
  });
});
