import { describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import SyncLine from "./SyncLine.svelte";
import { emit } from "@tauri-apps/api/event";
import { mockCommands } from "../../test/ipc";

const run = (overrides = {}) => ({
  id: 1,
  owner: "acme",
  started_at: "2026-11-30T10:00:00.000000Z",
  finished_at: "2026-11-30T10:00:01.000000Z",
  status: "ok",
  requests: 3,
  not_modified: 0,
  discovered: 2,
  missing: 1,
  renamed: 0,
  reappeared: 0,
  rate_remaining: 4990,
  error: null,
  ...overrides,
});

describe("SyncLine", () => {
  it("shows a sync's end at once: GitHub refused the token, and Sign in again appears", async () => {
    let refused = false;
    mockCommands((cmd) => {
      if (cmd === "sync_status")
        return {
          org: "acme",
          last: refused ? run({ id: 2, status: "failed", error: "GitHub refused the token" }) : run(),
          next_at: null,
          offline_since: null,
          interval_secs: 300,
          needs_sign_in: refused,
        };
    });
    render(SyncLine);
    const line = await screen.findByTestId("sync-line");
    await waitFor(() => expect(line.textContent).toContain("2 new, 1 missing"));
    expect(screen.queryByTestId("sync-sign-in-again")).toBeNull();
    // The heartbeat's job ends (the next status read would be 30 s away).
    refused = true;
    await emit("job-changed", { job_id: 9, queue: "github_sync", state: "retryable", project_id: null });
    await screen.findByTestId("sync-sign-in-again");
    expect(line.textContent).toContain("GitHub refused the token");
  });

  it("shows the last run, the next one and the budget, and syncs now on request", async () => {
    const calls: string[] = [];
    mockCommands((cmd) => {
      calls.push(cmd);
      if (cmd === "sync_status")
        return { org: "acme", last: run(), next_at: "2026-11-30T10:05:00.000000Z", offline_since: null, interval_secs: 300 };
      if (cmd === "sync_now") return run({ id: 2 });
    });
    render(SyncLine);
    const line = await screen.findByTestId("sync-line");
    await waitFor(() => expect(line.textContent).toContain("2 new, 1 missing"));
    expect(line.textContent).toContain("acme");
    expect(line.textContent).toContain("4990 requests left");
    expect(line.textContent).toContain("· Next");
    await fireEvent.click(screen.getByTestId("sync-now"));
    await waitFor(() => expect(calls.filter((c) => c === "sync_now")).toHaveLength(1));
  });

  it("says since when it is offline", async () => {
    mockCommands((cmd) => {
      if (cmd === "sync_status")
        return {
          org: null,
          last: run({ status: "skipped", error: "GitHub cannot be reached (connection refused)" }),
          next_at: null,
          offline_since: "2026-11-30T09:00:00.000000Z",
          interval_secs: 300,
        };
    });
    render(SyncLine);
    const line = await screen.findByTestId("sync-line");
    await waitFor(() => expect(line.textContent).toContain("Offline since"));
    expect(line.textContent).toContain("your account");
  });

  it("a refused token is a Sign in again button that goes to Settings, and only then", async () => {
    let needs = true;
    mockCommands((cmd) => {
      if (cmd === "sync_status")
        return {
          org: null,
          last: run({ status: "failed", error: "GitHub refused the token (401 Bad credentials): sign in again" }),
          next_at: null,
          offline_since: null,
          interval_secs: 300,
          needs_sign_in: needs,
        };
    });
    render(SyncLine);
    const button = await screen.findByRole("button", { name: "Sign in again" });
    await fireEvent.click(button);
    await waitFor(() => expect(location.hash).toBe("#/settings"));
    cleanup();
    needs = false;
    render(SyncLine);
    const line = await screen.findByTestId("sync-line");
    await waitFor(() => expect(line.textContent).toContain("Last run failed"));
    expect(screen.queryByRole("button", { name: "Sign in again" })).toBeNull();
  });

  it("says a skipped run's reason in sentence case, apart from its time", async () => {
    mockCommands((cmd) => {
      if (cmd === "sync_status")
        return {
          org: "acme",
          last: run({ status: "skipped", error: "not signed in" }),
          next_at: null,
          offline_since: null,
          interval_secs: 300,
          needs_sign_in: false,
        };
    });
    render(SyncLine);
    const last = await screen.findByTestId("sync-last");
    expect(last.textContent).toMatch(/^Last run skipped \S/);
    expect(screen.getByTestId("sync-last-error").textContent).toBe("— Not signed in");
    // Separate items of the row: the time never runs into the reason.
    expect(last.nextElementSibling).toBe(screen.getByTestId("sync-last-error"));
  });
});
