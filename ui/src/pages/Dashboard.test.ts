import { beforeEach, describe, expect, it } from "vitest";
import { tick } from "svelte";
import { fireEvent, render, screen } from "@testing-library/svelte";
import Dashboard from "./Dashboard.svelte";
import { projects } from "../lib/projects.svelte";
import { project } from "../test/fixtures";

function many(n: number) {
  return Array.from({ length: n }, (_, i) =>
    project({ id: `p${i}`, name: `project_${String(i).padStart(5, "0")}`, stage: i % 3 === 0 ? "active" : "draft" }),
  );
}

beforeEach(() => {
  projects.list = many(10_000);
  projects.loaded = true;
  projects.error = null;
});

describe("Dashboard", () => {
  it("renders only the rows in view out of 10,000", async () => {
    render(Dashboard);
    const rows = await screen.findAllByTestId("project-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(screen.getByTestId("project-count").textContent).toBe("10,000 projects");
  });

  it("scrolls to later rows", async () => {
    render(Dashboard);
    const viewport = screen.getByTestId("virtual-list");
    viewport.scrollTop = 44 * 5000;
    await fireEvent.scroll(viewport);
    expect(await screen.findByText("project_05000")).toBeTruthy();
    expect(screen.queryByText("project_00000")).toBeNull();
  });

  it("filters by stage and searches by name", async () => {
    render(Dashboard);
    await fireEvent.change(screen.getByRole("combobox"), { target: { value: "active" } });
    expect(screen.getByTestId("project-count").textContent).toBe("3,334 of 10,000 projects");
    await fireEvent.input(screen.getByPlaceholderText("Search by name…"), { target: { value: "project_0999" } });
    expect(screen.getByTestId("project-count").textContent).toBe("4 of 10,000 projects");
  });

  it("holds its list while another page is shown, and follows the projects again when back", async () => {
    const { rerender } = render(Dashboard, { shown: true });
    const count = () => screen.getByTestId("project-count").textContent;
    expect(count()).toBe("10,000 projects");
    await rerender({ shown: false });
    projects.list = [...projects.list, project({ id: "p-new", name: "project_99999" })];
    await tick();
    expect(count(), "hidden, it does not filter the list again").toBe("10,000 projects");
    await rerender({ shown: true });
    expect(count()).toBe("10,001 projects");
  });

  it("labels its inputs and keeps a long name whole in the row's title", async () => {
    const long = "a_project_whose_name_is_far_too_long_for_an_eight_hundred_pixel_window";
    projects.list = [project({ id: "p-long", name: long })];
    render(Dashboard);
    expect(screen.getByLabelText("Search projects by name")).toBeTruthy();
    expect(screen.getByLabelText("Filter by stage")).toBeTruthy();
    const row = await screen.findByTestId("project-row");
    expect(row.getAttribute("title")).toBe(long);
  });
});
