import { describe, expect, it } from "vitest";
import { behindText, lastChangeText } from "./activity";
import type { LastChange } from "./api";

const change = (over: Partial<LastChange> = {}): LastChange => ({
  branch: "main",
  sha: "a".repeat(40),
  who: "bob-gh",
  when: "2026-12-06T17:47:29Z",
  title: "Add the price list",
  behind: null,
  ...over,
});

describe("activity texts", () => {
  it("names who, when and the commit title", () => {
    const text = lastChangeText(change());
    expect(text.startsWith("Last change on GitHub: bob-gh, ")).toBe(true);
    expect(text.endsWith(", Add the price list")).toBe(true);
    expect(text).not.toContain("2026-12-06T17:47:29Z");
  });

  it("counts the commits this machine lacks, and says nothing when it lacks none", () => {
    expect(behindText(change({ behind: 1 }))).toBe("1 commit on GitHub you do not have here");
    expect(behindText(change({ behind: 3 }))).toBe("3 commits on GitHub you do not have here");
    expect(behindText(change({ behind: 0 }))).toBeNull();
    expect(behindText(change({ behind: null }))).toBeNull();
  });
});
