// Three-way per-field merge for an edit that turned out to be stale: `base` is the record as
// the editor loaded it, `mine` the form's values, `theirs` the record as it is now. A field
// only one side changed takes that side's value; only a field both changed, differently, is
// a clash the person has to decide.

/** What happened to one field. */
export type Outcome =
  /** Both sides hold the same value (neither changed it, or both made the same change). */
  | "same"
  /** Only I changed it: my value is kept. */
  | "mine"
  /** Only they changed it: their value is taken. */
  | "theirs"
  /** Both changed it, to different values. */
  | "clash";

export type Merge<T> = {
  /** Per listed field, what the merge did with it. */
  outcomes: Record<keyof T & string, Outcome>;
  /**
   * Their record with every listed non-clash field resolved. A clash field holds my value
   * (the default choice) until the person decides.
   */
  merged: T;
  /** Fields taken from theirs because only they changed them. */
  taken: (keyof T & string)[];
  /** Fields kept from mine because only I changed them. */
  kept: (keyof T & string)[];
  /** Fields both changed to different values. */
  clashes: (keyof T & string)[];
};

/** Where `mine` differs from `base`, among `fields`. */
export function changedFields<T extends object, K extends keyof T & string>(base: T, mine: T, fields: readonly K[]): K[] {
  return fields.filter((f) => !Object.is(base[f], mine[f]));
}

export function merge<T extends object, K extends keyof T & string>(base: T, mine: T, theirs: T, fields: readonly K[]): Merge<T> {
  const outcomes = {} as Record<keyof T & string, Outcome>;
  const merged = { ...theirs };
  const taken: K[] = [];
  const kept: K[] = [];
  const clashes: K[] = [];
  for (const f of fields) {
    let outcome: Outcome;
    if (Object.is(mine[f], theirs[f])) outcome = "same";
    else if (Object.is(mine[f], base[f])) outcome = "theirs";
    else if (Object.is(theirs[f], base[f])) outcome = "mine";
    else outcome = "clash";
    outcomes[f] = outcome;
    if (outcome === "theirs") taken.push(f);
    if (outcome === "mine") kept.push(f);
    if (outcome === "clash") clashes.push(f);
    if (outcome === "mine" || outcome === "clash") merged[f] = mine[f];
  }
  return { outcomes, merged, taken, kept, clashes };
}

/** ["title"] → "title"; ["a", "b", "c"] → "a, b and c". */
export function listed(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
