import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import OrgSyncSettings from "./OrgSyncSettings.svelte";
import { mockCommands } from "../../test/ipc";

const shop = {
  repo_id: 7,
  full_name: "acme/storefront",
  html_url: "https://github.com/acme/storefront",
  ignored_at: "2026-01-01T00:00:00.000000Z",
};

/** A backend that keeps the profile's filters and ignored repositories. */
function backend(calls: [string, unknown][]) {
  const state = { filters: { include_forks: false, include_archived: false }, ignored: [shop] };
  mockCommands((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === "sync_filters") return state.filters;
    if (cmd === "ignored_repositories") return state.ignored;
    if (cmd === "set_sync_filter") {
      const { filter, on } = args as { filter: string; on: boolean };
      if (filter === "sync_include_forks") state.filters = { ...state.filters, include_forks: on };
      else state.filters = { ...state.filters, include_archived: on };
      return state.filters;
    }
    if (cmd === "unignore_repository") {
      const { target } = args as { target: string };
      state.ignored = state.ignored.filter((r) => String(r.repo_id) !== target);
      return shop;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return state;
}

describe("Settings → Org sync", () => {
  it("imports forks and archived repositories only when the profile ticks them", async () => {
    const calls: [string, unknown][] = [];
    const state = backend(calls);
    render(OrgSyncSettings);
    const forks = (await screen.findByTestId("sync-include-forks")) as HTMLInputElement;
    const archived = screen.getByTestId("sync-include-archived") as HTMLInputElement;
    expect([forks.checked, archived.checked]).toEqual([false, false]);

    await fireEvent.click(forks);
    await waitFor(() => expect(state.filters.include_forks).toBe(true));
    expect(calls.filter(([c]) => c === "set_sync_filter").map(([, a]) => a)).toEqual([{ filter: "sync_include_forks", on: true }]);
    expect(forks.checked).toBe(true);
    expect(archived.checked).toBe(false);
  });

  it("lists the ignored repositories by their current name and lets one back in", async () => {
    const calls: [string, unknown][] = [];
    backend(calls);
    render(OrgSyncSettings);
    const row = await screen.findByTestId("ignored-repo");
    expect(row.textContent).toContain("acme/storefront");
    await fireEvent.click(within(row).getByRole("button", { name: "Let acme/storefront back in" }));
    expect((await screen.findByRole("status")).textContent).toContain("acme/storefront is no longer ignored");
    expect(screen.queryByTestId("ignored-repo")).toBeNull();
    expect(screen.getByTestId("ignored-none")).toBeTruthy();
    expect(calls.find(([c]) => c === "unignore_repository")?.[1]).toEqual({ target: "7" });
  });
});
