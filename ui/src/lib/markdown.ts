// A small markdown renderer for design-doc previews. Its output goes into {@html}, so it is
// built to be safe: the whole text is HTML-escaped first, and only the tags below are ever
// produced — headings (# to ####), paragraphs, - / * lists, fenced code blocks, inline code,
// **bold**, *italic* and [links](https://…) whose target is an http(s) URL.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Placeholders for finished inline pieces; NUL never survives into the escaped text.
const HOLE = "\u0000";

function inline(escaped: string): string {
  const held: string[] = [];
  const hold = (html: string) => `${HOLE}${held.push(html) - 1}${HOLE}`;

  let out = escaped.replace(/`([^`]+)`/g, (_, code: string) => hold(`<code>${code}</code>`));
  out = out.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole: string, label: string, url: string) =>
    /^https?:\/\/[^\s]+$/i.test(url)
      ? hold(`<a href="${url}" rel="noreferrer" target="_blank">${emphasis(label)}</a>`)
      : whole,
  );
  out = emphasis(out);
  return out.replace(new RegExp(`${HOLE}(\\d+)${HOLE}`, "g"), (_, i: string) => held[Number(i)]);
}

function emphasis(text: string): string {
  return text
    .replace(/\*\*(?!\s)(.+?)(?<!\s)\*\*/g, "<strong>$1</strong>")
    .replace(/\*(?![\s*])([^*<]+?)(?<!\s)\*/g, "<em>$1</em>");
}

const FENCE = /^\s*```\s*([\w+-]*)\s*$/;
const HEADING = /^(#{1,4})\s+(.*?)\s*#*\s*$/;
const ITEM = /^\s*[-*]\s+(.*)$/;

export function renderMarkdown(text: string): string {
  const lines = escapeHtml(text.replace(/\u0000/g, "").replace(/\r\n?/g, "\n")).split("\n");
  const html: string[] = [];
  let paragraph: string[] = [];
  let items: string[] = [];

  const flush = () => {
    if (paragraph.length) html.push(`<p>${inline(paragraph.join("\n"))}</p>`);
    if (items.length) html.push(`<ul>${items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`);
    paragraph = [];
    items = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      while (++i < lines.length && !/^\s*```\s*$/.test(lines[i])) body.push(lines[i]);
      const lang = fence[1] ? ` class="language-${fence[1]}"` : "";
      html.push(`<pre><code${lang}>${body.join("\n")}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1].length;
      html.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      if (paragraph.length) flush();
      items.push(item[1]);
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (items.length) flush();
    paragraph.push(line.trim());
  }
  flush();
  return html.join("\n");
}
