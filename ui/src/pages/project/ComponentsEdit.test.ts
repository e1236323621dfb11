// Editing and deleting a component and removing a dependency from the Components page; the
// question before unsaved edits are lost; the lists kept live by the spec's change events.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import Components from "./Components.svelte";
import UnsavedPrompt from "../../lib/components/UnsavedPrompt.svelte";
import type { Component, Dependency } from "../../lib/api";
import { component, dependency } from "../../test/component-fixtures";
import { mockBackend, type Handler } from "../../test/ipc";

/** Order ← Cart ← Web (Web depends on Cart, Cart on Order), kept as the backend would. */
function backend(extra: Record<string, Handler> = {}) {
  const db: { components: Component[]; dependencies: Dependency[] } = {
    components: [component("Order"), component("Cart"), component("Web")],
    dependencies: [dependency("Cart", "Order"), dependency("Web", "Cart")],
  };
  const calls = mockBackend({
    dependency_graph: () => structuredClone(db),
    list_contexts: () => [{ id: "ctx-1", name: "Orders" }],
    get_design_doc: () => null,
    update_component: (args) => {
      const input = args.input as Record<string, string>;
      const i = db.components.findIndex((c) => c.id === args.id);
      db.components[i] = { ...db.components[i], ...input };
      return db.components[i];
    },
    delete_component: (args) => {
      db.components = db.components.filter((c) => c.id !== args.id);
      db.dependencies = db.dependencies.filter((d) => d.component_id !== args.id && d.depends_on_id !== args.id);
      // What depended on it, directly or not, becomes dirty.
      db.components = db.components.map((c) => (c.id === "k-Order" ? c : { ...c, dirty: true }));
      return null;
    },
    remove_dependency: (args) => {
      db.dependencies = db.dependencies.filter((d) => !(d.component_id === args.id && d.depends_on_id === args.dependsOnId));
      return null;
    },
    ...extra,
  });
  return { calls, db };
}

async function select(name: string) {
  const table = await screen.findByTestId("component-table");
  await fireEvent.click(within(table).getByRole("button", { name }));
  return screen.findByTestId("component-edit");
}

const names = () => screen.getAllByTestId("component-row").map((r) => r.querySelector("button")!.textContent);

