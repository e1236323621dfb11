import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { api, ApiError } from "./index";

afterEach(() => clearMocks());

describe("listProjects", () => {
  it("returns the projects the backend sends", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_projects") return [{ id: "1", name: "my_shop" }];
      throw new Error(`unexpected command ${cmd}`);
    });
    const projects = await api.listProjects();
    expect(projects.map((p: { name: string }) => p.name)).toEqual(["my_shop"]);
  });

  it("turns a backend error into an ApiError with its code and field", async () => {
    mockIPC(() => {
      throw { code: "invalid_input", field: "name", message: "name is required" };
    });
    const err = await api.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "invalid_input", field: "name", message: "name is required" });
  });
});
