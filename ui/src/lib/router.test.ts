import { describe, expect, it } from "vitest";
import { parse } from "./router.svelte";

describe("routes", () => {
  it("parses every page and refuses the rest", () => {
    expect(parse("")).toEqual({ name: "dashboard" });
    expect(parse("#/new")).toEqual({ name: "new" });
    expect(parse("#/projects/abc")).toEqual({ name: "project", id: "abc", tab: "overview" });
    expect(parse("#/projects/abc/stories")).toEqual({ name: "project", id: "abc", tab: "stories" });
    expect(parse("#/projects/abc/conflicts")).toEqual({ name: "project", id: "abc", tab: "conflicts" });
    expect(parse("#/jobs/12")).toEqual({ name: "job", id: 12 });
    expect(parse("#/settings")).toEqual({ name: "settings" });
    expect(parse("#/projects/abc/nope").name).toBe("missing");
    expect(parse("#/jobs/x").name).toBe("missing");
  });
});
