import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttle } from "./live";

describe("throttle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads at once, collapses a burst into one more read, and always reads the last change", () => {
    const run = vi.fn();
    const soon = throttle(run, 250);
    soon();
    expect(run).toHaveBeenCalledTimes(1);
    // Ten events a second for a second: the first read, then one per 250 ms at most.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(100);
      soon();
    }
    vi.advanceTimersByTime(1000);
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(run.mock.calls.length).toBeLessThanOrEqual(6);
    const before = run.mock.calls.length;
    soon();
    vi.advanceTimersByTime(250);
    expect(run).toHaveBeenCalledTimes(before + 1);
  });

  it("drops the pending read when cancelled (the component went)", () => {
    const run = vi.fn();
    const soon = throttle(run, 250);
    soon();
    soon();
    soon.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
