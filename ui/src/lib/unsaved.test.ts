import { afterEach, describe, expect, it, vi } from "vitest";
import { confirmDiscard, hasUnsaved, hostPrompt, prompt, question, register, unsaved, type Editor } from "./unsaved.svelte";

const offs: (() => void)[] = [];
afterEach(() => {
  offs.splice(0).forEach((off) => off());
  document.body.innerHTML = "";
  vi.restoreAllMocks();
});

function editor(title: string, over: Partial<Editor> & { isDirty?: boolean } = {}) {
  const el = document.createElement("form");
  const input = document.createElement("input");
  el.append(input);
  document.body.append(el);
  const state = { dirty: over.isDirty ?? true, saves: 0, closes: 0 };
  const e: Editor = {
    title: () => title,
    dirty: () => state.dirty,
    save: () => state.saves++,
    close: () => state.closes++,
    element: () => el,
    ...over,
  };
  offs.push(register(e));
  return { e, el, input, state };
}

function key(target: Element, init: KeyboardEventInit) {
  target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("unsaved edits", () => {
  it("knows which editors hold unsaved edits, everywhere or inside a part of the page", () => {
    const a = editor("“Pay by card”");
    const b = editor("the design doc", { isDirty: false });
    expect(unsaved().map((e) => e.title())).toEqual(["“Pay by card”"]);
    expect(unsaved(b.el)).toEqual([]);
    expect(unsaved(a.el).map((e) => e.title())).toEqual(["“Pay by card”"]);
    expect(unsaved(null)).toEqual([]);
    b.state.dirty = true;
    expect(question(unsaved())).toBe("Discard your unsaved changes to “Pay by card” and the design doc?");
    offs.splice(0).forEach((off) => off());
    expect(hasUnsaved()).toBe(false);
  });

  it("asks once with the in-app prompt, and resolves to the answer", async () => {
    const unhost = hostPrompt();
    try {
      editor("“Pay by card”");
      editor("“Refunds”");
      const asked = confirmDiscard();
      expect(prompt.question?.message).toBe("Discard your unsaved changes to “Pay by card” and “Refunds”?");
      prompt.question!.answer(true);
      expect(await asked).toBe(true);
      expect(prompt.question).toBeNull();

      const again = confirmDiscard();
      // A newer question replaces the open one, which keeps the edits.
      const newer = confirmDiscard();
      expect(await again).toBe(false);
      prompt.question!.answer(false);
      expect(await newer).toBe(false);
    } finally {
      unhost();
    }
  });

  it("asks nothing when nothing is unsaved", async () => {
    const confirm = vi.spyOn(window, "confirm");
    editor("“Pay by card”", { isDirty: false });
    expect(await confirmDiscard()).toBe(true);
    expect(confirm).not.toHaveBeenCalled();
  });

  it("Ctrl+S and Cmd+S save the editor holding the focus", () => {
    const a = editor("a");
    const b = editor("b");
    key(a.input, { key: "s", ctrlKey: true });
    key(a.input, { key: "s", metaKey: true });
    expect(a.state.saves).toBe(2);
    expect(b.state.saves).toBe(0);
    // Focus outside every editor: the one opened last.
    key(document.body, { key: "s", ctrlKey: true });
    expect(b.state.saves).toBe(1);
    // Plain s is typing.
    key(a.input, { key: "s" });
    expect(a.state.saves).toBe(2);
  });

  it("keys outside every editor never reach one on a kept page out of the document", () => {
    const shown = editor("shown");
    const keptAway = editor("kept away");
    keptAway.el.remove();
    key(document.body, { key: "s", ctrlKey: true });
    key(document.body, { key: "Escape" });
    expect(keptAway.state.saves).toBe(0);
    expect(keptAway.state.closes).toBe(0);
    expect(shown.state.saves).toBe(1);
  });

  it("Escape closes an editor without unsaved edits at once, and asks first with some", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(false);
    const clean = editor("clean", { isDirty: false });
    key(clean.input, { key: "Escape" });
    await settle();
    expect(clean.state.closes).toBe(1);
    expect(confirm).not.toHaveBeenCalled();

    const edited = editor("“Pay by card”");
    key(edited.input, { key: "Escape" });
    await settle();
    expect(confirm).toHaveBeenCalledWith("Discard your unsaved changes to “Pay by card”?");
    expect(edited.state.closes).toBe(0);

    confirm.mockReturnValue(true);
    key(edited.input, { key: "Escape" });
    await settle();
    expect(edited.state.closes).toBe(1);
  });

  it("Escape answers an open question with keep editing", async () => {
    const unhost = hostPrompt();
    try {
      const a = editor("a");
      const asked = confirmDiscard();
      key(a.input, { key: "Escape" });
      expect(await asked).toBe(false);
      expect(a.state.closes).toBe(0);
    } finally {
      unhost();
    }
  });
});
