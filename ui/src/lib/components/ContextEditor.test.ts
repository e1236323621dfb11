import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import ContextEditor from "./ContextEditor.svelte";
import type { Context, ContextInput } from "../api";
import { context } from "../../test/fixtures";
import { versionedBackend } from "../../test/ipc";

const v1 = context("Orders", { id: "c-1", purpose: "handles orders" });

/** The backend's contexts: an update based on an older version is a stale conflict. */
const backend = (initial: Context) =>
  versionedBackend<Context, ContextInput>("context", initial, "update_context", { list_contexts: (current) => [current] });

const field = (id: string) => document.getElementById(id) as HTMLInputElement;

describe("ContextEditor on a stale save", () => {
  it("keeps their new purpose and sends only my name", async () => {
    const db = backend(v1);
    render(ContextEditor, { props: { context: v1, projectId: "p1", onChange: () => {}, onDeleted: () => {} } });
    db.theirEdit({ purpose: "takes and tracks orders" });
    await fireEvent.input(field("context-name"), { target: { value: "Ordering" } });
    await fireEvent.click(screen.getByTestId("context-save"));

    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.updates).toEqual([
      { version: 1, input: { name: "Ordering" } },
      { version: 2, input: { name: "Ordering" } },
    ]);
    expect(db.current).toMatchObject({ name: "Ordering", purpose: "takes and tracks orders" });
    expect(field("context-purpose").value).toBe("takes and tracks orders");
    expect(screen.getByRole("status").textContent).toBe("Merged with a newer version: kept their change to purpose.");
    expect(screen.queryByTestId("conflict-choice")).toBeNull();
  });

  it("asks only about the purpose we both changed; the same type change on both sides is not asked", async () => {
    const db = backend(v1);
    render(ContextEditor, { props: { context: v1, projectId: "p1", onChange: () => {}, onDeleted: () => {} } });
    db.theirEdit({ type: "coordination", purpose: "their purpose", description: "their notes" });
    await fireEvent.change(field("context-type"), { target: { value: "coordination" } });
    await fireEvent.input(field("context-purpose"), { target: { value: "my purpose" } });
    await fireEvent.click(screen.getByTestId("context-save"));

    const choice = await screen.findByTestId("conflict-choice");
    expect(
      within(choice)
        .getAllByRole("group")
        .map((g) => g.dataset.testid),
    ).toEqual(["conflict-field-purpose"]);
    expect(screen.getByTestId("conflict-taken").textContent).toContain("Description");
    expect(screen.getByTestId("conflict-taken").textContent).not.toContain("Type");
    await fireEvent.input(screen.getByTestId("conflict-value-purpose"), { target: { value: "our purpose" } });
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));

    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.updates[1]).toEqual({ version: 2, input: { purpose: "our purpose" } });
    expect(db.current).toMatchObject({ type: "coordination", description: "their notes", purpose: "our purpose" });
    expect(screen.getByRole("status").textContent).toBe("Merged with a newer version: kept their change to description.");
  });
});
