import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Conflicts from "./Conflicts.svelte";
import type { DocsConflict } from "../../lib/api";
import { docsConflict } from "../../test/fixtures";
import { mockBackend, type Call } from "../../test/ipc";

const story = docsConflict({ entity_id: "s-1", kind: "story", label: "Checkout", field: "description" });
const deleted = docsConflict({ entity_id: "c-1", kind: "component", label: "Payments", field: "*", mine: "name: Payments", theirs: null });

/** A backend holding `initial`, where any choice settles the entity's conflicts. */
function withConflicts(initial: DocsConflict[]) {
  let left = initial;
  const calls = mockBackend({
    docs_conflicts: () => left,
    docs_resolve: (args) => {
      left = left.filter((c) => c.entity_id !== args.entityId);
      return left;
    },
  });
  return calls;
}

const resolves = (calls: Call[]) => calls.filter((c) => c.cmd === "docs_resolve").map((c) => c.args);

describe("Conflicts", () => {
  it("shows both versions side by side for each conflict", async () => {
    withConflicts([story, deleted]);
    render(Conflicts, { projectId: "p-1" });
    const cards = await screen.findAllByTestId("conflict-card");
    expect(cards).toHaveLength(2);
    expect(cards[0].textContent).toContain("Story");
    expect(cards[0].textContent).toContain("Checkout");
    expect(cards[0].textContent).toContain("description");
    expect(within(cards[0]).getByTestId("conflict-mine").textContent).toBe("As a buyer I pay by card");
    expect(within(cards[0]).getByTestId("conflict-theirs").textContent).toBe("As a buyer I pay in cash");
    expect(cards[1].textContent).toContain("edited here, deleted in the repository");
    expect(within(cards[1]).getByTestId("conflict-theirs").textContent).toBe("(deleted in the repository)");
  });

  it("shows their unreadable file as they wrote it, and says what each choice does", async () => {
    const raw = "---\nid: s-2\ntitle: [Refunds\n---\n";
    const broken = docsConflict({
      entity_id: "s-2",
      label: "Refunds",
      field: "*",
      mine: "title: Refunds, edited",
      theirs: raw,
      unreadable: true,
    });
    withConflicts([broken]);
    render(Conflicts, { projectId: "p-1" });
    const card = await screen.findByTestId("conflict-card");
    expect(card.textContent).toContain("edited here, their file cannot be read");
    expect(within(card).getByTestId("conflict-theirs").textContent).toBe(raw);
    expect(within(card).getByTestId("conflict-unreadable").textContent).toContain("Keep mine replaces it");
    expect(within(card).queryByTestId("conflict-edit-merge")).toBeNull();
  });

  it("says when there are none", async () => {
    withConflicts([]);
    render(Conflicts, { projectId: "p-1" });
    expect((await screen.findByTestId("conflicts-empty")).textContent).toContain("No conflicts: every edit is in the docs repository");
  });

  it("Keep mine sends {keep: mine} and shows the conflicts left", async () => {
    let resolved = 0;
    const calls = withConflicts([story, deleted]);
    render(Conflicts, { projectId: "p-1", onResolved: () => resolved++ });
    const [first] = await screen.findAllByTestId("conflict-card");
    await fireEvent.click(within(first).getByRole("button", { name: "Keep mine" }));
    await waitFor(() => expect(screen.getAllByTestId("conflict-card")).toHaveLength(1));
    expect(resolves(calls)).toEqual([{ projectId: "p-1", entityId: "s-1", choice: { keep: "mine" } }]);
    expect(resolved).toBe(1);
  });

  it("Take theirs sends {keep: theirs}; the last one leaves the empty state", async () => {
    const calls = withConflicts([deleted]);
    render(Conflicts, { projectId: "p-1" });
    await screen.findByTestId("conflict-card");
    await fireEvent.click(screen.getByTestId("conflict-take-theirs"));
    await screen.findByTestId("conflicts-empty");
    expect(resolves(calls)).toEqual([{ projectId: "p-1", entityId: "c-1", choice: { keep: "theirs" } }]);
  });

  it("Edit a merge starts from mine and saves the edited text for its field", async () => {
    const calls = withConflicts([story]);
    render(Conflicts, { projectId: "p-1" });
    await fireEvent.click(await screen.findByTestId("conflict-edit-merge"));
    const text = screen.getByTestId("conflict-merge-text") as HTMLTextAreaElement;
    expect(text.value).toBe("As a buyer I pay by card");
    await waitFor(() => expect(document.activeElement).toBe(text));
    await fireEvent.input(text, { target: { value: "As a buyer I pay by card or in cash" } });
    await fireEvent.click(screen.getByTestId("conflict-save-merge"));
    await screen.findByTestId("conflicts-empty");
    expect(resolves(calls)).toEqual([
      { projectId: "p-1", entityId: "s-1", choice: { keep: "merged", field: "description", text: "As a buyer I pay by card or in cash" } },
    ]);
  });

  it("offers no edited merge for an edit against a delete", async () => {
    withConflicts([deleted]);
    render(Conflicts, { projectId: "p-1" });
    const card = await screen.findByTestId("conflict-card");
    expect(within(card).getByTestId("conflict-keep-mine")).toBeTruthy();
    expect(within(card).getByTestId("conflict-take-theirs")).toBeTruthy();
    expect(within(card).queryByTestId("conflict-edit-merge")).toBeNull();
  });

  it("one card per item: mine and theirs settle all its fields, a merge names its field", async () => {
    const title = docsConflict({ entity_id: "s-1", field: "title", mine: "Checkout", theirs: "Pay" });
    const calls = withConflicts([title, story]);
    render(Conflicts, { projectId: "p-1" });
    const card = await screen.findByTestId("conflict-card");
    expect(within(card).getAllByTestId("conflict-mine")).toHaveLength(2);
    const merges = within(card).getAllByTestId("conflict-edit-merge");
    expect(merges.map((b) => b.textContent?.trim())).toEqual(["Edit a merge of title", "Edit a merge of description"]);
    await fireEvent.click(merges[1]);
    await fireEvent.click(screen.getByTestId("conflict-save-merge"));
    await waitFor(() => expect(resolves(calls)).toHaveLength(1));
    expect(resolves(calls)[0].choice).toEqual({ keep: "merged", field: "description", text: "As a buyer I pay by card" });
  });

  it("shows why a choice failed and keeps the card", async () => {
    mockBackend({
      docs_conflicts: () => [story],
      docs_resolve: () => {
        throw { code: "invalid_input", field: "field", message: "description is not in conflict here" };
      },
    });
    render(Conflicts, { projectId: "p-1" });
    await fireEvent.click(await screen.findByTestId("conflict-keep-mine"));
    expect((await screen.findByRole("alert")).textContent).toContain("not in conflict here");
    expect(screen.getAllByTestId("conflict-card")).toHaveLength(1);
  });
});
