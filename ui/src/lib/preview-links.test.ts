import { describe, expect, it, vi } from "vitest";
import { askBeforeOpening } from "./preview-links";
import { renderMarkdown } from "./markdown";

function preview(markdown: string) {
  const node = document.createElement("div");
  node.innerHTML = renderMarkdown(markdown);
  document.body.append(node);
  const ask = vi.fn();
  const action = askBeforeOpening(node, ask);
  return { node, ask, action };
}

describe("links in a preview", () => {
  it("a click on an http(s) link asks about it and the webview does not follow it", () => {
    const { node, ask } = preview("See [the docs](https://example.com/docs?a=1).");
    const event = new MouseEvent("click", { bubbles: true, cancelable: true });
    node.querySelector("a")!.dispatchEvent(event);
    expect(ask).toHaveBeenCalledWith("https://example.com/docs?a=1");
    expect(event.defaultPrevented).toBe(true);
  });

  it("a link the sanitizer emptied asks nothing and goes nowhere", () => {
    const { node, ask } = preview("[run](javascript:alert(1)) and [here](/relative)");
    for (const a of node.querySelectorAll("a")) {
      const event = new MouseEvent("click", { bubbles: true, cancelable: true });
      a.dispatchEvent(event);
      expect(event.defaultPrevented).toBe(true);
    }
    expect(ask).not.toHaveBeenCalled();
  });

  it("a click elsewhere in the preview is left alone, and nothing is caught once it is gone", () => {
    const { node, ask, action } = preview("plain **text** and [a](https://example.com)");
    const event = new MouseEvent("click", { bubbles: true, cancelable: true });
    node.querySelector("strong")!.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    action?.destroy?.();
    node.querySelector("a")!.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
    expect(ask).not.toHaveBeenCalled();
  });
});
