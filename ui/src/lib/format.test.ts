import { describe, expect, it } from "vitest";
import { count, duration, label, repositoryName, sentence } from "./format";

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

describe("sentence case", () => {
  it("raises a message's first plain word and leaves code, names and programs as written", () => {
    expect(sentence("not signed in")).toBe("Not signed in");
    expect(sentence("a project cannot move from draft to active")).toBe("A project cannot move from draft to active");
    expect(sentence("Already fine.")).toBe("Already fine.");
    expect(sentence("mix is not on the PATH")).toBe("mix is not on the PATH");
    expect(sentence("my_shop is missing on GitHub")).toBe("my_shop is missing on GitHub");
    expect(sentence("acme/blog is back")).toBe("acme/blog is back");
    expect(sentence("`codemyspec` said no")).toBe("`codemyspec` said no");
    expect(sentence("https://github.com/a/b: refused")).toBe("https://github.com/a/b: refused");
    expect(sentence("missing: sign in")).toBe("Missing: sign in");
    expect(sentence("")).toBe("");
  });
});
