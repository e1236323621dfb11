import { afterEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import DesignDocEditor from "./DesignDocEditor.svelte";
import type { DesignDoc } from "../api";

afterEach(() => clearMocks());

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
  mockIPC((cmd, raw) => {
    const args = raw as { version: number | null; content: string };
    if (cmd === "get_design_doc") return state.current;
    if (cmd === "save_design_doc") {
      saves.push({ version: args.version, content: args.content });
      if (args.version !== state.current.version) throw { code: "conflict", field: "version", message: "stale" };
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
    await screen.findByText("version 1");
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
    await screen.findByText("version 1");
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
    await screen.findByText("version 1");
    db.theirEdit({ content: "# Payments\n\nTheir text.\n" });
    await typeDoc("# Payments\n\nMy text.\n");

    await fireEvent.click(await screen.findByTestId("conflict-overwrite"));
    await waitFor(() => expect(db.current.version).toBe(3));
    expect(db.saves.map((s) => s.version)).toEqual([1, 2]);
    expect(db.current.content).toBe("# Payments\n\nMy text.\n");
  });
});
