import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { clashRows, saveMerging, savedNote } from "./merge-save";

type Rec = { version: number; title: string; criteria: string };
type Form = { title: string; criteria: string };
const FIELDS = ["title", "criteria"] as const;
const LABELS = { title: "Title", criteria: "Acceptance criteria" };
const toForm = (r: Rec): Form => ({ title: r.title, criteria: r.criteria });

const stale = () =>
  new ApiError({
    code: "conflict",
    field: "version",
    message: "stale",
    detail: { kind: "stale_version", entity: "story", expected: 1, actual: 2 },
  });

/** A store that holds one record and rejects a write based on another version. */
function store(initial: Rec) {
  let current = initial;
  const sent: { version: number; changes: Partial<Form> }[] = [];
  return {
    sent,
    get current() {
      return current;
    },
    /** Someone else saves. */
    theirEdit(changes: Partial<Form>) {
      current = { ...current, ...changes, version: current.version + 1 };
    },
    opts(base: Rec, mine: Form) {
      return {
        base: toForm(base),
        version: base.version,
        mine,
        fields: FIELDS,
        toForm,
        versionOf: (r: Rec) => r.version,
        send: async (version: number, changes: Partial<Form>) => {
          sent.push({ version, changes });
          if (version !== current.version) throw stale();
          current = { ...current, ...changes, version: current.version + 1 };
          return current;
        },
        latest: async () => current,
      };
    },
  };
}

const v1: Rec = { version: 1, title: "Checkout", criteria: "" };

describe("saveMerging", () => {
  it("sends only the changed fields when nothing is stale", async () => {
    const s = store(v1);
    const result = await saveMerging(s.opts(v1, { title: "Pay", criteria: "" }));
    expect(result).toMatchObject({ kind: "saved", rebased: false, taken: [] });
    expect(s.sent).toEqual([{ version: 1, changes: { title: "Pay" } }]);
  });

  it("on a stale version, keeps their criteria and re-sends only my title at their version", async () => {
    const s = store(v1);
    s.theirEdit({ criteria: "- charged once" });
    const result = await saveMerging(s.opts(v1, { title: "Pay", criteria: "" }));
    expect(result).toMatchObject({ kind: "saved", rebased: true, taken: ["criteria"] });
    expect(s.sent).toEqual([
      { version: 1, changes: { title: "Pay" } },
      { version: 2, changes: { title: "Pay" } },
    ]);
    expect(s.current).toEqual({ version: 3, title: "Pay", criteria: "- charged once" });
  });

  it("stops with the clash when we both changed a field, sending nothing more", async () => {
    const s = store(v1);
    s.theirEdit({ title: "Their title", criteria: "- theirs" });
    const result = await saveMerging(s.opts(v1, { title: "My title", criteria: "" }));
    expect(result.kind).toBe("clash");
    if (result.kind !== "clash") return;
    expect(result.merge.clashes).toEqual(["title"]);
    expect(result.taken).toEqual(["criteria"]);
    expect(result.baseVersion).toBe(1);
    expect(result.latest.version).toBe(2);
    expect(s.sent).toHaveLength(1);
    expect(clashRows(result.merge, toForm(result.latest), LABELS, { title: "line" })).toEqual([
      { field: "title", label: "Title", mine: "My title", theirs: "Their title", input: "line" },
    ]);
  });

  it("repeats the merge against a version that changed again meanwhile", async () => {
    const s = store(v1);
    s.theirEdit({ criteria: "- one" });
    let latestCalls = 0;
    const opts = s.opts(v1, { title: "Pay", criteria: "" });
    const result = await saveMerging({
      ...opts,
      latest: async () => {
        latestCalls += 1;
        const read = s.current;
        // A third person saves right after this read: the next send is stale again.
        if (latestCalls === 1) s.theirEdit({ criteria: "- one\n- two" });
        return read;
      },
    });
    expect(result).toMatchObject({ kind: "saved", rebased: true, taken: ["criteria"] });
    expect(s.sent.map((x) => x.version)).toEqual([1, 2, 3]);
    expect(s.sent.every((x) => JSON.stringify(x.changes) === JSON.stringify({ title: "Pay" }))).toBe(true);
    expect(s.current).toEqual({ version: 4, title: "Pay", criteria: "- one\n- two" });
  });

  it("sends nothing when their newer version already has my change", async () => {
    const s = store(v1);
    s.theirEdit({ title: "Pay", criteria: "- one" });
    const result = await saveMerging(s.opts(v1, { title: "Pay", criteria: "" }));
    expect(result).toMatchObject({ kind: "unchanged", taken: ["criteria"] });
    expect(s.sent).toHaveLength(1);
    expect(s.current.version).toBe(2);
  });

  it("sends nothing when every value already matches the record in hand (their side chosen everywhere)", async () => {
    const s = store(v1);
    const result = await saveMerging({ ...s.opts(v1, toForm(v1)), current: v1 });
    expect(result).toEqual({ kind: "unchanged", record: v1, rebased: false, taken: [] });
    expect(s.sent).toEqual([]);
  });

  it("lets any other error through untouched", async () => {
    const invalid = new ApiError({ code: "invalid_input", field: "title", message: "title must not be blank" });
    const s = store(v1);
    await expect(
      saveMerging({
        ...s.opts(v1, { title: " ", criteria: "" }),
        send: async () => {
          throw invalid;
        },
      }),
    ).rejects.toBe(invalid);
  });

  it("gives up on a record that is stale on every try", async () => {
    const s = store(v1);
    let sends = 0;
    const error = await saveMerging({
      ...s.opts(v1, { title: "Pay", criteria: "" }),
      send: async () => {
        sends += 1;
        throw stale();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(sends).toBe(5);
  });
});

describe("savedNote", () => {
  it("names the fields taken from theirs", () => {
    expect(savedNote({ kind: "saved", rebased: true, taken: ["criteria"] }, LABELS)).toBe(
      "Merged with a newer version: kept their change to acceptance criteria.",
    );
    expect(savedNote({ kind: "saved", rebased: true, taken: ["title", "criteria"] }, LABELS)).toBe(
      "Merged with a newer version: kept their changes to title and acceptance criteria.",
    );
  });

  it("says plainly when nothing of theirs needed merging", () => {
    expect(savedNote({ kind: "saved", rebased: false, taken: [] }, LABELS)).toBe("Saved.");
    expect(savedNote({ kind: "saved", rebased: true, taken: [] }, LABELS)).toContain("newer version");
    expect(savedNote({ kind: "unchanged", rebased: true, taken: [] }, LABELS)).toContain("Nothing left to save");
  });
});
