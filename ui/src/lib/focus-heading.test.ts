import { afterEach, describe, expect, it } from "vitest";
import { focusHeadingWhenShown } from "./focus-heading";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("focus after moving to another page", () => {
  afterEach(() => {
    document.body.innerHTML = "";
  });

  it("lands on the new page's heading once the page shows it", async () => {
    document.body.innerHTML = `<nav><a href="#/jobs" id="link">Jobs</a></nav><main id="main" tabindex="-1"></main>`;
    document.getElementById("link")!.focus();
    focusHeadingWhenShown();
    await tick();
    // The page loads its data first: the heading comes later.
    const heading = document.createElement("h1");
    heading.textContent = "Jobs";
    document.getElementById("main")!.append(heading);
    await tick();
    expect(document.activeElement).toBe(heading);
    expect(heading.getAttribute("tabindex")).toBe("-1");
  });

  it("leaves focus where the person put it while the page loaded", async () => {
    document.body.innerHTML = `<main id="main" tabindex="-1"><input id="search" /></main>`;
    focusHeadingWhenShown();
    const search = document.getElementById("search") as HTMLInputElement;
    search.focus();
    await tick();
    const heading = document.createElement("h1");
    document.getElementById("main")!.prepend(heading);
    await tick();
    expect(document.activeElement).toBe(search);
  });

  it("focuses the heading already there when the page swapped synchronously", async () => {
    document.body.innerHTML = `<main id="main" tabindex="-1"><h1>Settings</h1></main>`;
    focusHeadingWhenShown();
    await tick();
    expect(document.activeElement?.textContent).toBe("Settings");
  });
});
