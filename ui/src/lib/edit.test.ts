import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { fieldError, formError, invalid, isStale, merged, problemOf, renamed, without } from "./edit";

const several = new ApiError({
  code: "invalid_input",
  field: "name",
  message: "name: name is required; email: must be an email address such as ada@example.com",
  fields: [
    { field: "name", message: "name is required" },
    { field: "email", message: "must be an email address such as ada@example.com" },
  ],
});

describe("problemOf", () => {
  it("keeps every field's problem the core sent", () => {
    const p = problemOf(several);
    expect(p.code).toBe("invalid_input");
    expect(p.field).toBe("name");
    expect(p.fields.map((f) => f.field)).toEqual(["name", "email"]);
  });

  it("reads a one-field error without `fields` as that field's problem", () => {
    const p = problemOf(new ApiError({ code: "invalid_input", field: "title", message: "title is required" }));
    expect(p.fields).toEqual([{ field: "title", message: "title is required" }]);
    expect(fieldError(p, "title")).toBe("title is required");
  });

  it("has no field for a plain error", () => {
    const p = problemOf(new Error("disk on fire"));
    expect(p).toEqual({ code: null, field: null, message: "disk on fire", fields: [] });
    expect(formError(p, ["title"])).toBe("disk on fire");
  });
});

describe("fieldError", () => {
  it("finds each input's message in `fields`, all at once", () => {
    const p = problemOf(several);
    expect(fieldError(p, "name")).toBe("name is required");
    expect(fieldError(p, "email")).toBe("must be an email address such as ada@example.com");
    expect(fieldError(p, "password")).toBeNull();
    expect(fieldError(null, "name")).toBeNull();
  });

  it("falls back to `field` and `message` when there is no list", () => {
    const p = { code: "conflict", field: "version", message: "stale", fields: [] };
    expect(fieldError(p, "version")).toBe("stale");
    expect(fieldError(p, "name")).toBeNull();
  });

  it("joins two problems of one field", () => {
    const p = invalid([
      { field: "name", message: "too long" },
      { field: "name", message: "has a space" },
    ]);
    expect(fieldError(p, "name")).toBe("too long; has a space");
  });
});

describe("formError", () => {
  it("shows nothing above a form whose inputs show every problem", () => {
    expect(formError(problemOf(several), ["name", "email", "password"])).toBeNull();
  });

  it("shows only the problems no input shows", () => {
    expect(formError(problemOf(several), ["name"])).toBe("must be an email address such as ada@example.com");
  });

  it("shows the whole message when no input shows any of it", () => {
    expect(formError(problemOf(several), [])).toBe(several.message);
  });

  it("shows a problem of no field", () => {
    expect(formError(problemOf(new ApiError({ code: "internal", message: "disk on fire" })), ["name"])).toBe("disk on fire");
    expect(formError(null, ["name"])).toBeNull();
  });
});

describe("combining problems", () => {
  it("invalid() is null when every check passed", () => {
    expect(invalid([])).toBeNull();
  });

  it("merges a form's own checks with the core's, keeping a problem of no field for the form", () => {
    const mine = invalid([{ field: "email", message: "enter an email address" }]);
    const core = problemOf(new ApiError({ code: "invalid_input", field: "value", message: "must be absolute" }));
    const other = problemOf(new Error("offline"));
    const all = merged(mine, renamed(core, "value", "workspace_dir"), null, other)!;
    expect(fieldError(all, "email")).toBe("enter an email address");
    expect(fieldError(all, "workspace_dir")).toBe("must be absolute");
    expect(fieldError(all, "value")).toBeNull();
    expect(formError(all, ["email", "workspace_dir"])).toBe("offline");
    expect(merged(null, mine)).toBe(mine);
    expect(merged()).toBeNull();
  });

  it("renames a command's generic field to the input it came from", () => {
    const p = renamed(
      problemOf(new ApiError({ code: "invalid_input", field: "value", message: "must be absolute" })),
      "value",
      "workspace_dir",
    );
    expect(p?.field).toBe("workspace_dir");
    expect(fieldError(p, "workspace_dir")).toBe("must be absolute");
    expect(renamed(null, "value", "x")).toBeNull();
  });

  it("drops one field's problem when its input changes", () => {
    const p = problemOf(several);
    const left = without(p, "name");
    expect(fieldError(left, "name")).toBeNull();
    expect(fieldError(left, "email")).toContain("email address");
    expect(without(left, "email")).toBeNull();
    expect(without(p, "password")).toBe(p);
  });
});

describe("isStale", () => {
  it("reads a stale edit from the error's typed detail, not from its field", () => {
    const stale = new ApiError({
      code: "conflict",
      field: "version",
      message: "this story was changed since you read it",
      detail: { kind: "stale_version", entity: "story", expected: 1, actual: 2 },
    });
    expect(isStale(stale)).toBe(true);
    // A conflict on the version field that is not a stale read (no such detail) is not one.
    expect(isStale(new ApiError({ code: "conflict", field: "version", message: "something else" }))).toBe(false);
    const cycle = new ApiError({
      code: "conflict",
      field: "depends_on",
      message: "a cycle",
      detail: { kind: "dependency_cycle", cycle: ["A", "B", "A"] },
    });
    expect(isStale(cycle)).toBe(false);
    expect(isStale(new Error("stale"))).toBe(false);
  });
});
