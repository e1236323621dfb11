import { describe, expect, it } from "vitest";
import { addedText, fieldLabel, groupByEntity, mergeable, publishText } from "./publish";
import { docsConflict, docsStatus } from "../test/fixtures";

describe("publishText", () => {
  it("words every publish state", () => {
    expect(publishText(docsStatus({ state: "no_repository" }))).toBe("No docs repository yet");
    expect(publishText(docsStatus({ state: "published" }))).toBe("Published");
    expect(publishText(docsStatus({ state: "pending", outbox: { entities: 3, changes: 5 } }))).toBe("3 edits pending");
    expect(publishText(docsStatus({ state: "pending", outbox: { entities: 1, changes: 1 } }))).toBe("1 edit pending");
    expect(publishText(docsStatus({ state: "pending", synced_commit: null }))).toBe("Not published yet");
    expect(publishText(docsStatus({ state: "offline", offline: true, outbox: { entities: 2, changes: 2 } }))).toBe(
      "Offline — 2 edits not published",
    );
    expect(publishText(docsStatus({ state: "failing", error: "the push was refused" }))).toBe("Sync failed: the push was refused");
    expect(publishText(docsStatus({ state: "conflicts", conflicts: 2 }))).toBe("2 conflicts");
    expect(publishText(docsStatus({ state: "conflicts", conflicts: 1 }))).toBe("1 conflict");
  });
});

describe("conflict helpers", () => {
  it("names the field, or who deleted for an edit against a delete", () => {
    expect(fieldLabel(docsConflict({ field: "acceptance_criteria" }))).toBe("acceptance criteria");
    expect(fieldLabel(docsConflict({ field: "*", theirs: null }))).toBe("edited here, deleted in the repository");
    expect(fieldLabel(docsConflict({ field: "*", mine: null }))).toBe("deleted here, edited in the repository");
    expect(fieldLabel(docsConflict({ field: "*", unreadable: true, theirs: "---\ntitle: [One" }))).toBe(
      "edited here, their file cannot be read",
    );
  });

  it("offers an edited merge for text fields only", () => {
    expect(mergeable(docsConflict({ field: "description" }))).toBe(true);
    expect(mergeable(docsConflict({ field: "*", theirs: null }))).toBe(false);
    expect(mergeable(docsConflict({ field: "*", unreadable: true }))).toBe(false);
    expect(mergeable(docsConflict({ field: "depends_on", kind: "component" }))).toBe(false);
  });

  it("groups the clashes by entity, in order", () => {
    const groups = groupByEntity([
      docsConflict({ entity_id: "a", field: "title" }),
      docsConflict({ entity_id: "b", field: "description" }),
      docsConflict({ entity_id: "a", field: "description" }),
    ]);
    expect(groups.map((g) => [g.entity_id, g.conflicts.map((c) => c.field)])).toEqual([
      ["a", ["title", "description"]],
      ["b", ["description"]],
    ]);
  });
});

describe("addedText", () => {
  it("counts what the last sync made from files added by hand", () => {
    expect(addedText(docsStatus({ added: 2 }))).toBe("2 added on GitHub");
    expect(addedText(docsStatus({ added: 1 }))).toBe("1 added on GitHub");
    expect(addedText(docsStatus({ added: 0 }))).toBeNull();
  });
});
