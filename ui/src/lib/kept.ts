// Pages the window keeps while another is shown. Going back and forth between the project
// list and a project is what people do most, and WebKit keeps part of the native memory of
// every element a page makes and removes (docs/BENCHMARKS.md, issue 22's soak): so those two
// pages are made once and kept. A kept page that is not shown is out of the document — no
// query, focus, tab stop, screen reader or layout meets it — and goes back in its place, as it
// was, when it is shown again.
import type { Attachment } from "svelte/attachments";

/**
 * `{@attach kept(shown)}`: what the element holds is out of the document while `shown` is
 * false. The element itself stays, empty, where the framework put it: so when the framework
 * removes it (the page is made again), nothing of it is put back anywhere.
 */
export function kept(shown: boolean): Attachment<Element> {
  return (node) => {
    if (shown) return;
    const away = node.ownerDocument.createDocumentFragment();
    away.append(...node.childNodes);
    return () => node.append(...away.childNodes);
  };
}
