// A save that survives someone else's newer version: it sends only the fields this edit
// changed, and on a stale version merges against the current record (./merge) and tries
// again at its version. It stops to ask only when both sides changed the same field.
import { isStale } from "./edit";
import { changedFields, listed, merge, type Merge } from "./merge";

export type MergeSave<R, F extends object, K extends keyof F & string, V> = {
  /** The form's values as loaded, and the version they were read at. */
  base: F;
  version: V;
  /** The form's values now. */
  mine: F;
  /** The fields a save can send (and the merge compares). */
  fields: readonly K[];
  /** Fields already taken from theirs by an earlier round (for the note). */
  taken?: readonly K[];
  /** The record `base` came from, when in hand: if nothing differs from it, nothing is sent. */
  current?: R;
  /** Saves `changes` (only the fields this edit changed) based on `version`; `all` is the whole form. */
  send: (version: V, changes: Partial<F>, all: F) => Promise<R>;
  /** The record as it is now, after a stale save. */
  latest: () => Promise<R>;
  toForm: (record: R) => F;
  versionOf: (record: R) => V;
};

export type MergeSaveResult<R, F, K, V> =
  /** Saved; `rebased` when that took a merge with a newer version. */
  | { kind: "saved"; record: R; rebased: boolean; taken: K[] }
  /** The record already holds every value of this edit: nothing was sent. */
  | { kind: "unchanged"; record: R; rebased: boolean; taken: K[] }
  /** Both sides changed some field: the person decides (`merge.clashes`). */
  | { kind: "clash"; latest: R; baseVersion: V; merge: Merge<F>; taken: K[] };

/** A record that keeps changing under us is given up on after this many stale rounds. */
const MAX_ROUNDS = 5;

export async function saveMerging<R, F extends object, K extends keyof F & string, V>(
  opts: MergeSave<R, F, K, V>,
): Promise<MergeSaveResult<R, F, K, V>> {
  let { base, version, mine } = opts;
  const taken = new Set<K>(opts.taken ?? []);
  let current: R | null = opts.current ?? null;
  let rebased = false;
  for (let round = 0; ; round++) {
    const changes = changedFields(base, mine, opts.fields);
    if (current !== null && changes.length === 0) {
      return { kind: "unchanged", record: current, rebased, taken: [...taken] };
    }
    const input: Partial<F> = {};
    for (const f of changes) input[f] = mine[f];
    try {
      const record = await opts.send(version, input, mine);
      return { kind: "saved", record, rebased, taken: [...taken] };
    } catch (e) {
      if (!isStale(e) || round + 1 >= MAX_ROUNDS) throw e;
      current = await opts.latest();
      rebased = true;
      const theirs = opts.toForm(current);
      const m = merge(base, mine, theirs, opts.fields);
      for (const f of m.taken) taken.add(f as K);
      if (m.clashes.length > 0) {
        return { kind: "clash", latest: current, baseVersion: version, merge: m, taken: [...taken] };
      }
      base = theirs;
      version = opts.versionOf(current);
      mine = m.merged;
    }
  }
}

/** What to tell the person after a save that ended without a choice to make. */
export function savedNote(
  result: { kind: "saved" | "unchanged"; rebased: boolean; taken: readonly string[] },
  labels: Record<string, string>,
): string {
  const took = result.taken.map((f) => (labels[f] ?? f).toLowerCase());
  const theirChange = `their ${took.length === 1 ? "change" : "changes"} to ${listed(took)}`;
  if (result.kind === "unchanged") {
    return took.length > 0
      ? `Nothing left to save: the newer version already matches (with ${theirChange}).`
      : "Nothing left to save: the newer version already matches.";
  }
  if (took.length > 0) return `Merged with a newer version: kept ${theirChange}.`;
  return result.rebased ? "Saved on top of a newer version; it had not changed the fields you edited." : "Saved.";
}

/** The clashing fields of `m` as the conflict choice shows them: mine against `theirs`. */
export function clashRows<F extends object>(
  m: Merge<F>,
  theirs: F,
  labels: Record<string, string>,
  inputs: Record<string, "line" | "text" | undefined> = {},
): { field: string; label: string; mine: string; theirs: string; input?: "line" | "text" }[] {
  const shown = (v: unknown) => (v == null ? "" : String(v));
  return m.clashes.map((f) => ({
    field: f,
    label: labels[f] ?? f,
    // A clash field of `merged` still holds my value.
    mine: shown(m.merged[f]),
    theirs: shown(theirs[f]),
    input: inputs[f],
  }));
}
