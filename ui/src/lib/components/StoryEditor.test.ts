import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import StoryEditor from "./StoryEditor.svelte";
import type { StatusMove, Story, StoryInput, StoryStatus } from "../api";
import { story } from "../../test/fixtures";
import { versionedBackend } from "../../test/ipc";

const v1 = story("Pay by card", { id: "s-1", description: "As a buyer I pay" });

/** What the backend's `story_status_moves` answers: forward one step, back to draft, or stay. */
function moves(from: StoryStatus): StatusMove[] {
  const next: Record<StoryStatus, StoryStatus[]> = { draft: ["ready"], ready: ["implemented"], implemented: [] };
  return (["draft", "ready", "implemented"] as StoryStatus[]).map((status) => ({
    status,
    allowed: status === from || status === "draft" || next[from].includes(status),
  }));
}

/** The backend's story store: an update based on an older version is a stale conflict. */
const backend = (initial: Story) =>
  versionedBackend<Story, StoryInput>("story", initial, "update_story", {
    get_story: (current) => current,
    story_status_moves: (_, args) => moves(args.from as StoryStatus),
  });

function mount(story: Story = v1) {
  const changes: Story[] = [];
  render(StoryEditor, { story, onChange: (s: Story) => changes.push(s), onDeleted: () => {} });
  return changes;
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement;

async function edit(id: string, value: string) {
  await fireEvent.input(input(id), { target: { value } });
}

describe("StoryEditor on a stale save", () => {
  it("sends only my title when they added criteria meanwhile, and says their change was kept", async () => {
    const db = backend(v1);
    const changes = mount();
    db.theirEdit({ acceptance_criteria: "- the card is charged once" });
    await edit("story-title", "Pay by card or cash");
    await fireEvent.click(screen.getByTestId("story-save"));

    await waitFor(() => expect(db.updates).toHaveLength(2));
    expect(db.updates).toEqual([
      { version: 1, input: { title: "Pay by card or cash" } },
      { version: 2, input: { title: "Pay by card or cash" } },
    ]);
    expect(db.current).toMatchObject({ version: 3, title: "Pay by card or cash", acceptance_criteria: "- the card is charged once" });

    const note = await screen.findByRole("status");
    expect(note.textContent).toBe("Merged with a newer version: kept their change to acceptance criteria.");
    expect(screen.queryByTestId("conflict-choice")).toBeNull();
    expect(input("story-title").value).toBe("Pay by card or cash");
    expect(input("story-criteria").value).toBe("- the card is charged once");
    expect(screen.getByText("Version 3")).toBeTruthy();
    expect(changes.at(-1)?.version).toBe(3);
  });

  it("offers only the field we both changed, and saves my other changes with the choice", async () => {
    const db = backend(v1);
    mount();
    db.theirEdit({ title: "Pay by cash", acceptance_criteria: "- change is given" });
    await edit("story-title", "Pay by card or cash");
    await edit("story-description", "As a buyer I pay how I like");
    await fireEvent.click(screen.getByTestId("story-save"));

    const choice = await screen.findByTestId("conflict-choice");
    expect(
      within(choice)
        .getAllByRole("group")
        .map((g) => g.dataset.testid),
    ).toEqual(["conflict-field-title"]);
    expect(screen.getByTestId("conflict-taken").textContent).toContain("Acceptance criteria");
    expect(within(screen.getByTestId("conflict-field-title")).getByTestId("conflict-mine").textContent).toBe("Pay by card or cash");
    expect(within(screen.getByTestId("conflict-field-title")).getByTestId("conflict-theirs").textContent).toBe("Pay by cash");
    // Mine is chosen until they pick.
    expect((screen.getByTestId("conflict-keep-mine-title") as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(screen.getByTestId("conflict-take-theirs-title"));
    expect((screen.getByTestId("conflict-take-theirs-title") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("conflict-value-title") as HTMLInputElement).value).toBe("Pay by cash");
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));

    await waitFor(() => expect(screen.queryByTestId("conflict-choice")).toBeNull());
    expect(db.updates.map((u) => u.version)).toEqual([1, 2]);
    // Their title was chosen, their criteria taken: only my description is left to send.
    expect(db.updates[1].input).toEqual({ description: "As a buyer I pay how I like" });
    expect(db.current).toMatchObject({
      version: 3,
      title: "Pay by cash",
      description: "As a buyer I pay how I like",
      acceptance_criteria: "- change is given",
    });
    expect(input("story-title").value).toBe("Pay by cash");
    expect(screen.getByRole("status").textContent).toContain("kept their change to acceptance criteria");
  });

  it("saves a value written by hand for the clashing field", async () => {
    const db = backend(v1);
    mount();
    db.theirEdit({ title: "Pay by cash" });
    await edit("story-title", "Pay by card");
    await edit("story-title", "Pay with a card");
    await fireEvent.click(screen.getByTestId("story-save"));

    const value = (await screen.findByTestId("conflict-value-title")) as HTMLInputElement;
    await fireEvent.input(value, { target: { value: "Pay by card or cash" } });
    expect((screen.getByTestId("conflict-keep-mine-title") as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId("conflict-take-theirs-title") as HTMLInputElement).checked).toBe(false);
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));

    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.updates[1]).toEqual({ version: 2, input: { title: "Pay by card or cash" } });
    expect(input("story-title").value).toBe("Pay by card or cash");
  });

  it("repeats the merge when the story changed again while the choice was open", async () => {
    const db = backend(v1);
    mount();
    db.theirEdit({ title: "Pay by cash" });
    await edit("story-title", "Pay by card or cash");
    await fireEvent.click(screen.getByTestId("story-save"));
    await screen.findByTestId("conflict-choice");

    // A third edit lands while the person is choosing: new criteria, and the title again.
    db.theirEdit({ acceptance_criteria: "- receipts are sent" });
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));

    await waitFor(() => expect(db.current.version).toBe(4));
    expect(db.updates.map((u) => u.version)).toEqual([1, 2, 3]);
    expect(db.updates[2].input).toEqual({ title: "Pay by card or cash" });
    expect(db.current).toMatchObject({ title: "Pay by card or cash", acceptance_criteria: "- receipts are sent" });
    expect(screen.queryByTestId("conflict-choice")).toBeNull();
    expect(screen.getByRole("status").textContent).toContain("kept their change to acceptance criteria");

    // And a clash in the second round asks again, against the newest version.
    await edit("story-description", "Mine again");
    db.theirEdit({ description: "Theirs again" });
    await fireEvent.click(screen.getByTestId("story-save"));
    const choice = await screen.findByTestId("conflict-choice");
    expect(choice.textContent).toContain("You edited version 4; it is now version 5.");
    expect(screen.getByTestId("conflict-field-description")).toBeTruthy();
  });

  it("offers the statuses the backend allows from the story's own status", async () => {
    backend({ ...v1, status: "ready" });
    mount({ ...v1, status: "ready" });
    const select = document.getElementById("story-status") as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(3));
    // From ready: back to draft, stay, or on to implemented.
    const enabled = [...select.options].filter((o) => !o.disabled).map((o) => o.value);
    expect(enabled).toEqual(["draft", "ready", "implemented"]);
  });

  it("does not offer a draft story the jump to implemented", async () => {
    backend(v1);
    mount();
    const select = document.getElementById("story-status") as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(3));
    expect([...select.options].filter((o) => o.disabled).map((o) => o.value)).toEqual(["implemented"]);
  });

  it("labels the choices so they can be reached and read from the keyboard", async () => {
    const db = backend(v1);
    mount();
    db.theirEdit({ title: "Pay by cash", status: "ready" });
    await edit("story-title", "Pay by card or cash");
    await fireEvent.change(input("story-status"), { target: { value: "ready" } });
    await fireEvent.change(input("story-status"), { target: { value: "draft" } });
    await fireEvent.click(screen.getByTestId("story-save"));

    const group = await screen.findByRole("group", { name: "Title" });
    const mine = within(group).getByRole("radio", { name: "Keep mine" });
    const theirs = within(group).getByRole("radio", { name: /Take theirs/ });
    // One radio group per field, focusable (arrow keys move within it).
    expect(theirs.getAttribute("name")).toBe(mine.getAttribute("name"));
    theirs.focus();
    expect(document.activeElement).toBe(theirs);
    expect(theirs.getAttribute("aria-describedby")).toBe(within(group).getByTestId("conflict-theirs").id);
    expect(within(group).getByRole("textbox", { name: "Title to save" })).toBeTruthy();
    // Status went back to draft on my side, so only their change to it counts: taken, not asked.
    expect(screen.queryByRole("group", { name: "Status" })).toBeNull();
    expect(screen.getByTestId("conflict-taken").textContent).toContain("Status");
  });

  it("reloading theirs drops my edit", async () => {
    const db = backend(v1);
    mount();
    db.theirEdit({ title: "Pay by cash" });
    await edit("story-title", "Pay by card or cash");
    await fireEvent.click(screen.getByTestId("story-save"));
    await fireEvent.click(await screen.findByTestId("conflict-reload"));

    expect(screen.queryByTestId("conflict-choice")).toBeNull();
    expect(input("story-title").value).toBe("Pay by cash");
    expect(db.updates).toHaveLength(1);
  });
});
