// After a move to another page (a link, the back button, creating something), keyboard and
// screen-reader users land on the new page's heading instead of on the body or a link that
// is gone. Pages load their data first, so the heading is waited for; a person who has
// already put focus somewhere else in the meantime keeps it.

/** How long a page may take to show its heading before we give up (it may have none). */
const WAIT_MS = 5000;

let cancelPending: (() => void) | null = null;

/** Focuses the first `h1` inside `#main` once it is there. */
export function focusHeadingWhenShown(doc: Document = document): void {
  cancelPending?.();
  const before = doc.activeElement;
  const root = () => doc.getElementById("main");
  /** Focus still where the navigation left it (or dropped to the body with a removed button). */
  const untouched = () => {
    const now = doc.activeElement;
    return now === before || now === null || now === doc.body || now === root() || !root()?.contains(now);
  };
  const attempt = (): boolean => {
    const heading = root()?.querySelector<HTMLElement>("h1");
    if (!heading) return false;
    if (untouched()) {
      // A heading is not a tab stop: -1 makes it focusable from script only.
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
    return true;
  };
  // The old page is still in the DOM until the framework swaps it (a microtask): look after.
  let observer: MutationObserver | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = () => {
    observer?.disconnect();
    if (timer) clearTimeout(timer);
    cancelPending = null;
  };
  cancelPending = stop;
  timer = setTimeout(() => {
    if (cancelPending !== stop) return;
    if (attempt()) return stop();
    observer = new MutationObserver(() => {
      if (attempt()) stop();
    });
    observer.observe(doc.body, { childList: true, subtree: true });
    timer = setTimeout(stop, WAIT_MS);
  }, 0);
}
