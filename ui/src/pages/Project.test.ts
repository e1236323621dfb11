import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Project from "./Project.svelte";
import { docsConflict, docsStatus, project } from "../test/fixtures";

// Unmount first: the page unsubscribes from events, which needs the mocks still there.
afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Project", () => {
  it("shows the publish state in the header, and the conflicts tab settles them", async () => {
    let left = [docsConflict()];
    const calls: string[] = [];
    mockIPC(
      (cmd) => {
        calls.push(cmd);
        if (cmd === "get_project") return project({ id: "p-1", docs_repo: "https://github.com/acme/my_shop_docs" });
        if (cmd === "docs_status") return docsStatus(left.length ? { state: "conflicts", conflicts: left.length } : { state: "published" });
        if (cmd === "docs_conflicts") return left;
        if (cmd === "docs_resolve") return (left = []);
        throw new Error(`unexpected command ${cmd}`);
      },
      { shouldMockEvents: true },
    );
    render(Project, { id: "p-1", tab: "conflicts" });
    const state = await screen.findByTestId("publish-state");
    await waitFor(() => expect(state.dataset.state).toBe("conflicts"));
    expect(screen.getByRole("link", { name: /^conflicts$/i }).getAttribute("aria-current")).toBe("page");
    await fireEvent.click(await screen.findByTestId("conflict-take-theirs"));
    await screen.findByTestId("conflicts-empty");
    await waitFor(() => expect(screen.getByTestId("publish-state").dataset.state).toBe("published"));
    expect(calls).toContain("docs_resolve");
  });
});
