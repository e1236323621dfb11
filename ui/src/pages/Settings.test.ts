import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Settings from "./Settings.svelte";
import { account } from "../test/fixtures";

afterEach(() => {
  cleanup();
  clearMocks();
});

const settings = {
  github_host: "github.com",
  workspace_dir: null,
  default_workspace_dir: "/home/ada/CodeMySpec",
  token_set: false,
  keyring_problem: null,
  queue: { name: "project_setup", paused: false, concurrency: 1 },
  runs_jobs: true,
  data_dir: "/home/ada/.local/share/dev.codemyspec.desktop",
};

describe("Settings → GitHub", () => {
  it("signs in with a pasted token that GitHub accepts, and shows a refused one at its field", async () => {
    const tokens: string[] = [];
    mockIPC(
      (cmd, args) => {
        if (cmd === "app_settings") return settings;
        if (cmd === "set_github_token") {
          const token = (args as { token: string }).token;
          tokens.push(token);
          if (token === "ghp_wrong") throw { code: "invalid_input", field: "token", message: "GitHub refused this token (401 Bad credentials); sign in again with a valid token" };
          return { host: "github.com", api_url: "https://api.github.com", login: "ada-gh", token_set: true, scopes: ["repo"], rate: null, problem: null };
        }
      },
      { shouldMockEvents: true },
    );
    render(Settings, { profile: account(), onProfile: () => {} });
    const input = await screen.findByLabelText("Personal access token");
    await fireEvent.input(input, { target: { value: "ghp_wrong" } });
    await fireEvent.click(screen.getByTestId("token-sign-in"));
    expect((await screen.findByText(/401 Bad credentials/)).className).toContain("field-error");
    expect(screen.queryByTestId("github-login")).toBeNull();
    await fireEvent.input(input, { target: { value: "ghp_right" } });
    await fireEvent.click(screen.getByTestId("token-sign-in"));
    expect((await screen.findByTestId("github-login")).textContent).toContain("ada-gh");
    expect(tokens).toEqual(["ghp_wrong", "ghp_right"]);
  });

  it("signs in with a device code: shows the code and the link, then who signed in", async () => {
    let entered: (v: unknown) => void = () => {};
    mockIPC(
      (cmd) => {
        if (cmd === "app_settings") return settings;
        if (cmd === "github_device_start") return { user_code: "WDJB-MJHT", verification_uri: "https://github.com/login/device", expires_in: 900 };
        if (cmd === "github_device_wait")
          return new Promise((ok) => (entered = () => ok({ host: "github.com", api_url: "https://api.github.com", login: "ada-gh", token_set: true, scopes: null, rate: null, problem: null })));
      },
      { shouldMockEvents: true },
    );
    render(Settings, { profile: account(), onProfile: () => {} });
    await fireEvent.click(await screen.findByTestId("device-sign-in"));
    const shown = await screen.findByTestId("device-code");
    expect(shown.textContent).toContain("WDJB-MJHT");
    expect(shown.textContent).toContain("https://github.com/login/device");
    entered(null);
    expect((await screen.findByTestId("github-login")).textContent).toContain("ada-gh");
    await waitFor(() => expect(screen.queryByTestId("device-code")).toBeNull());
  });
});
