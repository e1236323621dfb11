import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import DesignDocEditor from "./DesignDocEditor.svelte";
import UnsavedPrompt from "./UnsavedPrompt.svelte";
import type { DesignDoc } from "../api";
import { mockCommands } from "../../test/ipc";

const v1: DesignDoc = {
  id: "d-1",
  component_id: "k-1",
  content: "# Payments\n",
  approved: false,
  version: 1,
  inserted_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

/** The backend's design doc: a save based on an older version is a stale conflict. */
function backend(initial: DesignDoc) {
  const state = { current: initial };
  const saves: { version: number | null; content: string }[] = [];
  mockCommands((cmd, raw) => {
    const args = raw as { version: number | null; content: string };
    if (cmd === "get_design_doc") return state.current;
    if (cmd === "save_design_doc") {
      saves.push({ version: args.version, content: args.content });
      if (args.version !== state.current.version)
        throw {
          code: "conflict",
          field: "version",
          message: "stale",
          detail: { kind: "stale_version", entity: "design doc", expected: args.version, actual: state.current.version },
        };
      state.current = { ...state.current, content: args.content, approved: false, version: state.current.version + 1 };
      return state.current;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return {
    saves,
    get current() {
      return state.current;
    },
    theirEdit(changes: Partial<DesignDoc>) {
      state.current = { ...state.current, ...changes, version: state.current.version + 1 };
    },
  };
}

async function typeDoc(content: string) {
  const area = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
  await fireEvent.input(area, { target: { value: content } });
  await fireEvent.click(screen.getByTestId("design-doc-save"));
}

describe("DesignDocEditor on a stale save", () => {
  it("saves my text over a newer version that did not change the text (an approval)", async () => {
    const db = backend(v1);
    render(DesignDocEditor, { componentId: "k-1" });
    await screen.findByText("Version 1");
    db.theirEdit({ approved: true });
    await typeDoc("# Payments\n\nCharges cards.\n");

    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.saves.map((s) => s.version)).toEqual([1, 2]);
    expect(db.current.content).toBe("# Payments\n\nCharges cards.\n");
    expect(screen.getByRole("status").textContent).toContain("Saved on top of a newer version");
    expect(screen.queryByTestId("conflict-choice")).toBeNull();
  });

  it("asks when we both changed the text; taking theirs saves nothing and shows theirs", async () => {
    const db = backend(v1);
    render(DesignDocEditor, { componentId: "k-1" });
    await screen.findByText("Version 1");
    db.theirEdit({ content: "# Payments\n\nTheir text.\n" });
    await typeDoc("# Payments\n\nMy text.\n");

    await screen.findByTestId("conflict-field-content");
    await fireEvent.click(screen.getByTestId("conflict-take-theirs-content"));
    await fireEvent.click(screen.getByTestId("conflict-overwrite"));

    await waitFor(() => expect(screen.queryByTestId("conflict-choice")).toBeNull());
    expect(db.saves).toHaveLength(1);
    expect(db.current.version).toBe(2);
    expect((screen.getByLabelText("Markdown") as HTMLTextAreaElement).value).toBe("# Payments\n\nTheir text.\n");
    expect(screen.getByRole("status").textContent).toContain("Nothing left to save");
  });

  it("keeping mine saves it at their version", async () => {
    const db = backend(v1);
    render(DesignDocEditor, { componentId: "k-1" });
    await screen.findByText("Version 1");
    db.theirEdit({ content: "# Payments\n\nTheir text.\n" });
    await typeDoc("# Payments\n\nMy text.\n");

    await fireEvent.click(await screen.findByTestId("conflict-overwrite"));
    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.saves.map((s) => s.version)).toEqual([1, 2]);
    expect(db.current.content).toBe("# Payments\n\nMy text.\n");
  });
});

describe("DesignDocEditor keys and preview", () => {
  it("puts the markdown and its preview side by side, and renders tables and quotes", async () => {
    backend(v1);
    render(DesignDocEditor, { componentId: "k-1" });
    const area = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    const split = area.closest(".split")!;
    expect(split.contains(screen.getByTestId("design-doc-preview"))).toBe(true);
    await fireEvent.input(area, { target: { value: "> note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src=x onerror=alert(1)>" } });
    const preview = screen.getByTestId("design-doc-preview");
    expect(preview.querySelector("blockquote")?.textContent?.trim()).toBe("note");
    expect(preview.querySelectorAll("td")).toHaveLength(2);
    expect(preview.querySelector("img")).toBeNull();
  });

  it("Ctrl+S saves the text", async () => {
    const db = backend(v1);
    render(DesignDocEditor, { componentId: "k-1" });
    const area = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    await fireEvent.input(area, { target: { value: "# Payments\n\nSaved by key.\n" } });
    await fireEvent.keyDown(area, { key: "s", ctrlKey: true });
    await waitFor(() => expect(db.current.version).toBe(2));
    expect(db.current.content).toBe("# Payments\n\nSaved by key.\n");
  });

  it("Escape discards the edits once the person confirms", async () => {
    const db = backend(v1);
    render(UnsavedPrompt);
    let closed = 0;
    render(DesignDocEditor, { componentId: "k-1", title: "the design doc of Payments", onClose: () => closed++ });
    const area = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    await fireEvent.input(area, { target: { value: "draft" } });
    await fireEvent.keyDown(area, { key: "Escape" });
    expect((await screen.findByTestId("unsaved-prompt")).textContent).toContain(
      "Discard your unsaved changes to the design doc of Payments?",
    );
    await fireEvent.click(screen.getByTestId("discard-changes"));
    await waitFor(() => expect(area.value).toBe("# Payments\n"));
    expect(closed).toBe(1);
    expect(db.saves).toHaveLength(0);
  });

  it("when told to read the doc again, shows the newer doc unless it holds unsaved edits", async () => {
    const be = backend(v1);
    const view = render(DesignDocEditor, { componentId: "k-1", refresh: 0 });
    const area = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    expect(area.value).toBe("# Payments\n");

    be.theirEdit({ content: "# Payments, theirs\n" });
    await view.rerender({ componentId: "k-1", refresh: 1 });
    await waitFor(() => expect(area.value).toBe("# Payments, theirs\n"));
    expect(screen.getByText("Version 2")).toBeTruthy();

    await fireEvent.input(area, { target: { value: "mine" } });
    be.theirEdit({ content: "# Payments, theirs again\n" });
    await view.rerender({ componentId: "k-1", refresh: 2 });
    await new Promise((r) => setTimeout(r, 20));
    expect(area.value).toBe("mine");
    expect(screen.getByText("Version 2")).toBeTruthy();
  });
});
