import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { FormState } from "./form-state.svelte";

describe("FormState", () => {
  it("a failed action leaves its problem, clears the notice and is no longer busy", async () => {
    const form = new FormState();
    form.notice = "Saved.";
    let busyMeanwhile = false;
    const ok = await form.run(async () => {
      busyMeanwhile = form.busy;
      throw new ApiError({ code: "invalid_input", message: "name is taken", field: "name" });
    });
    expect(ok).toBe(false);
    expect(busyMeanwhile).toBe(true);
    expect(form.busy).toBe(false);
    expect(form.notice).toBeNull();
    expect(form.problem).toMatchObject({ code: "invalid_input", field: "name", message: "name is taken" });
  });

  it("a successful action clears the last problem and keeps the notice it set", async () => {
    const form = new FormState();
    await form.run(() => Promise.reject(new Error("offline")));
    expect(form.problem?.message).toContain("offline");
    const ok = await form.run(async () => {
      form.notice = "Saved.";
    });
    expect(ok).toBe(true);
    expect(form.problem).toBeNull();
    expect(form.notice).toBe("Saved.");
  });
});
