import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import Settings from "./Settings.svelte";
import { account } from "../test/fixtures";
import { mockCommands } from "../test/ipc";

const settings = {
  github_host: "github.com",
  github_api_url: null as string | null,
  default_github_api_url: "https://api.github.com",
  github_client_id: null as string | null,
  workspace_dir: null,
  default_workspace_dir: "/home/ada/CodeMySpec",
  token: { host: "github.com", set: false, problem: null },
  queue: { name: "project_setup", paused: false, concurrency: 1 },
  runs_jobs: true,
  data_dir: "/home/ada/.local/share/dev.codemyspec.desktop",
  keep_in_tray: true,
  start_at_login: false,
  tools_path: null as string | null,
};

describe("Settings → GitHub", () => {
  it("signs in with a pasted token that GitHub accepts, and shows a refused one at its field", async () => {
    const tokens: string[] = [];
    mockCommands((cmd, args) => {
      if (cmd === "app_settings") return settings;
      if (cmd === "set_github_token") {
        const token = (args as { token: string }).token;
        tokens.push(token);
        if (token === "ghp_wrong")
          throw {
            code: "invalid_input",
            field: "token",
            message: "GitHub refused this token (401 Bad credentials); sign in again with a valid token",
          };
        return {
          host: "github.com",
          api_url: "https://api.github.com",
          login: "ada-gh",
          token_set: true,
          scopes: ["repo"],
          rate: null,
          problem: null,
          refused: false,
        };
      }
      if (cmd === "profile_state") return { current: { ...account(), github_login: "ada-gh" }, profiles: [] };
    });
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
    mockCommands((cmd) => {
      if (cmd === "app_settings") return settings;
      if (cmd === "github_device_start")
        return { user_code: "WDJB-MJHT", verification_uri: "https://github.com/login/device", expires_in: 900 };
      if (cmd === "github_device_wait")
        return new Promise(
          (ok) =>
            (entered = () =>
              ok({
                host: "github.com",
                api_url: "https://api.github.com",
                login: "ada-gh",
                token_set: true,
                scopes: null,
                rate: null,
                problem: null,
                refused: false,
              })),
        );
      if (cmd === "profile_state") return { current: account(), profiles: [] };
    });
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

describe("Settings → field errors", () => {
  it("shows a bad workspace folder under the workspace field, not under the GitHub host", async () => {
    mockCommands((cmd, args) => {
      if (cmd === "app_settings") return settings;
      if (cmd === "set_setting") {
        expect(args).toMatchObject({ key: "workspace_dir", value: "code" });
        throw { code: "invalid_input", field: "value", message: "the workspace folder must be an absolute path" };
      }
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    const folder = (await screen.findByLabelText("Folder for set-up projects")) as HTMLInputElement;
    await fireEvent.input(folder, { target: { value: "code" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save folder" }));
    expect((await screen.findByTestId("field-error-workspace_dir")).textContent).toBe("the workspace folder must be an absolute path");
    expect(folder.closest(".field")!.classList.contains("invalid")).toBe(true);
    const host = screen.getByLabelText(/^Host/);
    expect(host.closest(".field")!.querySelector(".field-error")).toBeNull();
    expect(host.closest(".field")!.classList.contains("invalid")).toBe(false);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows each bad GitHub setting under its own field", async () => {
    const sent: unknown[] = [];
    mockCommands((cmd, args) => {
      if (cmd === "app_settings") return settings;
      if (cmd === "set_github_settings") {
        sent.push((args as { input: unknown }).input);
        throw {
          code: "invalid_input",
          field: "github_host",
          message: "…",
          fields: [
            { field: "github_host", message: "not a host name" },
            { field: "github_api_url", message: "the API address must be https" },
            { field: "github_client_id", message: "a client id is letters, digits, . _ and -" },
          ],
        };
      }
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    const host = (await screen.findByLabelText(/^Host/)) as HTMLInputElement;
    await fireEvent.input(host, { target: { value: "not a host" } });
    await fireEvent.input(screen.getByLabelText(/^API address/), { target: { value: "ftp://x" } });
    await fireEvent.input(screen.getByLabelText(/^OAuth App client id/), { target: { value: "bad id!" } });
    // Enter in a field saves the three together.
    await fireEvent.submit(host.form!);
    expect((await screen.findByTestId("field-error-github_host")).textContent).toBe("not a host name");
    expect(screen.getByTestId("field-error-github_api_url").textContent).toBe("the API address must be https");
    expect(screen.getByTestId("field-error-github_client_id").textContent).toContain("a client id");
    expect(screen.queryByTestId("field-error-workspace_dir")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(sent).toEqual([{ github_host: "not a host", github_api_url: "ftp://x", github_client_id: "bad id!" }]);
  });

  it("shows both profile fields' problems at once", async () => {
    mockCommands((cmd) => {
      if (cmd === "app_settings") return settings;
      if (cmd === "update_profile")
        throw {
          code: "invalid_input",
          field: "name",
          message: "name: name is too long; github_login: github_login is too long",
          fields: [
            { field: "name", message: "name is too long" },
            { field: "github_login", message: "github_login is too long" },
          ],
        };
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    await fireEvent.click(await screen.findByRole("button", { name: "Save profile" }));
    expect((await screen.findByTestId("field-error-name")).textContent).toBe("name is too long");
    expect(screen.getByTestId("field-error-github_login").textContent).toBe("github_login is too long");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("Settings → logs", () => {
  it("shows where the logs are and opens the folder", async () => {
    const calls: string[] = [];
    mockCommands((cmd) => {
      calls.push(cmd);
      if (cmd === "app_settings") return { ...settings, log_dir: "/home/ada/.local/share/dev.codemyspec.desktop/logs" };
      return null;
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    expect((await screen.findByTestId("log-dir")).textContent).toBe("/home/ada/.local/share/dev.codemyspec.desktop/logs");
    await fireEvent.click(screen.getByTestId("open-log-folder"));
    await waitFor(() => expect(calls).toContain("open_log_folder"));
  });
});

describe("Settings → In the background and Tools", () => {
  it("saves keep running in the tray, start at login and the tools folders, and shows a refused folder at its field", async () => {
    const saved: [string, string][] = [];
    const now = { ...settings };
    mockCommands((cmd, args) => {
      if (cmd === "app_settings") return now;
      if (cmd === "set_setting") {
        const { key, value } = args as { key: string; value: string };
        if (key === "tools_path" && !value.startsWith("/"))
          throw { code: "invalid_input", field: "value", message: `${value} is not an absolute path` };
        saved.push([key, value]);
        if (key === "keep_in_tray") now.keep_in_tray = value === "true";
        if (key === "start_at_login") now.start_at_login = value === "true";
        if (key === "tools_path") now.tools_path = value;
        return null;
      }
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    const keep = (await screen.findByTestId("keep-in-tray")) as HTMLInputElement;
    expect(keep.checked).toBe(true);
    await fireEvent.click(keep);
    expect(await screen.findByText("Closing the window quits the app.")).toBeTruthy();
    const login = screen.getByTestId("start-at-login") as HTMLInputElement;
    expect(login.checked).toBe(false);
    await fireEvent.click(login);
    expect(await screen.findByText("The app starts in the tray when you log in.")).toBeTruthy();
    await waitFor(() => expect((screen.getByTestId("start-at-login") as HTMLInputElement).checked).toBe(true));

    const tools = screen.getByLabelText(/Folders with mix and elixir/);
    await fireEvent.input(tools, { target: { value: "asdf/shims" } });
    await fireEvent.click(screen.getByText("Save tools folders"));
    expect((await screen.findByText("asdf/shims is not an absolute path")).className).toContain("field-error");
    await fireEvent.input(tools, { target: { value: "/home/ada/.asdf/shims" } });
    await fireEvent.click(screen.getByText("Save tools folders"));
    expect(await screen.findByText("Tools folder saved.")).toBeTruthy();
    expect(saved).toEqual([
      ["keep_in_tray", "false"],
      ["start_at_login", "true"],
      ["tools_path", "/home/ada/.asdf/shims"],
    ]);
  });
});

describe("Settings → GitHub, told truthfully", () => {
  it("the device sign-in's problem is beside its button in the window's words, and the hint goes once the id is set", async () => {
    const now = { ...settings };
    mockCommands((cmd) => {
      if (cmd === "app_settings") return now;
      if (cmd === "github_device_start")
        throw {
          code: "invalid_input",
          field: "github_client_id",
          message: "signing in with a code needs the client id of an OAuth App (github_client_id); set it first",
        };
      if (cmd === "set_github_settings") {
        now.github_client_id = "Iv1.abc";
        return null;
      }
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    expect(await screen.findByTestId("device-needs-client-id")).toBeTruthy();
    const button = screen.getByTestId("device-sign-in");
    await fireEvent.click(button);
    const problem = await screen.findByTestId("device-problem");
    expect(problem.textContent).not.toMatch(/codemyspec|config set/);
    expect(button.parentElement!.contains(problem)).toBe(true);
    expect(button.getAttribute("aria-describedby")).toBe(problem.id);
    await fireEvent.input(screen.getByLabelText(/^OAuth App client id/), { target: { value: "Iv1.abc" } });
    await fireEvent.click(screen.getByTestId("github-settings-save"));
    expect(await screen.findByText("GitHub settings saved.")).toBeTruthy();
    expect(screen.queryByTestId("device-problem")).toBeNull();
    expect(screen.queryByTestId("device-needs-client-id")).toBeNull();
  });

  it("a token GitHub refuses does not read signed in, and Sign in again goes to the token field", async () => {
    mockCommands((cmd) => {
      if (cmd === "app_settings") return { ...settings, token: { host: "github.com", set: true, problem: null } };
      if (cmd === "github_status")
        return {
          host: "github.com",
          api_url: "https://api.github.com",
          login: null,
          token_set: true,
          scopes: null,
          rate: null,
          problem: "GitHub refused the token (401 Bad credentials): sign in again",
          refused: true,
        };
      if (cmd === "sync_status")
        return { org: null, last: null, next_at: null, offline_since: null, interval_secs: 300, needs_sign_in: true };
    });
    render(Settings, { profile: { ...account(), github_login: "ada-gh" }, onProfile: () => {} });
    const refused = await screen.findByTestId("token-refused");
    expect(refused.textContent).toMatch(/refused/);
    expect(screen.queryByTestId("github-login")).toBeNull();
    expect(screen.queryByText(/Signed in/)).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Sign in again" }));
    expect(document.activeElement).toBe(screen.getByLabelText("Replace the token"));
  });

  it("the organization is chosen among the account and the organizations GitHub lists", async () => {
    let org: string | null = null;
    mockCommands((cmd, args) => {
      if (cmd === "app_settings") return { ...settings, token: { host: "github.com", set: true, problem: null } };
      if (cmd === "github_status")
        return {
          host: "github.com",
          api_url: "https://api.github.com",
          login: "ada-gh",
          token_set: true,
          scopes: null,
          rate: null,
          problem: null,
          refused: false,
        };
      if (cmd === "sync_status") return { org, last: null, next_at: null, offline_since: null, interval_secs: 300, needs_sign_in: false };
      if (cmd === "github_owners")
        return [
          { login: "ada-gh", is_account: true },
          { login: "acme", is_account: false },
        ];
      if (cmd === "set_github_org") {
        org = (args as { org: string }).org || null;
        return null;
      }
    });
    render(Settings, { profile: account(), onProfile: () => {} });
    const picker = (await screen.findByLabelText(/whose repositories this profile syncs/)) as HTMLSelectElement;
    await waitFor(() => expect([...picker.options].map((o) => o.textContent)).toEqual(["ada-gh (your account)", "acme"]));
    expect(picker.value).toBe("");
    await fireEvent.change(picker, { target: { value: "acme" } });
    await fireEvent.click(screen.getByTestId("github-org-save"));
    expect(await screen.findByText("The sync follows acme.")).toBeTruthy();
    expect(org).toBe("acme");
    await waitFor(() => expect(picker.value).toBe("acme"));
  });
});
