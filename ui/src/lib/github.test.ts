import { describe, expect, it } from "vitest";
import { deviceProblemText, ownerValue } from "./github";

describe("device sign-in problems", () => {
  it("a missing client id points at the field in the window, not at a command", () => {
    const text = deviceProblemText({
      code: "invalid_input",
      field: "github_client_id",
      message: "signing in with a code needs the client id of an OAuth App (github_client_id); set it first",
      fields: [],
    });
    expect(text).toMatch(/client id/);
    expect(text).not.toMatch(/codemyspec|config set/);
  });

  it("any other problem is GitHub's own words", () => {
    const message = "the code expired before it was entered";
    expect(deviceProblemText({ code: "invalid_input", field: "device", message, fields: [] })).toBe(message);
  });

  it("the account itself is the empty organization", () => {
    expect(ownerValue({ login: "ada-gh", is_account: true })).toBe("");
    expect(ownerValue({ login: "acme", is_account: false })).toBe("acme");
  });
});
