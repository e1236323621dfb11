import { describe, expect, it } from "vitest";
import { changedFields, listed, merge } from "./merge";

type Story = { title: string; description: string; acceptance_criteria: string; status: string };
const FIELDS = ["title", "description", "acceptance_criteria", "status"] as const;

const base: Story = { title: "Checkout", description: "As a buyer I pay", acceptance_criteria: "", status: "draft" };

describe("merge", () => {
  it("takes the criteria they added and keeps the title I changed, with no clash", () => {
    const mine = { ...base, title: "Pay by card" };
    const theirs = { ...base, acceptance_criteria: "- a card is charged once" };
    const m = merge(base, mine, theirs, FIELDS);
    expect(m.clashes).toEqual([]);
    expect(m.taken).toEqual(["acceptance_criteria"]);
    expect(m.kept).toEqual(["title"]);
    expect(m.merged).toEqual({ ...base, title: "Pay by card", acceptance_criteria: "- a card is charged once" });
    expect(m.outcomes).toEqual({ title: "mine", description: "same", acceptance_criteria: "theirs", status: "same" });
  });

  it("makes a title we both changed differently a clash, holding my value until chosen", () => {
    const mine = { ...base, title: "Pay by card" };
    const theirs = { ...base, title: "Pay by card or cash", description: "As a buyer I pay at once" };
    const m = merge(base, mine, theirs, FIELDS);
    expect(m.clashes).toEqual(["title"]);
    expect(m.outcomes.title).toBe("clash");
    expect(m.taken).toEqual(["description"]);
    expect(m.merged.title).toBe("Pay by card");
    expect(m.merged.description).toBe("As a buyer I pay at once");
  });

  it("does not count the same change on both sides as a clash", () => {
    const mine = { ...base, title: "Pay by card", status: "ready" };
    const theirs = { ...base, title: "Pay by card", status: "ready" };
    const m = merge(base, mine, theirs, FIELDS);
    expect(m.clashes).toEqual([]);
    expect(m.taken).toEqual([]);
    expect(m.kept).toEqual([]);
    expect(m.outcomes).toMatchObject({ title: "same", status: "same" });
    expect(m.merged).toEqual(theirs);
  });

  it("gives exactly theirs when I changed nothing", () => {
    const theirs = { title: "New", description: "Other", acceptance_criteria: "- one", status: "ready" };
    const m = merge(base, { ...base }, theirs, FIELDS);
    expect(m.merged).toEqual(theirs);
    expect(m.clashes).toEqual([]);
    expect(m.kept).toEqual([]);
    expect(m.taken).toEqual(["title", "description", "acceptance_criteria", "status"]);
  });

  it("keeps mine when they changed nothing", () => {
    const mine = { ...base, description: "Changed", acceptance_criteria: "- two" };
    const m = merge(base, mine, { ...base }, FIELDS);
    expect(m.merged).toEqual(mine);
    expect(m.kept).toEqual(["description", "acceptance_criteria"]);
    expect(m.taken).toEqual([]);
  });

  it("treats clearing a field as a change", () => {
    const withCriteria = { ...base, acceptance_criteria: "- one" };
    const mine = { ...withCriteria, acceptance_criteria: "" };
    const theirs = { ...withCriteria, acceptance_criteria: "- one\n- two" };
    expect(merge(withCriteria, mine, theirs, FIELDS).clashes).toEqual(["acceptance_criteria"]);
    expect(merge(withCriteria, mine, withCriteria, FIELDS).merged.acceptance_criteria).toBe("");
  });

  it("only compares the listed fields and leaves the others as theirs", () => {
    const b = { title: "a", version: 1 };
    const m = merge(b, { title: "b", version: 1 }, { title: "a", version: 2 }, ["title"]);
    expect(m.merged).toEqual({ title: "b", version: 2 });
    expect(Object.keys(m.outcomes)).toEqual(["title"]);
  });

  it("does not change its inputs", () => {
    const mine = { ...base, title: "Mine" };
    const theirs = { ...base, title: "Theirs" };
    merge(base, mine, theirs, FIELDS);
    expect(theirs.title).toBe("Theirs");
    expect(mine.title).toBe("Mine");
  });
});

describe("changedFields", () => {
  it("lists the fields that differ from the base, in field order", () => {
    expect(changedFields(base, { ...base, status: "ready", title: "x" }, FIELDS)).toEqual(["title", "status"]);
    expect(changedFields(base, { ...base }, FIELDS)).toEqual([]);
  });
});

describe("listed", () => {
  it("joins words the way a sentence does", () => {
    expect(listed([])).toBe("");
    expect(listed(["title"])).toBe("title");
    expect(listed(["title", "status"])).toBe("title and status");
    expect(listed(["title", "description", "status"])).toBe("title, description and status");
  });
});
