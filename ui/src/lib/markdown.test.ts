import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

/** Parses the output as the browser would, to check what elements and attributes it makes. */
function dom(markdown: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = renderMarkdown(markdown);
  return div;
}

/** Nothing that runs, loads or navigates anywhere but an http(s) page. */
function expectInert(root: HTMLElement) {
  expect(root.querySelector("script, style, iframe, object, embed, img, svg, math, form, link, meta, base")).toBeNull();
  for (const el of root.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith("on"), `event handler ${attr.name} on <${el.tagName}>`).toBe(false);
      expect(["style", "src", "srcdoc", "action", "formaction", "xlink:href"]).not.toContain(attr.name);
    }
    if (el.hasAttribute("href")) expect(el.getAttribute("href")).toMatch(/^https?:\/\//);
  }
}

describe("renderMarkdown structure", () => {
  it("renders headings", () => {
    const html = renderMarkdown("# One\n## Two\n### Three\n#### Four");
    expect(html).toContain("<h1>One</h1>");
    expect(html).toContain("<h2>Two</h2>");
    expect(html).toContain("<h3>Three</h3>");
    expect(html).toContain("<h4>Four</h4>");
  });

  it("splits paragraphs on blank lines", () => {
    const root = dom("first line\nsame paragraph\n\nsecond");
    const ps = root.querySelectorAll("p");
    expect(ps).toHaveLength(2);
    expect(ps[0].textContent).toBe("first line\nsame paragraph");
    expect(ps[1].textContent).toBe("second");
  });

  it("renders - and * lists", () => {
    const root = dom("Intro\n\n- one\n- **two**\n\n* three\n\nafter");
    const items = [...root.querySelectorAll("ul > li")].map((li) => li.innerHTML);
    expect(items).toEqual(["one", "<strong>two</strong>", "three"]);
    expect(root.querySelector("p")!.textContent).toBe("Intro");
    expect([...root.querySelectorAll("p")].at(-1)!.textContent).toBe("after");
  });

  it("renders numbered lists, keeping where they start", () => {
    const root = dom("1. one\n2. two\n3. three\n\ntext\n\n4. four\n5. five");
    const lists = root.querySelectorAll("ol");
    expect(lists).toHaveLength(2);
    expect([...lists[0].querySelectorAll("li")].map((li) => li.textContent)).toEqual(["one", "two", "three"]);
    expect(lists[1].getAttribute("start")).toBe("4");
  });

  it("renders nested lists and task lists", () => {
    const root = dom("- parent\n  1. child\n- [x] done\n- [ ] todo");
    expect(root.querySelector("ul > li > ol > li")!.textContent).toBe("child");
    const boxes = [...root.querySelectorAll("input")] as HTMLInputElement[];
    expect(boxes.map((b) => [b.type, b.checked, b.disabled])).toEqual([
      ["checkbox", true, true],
      ["checkbox", false, true],
    ]);
  });

  it("renders block quotes", () => {
    const root = dom("> quoted **text**\n> more\n\nafter");
    const quote = root.querySelector("blockquote")!;
    expect(quote.querySelector("p")!.innerHTML).toBe("quoted <strong>text</strong>\nmore");
    expect(root.querySelector(":scope > p")!.textContent).toBe("after");
  });

  it("renders GitHub tables with their alignment", () => {
    const root = dom("| Field | Type |\n|:------|-----:|\n| name | `string` |\n| age | integer |");
    const table = root.querySelector("table")!;
    expect([...table.querySelectorAll("thead th")].map((th) => th.textContent)).toEqual(["Field", "Type"]);
    const rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.innerHTML));
    expect(rows).toEqual([
      ["name", "<code>string</code>"],
      ["age", "integer"],
    ]);
    expect(table.querySelector("th")!.getAttribute("align")).toBe("left");
    expect(table.querySelectorAll("th")[1].getAttribute("align")).toBe("right");
  });

  it("renders fenced code blocks verbatim, with their language", () => {
    const root = dom("```elixir\ndef **not_bold**, do: :ok\n# not a heading\n```\ntext");
    const code = root.querySelector("pre > code")!;
    expect(code.className).toBe("language-elixir");
    expect(code.textContent).toBe("def **not_bold**, do: :ok\n# not a heading\n");
    expect(root.querySelector("p")!.textContent).toBe("text");
  });

  it("renders inline code, bold, italic and strikethrough", () => {
    const html = renderMarkdown("Use `a *b* c` with **care**, *style* and ~~not this~~, not snake_case_names or 2 * 3 * 4.");
    expect(html).toContain("<code>a *b* c</code>");
    expect(html).toContain("<strong>care</strong>");
    expect(html).toContain("<em>style</em>");
    expect(html).toContain("<del>not this</del>");
    expect(html).toContain("snake_case_names or 2 * 3 * 4.");
  });

  it("renders http(s) links that open outside the app", () => {
    const root = dom("See [the docs](https://example.com/a?b=1&c=2), [plain](http://x.org) and https://auto.link/x.");
    const links = root.querySelectorAll("a");
    expect([...links].map((a) => a.getAttribute("href"))).toEqual(["https://example.com/a?b=1&c=2", "http://x.org", "https://auto.link/x"]);
    expect(links[0].getAttribute("rel")).toBe("noreferrer");
    expect(links[0].getAttribute("target")).toBe("_blank");
    expect(links[0].textContent).toBe("the docs");
  });

  it("shows an image as a link to it, loading nothing", () => {
    const root = dom("![the diagram](https://example.com/d.png)");
    expect(root.querySelector("img")).toBeNull();
    const link = root.querySelector("a")!;
    expect(link.textContent).toBe("the diagram");
    expect(link.getAttribute("href")).toBe("https://example.com/d.png");
  });
});

