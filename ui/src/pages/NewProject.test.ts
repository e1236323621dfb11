import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import NewProject from "./NewProject.svelte";
import { project } from "../test/fixtures";
import { mockCommands } from "../test/ipc";

describe("NewProject", () => {
  it("shows the core's validation error under its field", async () => {
    mockCommands((cmd) => {
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
    mockCommands((cmd, args) => {
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
      input: {
        name: "my_shop",
        description: null,
        framework: "elixir",
        database: null,
        code_repo: "https://github.com/acme/my_shop",
        docs_repo: null,
        public_repos: false,
      },
    });
    expect(location.hash).toBe("#/projects/new-id");
  });
});

describe("NewProject field errors", () => {
  const input = (id: string) => document.getElementById(id) as HTMLInputElement;

  it("shows every problem the core reports under its own field, all at once", async () => {
    mockCommands((cmd) => {
      if (cmd === "create_project")
        throw {
          code: "invalid_input",
          field: "name",
          message:
            'name: name is required; code_repo: "-x" is not an owner name GitHub allows; docs_repo: the docs repo must differ from the code repo',
          fields: [
            { field: "name", message: "name is required" },
            { field: "code_repo", message: '"-x" is not an owner name GitHub allows' },
            { field: "docs_repo", message: "the docs repo must differ from the code repo" },
          ],
        };
    });
    render(NewProject);
    await fireEvent.click(screen.getByTestId("project-create"));
    expect((await screen.findByTestId("field-error-name")).textContent).toBe("name is required");
    expect(screen.getByTestId("field-error-code_repo").textContent).toContain("not an owner name");
    expect(screen.getByTestId("field-error-docs_repo").textContent).toContain("must differ");
    expect(input("project-code-repo").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(document.activeElement).toBe(input("project-name"));
  });

  it("shows a problem of no input above the buttons", async () => {
    mockCommands((cmd) => {
      if (cmd === "create_project") throw { code: "invalid_input", field: "owner", message: "the owner is not a member" };
    });
    render(NewProject);
    await fireEvent.click(screen.getByTestId("project-create"));
    expect((await screen.findByRole("alert")).textContent).toBe("the owner is not a member");
  });

  it("sends an Elixir project named server, and a new framework clears the name's message", async () => {
    const sent: unknown[] = [];
    mockCommands((cmd, args) => {
      if (cmd !== "create_project") return null;
      const i = (args as { input: { framework: string; name: string } }).input;
      sent.push(i);
      // The core's rule: "server" is reserved by Phoenix only.
      if (i.framework === "phoenix") throw { code: "invalid_input", field: "name", message: `"${i.name}" is reserved by Phoenix` };
      return project({ id: "srv", name: i.name, framework: "elixir" });
    });
    render(NewProject);
    await fireEvent.input(input("project-name"), { target: { value: "server" } });
    await fireEvent.click(screen.getByTestId("project-create"));
    expect((await screen.findByTestId("field-error-name")).textContent).toContain("reserved by Phoenix");
    await fireEvent.change(input("project-framework"), { target: { value: "elixir" } });
    expect(screen.queryByTestId("field-error-name")).toBeNull();
    await fireEvent.click(screen.getByTestId("project-create"));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(2);
    expect(screen.queryByText(/reserved by Phoenix/)).toBeNull();
    expect(location.hash).toBe("#/projects/srv");
  });
});