describe("Components: edit, delete, dependencies", () => {
  it("edit sends only the changed fields and shows the core's error at its field", async () => {
    let refuse = true;
    const { calls } = backend({
      update_component: (args) => {
        if (refuse) {
          refuse = false;
          throw { code: "invalid", field: "file_path", message: "must be a relative path inside the project" };
        }
        return component("Orders.Order", {
          id: "k-Order",
          file_path: "lib/app/orders/order.ex",
          ...(args.input as Partial<Component>),
        });
      },
    });
    render(Components, { projectId: "p1" });
    const form = await select("Order");
    const save = within(form).getByTestId("component-edit-save");
    expect(save).toHaveProperty("disabled", true);

    await fireEvent.input(within(form).getByTestId("component-edit-name"), { target: { value: "Orders.Order" } });
    await fireEvent.input(within(form).getByTestId("component-edit-file"), { target: { value: "/etc/order.ex" } });
    await fireEvent.change(within(form).getByLabelText("Context"), { target: { value: "ctx-1" } });
    await fireEvent.click(save);

    const error = await within(form).findByTestId("field-error-file_path");
    expect(error.textContent).toBe("must be a relative path inside the project");
    expect(within(form).getByTestId("component-edit-file").getAttribute("aria-invalid")).toBe("true");
    expect(within(form).queryByTestId("field-error-name")).toBeNull();
    expect(within(form).queryByTestId("component-edit-error")).toBeNull();
    expect(calls.find((c) => c.cmd === "update_component")!.args).toEqual({
      id: "k-Order",
      input: { name: "Orders.Order", file_path: "/etc/order.ex", context_id: "ctx-1" },
    });

    // Fixing the path sends the three changes again; the table shows the new name.
    await fireEvent.input(within(form).getByTestId("component-edit-file"), {
      target: { value: "lib/app/orders/order.ex" },
    });
    await fireEvent.click(save);
    await waitFor(() => expect(names()).toContain("Orders.Order"));
    expect(calls.filter((c) => c.cmd === "update_component").map((c) => c.args.input)).toEqual([
      { name: "Orders.Order", file_path: "/etc/order.ex", context_id: "ctx-1" },
      { name: "Orders.Order", file_path: "lib/app/orders/order.ex", context_id: "ctx-1" },
    ]);
    expect(within(form).queryByTestId("field-error-file_path")).toBeNull();
    expect(within(form).getByRole("status").textContent).toContain("Saved");
    expect(save).toHaveProperty("disabled", true);
    // The graph is reloaded: a save makes what depends on the component dirty.
    expect(calls.filter((c) => c.cmd === "dependency_graph")).toHaveLength(2);
  });

  it('sends an emptied description as "" to clear it, and shows an error no input has above the form', async () => {
    const { calls } = backend({
      update_component: () => {
        throw { code: "forbidden", message: "you cannot change this project" };
      },
      dependency_graph: () => ({ components: [component("Order", { description: "Old words" })], dependencies: [] }),
    });
    render(Components, { projectId: "p1" });
    const form = await select("Order");
    await fireEvent.input(within(form).getByLabelText("Description"), { target: { value: "" } });
    await fireEvent.click(within(form).getByTestId("component-edit-save"));
    expect((await within(form).findByTestId("component-edit-error")).textContent).toBe("you cannot change this project");
    expect(calls.find((c) => c.cmd === "update_component")!.args.input).toEqual({ description: "" });
  });

  it("shows each of several field errors at its own input", async () => {
    backend({
      update_component: () => {
        throw {
          code: "invalid_input",
          field: "name",
          message: "name: must be a module name; file_path: must end in .ex or .exs",
          fields: [
            { field: "name", message: "must be a module name" },
            { field: "file_path", message: "must end in .ex or .exs" },
          ],
        };
      },
    });
    render(Components, { projectId: "p1" });
    const form = await select("Order");
    await fireEvent.input(within(form).getByTestId("component-edit-name"), { target: { value: "order" } });
    await fireEvent.input(within(form).getByTestId("component-edit-file"), { target: { value: "lib/order.txt" } });
    await fireEvent.click(within(form).getByTestId("component-edit-save"));
    expect((await within(form).findByTestId("field-error-name")).textContent).toBe("must be a module name");
    expect(within(form).getByTestId("field-error-file_path").textContent).toBe("must end in .ex or .exs");
    expect(within(form).queryByTestId("component-edit-error")).toBeNull();
  });

  it("delete asks once, naming the component and what becomes dirty", async () => {
    const { calls } = backend();
    render(Components, { projectId: "p1" });
    const form = await select("Order");
    await fireEvent.click(within(form).getByTestId("component-delete"));

    const confirm = within(form).getByTestId("confirm-delete");
    expect(confirm.textContent).toContain(
      "Delete the component “Order”? Cart and Web depend on it and will be marked dirty. This cannot be undone.",
    );
    expect(calls.some((c) => c.cmd === "delete_component")).toBe(false);

    await fireEvent.click(within(confirm).getByRole("button", { name: "Yes, delete" }));
    await waitFor(() => expect(names()).toEqual(["Cart", "Web"]));
    expect(calls.filter((c) => c.cmd === "delete_component").map((c) => c.args)).toEqual([{ id: "k-Order" }]);
    expect(screen.queryByTestId("component-edit")).toBeNull();
    // The reloaded graph marks what depended on it.
    await waitFor(() =>
      expect(screen.getAllByTestId("component-row").map((r) => within(r).queryByText("Dirty") !== null)).toEqual([true, true]),
    );
  });

  it("delete says when nothing depends on the component, and Cancel keeps it", async () => {
    const { calls } = backend();
    render(Components, { projectId: "p1" });
    const form = await select("Web");
    await fireEvent.click(within(form).getByRole("button", { name: "Delete" }));
    expect(within(form).getByTestId("confirm-delete").textContent).toContain("Delete the component “Web”? Nothing depends on it.");
    await fireEvent.click(within(form).getByRole("button", { name: "Cancel" }));
    expect(within(form).queryByTestId("confirm-delete")).toBeNull();
    expect(calls.some((c) => c.cmd === "delete_component")).toBe(false);
  });

  it("removing a dependency calls the command and refreshes the list and the graph", async () => {
    const { calls } = backend();
    render(Components, { projectId: "p1" });
    await select("Cart");
    const deps = await screen.findByTestId("component-dependencies");
    const graph = screen.getByTestId("component-graph");
    expect(within(graph).getAllByTestId("graph-edge")).toHaveLength(2);
    expect(
      within(deps)
        .getAllByTestId("dependency")
        .map((d) => d.textContent),
    ).toEqual([expect.stringContaining("Order")]);

    await fireEvent.click(within(deps).getByTestId("dependency-remove"));
    await waitFor(() => expect(within(deps).queryAllByTestId("dependency")).toHaveLength(0));
    expect(calls.filter((c) => c.cmd === "remove_dependency").map((c) => c.args)).toEqual([{ id: "k-Cart", dependsOnId: "k-Order" }]);
    expect(within(deps).getByText("Cart depends on nothing.")).toBeTruthy();
    expect(within(screen.getByTestId("component-graph")).getAllByTestId("graph-edge")).toHaveLength(1);
    // Order is offered again as something to depend on.
    const options = within(deps)
      .getAllByRole("option")
      .map((o) => o.textContent);
    expect(options).toContain("Order");
  });

  it("keeps a long name whole in a title, with type and file under it for narrow windows", async () => {
    const long = "MyShop.Orders.Fulfilment.Shipping.InternationalCarrierRateCalculator";
    backend({ dependency_graph: () => ({ components: [component(long, { context_id: "ctx-1" })], dependencies: [] }) });
    render(Components, { projectId: "p1" });
    const row = await screen.findByTestId("component-row");
    expect(within(row).getByRole("button", { name: long }).getAttribute("title")).toBe(long);
    const summary = `schema · lib/app/${long.toLowerCase()}.ex · in Orders`;
    expect(within(row).getByTitle(summary).textContent).toBe(summary);
  });
});

