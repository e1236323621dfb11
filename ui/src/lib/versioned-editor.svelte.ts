// The state of a form that edits one versioned record (a story, a context). The form is based
// on the version it loaded; a save sends only the fields changed, and against a newer version
// it is merged field by field with it (./merge-save): what only they changed is taken, what
// only I changed is kept, and only a field we both changed becomes a choice (`choice`, the
// props of <ConflictChoice>). Unsaved edits (an edit, or a conflict still to settle) are
// registered (./unsaved.svelte): asked about before they are lost; Ctrl/Cmd+S saves them,
// Escape discards them and closes the editor. Create it while the editor initializes.
import { onMount, untrack } from "svelte";
import { formError, isStale, problemOf, versionOf, type Problem } from "./edit";
import { clashRows, saveMerging, savedNote, type MergeSaveResult } from "./merge-save";
import { register } from "./unsaved.svelte";

export type Versioned = { id: string; version: number | null; dirty: boolean };
type Busy = "save" | "approve" | "dirty";

export type VersionedEditorOptions<R, F, K extends keyof F & string> = {
  /** The newest copy the page knows of: the form starts from it, and takes a newer one in
   * while nothing is unsaved. */
  record: () => R;
  /** The form's values; its keys are the backend's field names. */
  toForm: (record: R) => F;
  /** The fields a save can send, in the form's order, with their labels. */
  labels: Record<K, string>;
  /** How a clashing field can be written by hand (one not listed is a choice of the two). */
  inputs: Partial<Record<K, "line" | "text">>;
  /** What the unsaved-edits question calls it. */
  title: (record: R) => string;
  /** What the approve note calls it ("Someone changed this story since you read it."). */
  noun: string;
  /** Saves `changes` (only the fields this edit changed) based on `version`. */
  send: (id: string, version: number, changes: Partial<F>) => Promise<R>;
  /** The record as it is now (after a stale save or approval). */
  latest: (id: string) => Promise<R>;
  /** A newer copy is shown (saved, approved, reloaded, marked dirty): for the page's list. */
  onChange: (record: R) => void;
  /** Escape closes the editor (after asking, with unsaved edits). */
  onClose: () => void;
};

export class VersionedEditor<R extends Versioned, F extends object, K extends keyof F & string> {
  readonly #o: VersionedEditorOptions<R, F, K>;
  readonly #fields: K[];
  /** What the form was loaded from: the base of its version and of a merge. */
  loaded: R;
  form: F;
  busy = $state<Busy | null>(null);
  problem = $state<Problem | null>(null);
  notice = $state<string | null>(null);
  /** A stale save where we both changed some field: the newer record and the merge with it. */
  conflict = $state<Extract<MergeSaveResult<R, F, K, number>, { kind: "clash" }> | null>(null);
  /** The form on the page (bind:this): for the keyboard and for the page's unsaved-edits question. */
  element = $state<HTMLElement | null>(null);

