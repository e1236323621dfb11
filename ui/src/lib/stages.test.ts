import { describe, expect, it } from "vitest";
import { SETUP_MEANING, STAGES, STAGE_MEANING, setupHint, stageHint } from "./stages";

describe("stages", () => {
  it("explains every one of the 17 stages", () => {
    expect(STAGES).toHaveLength(17);
    expect(new Set(STAGES).size).toBe(17);
    expect(Object.keys(STAGE_MEANING).sort()).toEqual([...STAGES].sort());
    const hint = stageHint("initialized");
    expect(hint).toContain("now initialized");
    for (const s of STAGES) expect(hint).toContain(`${s.replaceAll("_", " ")}: ${STAGE_MEANING[s]}`);
  });

  it("says what setup status means", () => {
    expect(setupHint("ready")).toContain(SETUP_MEANING.ready);
    expect(setupHint("ready")).toMatch(/^Setup: /);
  });
});