describe("Components: unsaved edits", () => {
  const docText = () => (document.getElementById("design-doc") as HTMLTextAreaElement | null)?.value;
  const editing = () => (screen.queryByTestId("component-edit-name") as HTMLInputElement | null)?.value;
  const graphNode = (name: string) =>
    within(screen.getByTestId("component-graph"))
      .getAllByTestId("graph-node")
      .find((n) => n.getAttribute("aria-label")?.startsWith(name))!;

  it("asks before another component (from the table or the graph) throws away design-doc edits, naming the component", async () => {
    backend();
    render(UnsavedPrompt);
    render(Components, { projectId: "p1" });
    await select("Order");
    const doc = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    await fireEvent.input(doc, { target: { value: "# Order\nHolds the lines." } });

    // From the table: keeping the edits stays on Order.
    await fireEvent.click(within(screen.getByTestId("component-table")).getByRole("button", { name: "Cart" }));
    const prompt = await screen.findByTestId("unsaved-prompt");
    expect(prompt.textContent).toContain("Discard your unsaved changes to the design doc of Order?");
    await fireEvent.click(screen.getByTestId("keep-editing"));
    await waitFor(() => expect(screen.queryByTestId("unsaved-prompt")).toBeNull());
    expect(editing()).toBe("Order");
    expect(docText()).toBe("# Order\nHolds the lines.");

    // From the graph: the same question; discarding opens Web.
    await fireEvent.click(graphNode("Web"));
    expect((await screen.findByTestId("unsaved-prompt")).textContent).toContain("the design doc of Order");
    await fireEvent.click(screen.getByTestId("discard-changes"));
    await waitFor(() => expect(editing()).toBe("Web"));
    await waitFor(() => expect(docText()).toBe(""));
  });

  it("asks about the component form's edits too, and switches without asking when nothing is edited", async () => {
    backend();
    render(UnsavedPrompt);
    render(Components, { projectId: "p1" });
    await select("Order");
    await select("Cart");
    expect(screen.queryByTestId("unsaved-prompt")).toBeNull();
    expect(editing()).toBe("Cart");

    await fireEvent.input(screen.getByTestId("component-edit-name"), { target: { value: "Basket" } });
    await fireEvent.click(within(screen.getByTestId("component-table")).getByRole("button", { name: "Web" }));
    expect((await screen.findByTestId("unsaved-prompt")).textContent).toContain("Discard your unsaved changes to “Cart”?");
    await fireEvent.click(screen.getByTestId("keep-editing"));
    await waitFor(() => expect(screen.queryByTestId("unsaved-prompt")).toBeNull());
    expect(editing()).toBe("Basket");
  });
});

