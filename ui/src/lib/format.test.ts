import { describe, expect, it } from "vitest";
import { count, duration, label, repositoryName } from "./format";

describe("format", () => {
  it("counts in the singular only for one", () => {
    expect(count(0, "project")).toBe("0 projects");
    expect(count(1, "project")).toBe("1 project");
    expect(count(10000, "project")).toBe("10,000 projects");
  });

  it("shows durations in the unit a person reads", () => {
    expect(duration(null)).toBe("");
    expect(duration(850)).toBe("850 ms");
    expect(duration(12_300)).toBe("12.3 s");
    expect(duration(125_000)).toBe("2 min 5 s");
  });

  it("turns snake_case into words", () => {
    expect(label("deps_installing")).toBe("deps installing");
  });

  it("names a repository as GitHub does, from its URL", () => {
    expect(repositoryName("https://github.com/acme/storefront")).toBe("acme/storefront");
    expect(repositoryName("http://127.0.0.1:4000/acme/shop.git")).toBe("acme/shop");
    expect(repositoryName("https://github.com/acme")).toBeNull();
    expect(repositoryName(null)).toBeNull();
  });
});
