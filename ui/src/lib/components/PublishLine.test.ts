import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import PublishLine from "./PublishLine.svelte";
import type { DocsStatus } from "../api";
import { docsStatus } from "../../test/fixtures";
import { mockBackend } from "../../test/ipc";

async function line() {
  return screen.findByTestId("publish-state");
}

describe("PublishLine", () => {
  const cases: [Partial<DocsStatus>, string][] = [
    [{ state: "published" }, "Published"],
    [{ state: "pending", outbox: { entities: 3, changes: 4 } }, "3 edits pending"],
    [
      { state: "offline", offline: true, error: "cannot reach github.com", outbox: { entities: 2, changes: 2 } },
      "Offline — 2 edits not published",
    ],
    [{ state: "failing", error: "the remote refused the push" }, "Sync failed: the remote refused the push"],
    [{ state: "conflicts", conflicts: 2 }, "2 conflicts"],
    [{ state: "no_repository", docs_repo: null, synced_commit: null, synced_at: null }, "No docs repository yet"],
  ];
  for (const [status, text] of cases) {
    it(`says "${text}" for the ${status.state} state`, async () => {
      const calls = mockBackend({ docs_status: () => docsStatus(status) });
      render(PublishLine, { projectId: "p-1" });
      const el = await line();
      expect(el.dataset.state).toBe(status.state);
      expect(el.textContent).toContain(text);
      expect(calls[0]).toEqual({ cmd: "docs_status", args: { projectId: "p-1" } });
    });
  }

  it("links the conflicts to the conflicts view", async () => {
    mockBackend({ docs_status: () => docsStatus({ state: "conflicts", conflicts: 1 }) });
    render(PublishLine, { projectId: "p-1" });
    const link = await screen.findByRole("link", { name: "1 conflict" });
    expect(link.getAttribute("href")).toBe("#/projects/p-1/conflicts");
  });

  it("counts the entities the last sync made from files added by hand on GitHub", async () => {
    mockBackend({ docs_status: () => docsStatus({ added: 2 }) });
    render(PublishLine, { projectId: "p-1" });
    expect((await screen.findByTestId("publish-added")).textContent).toContain("2 added on GitHub");
  });

  it("says nothing of hand-made files when the last sync added none", async () => {
    mockBackend({ docs_status: () => docsStatus({ added: 0 }) });
    render(PublishLine, { projectId: "p-1" });
    await line();
    expect(screen.queryByTestId("publish-added")).toBeNull();
  });

  it("offers no Sync now without a docs repository", async () => {
    mockBackend({ docs_status: () => docsStatus({ state: "no_repository", docs_repo: null }) });
    render(PublishLine, { projectId: "p-1" });
    await line();
    expect(screen.queryByTestId("publish-sync-now")).toBeNull();
  });

  it("Sync now is busy while it runs, then shows the new state", async () => {
    let state: DocsStatus = docsStatus({ state: "pending", outbox: { entities: 1, changes: 1 } });
    let finish: () => void = () => {};
    const calls = mockBackend({
      docs_status: () => state,
      docs_sync_now: () =>
        new Promise((resolve) => {
          finish = () => {
            state = docsStatus({ state: "published" });
            resolve({ commit: "def456", synced_commit: "def456", published: 1, imported: 0, conflicts: 0, problems: [], merges: 1 });
          };
        }),
    });
    render(PublishLine, { projectId: "p-1" });
    expect((await line()).textContent).toContain("1 edit pending");
    const button = screen.getByTestId("publish-sync-now") as HTMLButtonElement;
    await fireEvent.click(button);
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(button.textContent).toContain("Syncing…");
    expect(calls.filter((c) => c.cmd === "docs_sync_now")).toEqual([{ cmd: "docs_sync_now", args: { projectId: "p-1" } }]);
    finish();
    await waitFor(() => expect(screen.getByTestId("publish-state").dataset.state).toBe("published"));
    expect(button.disabled).toBe(false);
    expect(screen.getByTestId("publish-report").textContent).toContain("1 published");
  });

  it("Sync now shows why it failed (offline)", async () => {
    let state: DocsStatus = docsStatus({ state: "pending", outbox: { entities: 2, changes: 2 } });
    mockBackend({
      docs_status: () => state,
      docs_sync_now: () => {
        state = docsStatus({ state: "offline", offline: true, error: "connection refused", outbox: { entities: 2, changes: 2 } });
        throw {
          code: "unavailable",
          message: "offline — 2 edits not published: connection refused. They are kept and published at the next sync",
        };
      },
    });
    render(PublishLine, { projectId: "p-1" });
    await line();
    await fireEvent.click(screen.getByTestId("publish-sync-now"));
    expect((await screen.findByTestId("publish-error")).textContent).toContain("Offline — 2 edits not published");
    await waitFor(() => expect(screen.getByTestId("publish-state").textContent).toContain("Offline — 2 edits not published"));
  });

  it("lists the repository files the sync could not read", async () => {
    mockBackend({
      docs_status: () =>
        docsStatus({
          problems: [
            { path: "stories/broken.md", message: "no front matter" },
            { path: "contexts/x.md", message: "unknown field colour" },
          ],
        }),
    });
    render(PublishLine, { projectId: "p-1" });
    const problems = await screen.findAllByTestId("publish-problem");
    expect(problems.map((p) => p.textContent)).toEqual(["stories/broken.md: No front matter", "contexts/x.md: Unknown field colour"]);
  });

  it("asks again when told to, and says when the state changed", async () => {
    let state: DocsStatus = docsStatus({ state: "conflicts", conflicts: 1 });
    const changes: number[] = [];
    const calls = mockBackend({ docs_status: () => state });
    const view = render(PublishLine, { projectId: "p-1", refresh: 0, onChanged: () => changes.push(1) });
    await line();
    state = docsStatus({ state: "pending", outbox: { entities: 1, changes: 1 } });
    await view.rerender({ projectId: "p-1", refresh: 1, onChanged: () => changes.push(1) });
    await waitFor(() => expect(screen.getByTestId("publish-state").dataset.state).toBe("pending"));
    expect(calls.filter((c) => c.cmd === "docs_status").length).toBeGreaterThanOrEqual(2);
    expect(changes).toHaveLength(1);
  });

  it("asks again when this project's spec changed, not another project's", async () => {
    let state: DocsStatus = docsStatus({ state: "published" });
    const calls = mockBackend({ docs_status: () => state });
    // Slow polling: only the events ask again here.
    render(PublishLine, { projectId: "p-1", every: 600_000 });
    await line();
    state = docsStatus({ state: "pending", outbox: { entities: 1, changes: 1 } });
    await emit("spec-changed", { project_id: "p-2" });
    await emit("spec-changed", { project_id: "p-1" });
    await waitFor(() => expect(screen.getByTestId("publish-state").textContent).toContain("1 edit pending"));
    // Events arrive in order: the other project's asked nothing.
    expect(calls.filter((c) => c.cmd === "docs_status")).toHaveLength(2);
  });

  describe("says where in the window to fix what the core's CLI hint names", () => {
    const NO_REPO = "this project has no docs repository; set one (codemyspec project update --docs-repo URL) or set the project up";
    const WHERE = "set one (in Overview → Edit project → Docs repository URL) or set the project up";

    it("in a failed sync's state", async () => {
      mockBackend({ docs_status: () => docsStatus({ state: "failing", error: NO_REPO }) });
      render(PublishLine, { projectId: "p-1" });
      const text = (await line()).textContent!;
      expect(text).toContain(WHERE);
      expect(text).not.toContain("codemyspec");
    });

    it("in Sync now's error", async () => {
      mockBackend({
        docs_status: () => docsStatus({ state: "pending", outbox: { entities: 1, changes: 1 } }),
        docs_sync_now: () => {
          throw { code: "invalid", message: NO_REPO };
        },
      });
      render(PublishLine, { projectId: "p-1" });
      await line();
      await fireEvent.click(screen.getByTestId("publish-sync-now"));
      const error = (await screen.findByTestId("publish-error")).textContent!;
      expect(error).toContain(WHERE);
      expect(error).not.toContain("codemyspec");
    });

    it("when the state cannot be read", async () => {
      mockBackend({
        docs_status: () => {
          throw { code: "unavailable", message: "not signed in: run `codemyspec github login`" };
        },
      });
      render(PublishLine, { projectId: "p-1" });
      const error = (await screen.findByTestId("publish-load-error")).textContent!;
      expect(error).toContain("sign in to GitHub in Settings → GitHub");
      expect(error).not.toContain("codemyspec");
    });
  });
});
