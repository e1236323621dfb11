import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import SetupTimeline from "./SetupTimeline.svelte";
import { job, jobNotice, project, step } from "../../test/fixtures";
import { missingSignIn } from "../../test/project-fixtures";
import { mockCommands } from "../../test/ipc";

describe("SetupTimeline", () => {
  it("offers Set up for a new project and queues it", async () => {
    const calls: string[] = [];
    mockCommands((cmd) => {
      calls.push(cmd);
      if (cmd === "project_setup") return null;
      if (cmd === "setup_project") return { job: job({ state: "available", attempt: 0 }), conflict: false };
    });
    render(SetupTimeline, { project: project() });
    await fireEvent.click(await screen.findByTestId("setup-button"));
    expect(calls).toContain("setup_project");
  });

  it("shows each step of the latest attempt with its outcome, and Cancel while it runs", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup")
        return {
          job: job({
            attempt: 2,
            errors: [{ attempt: 1, at: "2026-01-01T00:00:00Z", class: "infrastructure", error: "push refused: network down" }],
          }),
          steps: [
            step(1, "initializing", { attempt: 1 }),
            step(1, "initializing", { attempt: 2 }),
            step(2, "compiling", { attempt: 2, outcome: null, finished_at: null, duration_ms: null, exit_code: null }),
          ],
        };
      if (cmd === "follow_job_log") return null;
    });
    render(SetupTimeline, { project: project({ setup_status: "compiling", stage: "provisioning" }) });
    const steps = await screen.findAllByTestId("setup-step");
    expect(steps.map((s) => s.dataset.status)).toEqual(["initializing", "compiling"]);
    expect(steps[1].textContent).toContain("running");
    expect(screen.getByTestId("cancel-button")).toBeTruthy();
    expect(screen.queryByTestId("setup-button")).toBeNull();
    expect(screen.getByText(/Push refused: network down/)).toBeTruthy();
  });

  it("offers Retry for a failed setup whose job was discarded", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup")
        return { job: job({ state: "discarded" }), steps: [step(1, "compiling", { outcome: "failed", exit_code: 1 })] };
      if (cmd === "follow_job_log") return null;
    });
    render(SetupTimeline, { project: project({ setup_status: "failed", setup_error: "`mix compile` failed (exit 1)" }) });
    expect(await screen.findByTestId("retry-button")).toBeTruthy();
    expect(screen.getByTestId("setup-error").textContent).toContain("mix compile");
  });

  it("marks the steps a resumed attempt reused from the earlier one", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup")
        return {
          job: job({ attempt: 2 }),
          steps: [
            step(1, "compiling", { attempt: 1 }),
            step(2, "committing", { attempt: 1, outcome: "failed" }),
            step(1, "compiling", { attempt: 2, outcome: "reused", duration_ms: 0 }),
            step(2, "committing", { attempt: 2, outcome: null, finished_at: null, duration_ms: null, exit_code: null }),
          ],
        };
      if (cmd === "follow_job_log") return null;
    });
    render(SetupTimeline, { project: project({ setup_status: "committing", stage: "provisioning" }) });
    const steps = await screen.findAllByTestId("setup-step");
    expect(steps.map((s) => s.classList.item(0))).toEqual(["reused", "running"]);
    expect(steps[0].textContent).toContain("reused (earlier attempt)");
  });

  it("follows the log of the retried attempt once it starts", async () => {
    let attempt = 1;
    const follows: number[] = [];
    mockCommands((cmd) => {
      if (cmd === "project_setup") return { job: job({ attempt, state: attempt === 1 ? "cancelled" : "executing" }), steps: [] };
      if (cmd === "follow_job_log") {
        follows.push(attempt);
        return null;
      }
    });
    render(SetupTimeline, { project: project({ setup_status: "failed", setup_error: "cancelled" }) });
    await screen.findByTestId("log-tail");
    await waitFor(() => expect(follows).toEqual([1]));
    // Retried: the runner claims it again as attempt 2; the window hears the job change.
    attempt = 2;
    // Another project's setup and this project's docs sync change nothing here.
    await emit("job-changed", jobNotice(job({ id: 7, args: { project_id: "p-2" } })));
    await emit("job-changed", jobNotice(job({ id: 8, queue: "docs_sync" })));
    await new Promise((r) => setTimeout(r, 400));
    expect(follows).toEqual([1]);
    await emit("job-changed", jobNotice(job({ attempt: 2, state: "executing" })));
    await waitFor(() => expect(follows).toEqual([1, 2]));
  });

  it("disables Set up while a requirement is missing, saying where in the window to fix it", async () => {
    let signedIn = false;
    const calls: string[] = [];
    mockCommands((cmd) => {
      calls.push(cmd);
      if (cmd === "project_setup") return null;
      if (cmd === "preflight") return signedIn ? missingSignIn().map((c) => ({ ...c, ok: true })) : missingSignIn();
      if (cmd === "setup_project") return { job: job({ state: "available", attempt: 0 }), conflict: false };
    });
    render(SetupTimeline, { project: project({ code_repo: "https://github.com/acme/my_shop" }) });
    const setUp = (await screen.findByTestId("setup-button")) as HTMLButtonElement;
    expect(setUp.disabled).toBe(false);

    await fireEvent.click(screen.getByTestId("check-requirements"));
    const blocked = await screen.findByTestId("setup-blocked");
    await waitFor(() => expect(setUp.disabled).toBe(true));
    expect(blocked.textContent).toContain("2 requirements are missing");
    expect(blocked.textContent).toContain("Sign in to GitHub in Settings → GitHub");
    expect(blocked.querySelector("a")?.getAttribute("href")).toBe("#/settings");
    expect(setUp.getAttribute("aria-describedby")).toBe(blocked.id);
    // No message sends a desktop user to the CLI.
    expect(screen.getByTestId("setup").textContent).not.toMatch(/codemyspec/);

    // Signed in now: checked again, Set up is back.
    signedIn = true;
    await fireEvent.click(screen.getByTestId("check-requirements"));
    await waitFor(() => expect(setUp.disabled).toBe(false));
    expect(screen.queryByTestId("setup-blocked")).toBeNull();
    await fireEvent.click(setUp);
    await waitFor(() => expect(calls).toContain("setup_project"));
  });

  it("rewrites a failed setup's CLI hint to a place in the window", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup") return null;
    });
    render(SetupTimeline, {
      project: project({
        setup_status: "failed",
        setup_error: "preflight failed — token for github.com: missing: run `codemyspec github login`",
      }),
    });
    const error = await screen.findByTestId("setup-error");
    expect(error.textContent).toBe("Preflight failed — token for github.com: missing: sign in to GitHub in Settings → GitHub");
  });

  it("labels the setup status and explains it", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup") return null;
    });
    render(SetupTimeline, { project: project() });
    const status = screen.getByTestId("setup-status");
    expect(status.textContent).toBe("created");
    const badge = status.parentElement!;
    expect(badge.textContent).toBe("Status: created");
    expect(badge.getAttribute("title")).toContain("one-time setup");
    expect(document.getElementById(badge.getAttribute("aria-describedby")!)?.textContent).toContain("No setup has run yet.");
  });

  it("tells a cancelled setup as the person's cancel, in neutral colours, with Retry", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup")
        return {
          job: job({ state: "cancelled", errors: [{ attempt: 1, at: "2026-01-01T00:00:00Z", class: "cancelled", error: "cancelled" }] }),
          steps: [step(1, "initializing"), step(2, "compiling", { outcome: "cancelled", exit_code: null })],
        };
      if (cmd === "follow_job_log") return null;
    });
    render(SetupTimeline, { project: project({ setup_status: "failed", setup_error: "cancelled", stage: "error" }) });
    expect(await screen.findByTestId("retry-button")).toBeTruthy();
    expect(screen.getByTestId("setup-status").textContent).toBe("cancelled");
    const said = screen.getByTestId("setup-error");
    expect(said.textContent).toContain("You cancelled this setup");
    expect(said.className).not.toContain("error");
    const steps = await screen.findAllByTestId("setup-step");
    expect(steps[1].className).toContain("cancelled");
    expect(screen.getByText(/was cancelled/).className).toContain("stopped");
    expect(document.body.textContent).not.toMatch(/failed/i);
  });

  it("Check requirements answers all met when nothing is missing", async () => {
    let asked = 0;
    mockCommands((cmd) => {
      if (cmd === "project_setup") return null;
      if (cmd === "preflight") {
        asked++;
        return [{ name: "elixir", ok: true, detail: "1.17 at /usr/bin/elixir" }];
      }
    });
    render(SetupTimeline, { project: project() });
    await fireEvent.click(await screen.findByTestId("check-requirements"));
    await waitFor(() => expect(screen.getByTestId("check-answer").textContent).toContain("All requirements met."));
    await fireEvent.click(screen.getByTestId("check-requirements"));
    await waitFor(() => expect(asked).toBe(2));
    await waitFor(() => expect(screen.getByTestId("check-answer").textContent).toContain("All requirements met."));
  });

  it("Check requirements answers all met even when there is nothing to check", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_setup") return null;
      if (cmd === "preflight") return [];
    });
    render(SetupTimeline, { project: project() });
    await fireEvent.click(await screen.findByTestId("check-requirements"));
    await waitFor(() => expect(screen.getByTestId("check-answer").textContent).toContain("All requirements met."));
  });

  it("Check requirements lists what is missing, or says why it could not check", async () => {
    let fail = false;
    mockCommands((cmd) => {
      if (cmd === "project_setup") return null;
      if (cmd === "preflight") {
        if (fail) throw { code: "unavailable", message: "the database is locked" };
        return [
          { name: "elixir", ok: true, detail: "found" },
          { name: "mix", ok: false, detail: "not found on PATH" },
          { name: "GitHub token", ok: false, detail: "not signed in" },
        ];
      }
    });
    render(SetupTimeline, { project: project() });
    await fireEvent.click(await screen.findByTestId("check-requirements"));
    await waitFor(() => expect(screen.getByTestId("check-answer").textContent).toContain("2 requirements are missing: mix, GitHub token."));
    fail = true;
    await fireEvent.click(screen.getByTestId("check-requirements"));
    await waitFor(() => expect(screen.getByTestId("check-answer").textContent).toContain("could not be checked"));
    expect(screen.getByTestId("check-answer").textContent).toContain("could not be checked. The database is locked");
  });
});
