// Unsaved edits. Each open editor registers how to tell whether it holds edits not saved
// yet; before anything closes editors (the router leaving a page, a page switching to
// another story), it asks once — "Discard your unsaved changes to …?" — and goes on only if
// the person says so. The question is shown by <UnsavedPrompt> (in-app: WebKit's own
// window.confirm shows nothing in some webviews).
//
// The keyboard, for the editor that holds the focus (or else the one opened last):
// Ctrl/Cmd+S saves it; Escape closes it, asking first if it holds unsaved edits.
import { listed } from "./merge";

export type Editor = {
  /** What the question names: “Pay by card”, the design doc. */
  title: () => string;
  /** Whether it holds edits not saved yet. */
  dirty: () => boolean;
  /** Ctrl/Cmd+S: save now (nothing when there is nothing to save, or a save is running). */
  save?: () => void;
  /** Escape, once any edits are given up: discard them and close (or reset) the editor. */
  close?: () => void;
  /** Where it is on the page: for the keyboard, and for a page asking about one of its parts. */
  element?: () => Element | null | undefined;
};

const editors: Editor[] = [];

/** Registers an open editor until the returned function is called (on its unmount). */
export function register(editor: Editor): () => void {
  editors.push(editor);
  return () => {
    const i = editors.indexOf(editor);
    if (i >= 0) editors.splice(i, 1);
  };
}

/** The editors with unsaved edits: all, or only those inside `scope`. */
export function unsaved(scope?: Element | null): Editor[] {
  return editors.filter((e) => {
    if (!e.dirty()) return false;
    if (scope === undefined) return true;
    const el = e.element?.();
    return !!scope && !!el && scope.contains(el);
  });
}

export function hasUnsaved(): boolean {
  return unsaved().length > 0;
}

export function question(of: Editor[]): string {
  return `Discard your unsaved changes to ${listed(of.map((e) => e.title()))}?`;
}

/** The question on screen, answered by <UnsavedPrompt>: true to discard. */
export const prompt = $state<{ question: { message: string; answer: (discard: boolean) => void } | null }>({ question: null });

let hosts = 0;
/** Bumped per question: the one on screen is the latest. */
let asked = 0;

/** <UnsavedPrompt> shows the questions while it is mounted (the returned function unmounts it). */
export function hostPrompt(): () => void {
  hosts++;
  return () => {
    hosts--;
    if (hosts === 0) prompt.question?.answer(false);
  };
}

function ask(message: string): Promise<boolean> {
  // Without the in-app prompt (a page tested on its own): the browser's.
  if (hosts === 0) return Promise.resolve(typeof window !== "undefined" && !!window.confirm?.(message));
  // A newer question replaces one still open, which keeps the edits.
  prompt.question?.answer(false);
  const id = ++asked;
  return new Promise((resolve) => {
    prompt.question = {
      message,
      answer: (discard: boolean) => {
        if (prompt.question && asked === id) prompt.question = null;
        resolve(discard);
      },
    };
  });
}

/** Whether `these` editors may be closed: none holds unsaved edits, or the person gives them up. */
export async function confirmClose(these: Editor[]): Promise<boolean> {
  const dirty = these.filter((e) => e.dirty());
  if (dirty.length === 0) return true;
  return ask(question(dirty));
}

/**
 * Whether it is fine to close the editors (all, or those inside `scope`): true when none holds
 * unsaved edits, or when the person, asked once, chose to discard them.
 */
export function confirmDiscard(scope?: Element | null): Promise<boolean> {
  const dirty = unsaved(scope);
  return dirty.length === 0 ? Promise.resolve(true) : ask(question(dirty));
}

/** The editor keys go to: the one holding `target`, else the one opened last on the page shown
 * (not one on a kept page that is out of the document, lib/kept). */
function editorFor(target: EventTarget | null): Editor | undefined {
  const node = target instanceof Node ? target : null;
  for (let i = editors.length - 1; node && i >= 0; i--) if (editors[i].element?.()?.contains(node)) return editors[i];
  return [...editors].reverse().find((e) => e.element?.()?.isConnected !== false);
}

function onKey(event: KeyboardEvent) {
  if (prompt.question) {
    if (event.key === "Escape") {
      event.preventDefault();
      prompt.question.answer(false);
    }
    return;
  }
  if (event.defaultPrevented || event.isComposing) return;
  const save = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "s";
  const escape = event.key === "Escape" && !event.ctrlKey && !event.metaKey && !event.altKey;
  if (!save && !escape) return;
  const editor = editorFor(event.target);
  if (save && editor?.save) {
    event.preventDefault();
    editor.save();
  } else if (escape && editor?.close) {
    event.preventDefault();
    const close = editor.close;
    void confirmClose([editor]).then((ok) => ok && close());
  }
}

if (typeof window !== "undefined") window.addEventListener("keydown", onKey);
