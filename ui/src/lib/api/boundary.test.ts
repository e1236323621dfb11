import { describe, expect, it } from "vitest";

// Every UI source file, as text.
const sources = import.meta.glob(["../../**/*.ts", "../../**/*.svelte", "!../../**/*.test.ts", "!../../test/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("the backend boundary", () => {
  it("only lib/api imports @tauri-apps or the generated bindings", () => {
    const offenders = Object.entries(sources)
      // Keys are relative to this folder: "./…" is lib/api itself.
      .filter(([path]) => !path.startsWith("./") && !path.endsWith("/bindings.ts"))
      .filter(([, text]) => /from\s+["'](@tauri-apps\/|[./]*bindings)/.test(text))
      .map(([path]) => path);
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
