// A project's list page with an editor beside it (stories, contexts; components use the
// selection alone). The list is read when the page opens and again whenever the project's spec
// changes (here, in another process, or from the docs repository), leaving the open editor and
// its edits alone. No unsaved edit is lost on the way: choosing another item asks first, and
// the open item, deleted elsewhere meanwhile, stays on screen while its editor holds edits.
// These use runes: create them while a component initializes.
import { tick, untrack } from "svelte";
import { messageOf, onSpecChanged, whileMounted } from "./api";
import { FormState } from "./form-state.svelte";
import { confirmClose, confirmDiscard, register, unsaved, type Editor } from "./unsaved.svelte";

type Item = { id: string };

/** The item whose editor is open, out of `items` (the list as shown). */
export class ListSelection<T extends Item> {
  /** The chosen item's id. */
  id = $state<string | null>(null);
  /** Where its editor is on the page (bind:this): choosing another asks about its unsaved edits. */
  pane = $state<HTMLElement | null>(null);
  /** The open item, deleted elsewhere meanwhile: kept on screen while its editor holds unsaved edits. */
  #kept = $state<T | null>(null);
  readonly #items: () => readonly T[] | null;

  /** The open item: from the list, or the one kept. */
  readonly item = $derived.by(() => this.#items()?.find((i) => i.id === this.id) ?? (this.#kept?.id === this.id ? this.#kept : null));
  /** The open item is no longer in the list: it is on screen only for its unsaved edits. */
  readonly orphaned = $derived.by(() => {
    const item = this.item;
    return !!item && !this.#items()?.some((i) => i.id === item.id);
  });

  constructor(items: () => readonly T[] | null) {
    this.#items = items;
  }

  /** Opens another item's editor, once the open one's unsaved edits are given up. */
  select = async (id: string) => {
    if (id === this.id || !(await confirmDiscard(this.pane))) return;
    this.id = id;
    this.#kept = null;
  };

  /** The list as read again, before it is shown: the open item, if gone from it, stays only
   * while its editor holds unsaved edits. */
  follow(list: readonly T[]) {
    const open = this.item;
    if (open && !list.some((i) => i.id === open.id)) {
      if (unsaved(this.pane).length > 0) this.#kept = open;
      else this.id = null;
    }
  }

  /** The item was deleted here: its editor closes. */
  removed(id: string) {
    if (this.id === id) this.id = null;
    if (this.#kept?.id === id) this.#kept = null;
  }

  /** Nothing is open (another project is shown). */
  clear() {
    this.id = null;
    this.#kept = null;
  }
}

/**
 * A list page's list and selection: `read` lists the project's items. `rowAttribute` is the
 * attribute that holds an item's id on its button in the list: the focus goes back there when
 * its editor is closed (Escape).
 */
export class ListPage<T extends Item> {
  /** The list as last read; null until the first read answers. */
  items = $state<T[] | null>(null);
  /** The first read failed: the page offers to retry. */
  loadError = $state<string | null>(null);
  /** A read after a spec change failed: the list shown stays. */
  reloadError = $state<string | null>(null);
  /** Bumped when the spec changed elsewhere: parts of the open editor read themselves again. */
  specChanges = $state(0);
  readonly selection = new ListSelection<T>(() => this.items);
  readonly #projectId: () => string;
  readonly #read: (projectId: string) => Promise<T[]>;
  readonly #rowAttribute: string;
  /** Numbers the reads of the list: only the latest one's answer is shown. */
  #reads = 0;

  constructor(o: { projectId: () => string; read: (projectId: string) => Promise<T[]>; rowAttribute: string }) {
    this.#projectId = o.projectId;
    this.#read = o.read;
    this.#rowAttribute = o.rowAttribute;

    $effect(() => {
      const id = o.projectId();
      untrack(() => {
        this.items = null;
        this.selection.clear();
        this.reloadError = null;
        void this.load(id);
      });
    });

    $effect(() => {
      const id = o.projectId();
      return whileMounted(() =>
        onSpecChanged(id, () => {
          this.specChanges++;
          void this.reload(id);
        }),
      );
    });
  }

  /** Whether an answer for project `id`, read `read`-th, is still the one to show. */
  #current(id: string, read: number): boolean {
    return id === this.#projectId() && read === this.#reads;
  }

  load = async (id = this.#projectId()) => {
    const read = ++this.#reads;
    this.loadError = null;
    try {
      const list = await this.#read(id);
      if (this.#current(id, read)) this.items = list;
    } catch (e) {
      if (this.#current(id, read)) this.loadError = messageOf(e);
    }
  };

  /** Reads the list again (the spec changed elsewhere); the open editor keeps its edits. */
  reload = async (id = this.#projectId()) => {
    const read = ++this.#reads;
    try {
      const list = await this.#read(id);
      if (!this.#current(id, read)) return;
      this.selection.follow(list);
      this.items = list;
      this.loadError = null;
      this.reloadError = null;
    } catch (e) {
      if (this.#current(id, read)) this.reloadError = messageOf(e);
    }
  };

  /** An item changed here (saved, approved, marked dirty). */
  replace = (item: T) => {
    this.items = (this.items ?? []).map((i) => (i.id === item.id ? item : i));
  };

  /** An item was deleted here. */
  removed = (id: string) => {
    this.items = (this.items ?? []).filter((i) => i.id !== id);
    this.selection.removed(id);
  };

  /** An item created here joins the list (in `order`, else last) and opens, once the open
   * one's unsaved edits are given up. */
  async added(item: T, order?: (a: T, b: T) => number) {
    // (A reload on the spec's change may have brought it already.)
    const list = [...(this.items ?? []).filter((i) => i.id !== item.id), item];
    this.items = order ? list.sort(order) : list;
    await this.selection.select(item.id);
  }

  /** Escape closed the editor of item `id`: the focus goes back to its button in the list. */
  async closed(id: string) {
    this.selection.id = null;
    await tick();
    const attribute = this.#rowAttribute;
    [...document.querySelectorAll<HTMLElement>(`[${attribute}]`)].find((el) => el.getAttribute(attribute) === id)?.focus();
  }
}

/** A page's form for a new item, while it is open: its draft counts as unsaved edits. */
export class NewItemForm<D extends object> extends FormState {
  /** Whether the form is shown. */
  open = $state(false);
  draft: D;
  /** The form on the page (bind:this). */
  element = $state<HTMLFormElement | null>(null);
  readonly #empty: D;
  readonly #firstInput: string;
  readonly #editor: Editor;

  /** `title` is what the unsaved-edits question calls it; `firstInput`, the id of the input
   * that gets the focus when it opens. */
  constructor(o: { title: string; empty: D; firstInput: string }) {
    super();
    this.#empty = o.empty;
    this.#firstInput = o.firstInput;
    this.draft = $state({ ...o.empty });
    this.#editor = {
      title: () => o.title,
      dirty: () => this.open && JSON.stringify(this.draft) !== JSON.stringify(o.empty),
      save: () => this.element?.requestSubmit(),
      close: () => this.close(),
      element: () => this.element,
    };
    $effect(() => {
      if (this.open) return register(this.#editor);
    });
  }

  close() {
    this.open = false;
    this.draft = { ...this.#empty };
    this.problem = null;
  }

  /** Opens the form, or closes it once its draft is given up. */
  toggle = async () => {
    if (!this.open) {
      this.open = true;
      this.problem = null;
      await tick();
      document.getElementById(this.#firstInput)?.focus();
    } else if (await confirmClose([this.#editor])) this.close();
  };

  /** Creates the item with `create`: the form closes and the item is returned; null when that
   * failed (the form shows why). */
  async submit<T>(e: SubmitEvent, create: (draft: D) => Promise<T>): Promise<T | null> {
    e.preventDefault();
    let item: T | undefined;
    if (!(await this.run(async () => (item = await create(this.draft))))) return null;
    this.close();
    return item as T;
  }
}