describe("Components: live lists", () => {
  const graphNodes = () => within(screen.getByTestId("component-graph")).getAllByTestId("graph-node").length;

  it("a SpecChanged for this project reloads the table and the graph, leaving the open editors' edits alone", async () => {
    const { calls, db } = backend();
    render(Components, { projectId: "p1" });
    await select("Order");
    const doc = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    await fireEvent.input(doc, { target: { value: "mine, not saved" } });
    await fireEvent.input(screen.getByTestId("component-edit-name"), { target: { value: "Orders.Order" } });
    const reads = calls.filter((c) => c.cmd === "dependency_graph").length;

    // Another process adds a component and changes Order.
    db.components.push(component("Payment"));
    db.components[0] = { ...db.components[0], dirty: true, file_path: "lib/app/orders/order.ex" };
    await emit("spec-changed", { project_id: "p1" });

    await waitFor(() => expect(names()).toEqual(["Order", "Cart", "Web", "Payment"]));
    expect(graphNodes()).toBe(4);
    expect(calls.filter((c) => c.cmd === "dependency_graph")).toHaveLength(reads + 1);
    expect(within(screen.getAllByTestId("component-row")[0]).getByText("Dirty")).toBeTruthy();
    // The open editors keep what was typed.
    expect((screen.getByTestId("component-edit-name") as HTMLInputElement).value).toBe("Orders.Order");
    expect(doc.value).toBe("mine, not saved");
    expect(screen.getByTestId("component-details")).toBeTruthy();
  });

  it("a SpecChanged for another project reloads nothing", async () => {
    const { calls, db } = backend();
    render(Components, { projectId: "p1" });
    await screen.findAllByTestId("component-row");
    const reads = () => calls.filter((c) => c.cmd === "dependency_graph").length;
    const before = reads();
    db.components.push(component("Payment"));

    await emit("spec-changed", { project_id: "p2" });
    // Events arrive in order: once this project's is handled, the other one's would have been.
    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(names()).toContain("Payment"));
    expect(reads()).toBe(before + 1);
  });

  it("keeps an editor with unsaved edits when its component was deleted elsewhere", async () => {
    const { db } = backend();
    render(Components, { projectId: "p1" });
    await select("Web");
    await fireEvent.input(screen.getByTestId("component-edit-name"), { target: { value: "WebShop" } });
    db.components = db.components.filter((c) => c.id !== "k-Web");
    db.dependencies = db.dependencies.filter((d) => d.component_id !== "k-Web");

    await emit("spec-changed", { project_id: "p1" });
    await waitFor(() => expect(names()).toEqual(["Order", "Cart"]));
    expect(screen.getByTestId("deleted-elsewhere").textContent).toContain("deleted elsewhere");
    expect((screen.getByTestId("component-edit-name") as HTMLInputElement).value).toBe("WebShop");
  });
});
