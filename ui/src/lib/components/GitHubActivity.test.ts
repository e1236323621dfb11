import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import GitHubActivity from "./GitHubActivity.svelte";
import type { LastChange } from "../api";
import { mockBackend, type Handler } from "../../test/ipc";

const change = (behind: number | null): LastChange => ({
  branch: "main",
  sha: "b".repeat(40),
  who: "bob-gh",
  when: "2026-12-06T17:47:29Z",
  title: "Add the price list",
  behind,
});

/** Answers with `handlers`; the names of the commands the component sent, as they come. */
function backend(handlers: Record<string, Handler>): { names: () => string[] } {
  const calls = mockBackend(handlers);
  return { names: () => calls.map((c) => c.cmd) };
}

describe("GitHubActivity", () => {
  it("shows nothing until a head was read", async () => {
    const calls = backend({ project_last_change: () => null });
    render(GitHubActivity, { projectId: "p-1" });
    await waitFor(() => expect(calls.names()).toEqual(["project_last_change"]));
    expect(screen.queryByTestId("github-activity")).toBeNull();
  });

  it("shows the last change and, when commits are missing here, Pull; the notice goes once pulled", async () => {
    let behind = 2;
    const calls = backend({
      project_last_change: () => change(behind),
      pull_project: () => {
        behind = 0;
        return { from: "a".repeat(40), to: "b".repeat(40), commits: 2 };
      },
    });
    render(GitHubActivity, { projectId: "p-1" });
    const line = await screen.findByTestId("last-change");
    expect(line.textContent).toMatch(/^Last change on GitHub: bob-gh, .+, Add the price list$/);
    expect((await screen.findByTestId("behind-notice")).textContent).toContain("2 commits on GitHub you do not have here");
    await fireEvent.click(screen.getByTestId("pull"));
    await waitFor(() => expect(screen.queryByTestId("behind-notice")).toBeNull());
    expect(screen.getByTestId("pulled").textContent).toContain("Pulled 2 commits");
    expect(calls.names()).toContain("pull_project");
  });

  it("says why a pull was refused, under the button, and keeps the notice", async () => {
    backend({
      project_last_change: () => change(1),
      pull_project: () => {
        throw {
          code: "conflict",
          field: "pull",
          message: "the working copy and GitHub have diverged: merge or rebase them yourself",
          detail: { kind: "pull", reason: "diverged" },
        };
      },
    });
    render(GitHubActivity, { projectId: "p-1" });
    await fireEvent.click(await screen.findByTestId("pull"));
    const error = await screen.findByTestId("pull-error");
    expect(error.textContent).toContain("have diverged");
    expect(screen.getByTestId("behind-notice")).toBeTruthy();
  });
});