  readonly edited = $derived.by(() => JSON.stringify(this.form) !== JSON.stringify(this.#o.toForm(this.loaded)));
  /** The problem as shown above the form: what no input shows. */
  readonly general = $derived.by(() => formError(this.problem, this.#fields));
  /** The clashing fields, mine and theirs (apart from `choice`: a save starting leaves them as they are). */
  readonly #rows = $derived.by(() => {
    const conflict = this.conflict;
    return conflict ? clashRows(conflict.merge, this.#o.toForm(conflict.latest), this.#o.labels, this.#o.inputs) : [];
  });
  /** The props of <ConflictChoice> while a conflict waits for the person's choices. */
  readonly choice = $derived.by(() => {
    const conflict = this.conflict;
    if (!conflict) return null;
    return {
      rows: this.#rows,
      taken: conflict.taken.map((f) => this.#o.labels[f]),
      myVersion: conflict.baseVersion,
      theirVersion: conflict.latest.version,
      busy: this.busy !== null,
      error: this.problem?.message ?? null,
      onReload: this.reloadTheirs,
      onSave: this.saveChoices,
    };
  });

  constructor(o: VersionedEditorOptions<R, F, K>) {
    this.#o = o;
    this.#fields = Object.keys(o.labels) as K[];
    const first = untrack(o.record);
    this.loaded = $state(first);
    this.form = $state(o.toForm(first));

    onMount(() =>
      register({
        title: () => o.title(this.loaded),
        dirty: () => this.edited || this.conflict !== null,
        save: () => {
          if (this.edited && this.busy === null && this.conflict === null) this.#saveForm();
        },
        close: () => {
          this.form = o.toForm(this.loaded);
          this.conflict = null;
          this.problem = null;
          o.onClose();
        },
        element: () => this.element,
      }),
    );

    // A newer copy from the page (the spec changed elsewhere): taken in while nothing is unsaved.
    $effect(() => {
      const newer = o.record();
      untrack(() => {
        if (newer.id !== this.loaded.id || versionOf(newer) <= versionOf(this.loaded)) return;
        if (this.edited || this.conflict !== null || this.busy !== null) return;
        this.loaded = newer;
        this.form = o.toForm(newer);
      });
    });
  }

  #show(record: R) {
    this.loaded = record;
    this.form = this.#o.toForm(record);
    this.#o.onChange(record);
  }

  async #run(kind: Busy, action: () => Promise<void>) {
    this.busy = kind;
    this.problem = null;
    this.notice = null;
    try {
      await action();
    } catch (e) {
      this.problem = problemOf(e);
    } finally {
      this.busy = null;
    }
  }

  /** Saves the fields `mine` changed from `base` (read at `version`, from `current`
   * when in hand), merging on a stale version. */
  #save(base: F, version: number, mine: F, taken: K[] = [], current?: R) {
    return this.#run("save", async () => {
      const id = this.loaded.id;
      const result = await saveMerging({
        base,
        version,
        mine,
        taken,
        current,
        fields: this.#fields,
        toForm: this.#o.toForm,
        versionOf,
        send: (v, changes) => this.#o.send(id, v, changes),
        latest: () => this.#o.latest(id),
      });
      if (result.kind === "clash") {
        this.conflict = result;
        return;
      }
      this.conflict = null;
      this.#show(result.record);
      this.notice = savedNote(result, this.#o.labels);
    });
  }

  #saveForm() {
    return this.#save(this.#o.toForm(this.loaded), versionOf(this.loaded), $state.snapshot(this.form) as F);
  }

  submit = (e: SubmitEvent) => {
    e.preventDefault();
    void this.#saveForm();
  };

  /** Puts the form back as loaded. */
  discard = () => {
    this.form = this.#o.toForm(this.loaded);
  };

  /** Saves the person's choices for the clashing fields over the newer record. */
  saveChoices = (values: Record<string, string>) => {
    const conflict = this.conflict;
    if (!conflict) return;
    const theirs = this.#o.toForm(conflict.latest);
    const mine = { ...($state.snapshot(conflict.merge.merged) as F), ...values };
    void this.#save(theirs, versionOf(conflict.latest), mine, conflict.taken, conflict.latest);
  };

  /** Gives up my edit for the newer record. */
  reloadTheirs = () => {
    if (this.conflict) this.#show(this.conflict.latest);
    this.conflict = null;
    this.problem = null;
  };

  /** Approves the version loaded with `send`; a stale one shows the latest instead, to review first. */
  approve(send: (id: string, version: number) => Promise<R>) {
    return this.#run("approve", async () => {
      try {
        this.#show(await send(this.loaded.id, versionOf(this.loaded)));
        this.notice = "Approved.";
      } catch (e) {
        if (!isStale(e)) throw e;
        // Nothing is edited (approve needs a saved form), so showing the latest loses nothing.
        this.#show(await this.#o.latest(this.loaded.id));
        this.notice = `Someone changed this ${this.#o.noun} since you read it. This is the latest version: review it, then approve.`;
      }
    });
  }

  /** Sets the dirty mark with `send`. It leaves the version alone: the form keeps its base,
   * the badges follow. */
  markDirty(send: (id: string) => Promise<R>) {
    return this.#run("dirty", async () => {
      const record = await send(this.loaded.id);
      this.loaded = { ...this.loaded, dirty: record.dirty };
      this.#o.onChange(record);
    });
  }
}
