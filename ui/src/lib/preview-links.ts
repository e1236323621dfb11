// Links in a markdown preview leave the app only through the browser, and only after the
// person says so: a click (or Enter) on one is caught here and handed to `ask`, which shows
// the question; the webview itself never follows it (target=_blank does nothing on Linux,
// and following it in place would replace the app with the page).
import type { Action } from "svelte/action";

export const askBeforeOpening: Action<HTMLElement, (url: string) => void> = (node, ask) => {
  let current = ask;
  const onClick = (event: MouseEvent) => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (!link || !node.contains(link)) return;
    event.preventDefault();
    const href = link.getAttribute("href");
    // A link the sanitizer emptied (javascript:, relative) has no href: nothing to open.
    if (href) current(href);
  };
  node.addEventListener("click", onClick);
  return {
    update(next) {
      current = next;
    },
    destroy() {
      node.removeEventListener("click", onClick);
    },
  };
};
