import { afterEach, describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import App from "./App.svelte";

afterEach(() => clearMocks());

const project = (name: string, stage = "draft") => ({
  id: `id-${name}`,
  name,
  stage,
  setup_status: "created",
  framework: "phoenix",
});

describe("App", () => {
  it("lists the projects with their stage and setup status", async () => {
    mockIPC(() => [project("alpha"), project("beta", "estimated")]);
    render(App);
    expect(await screen.findByText("alpha")).toBeTruthy();
    expect(screen.getByText("beta")).toBeTruthy();
    expect(screen.getByText("estimated")).toBeTruthy();
  });

  it("tells a new user to create a profile", async () => {
    mockIPC(() => {
      throw { code: "unauthenticated", message: "there is no profile yet; create one first" };
    });
    render(App);
    const notice = await screen.findByTestId("no-profile");
    expect(notice.textContent).toContain("codemyspec account create");
  });

  it("shows other errors instead of failing silently", async () => {
    mockIPC(() => {
      throw { code: "internal", message: "disk on fire" };
    });
    render(App);
    expect((await screen.findByRole("alert")).textContent).toContain("disk on fire");
  });
});
