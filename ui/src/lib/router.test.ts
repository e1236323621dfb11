import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { navigate, parse, router } from "./router.svelte";
import { register } from "./unsaved.svelte";

describe("routes", () => {
  it("parses every page and refuses the rest", () => {
    expect(parse("")).toEqual({ name: "dashboard" });
    expect(parse("#/new")).toEqual({ name: "new" });
    expect(parse("#/projects/abc")).toEqual({ name: "project", id: "abc", tab: "overview" });
    expect(parse("#/projects/abc/stories")).toEqual({ name: "project", id: "abc", tab: "stories" });
    expect(parse("#/projects/abc/conflicts")).toEqual({ name: "project", id: "abc", tab: "conflicts" });
    expect(parse("#/jobs/12")).toEqual({ name: "job", id: 12 });
    expect(parse("#/settings")).toEqual({ name: "settings" });
    expect(parse("#/projects/abc/nope").name).toBe("missing");
    expect(parse("#/jobs/x").name).toBe("missing");
  });
});

/** Changes the address as a link or the back button would, and lets the router react. */
async function follow(hash: string) {
  const changed = new Promise((r) => window.addEventListener("hashchange", r, { once: true }));
  location.hash = hash;
  await changed;
  await new Promise((r) => setTimeout(r, 0));
}

describe("leaving a page with unsaved edits", () => {
  let dirty = true;
  let off: () => void = () => {};
  let confirm: ReturnType<typeof vi.spyOn>;

  beforeEach(async () => {
    await navigate("/projects/p1/stories");
    dirty = true;
    off = register({ title: () => "“Pay by card”", dirty: () => dirty });
    confirm = vi.spyOn(window, "confirm");
  });

  afterEach(() => {
    off();
    confirm.mockRestore();
  });

  it("asks once when a link is followed, and keeps the page and its address when the edits are kept", async () => {
    confirm.mockReturnValue(false);
    await follow("#/projects/p1/contexts");
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(confirm).toHaveBeenCalledWith("Discard your unsaved changes to “Pay by card”?");
    expect(router.route).toEqual({ name: "project", id: "p1", tab: "stories" });
    expect(location.hash).toBe("#/projects/p1/stories");
  });

  it("follows the link when the edits are discarded", async () => {
    confirm.mockReturnValue(true);
    await follow("#/settings");
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(router.route).toEqual({ name: "settings" });
    expect(location.hash).toBe("#/settings");
  });

  it("does not ask without unsaved edits", async () => {
    dirty = false;
    await follow("#/jobs");
    expect(confirm).not.toHaveBeenCalled();
    expect(router.route).toEqual({ name: "jobs" });
  });

  it("asks before navigate() goes, and stays when the edits are kept", async () => {
    confirm.mockReturnValue(false);
    expect(await navigate("/new")).toBe(false);
    expect(router.route.name).toBe("project");
    expect(location.hash).toBe("#/projects/p1/stories");

    confirm.mockReturnValue(true);
    expect(await navigate("/new")).toBe(true);
    expect(router.route.name).toBe("new");
    expect(location.hash).toBe("#/new");
    await new Promise((r) => setTimeout(r, 0));
    // Its own hash change asks nothing more.
    expect(confirm).toHaveBeenCalledTimes(2);
  });
});
