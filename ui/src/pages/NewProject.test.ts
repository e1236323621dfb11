import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import NewProject from "./NewProject.svelte";
import { project } from "../test/fixtures";

// Unmount first: components unsubscribe from events, which needs the mocks still there.
afterEach(() => {
  cleanup();
  clearMocks();
});

describe("NewProject", () => {
  it("shows the core's validation error under its field", async () => {
    mockIPC((cmd) => {
      if (cmd === "create_project") throw { code: "invalid_input", field: "name", message: "name must start with a lowercase letter" };
    });
    const { container } = render(NewProject);
    const input = (id: string) => container.querySelector(`#${id}`) as HTMLElement;
    await fireEvent.input(input("project-name"), { target: { value: "Bad Name" } });
    await fireEvent.click(screen.getByTestId("project-create"));
    expect((await screen.findByTestId("field-error-name")).textContent).toContain("lowercase letter");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("sends what was typed, without the database for a plain Elixir project", async () => {
    let sent: unknown = null;
    mockIPC((cmd, args) => {
      if (cmd === "create_project") {
        sent = args;
        return project({ id: "new-id" });
      }
    });
    const { container } = render(NewProject);
    const input = (id: string) => container.querySelector(`#${id}`) as HTMLElement;
    await fireEvent.input(input("project-name"), { target: { value: "my_shop" } });
    await fireEvent.change(input("project-framework"), { target: { value: "elixir" } });
    await fireEvent.input(input("project-code-repo"), { target: { value: "https://github.com/acme/my_shop" } });
    await fireEvent.click(screen.getByTestId("project-create"));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual({
      input: { name: "my_shop", description: null, framework: "elixir", database: null, code_repo: "https://github.com/acme/my_shop", docs_repo: null, public_repos: false },
    });
    expect(location.hash).toBe("#/projects/new-id");
  });
});
