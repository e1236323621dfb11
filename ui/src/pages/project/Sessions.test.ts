import { afterEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Sessions from "./Sessions.svelte";
import type { Session } from "../../lib/api";

afterEach(() => clearMocks());

describe("Sessions", () => {
  it("creates a session for a component and moves it only along allowed statuses", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    let session: Session | null = null;
    mockIPC((cmd, raw) => {
      const args = raw as Record<string, string>;
      calls.push({ cmd, args });
      switch (cmd) {
        case "list_sessions":
          return [];
        case "list_components":
          return [{ id: "k1", name: "Orders.Order" }];
        case "list_contexts":
          return [{ id: "c1", name: "Orders" }];
        case "create_session":
          session = {
            id: "s1",
            project_id: args.projectId,
            session_type: args.sessionType as Session["session_type"],
            target_type: args.targetType as Session["target_type"],
            target_id: args.targetId,
            status: "pending",
            inserted_at: "2026-01-01T00:00:00Z",
            updated_at: "2026-01-01T00:00:00Z",
          };
          return session;
        case "update_session_status":
          session = { ...session!, status: args.status as Session["status"] };
          return session;
      }
      throw new Error(`unexpected ${cmd}`);
    });
    render(Sessions, { projectId: "p1" });
    expect(await screen.findByTestId("empty")).toBeTruthy();

    await fireEvent.change(document.getElementById("session-type")!, { target: { value: "test" } });
    await fireEvent.change(document.getElementById("session-target-type")!, { target: { value: "component" } });
    const create = screen.getByRole("button", { name: "New session" });
    expect(create).toHaveProperty("disabled", true);
    await fireEvent.change(document.getElementById("session-target")!, { target: { value: "k1" } });
    await fireEvent.click(create);

    const row = await screen.findByTestId("session-row");
    expect(calls.find((c) => c.cmd === "create_session")!.args).toEqual({
      projectId: "p1",
      sessionType: "test",
      targetType: "component",
      targetId: "k1",
    });
    expect(row.textContent).toContain("component Orders.Order");
    expect(row.textContent).toContain("pending");
    expect(within(row).getAllByRole("button").map((b) => b.textContent?.trim())).toEqual(["Start"]);

    await fireEvent.click(within(row).getByRole("button", { name: "Start" }));
    await waitFor(() => expect(row.textContent).toContain("in progress"));
    expect(within(row).getAllByRole("button").map((b) => b.textContent?.trim())).toEqual(["Complete", "Mark failed"]);

    await fireEvent.click(within(row).getByRole("button", { name: "Complete" }));
    await waitFor(() => expect(row.textContent).toContain("complete"));
    expect(within(row).queryAllByRole("button")).toHaveLength(0);
    expect(calls.filter((c) => c.cmd === "update_session_status").map((c) => c.args.status)).toEqual([
      "in_progress",
      "complete",
    ]);
  });
});
