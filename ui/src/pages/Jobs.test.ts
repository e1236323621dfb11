import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Jobs from "./Jobs.svelte";
import { projects } from "../lib/projects.svelte";
import { job, project } from "../test/fixtures";
import { mockCommands } from "../test/ipc";

afterEach(() => {
  cleanup();
  projects.list = [];
});

const LONG = "an_exceedingly_long_project_name_that_would_push_the_table_past_the_window_edge";

beforeEach(() => {
  projects.list = [project({ id: "p-1", name: LONG })];
});

function backend() {
  const listed: unknown[] = [];
  mockCommands((cmd, args) => {
    switch (cmd) {
      case "job_counts":
        return { executing: 1, discarded: 1 };
      case "list_jobs": {
        const filter = (args as { filter: { state: string | null } }).filter;
        listed.push(filter.state);
        const all = [job({ id: 7 }), job({ id: 8, state: "discarded" })];
        return filter.state ? all.filter((j) => j.state === filter.state) : all;
      }
      case "app_settings":
        return { queue: { name: "default", paused: false, concurrency: 2 } };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  return listed;
}

describe("Jobs", () => {
  it("keeps long names whole in a title and names the job on its buttons", async () => {
    backend();
    render(Jobs);
    const rows = await screen.findAllByTestId("job-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTitle(LONG).textContent).toBe(LONG);
    expect(within(rows[0]).getByRole("link").getAttribute("title")).toBe("#7 ProjectSetup");
    expect(within(rows[0]).getByRole("button", { name: "Cancel job #7 ProjectSetup" })).toBeTruthy();
    expect(within(rows[1]).getByRole("button", { name: "Retry job #8 ProjectSetup" })).toBeTruthy();
  });

  it("filters by a state and says which filter is on", async () => {
    const listed = backend();
    render(Jobs);
    await screen.findAllByTestId("job-row");
    const discarded = screen.getByTestId("count-discarded");
    expect(discarded.getAttribute("aria-pressed")).toBe("false");
    await fireEvent.click(discarded);
    await waitFor(() => expect(screen.getAllByTestId("job-row")).toHaveLength(1));
    expect(discarded.getAttribute("aria-pressed")).toBe("true");
    expect(listed).toContain("discarded");
  });

  it("filters by queue and project, and folds a project's docs syncs into one row that opens", async () => {
    projects.list = [project({ id: "p-1", name: "shop" }), project({ id: "p-2", name: "blog" })];
    const filters: { queue: string | null; project_id: string | null }[] = [];
    const sync = (id: number, p: string) =>
      job({ id, queue: "docs_sync", worker: "DocsSync", state: "completed", args: { project_id: p, actor_id: "a" } });
    const all = [sync(9, "p-1"), job({ id: 8, args: { project_id: "p-2" } }), sync(7, "p-1"), sync(6, "p-1")];
    mockCommands((cmd, args) => {
      switch (cmd) {
        case "job_counts":
          return {};
        case "list_jobs": {
          const f = (args as { filter: { queue: string | null; project_id: string | null } }).filter;
          filters.push({ queue: f.queue, project_id: f.project_id });
          return all.filter((j) => (!f.queue || j.queue === f.queue) && (!f.project_id || j.args.project_id === f.project_id));
        }
        case "app_settings":
          return { queue: { name: "project_setup", paused: false, concurrency: 1 } };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    render(Jobs);
    const group = await screen.findByTestId("docs-group");
    expect(within(group).getByTestId("docs-group-count").textContent).toBe("3");
    expect(screen.getAllByTestId("job-row")).toHaveLength(1);
    const toggle = within(group).getByRole("button", { name: "Docs sync ×3 of shop" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    await waitFor(() => expect(screen.getAllByTestId("job-row")).toHaveLength(4));
    expect(toggle.getAttribute("aria-expanded")).toBe("true");

    await fireEvent.change(screen.getByLabelText("Queue"), { target: { value: "project_setup" } });
    await waitFor(() => expect(screen.queryByTestId("docs-group")).toBeNull());
    expect(screen.getAllByTestId("job-row")).toHaveLength(1);
    expect(filters.at(-1)).toEqual({ queue: "project_setup", project_id: null });
    await fireEvent.change(screen.getByLabelText("Project"), { target: { value: "p-1" } });
    await waitFor(() => expect(screen.getByText("No jobs match these filters.")).toBeTruthy());
    expect(filters.at(-1)).toEqual({ queue: "project_setup", project_id: "p-1" });
    await fireEvent.click(screen.getByTestId("filter-clear"));
    await waitFor(() => expect(screen.getByTestId("docs-group")).toBeTruthy());
    expect(filters.at(-1)).toEqual({ queue: null, project_id: null });
  });
});
