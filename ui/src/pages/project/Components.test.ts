import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Components from "./Components.svelte";
import { component, dependency } from "../../test/component-fixtures";
import { mockBackend, type Handler } from "../../test/ipc";

function backend(extra: Record<string, Handler> = {}) {
  return mockBackend({
    dependency_graph: () => ({
      components: [component("Order"), component("Cart", { dirty: true, docs_complete: true }), component("Web")],
      dependencies: [dependency("Cart", "Order"), dependency("Web", "Cart")],
    }),
    list_contexts: () => [],
    get_design_doc: () => null,
    ...extra,
  });
}

/** Selects a component from the table (the graph has a button of the same name). */
async function select(name: string) {
  const table = await screen.findByTestId("component-table");
  await fireEvent.click(within(table).getByRole("button", { name }));
}

describe("Components", () => {
  it("renders the table and the dependency graph", async () => {
    backend();
    render(Components, { projectId: "p1" });
    const rows = await screen.findAllByTestId("component-row");
    expect(rows.map((r) => r.querySelector("button")!.textContent)).toEqual(["Order", "Cart", "Web"]);
    expect(rows[1].textContent).toContain("lib/app/cart.ex");
    expect(within(rows[1]).getByLabelText("Docs complete for Cart")).toHaveProperty("checked", true);
    expect(within(rows[1]).getByText("Dirty")).toBeTruthy();

    const svg = screen.getByTestId("component-graph");
    const nodes = within(svg).getAllByTestId("graph-node");
    expect(nodes).toHaveLength(3);
    expect(within(svg).getAllByTestId("graph-edge")).toHaveLength(2);
    const cart = nodes.find((n) => n.getAttribute("aria-label")?.startsWith("Cart"))!;
    expect(cart.classList.contains("dirty")).toBe(true);
    // Order ← Cart ← Web: each one layer further right.
    const x = (name: string) =>
      Number(/translate\(([\d.]+)/.exec(nodes.find((n) => n.textContent?.includes(name))!.getAttribute("transform")!)![1]);
    expect(x("Order")).toBeLessThan(x("Cart"));
    expect(x("Cart")).toBeLessThan(x("Web"));
  });

  it("sets a completion flag with only that flag", async () => {
    const calls = backend({ set_component_status: () => component("Order", { code_complete: true }) });
    render(Components, { projectId: "p1" });
    const box = await screen.findByLabelText("Code complete for Order");
    await fireEvent.click(box);
    await waitFor(() => expect(calls.some((c) => c.cmd === "set_component_status")).toBe(true));
    expect(calls.find((c) => c.cmd === "set_component_status")!.args).toEqual({
      id: "k-Order",
      docsComplete: null,
      codeComplete: true,
      testsComplete: null,
    });
  });

  it("shows a dependency cycle's message", async () => {
    const message = "adding this dependency would form a cycle: Order -> Web -> Cart -> Order";
    const calls = backend({
      add_dependency: () => {
        throw { code: "conflict", field: "depends_on", message };
      },
    });
    render(Components, { projectId: "p1" });
    await select("Order");
    const deps = await screen.findByTestId("component-dependencies");
    await fireEvent.change(within(deps).getByLabelText("Component to depend on"), { target: { value: "k-Web" } });
    await fireEvent.click(within(deps).getByRole("button", { name: "Add dependency" }));
    expect((await within(deps).findByTestId("dependency-error")).textContent).toBe(message);
    expect(calls.find((c) => c.cmd === "add_dependency")!.args).toEqual({ id: "k-Order", dependsOnId: "k-Web" });
  });

  it("saves a new design doc and previews its markdown safely", async () => {
    const calls = backend({
      save_design_doc: (args) => ({
        id: "doc1",
        component_id: "k-Order",
        content: args.content,
        approved: false,
        version: 1,
        inserted_at: "",
        updated_at: "",
      }),
    });
    render(Components, { projectId: "p1" });
    await select("Order");
    const editor = await screen.findByTestId("design-doc-editor");
    const text = await within(editor).findByLabelText("Markdown");
    await fireEvent.input(text, { target: { value: "# Order\n<img src=x onerror=alert(1)>" } });
    const preview = within(editor).getByTestId("design-doc-preview");
    expect(preview.querySelector("h1")?.textContent).toBe("Order");
    expect(preview.querySelector("img")).toBeNull();

    await fireEvent.click(within(editor).getByTestId("design-doc-save"));
    await within(editor).findByText("Version 1");
    expect(calls.find((c) => c.cmd === "save_design_doc")!.args).toMatchObject({ componentId: "k-Order", version: null });
  });

  it("says so when there are no components", async () => {
    backend({ dependency_graph: () => ({ components: [], dependencies: [] }) });
    render(Components, { projectId: "p1" });
    expect((await screen.findByTestId("empty")).textContent).toContain("No components yet");
  });

  it("draws at most 300 components and says so", async () => {
    const many = Array.from({ length: 305 }, (_, i) => component(`C${i}`));
    backend({ dependency_graph: () => ({ components: many, dependencies: [dependency("C1", "C0"), dependency("C302", "C0")] }) });
    render(Components, { projectId: "p1" });
    expect((await screen.findByTestId("graph-truncated")).textContent).toContain("first 300 of 305");
    const svg = screen.getByTestId("component-graph");
    expect(within(svg).getAllByTestId("graph-node")).toHaveLength(300);
    expect(within(svg).getAllByTestId("graph-edge")).toHaveLength(1);
  });
});
