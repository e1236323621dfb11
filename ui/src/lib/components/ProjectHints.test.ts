import { describe, expect, it } from "vitest";
import { forWindow, whereToFix } from "./ProjectHints";
import { check } from "../../test/project-fixtures";

describe("forWindow", () => {
  it.each([
    ["missing: run `codemyspec github login`", "Missing: sign in to GitHub in Settings → GitHub"],
    ["not signed in: run `codemyspec github login`, or Settings → GitHub", "Not signed in: sign in to GitHub in Settings → GitHub"],
    [
      "sign in to GitHub (github.com) first: `codemyspec github login`, or Settings → GitHub",
      "Sign in to GitHub (github.com) first, in Settings → GitHub",
    ],
    [
      "GitHub refused the profile's token (401): sign in again with `codemyspec github login`",
      "GitHub refused the profile's token (401): sign in to GitHub again in Settings → GitHub",
    ],
    [
      "https://github.com/a/b: refused (sign in with `codemyspec github login`, or set a token for github.com with `codemyspec token set`)",
      "https://github.com/a/b: refused (sign in to GitHub in Settings → GitHub)",
    ],
    [
      "this system reports no home folder: set one with `codemyspec config set workspace_dir /abs/path`",
      "This system reports no home folder: pick a workspace folder in Settings → Workspace",
    ],
    [
      "this project has no docs repository; set one (codemyspec project update --docs-repo URL) or set the project up",
      "This project has no docs repository; set one (in Overview → Edit project → Docs repository URL) or set the project up",
    ],
    [
      "no docs repository: run `codemyspec project update shop --docs-repo https://github.com/a/b`",
      "No docs repository: in Overview → Edit project → Docs repository URL",
    ],
    [
      "no docs repository: codemyspec project update shop --docs-repo URL; then sync",
      "No docs repository: in Overview → Edit project → Docs repository URL; then sync",
    ],
    ["rename it (codemyspec project update shop --name NEW)", "Rename it (in Overview → Edit project)"],
  ])("%s", (from, to) => {
    expect(forWindow(from)).toBe(to);
  });

  it("shows the dependency cache's size without a CLI command", () => {
    expect(forWindow("0 entries, 0.0 MB of 2.0 GB in /d/dep-cache; `codemyspec cache clear` empties it")).toBe(
      "0 entries, 0.0 MB of 2.0 GB in /d/dep-cache",
    );
  });

  it("never leaves a CLI command in a message", () => {
    expect(forWindow("do it with `codemyspec frobnicate --now`")).not.toMatch(/codemyspec/);
  });
});

describe("whereToFix", () => {
  it("points a missing sign-in and workspace at Settings", () => {
    expect(whereToFix(check("token for github.com", false, "missing"))).toEqual({
      text: "Sign in to GitHub in Settings → GitHub.",
      settings: true,
    });
    expect(whereToFix(check("workspace folder", false, "x")).settings).toBe(true);
    expect(whereToFix(check("program mix", false, "x")).text).toContain("Install mix");
  });

  it("sends a Hex repository or Erlang's headers to this computer, not to Edit project", () => {
    expect(whereToFix(check("Hex repository", false, "x"))).toEqual({
      text: "Connect to the network, or point Hex at a repository that answers, as the detail says.",
      settings: false,
    });
    expect(whereToFix(check("Erlang headers (erl_nif.h)", false, "x")).text).toContain("development headers");
    expect(whereToFix(check("code repository", false, "x")).text).toContain("Edit project");
  });
});
