import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Sessions from "./Sessions.svelte";
import type { Session } from "../../lib/api";
import { when } from "../../lib/format";
import { projects } from "../../lib/projects.svelte";
import { session } from "../../test/component-fixtures";
import { project } from "../../test/fixtures";
import { mockCommands, mockBackend } from "../../test/ipc";

describe("Sessions", () => {
  it("creates a session for a component and moves it only along allowed statuses", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    let session: Session | null = null;
    mockCommands((cmd, raw) => {
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

    const row = (await screen.findByTestId("session-row")) as HTMLTableRowElement;
    // The status moves are the row's last cell (its first opens the details).
    const moves = () => within(row.cells[row.cells.length - 1]);
    expect(calls.find((c) => c.cmd === "create_session")!.args).toEqual({
      projectId: "p1",
      sessionType: "test",
      targetType: "component",
      targetId: "k1",
    });
    expect(row.textContent).toContain("component Orders.Order");
    expect(row.textContent).toContain("pending");
    expect(
      moves()
        .getAllByRole("button")
        .map((b) => b.textContent?.trim()),
    ).toEqual(["Start"]);

    await fireEvent.click(moves().getByRole("button", { name: "Start" }));
    await waitFor(() => expect(row.textContent).toContain("in progress"));
    expect(
      moves()
        .getAllByRole("button")
        .map((b) => b.textContent?.trim()),
    ).toEqual(["Complete", "Mark failed"]);

    await fireEvent.click(moves().getByRole("button", { name: "Complete" }));
    await waitFor(() => expect(row.textContent).toContain("complete"));
    expect(moves().queryAllByRole("button")).toHaveLength(0);
    expect(screen.queryByTestId("session-detail")).toBeNull();
    expect(calls.filter((c) => c.cmd === "update_session_status").map((c) => c.args.status)).toEqual(["in_progress", "complete"]);
  });
});

describe("Session details", () => {
  beforeEach(() => {
    projects.list = [project({ id: "p1", name: "my_shop" })];
  });
  afterEach(() => {
    projects.list = [];
  });

  function backend(list: Session[]) {
    let current = list;
    return mockBackend({
      list_sessions: () => current,
      list_components: () => [{ id: "k-Order", name: "Orders.Order" }],
      list_contexts: () => [],
      update_session_status: (args) => {
        const s = {
          ...current.find((x) => x.id === args.id)!,
          status: args.status as Session["status"],
          updated_at: "2026-01-03T08:00:00Z",
        };
        current = current.map((x) => (x.id === s.id ? s : x));
        return s;
      },
    });
  }

  it("explains what an agent session is where sessions appear", async () => {
    backend([]);
    render(Sessions, { projectId: "p1" });
    await screen.findByTestId("empty");
    expect(screen.getByTestId("session-hint").textContent).toBe(
      "An agent session is one run of an AI coding agent on a component, a context or the project: designing, writing tests or implementing; its status follows the run.",
    );
  });

  it("opens a session's details from its row and moves it from there", async () => {
    const calls = backend([session({ id: "s1", session_type: "test", status: "pending" })]);
    render(Sessions, { projectId: "p1" });
    const row = await screen.findByTestId("session-row");
    expect(screen.queryByTestId("session-detail")).toBeNull();

    // A click anywhere on the row (here its target) opens the details below it.
    await fireEvent.click(within(row).getByText("component Orders.Order"));
    const detail = await screen.findByTestId("session-detail");
    expect(within(detail).getByTestId("session-detail-type").textContent).toBe("test");
    expect(within(detail).getByTestId("session-detail-target").textContent).toBe("component Orders.Order");
    expect(within(detail).getByTestId("session-detail-status").textContent).toBe("pending");
    expect(within(detail).getByTestId("session-detail-project").textContent).toBe("my_shop");
    expect(within(detail).getByTestId("session-detail-created").textContent).toBe(when("2026-01-02T09:00:00Z"));
    expect(within(detail).getByTestId("session-detail-updated").textContent).toBe(when("2026-01-02T10:30:00Z"));
    expect(
      within(detail)
        .getAllByTestId("session-detail-move")
        .map((b) => b.textContent),
    ).toEqual(["Start"]);
    const opener = within(row).getByRole("button", { name: /details of the test session/ });
    expect(opener.getAttribute("aria-expanded")).toBe("true");

    await fireEvent.click(within(detail).getByRole("button", { name: "Start" }));
    await waitFor(() => expect(within(detail).getByTestId("session-detail-status").textContent).toBe("in progress"));
    expect(calls.filter((c) => c.cmd === "update_session_status").map((c) => c.args)).toEqual([{ id: "s1", status: "in_progress" }]);
    expect(
      within(detail)
        .getAllByTestId("session-detail-move")
        .map((b) => b.textContent),
    ).toEqual(["Complete", "Mark failed"]);
    expect(within(detail).getByTestId("session-detail-updated").textContent).toBe(when("2026-01-03T08:00:00Z"));
    expect(row.textContent).toContain("in progress");

    // Closing gives the focus back to the row's button.
    await fireEvent.click(within(detail).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByTestId("session-detail")).toBeNull());
    expect(document.activeElement).toBe(opener);
    expect(opener.getAttribute("aria-expanded")).toBe("false");
  });

  it("shows a refused status move in the details", async () => {
    mockBackend({
      list_sessions: () => [session({ status: "in_progress" })],
      list_components: () => [],
      list_contexts: () => [],
      update_session_status: () => {
        throw { code: "invalid", field: "status", message: "a in_progress session cannot become complete" };
      },
    });
    render(Sessions, { projectId: "p1" });
    const row = await screen.findByTestId("session-row");
    await fireEvent.click(within(row).getByRole("button", { name: /Show details/ }));
    const detail = await screen.findByTestId("session-detail");
    await fireEvent.click(within(detail).getByRole("button", { name: "Complete" }));
    expect((await within(detail).findByRole("alert")).textContent).toBe("a in_progress session cannot become complete");
  });
});
