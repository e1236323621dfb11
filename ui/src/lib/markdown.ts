// Markdown for design-doc previews: CommonMark with GitHub's tables, strikethrough and task
// lists (marked), then sanitized (DOMPurify) because the output goes into {@html}. What
// survives is a fixed set of formatting tags; links keep only http(s) targets and open
// outside the app, after asking (lib/preview-links.ts); no script, style, event handler,
// form, frame or image survives (an image is shown as a link to it, so a doc never loads
// anything by itself).
import { Marked, type Tokens } from "marked";
import DOMPurify, { type DOMPurify as Purifier } from "dompurify";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // ![alt](url) → a link named by its alt text: nothing is fetched by the preview.
    image({ href, text }: Tokens.Image) {
      const name = escapeHtml(text || href);
      return `<a href="${escapeHtml(href)}">${name}</a>`;
    },
  },
});

const ALLOWED_TAGS = [
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "p",
  "br",
  "hr",
  "blockquote",
  "ul",
  "ol",
  "li",
  "input",
  "pre",
  "code",
  "kbd",
  "samp",
  "sub",
  "sup",
  "strong",
  "em",
  "b",
  "i",
  "u",
  "del",
  "s",
  "ins",
  "mark",
  "small",
  "abbr",
  "a",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "th",
  "td",
  "caption",
  "details",
  "summary",
  "dl",
  "dt",
  "dd",
  "span",
  "div",
];
const ALLOWED_ATTR = ["href", "title", "align", "start", "type", "checked", "disabled", "class", "colspan", "rowspan", "open"];
const SAFE_URL = /^https?:\/\/[^\s]+$/i;

let purifier: Purifier | null = null;

/** One DOMPurify of our own, so its hooks touch nothing else. */
function purify(): Purifier {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook("uponSanitizeAttribute", (node, data) => {
    // Classes only for a code block's language (marked's `language-x`), never app classes.
    if (data.attrName === "class") data.keepAttr = node.nodeName === "CODE" && /^language-[\w+#-]+$/.test(data.attrValue);
    // Inputs only as GitHub's task-list checkboxes.
    if (data.attrName === "type") data.keepAttr = node.nodeName === "INPUT" && data.attrValue === "checkbox";
  });
  p.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "INPUT") {
      if (node.getAttribute("type") !== "checkbox") node.remove();
      else node.setAttribute("disabled", "");
    }
    if (node.nodeName === "A") {
      const href = node.getAttribute("href") ?? "";
      if (SAFE_URL.test(href)) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noreferrer");
      } else {
        // javascript:, data:, relative and in-page targets: the text stays, the link goes.
        node.removeAttribute("href");
      }
    }
  });
  purifier = p;
  return p;
}

/** The markdown as safe HTML (for {@html}). */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text.replaceAll("\u0000", ""), { async: false });
  return purify()
    .sanitize(html, {
      ALLOWED_TAGS,
      ALLOWED_ATTR,
      ALLOW_DATA_ATTR: false,
      ALLOW_ARIA_ATTR: false,
      KEEP_CONTENT: true,
    })
    .trim();
}
