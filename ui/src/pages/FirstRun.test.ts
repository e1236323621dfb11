import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import FirstRun from "./FirstRun.svelte";
import { account } from "../test/fixtures";
import { mockCommands } from "../test/ipc";

function backend(handle: (cmd: string, args: Record<string, unknown>) => unknown = () => account()) {
  const calls: string[] = [];
  mockCommands((cmd, args) => {
    calls.push(cmd);
    return handle(cmd, args as Record<string, unknown>);
  });
  return calls;
}

const byId = (id: string) => document.getElementById(id) as HTMLInputElement;
const errorOf = (id: string) => byId(id).closest(".field")!.querySelector(".field-error")?.textContent ?? null;

async function type(id: string, value: string) {
  await fireEvent.input(byId(id), { target: { value } });
}

describe("FirstRun", () => {
  it("does not lean on the browser's validation", () => {
    backend();
    render(FirstRun, { profiles: [], onDone: () => {} });
    expect(byId("profile-email").closest("form")!.noValidate).toBe(true);
    expect(byId("profile-email").required).toBe(false);
  });

  it("shows an empty email and a missing password under their fields at once, sending nothing", async () => {
    const calls = backend();
    render(FirstRun, { profiles: [], onDone: () => {} });
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect(screen.getByTestId("field-error-email").textContent).toBe("Enter your email address.");
    expect(screen.getByTestId("field-error-password").textContent).toContain("at least 8 characters");
    expect(byId("profile-email").getAttribute("aria-invalid")).toBe("true");
    expect(byId("profile-email").getAttribute("aria-describedby")).toBe("profile-email-error");
    await waitFor(() => expect(document.activeElement).toBe(byId("profile-email")));
    expect(calls).toEqual([]);
  });

  it("shows a malformed email and a too-short password, each under its field", async () => {
    const calls = backend();
    render(FirstRun, { profiles: [], onDone: () => {} });
    for (const bad of ["ada", "ada@example", "@example.com", "ada @example.com", "ada@.com", "a@b@c.com"]) {
      await type("profile-email", bad);
      await type("profile-password", "short");
      await fireEvent.click(screen.getByTestId("profile-submit"));
      expect(errorOf("profile-email"), bad).toBe("Enter an email address such as ada@example.com.");
      expect(errorOf("profile-password")).toBe("The password is too short: at least 8 characters.");
    }
    expect(calls).toEqual([]);
    // Typing clears that field's message only.
    await type("profile-email", "ada@example.com");
    expect(errorOf("profile-email")).toBeNull();
    expect(errorOf("profile-password")).not.toBeNull();
  });

  it("shows a bad workspace folder with the form's own problems, before creating anything", async () => {
    const calls = backend((cmd) => {
      if (cmd === "set_setting") throw { code: "invalid_input", field: "value", message: "the workspace folder must be an absolute path" };
      return account();
    });
    render(FirstRun, { profiles: [], onDone: () => {} });
    await type("profile-email", "ada");
    await type("profile-password", "a long password");
    await type("profile-workspace", "code");
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect((await screen.findByTestId("field-error-workspace")).textContent).toBe("the workspace folder must be an absolute path");
    expect(errorOf("profile-email")).toContain("such as ada@example.com");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(calls).toEqual(["set_setting"]);
  });

  it("shows every problem the core reports under its field", async () => {
    let done = 0;
    backend((cmd) => {
      if (cmd === "create_profile")
        throw {
          code: "invalid_input",
          field: "email",
          message: "email: a profile with this email already exists; name: name is too long",
          fields: [
            { field: "email", message: "a profile with this email already exists" },
            { field: "name", message: "name is too long" },
          ],
        };
    });
    render(FirstRun, { profiles: [], onDone: () => done++ });
    await type("profile-email", "ada@example.com");
    await type("profile-name", "Ada");
    await type("profile-password", "a long password");
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect((await screen.findByTestId("field-error-email")).textContent).toBe("a profile with this email already exists");
    expect(screen.getByTestId("field-error-name").textContent).toBe("name is too long");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(done).toBe(0);
  });

  it("signing in asks for the profile and the password", async () => {
    const calls = backend();
    render(FirstRun, { profiles: [account()], onDone: () => {} });
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect(screen.getByTestId("field-error-email").textContent).toBe("Choose your profile.");
    expect(screen.getByTestId("field-error-password").textContent).toBe("Enter your password.");
    expect(calls).toEqual([]);
  });

  it("shows a refused sign-in above the form", async () => {
    backend((cmd) => {
      if (cmd === "sign_in") throw { code: "unauthenticated", message: "wrong email or password" };
    });
    render(FirstRun, { profiles: [account()], onDone: () => {} });
    await fireEvent.change(byId("profile-email"), { target: { value: "ada@example.com" } });
    await type("profile-password", "whatever it is");
    await fireEvent.click(screen.getByTestId("profile-submit"));
    expect((await screen.findByRole("alert")).textContent).toBe("wrong email or password");
  });
});