describe("renderMarkdown safety", () => {
  it("strips script tags and their content", () => {
    const root = dom("before\n\n<script>alert(1)</script>\n\nafter <script>alert(2)</script>");
    expect(root.innerHTML).not.toContain("<script");
    expect(root.textContent).not.toContain("alert");
    expect(root.textContent).toContain("before");
    expect(root.textContent).toContain("after");
    expectInert(root);
  });

  it("strips images and event handlers, also inside headings, lists, quotes and tables", () => {
    const text = [
      '<img src=x onerror="alert(1)">',
      "# <img src=x onerror=alert(1)> title",
      "- <svg onload=alert(1)>",
      '> <b onclick="alert(1)">bold</b>',
      '| a |\n|---|\n| <span onmouseover="alert(1)">x</span> |',
      '<div onclick="alert(1)" style="position:fixed">covered</div>',
      '<a href="https://ok.com" onclick="alert(1)">ok</a>',
    ].join("\n\n");
    const root = dom(text);
    expect(root.innerHTML).not.toMatch(/onerror|onload|onclick|onmouseover/i);
    expect(root.querySelector("h1")!.textContent).toContain("title");
    expect(root.querySelector("blockquote b")!.textContent).toBe("bold");
    expect(root.querySelector("a")!.getAttribute("href")).toBe("https://ok.com");
    expectInert(root);
  });

  it("does not make javascript:, data: or relative links", () => {
    for (const url of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "java\tscript:alert(1)",
      "data:text/html,x",
      "/local",
      "//evil.com",
      "#top",
    ]) {
      const root = dom(`[click](${url}) <a href="${url}">raw</a>`);
      expect(root.querySelector("a[href]"), url).toBeNull();
      expect(root.textContent, url).toContain("click");
      expectInert(root);
    }
  });

  it("keeps quotes in a link target from breaking out of the attribute", () => {
    const root = dom('[x](https://a.com/"onmouseover="alert(1)) [y](https://b.com/\'><img/src/onerror=alert(1)>)');
    expectInert(root);
    expect(root.querySelector("img")).toBeNull();
    for (const a of root.querySelectorAll("a")) expect([...a.attributes].map((at) => at.name).sort()).toEqual(["href", "rel", "target"]);
  });

  it("escapes HTML in code blocks and inline code", () => {
    const root = dom("```\n<b>bold</b><script>x()</script>\n```\nand `<img src=x onerror=alert(1)>`");
    expect(root.querySelector("pre code")!.textContent).toBe("<b>bold</b><script>x()</script>\n");
    expect(root.querySelector("p code")!.textContent).toBe("<img src=x onerror=alert(1)>");
    expectInert(root);
  });

  it("drops frames, forms, styles and app class names", () => {
    const root = dom(
      '<iframe src="https://evil.com"></iframe><form action="https://evil.com"><input name=p><button>go</button></form>' +
        '<style>body{display:none}</style><p class="error btn" style="color:red">text</p>',
    );
    expectInert(root);
    expect(root.querySelector("iframe, form, style, button")).toBeNull();
    expect(root.querySelector("input")).toBeNull();
    expect(root.querySelector("p")!.getAttribute("class")).toBeNull();
    expect(root.textContent).toContain("text");
  });

  it("ignores NUL characters", () => {
    const root = dom("`code` \u00000\u0000 [a](javascript:x)");
    expectInert(root);
    expect(root.innerHTML).not.toContain("\u0000");
  });
});
