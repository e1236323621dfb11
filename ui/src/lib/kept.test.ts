import { describe, expect, it } from "vitest";
import { kept } from "./kept";

describe("kept", () => {
  it("takes the element out of the document while it is not shown, and puts it back in its place", () => {
    document.body.innerHTML = `<main><p id="before"></p><div id="page"><input value="typed"></div><p id="after"></p></main>`;
    const page = document.getElementById("page")!;
    const input = page.querySelector("input")!;
    const putBack = kept(false)(page);
    expect(input.isConnected).toBe(false);
    expect(document.querySelector("input")).toBeNull();
    expect(typeof putBack).toBe("function");
    (putBack as () => void)();
    expect([...document.querySelector("main")!.children].map((e) => e.id)).toEqual(["before", "page", "after"]);
    expect(page.querySelector("input")).toBe(input);
    expect(input.value).toBe("typed");
  });

  it("puts nothing back in the document when the framework removed the element meanwhile", () => {
    document.body.innerHTML = `<main><div id="page"><h1>Kept</h1></div></main>`;
    const page = document.getElementById("page")!;
    const putBack = kept(false)(page) as () => void;
    page.remove();
    putBack();
    expect(document.querySelector("h1")).toBeNull();
  });

  it("leaves a shown element where it is", () => {
    document.body.innerHTML = `<main><div id="page"></div></main>`;
    const page = document.getElementById("page")!;
    expect(kept(true)(page)).toBeUndefined();
    expect(page.isConnected).toBe(true);
  });
});
