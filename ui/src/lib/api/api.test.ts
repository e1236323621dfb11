import { describe, expect, it, vi } from "vitest";
import { emit } from "@tauri-apps/api/event";
import { api, ApiError, READ_EVERY_MS, subscribeToAllProjects, subscribeToProject, type Project, type ProjectMessage } from "./index";
import { mockCommands } from "../../test/ipc";
import { project } from "../../test/fixtures";

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

describe("project notices", () => {
  const seen = () => {
    const got: { id: string; name: string }[] = [];
    return { got, handler: (m: ProjectMessage) => got.push({ id: m.project.id, name: m.project.name }) };
  };

  it("reads a changed project once however many pages listen, and hands it to each page it concerns", async () => {
    const reads: string[] = [];
    mockCommands((cmd, args) => {
      if (cmd !== "get_project") throw new Error(`unexpected command ${cmd}`);
      const id = (args as { id: string }).id;
      reads.push(id);
      return project({ id, name: `name of ${id}` });
    });
    const [all, one] = [seen(), seen()];
    await subscribeToAllProjects(all.handler);
    await subscribeToProject("p-1", one.handler);

    await emit("project-updated", { project_id: "p-1" });
    await vi.waitFor(() => expect(one.got).toEqual([{ id: "p-1", name: "name of p-1" }]));
    expect(all.got).toEqual([{ id: "p-1", name: "name of p-1" }]);
    await emit("project-updated", { project_id: "p-2" });
    await vi.waitFor(() => expect(all.got).toHaveLength(2));
    expect(all.got[1]).toEqual({ id: "p-2", name: "name of p-2" });
    expect(one.got).toHaveLength(1);
    expect(reads).toEqual(["p-1", "p-2"]);
  });

  it("reads once more for the notices that came during a read, and hands on the newest project last", async () => {
    const reads: ((p: Project) => void)[] = [];
    mockCommands((cmd) => {
      if (cmd !== "get_project") throw new Error(`unexpected command ${cmd}`);
      return new Promise<Project>((resolve) => reads.push(resolve));
    });
    const page = seen();
    await subscribeToProject("p-1", page.handler);

    await emit("project-updated", { project_id: "p-1" });
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    // Three more changes while the first read is on its way: one more read, not three.
    for (let i = 0; i < 3; i++) await emit("project-updated", { project_id: "p-1" });
    reads[0](project({ id: "p-1", name: "v1" }));
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1](project({ id: "p-1", name: "v4" }));
    await vi.waitFor(() => expect(page.got.map((p) => p.name)).toEqual(["v1", "v4"]));
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toHaveLength(2);
  });

  it("keeps a failure shown when a read from before it comes back after it", async () => {
    let current = project({ id: "p-1", setup_status: "compiling" });
    const reads: (() => void)[] = [];
    mockCommands((cmd) => {
      if (cmd !== "get_project") throw new Error(`unexpected command ${cmd}`);
      const answer = current;
      return new Promise<Project>((resolve) => reads.push(() => resolve(answer)));
    });
    const page: string[] = [];
    await subscribeToProject("p-1", (m) => page.push(`${m.event} ${m.project.setup_status}`));

    await emit("project-updated", { project_id: "p-1" });
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    current = project({ id: "p-1", setup_status: "failed", setup_error: "mix test failed" });
    await emit("project-error", { project: current, error: "mix test failed" });
    reads[0]();
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1]();
    await vi.waitFor(() => expect(page).toEqual(["project_error failed", "project_updated compiling", "project_updated failed"]));
  });

  it("hands on nothing, and logs nothing, for a project gone before it was read; an ended subscription gets nothing", async () => {
    const logged: unknown[] = [];
    let gone = true;
    mockCommands((cmd, args) => {
      if (cmd === "log_ui_error") return logged.push(args);
      if (cmd !== "get_project") throw new Error(`unexpected command ${cmd}`);
      if (gone) throw { code: "not_found", message: "project not found" };
      return project({ id: "p-1" });
    });
    const [page, list] = [seen(), seen()];
    const off = await subscribeToProject("p-1", page.handler);
    await subscribeToAllProjects(list.handler);

    await emit("project-updated", { project_id: "p-1" });
    await new Promise((r) => setTimeout(r, 20));
    expect(page.got).toEqual([]);
    expect(logged).toEqual([]);

    gone = false;
    off();
    await emit("project-updated", { project_id: "p-1" });
    await vi.waitFor(() => expect(list.got).toHaveLength(1));
    expect(page.got).toEqual([]);
  });
});

describe("a flood of project notices", () => {
  it("reads the project at most once a READ_EVERY_MS while notices keep coming, and reads it after the last one", async () => {
    let version = 0;
    let reads = 0;
    mockCommands((cmd) => {
      if (cmd !== "get_project") throw new Error(`unexpected command ${cmd}`);
      reads++;
      return project({ id: "p-1", name: `v${version}` });
    });
    const page: string[] = [];
    await subscribeToProject("p-1", (m) => page.push(m.project.name));

    const started = performance.now();
    for (let i = 1; i <= 20; i++) {
      version = i;
      await emit("project-updated", { project_id: "p-1" });
      await new Promise((r) => setTimeout(r, 25));
    }
    await vi.waitFor(() => expect(page.at(-1)).toBe("v20"), { timeout: 2000 });
    const elapsed = performance.now() - started;
    // 20 notices over half a second or more: a read for the first, then one a READ_EVERY_MS.
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / READ_EVERY_MS) + 1);
    expect(reads).toBeLessThan(20);
  });
});
