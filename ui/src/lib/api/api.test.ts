import { describe, expect, it } from "vitest";
import { api, ApiError } from "./index";
import { mockCommands } from "../../test/ipc";

describe("listProjects", () => {
  it("returns the projects the backend sends", async () => {
    mockCommands((cmd) => {
      if (cmd === "list_projects") return [{ id: "1", name: "my_shop" }];
      throw new Error(`unexpected command ${cmd}`);
    });
    const projects = await api.listProjects();
    expect(projects.map((p: { name: string }) => p.name)).toEqual(["my_shop"]);
  });

  it("turns a backend error into an ApiError with its code and field", async () => {
    mockCommands(() => {
      throw { code: "invalid_input", field: "name", message: "name is required" };
    });
    const err = await api.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "invalid_input", field: "name", message: "name is required" });
  });

  it("keeps every field error of a form", async () => {
    mockCommands(() => {
      throw {
        code: "invalid_input",
        field: "name",
        message: "name: name is required; docs_repo: the docs repo must differ from the code repo",
        fields: [
          { field: "name", message: "name is required" },
          { field: "docs_repo", message: "the docs repo must differ from the code repo" },
        ],
      };
    });
    const err = (await api.listProjects().catch((e: unknown) => e)) as ApiError;
    expect(err.field).toBe("name");
    expect(err.fields).toEqual([
      { field: "name", message: "name is required" },
      { field: "docs_repo", message: "the docs repo must differ from the code repo" },
    ]);
  });

  it("lists a one-field error's field in `fields` too", () => {
    expect(new ApiError({ code: "invalid_input", field: "name", message: "name is required" }).fields).toEqual([
      { field: "name", message: "name is required" },
    ]);
    expect(new ApiError({ code: "internal", message: "disk on fire" }).fields).toEqual([]);
  });
});

describe("logging the window's failures", () => {
  it("writes an unexpected failure to the app's log, and not the person's own input errors", async () => {
    const logged: unknown[] = [];
    let answer: unknown = { code: "internal", message: "database error: disk I/O error" };
    mockCommands((cmd, args) => {
      if (cmd === "log_ui_error") {
        logged.push(args);
        return null;
      }
      throw answer;
    });
    await expect(api.listProjects()).rejects.toThrow("disk I/O error");
    await Promise.resolve();
    expect(logged).toEqual([{ context: "listProjects", message: "database error: disk I/O error" }]);
    answer = { code: "invalid_input", field: "name", message: "name is required" };
    await expect(api.listProjects()).rejects.toThrow("name is required");
    await Promise.resolve();
    expect(logged).toHaveLength(1);
  });
});
