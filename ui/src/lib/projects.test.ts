import { describe, expect, it } from "vitest";
import { loadProjects, projects, remove, upsert } from "./projects.svelte";
import { project } from "../test/fixtures";
import { mockCommands } from "../test/ipc";

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

  it("keeps a removed project out: not brought back by a late update, nor by a load that began before the removal", async () => {
    let answer: (list: unknown[]) => void = () => {};
    mockCommands((cmd) => {
      if (cmd === "list_projects") return new Promise((resolve) => (answer = resolve));
    });
    projects.list = [];
    upsert(project({ id: "a", name: "alpha" }));
    const early = loadProjects();
    remove("a");
    upsert(project({ id: "a", name: "alpha", stage: "estimated" }));
    expect(projects.list).toEqual([]);
    answer([project({ id: "a", name: "alpha" }), project({ id: "b", name: "beta" })]);
    await early;
    expect(projects.list.map((p) => p.id)).toEqual(["b"]);
    // Shared again, say: a load that began after the removal has the last word.
    const late = loadProjects();
    answer([project({ id: "a", name: "alpha" }), project({ id: "b", name: "beta" })]);
    await late;
    expect(projects.list.map((p) => p.id)).toEqual(["a", "b"]);
    upsert(project({ id: "a", name: "alpha", stage: "estimated" }));
    expect(projects.list[0].stage).toBe("estimated");
  });
});
