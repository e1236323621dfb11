import { describe, expect, it } from "vitest";
import { projects, remove, upsert } from "./projects.svelte";
import { project } from "../test/fixtures";

describe("the live project list", () => {
  it("keeps of a whole project only what its row shows, in its place by name", () => {
    projects.list = [];
    upsert(project({ id: "b", name: "beta", executive_summary: "sells" }));
    upsert(project({ id: "a", name: "alpha", description: "the first" }));
    upsert(project({ id: "b", name: "beta", stage: "estimated" }));
    expect(projects.list.map((p) => [p.name, p.stage])).toEqual([
      ["alpha", "draft"],
      ["beta", "estimated"],
    ]);
    expect(Object.keys(projects.list[0]).sort()).toEqual([
      "description",
      "framework",
      "id",
      "name",
      "setup_error",
      "setup_status",
      "stage",
      "updated_at",
    ]);
    remove("a");
    expect(projects.list.map((p) => p.id)).toEqual(["b"]);
  });
});
