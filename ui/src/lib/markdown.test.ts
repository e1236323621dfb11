import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

/** Parses the output as the browser would, to check what elements and attributes it makes. */
function dom(markdown: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = renderMarkdown(markdown);
  return div;
}

function expectInert(root: HTMLElement) {
  const allowed = new Set(["H1", "H2", "H3", "H4", "P", "UL", "LI", "PRE", "CODE", "STRONG", "EM", "A"]);
  for (const el of root.querySelectorAll("*")) {
    expect(allowed.has(el.tagName), `unexpected <${el.tagName}>`).toBe(true);
    for (const attr of el.attributes) {
      expect(attr.name.startsWith("on"), `event handler ${attr.name}`).toBe(false);
      expect(["href", "rel", "target", "class"]).toContain(attr.name);
    }
    if (el.tagName === "A") expect(el.getAttribute("href")).toMatch(/^https?:\/\//);
  }
}

describe("renderMarkdown structure", () => {
  it("renders headings one to four, and no deeper", () => {
    const html = renderMarkdown("# One\n## Two\n### Three\n#### Four\n##### Five");
    expect(html).toContain("<h1>One</h1>");
    expect(html).toContain("<h2>Two</h2>");
    expect(html).toContain("<h3>Three</h3>");
    expect(html).toContain("<h4>Four</h4>");
    expect(html).toContain("<p>##### Five</p>");
  });

  it("splits paragraphs on blank lines", () => {
    const root = dom("first line\nsame paragraph\n\nsecond");
    const ps = root.querySelectorAll("p");
    expect(ps).toHaveLength(2);
    expect(ps[0].textContent).toBe("first line\nsame paragraph");
    expect(ps[1].textContent).toBe("second");
  });

  it("renders - and * lists", () => {
    const root = dom("Intro\n- one\n* two\n- **three**\n\nafter");
    const items = [...root.querySelectorAll("ul > li")].map((li) => li.innerHTML);
    expect(items).toEqual(["one", "two", "<strong>three</strong>"]);
    expect(root.querySelector("p")!.textContent).toBe("Intro");
    expect(root.querySelectorAll("p")[1].textContent).toBe("after");
  });

  it("renders fenced code blocks verbatim, without inline formatting", () => {
    const html = renderMarkdown("```elixir\ndef **not_bold**, do: :ok\n# not a heading\n```\ntext");
    expect(html).toContain('<pre><code class="language-elixir">def **not_bold**, do: :ok\n# not a heading</code></pre>');
    expect(html).toContain("<p>text</p>");
  });

  it("renders an unclosed fence to the end", () => {
    expect(renderMarkdown("```\ncode")).toBe("<pre><code>code</code></pre>");
  });

  it("renders inline code, bold and italic", () => {
    const html = renderMarkdown("Use `a *b* c` with **care** and *style*, not snake_case_names or 2 * 3 * 4.");
    expect(html).toContain("<code>a *b* c</code>");
    expect(html).toContain("<strong>care</strong>");
    expect(html).toContain("<em>style</em>");
    expect(html).toContain("snake_case_names or 2 * 3 * 4.");
  });

  it("renders http(s) links with rel=noreferrer", () => {
    const root = dom("See [the docs](https://example.com/a?b=1&c=2) and [plain](http://x.org).");
    const links = root.querySelectorAll("a");
    expect(links).toHaveLength(2);
    expect(links[0].getAttribute("href")).toBe("https://example.com/a?b=1&c=2");
    expect(links[0].getAttribute("rel")).toBe("noreferrer");
    expect(links[0].textContent).toBe("the docs");
    expect(links[1].getAttribute("href")).toBe("http://x.org");
  });
});

describe("renderMarkdown safety", () => {
  it("escapes script tags", () => {
    const html = renderMarkdown("<script>alert(1)</script>");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expectInert(dom("<script>alert(1)</script>"));
  });

  it("escapes images with event handlers, also inside headings and lists", () => {
    const text = '<img src=x onerror="alert(1)">\n# <img src=x onerror=alert(1)>\n- <svg onload=alert(1)>';
    const root = dom(text);
    expect(root.querySelector("img, svg")).toBeNull();
    expect(root.textContent).toContain('<img src=x onerror="alert(1)">');
    expectInert(root);
  });

  it("does not make javascript:, data: or relative links", () => {
    for (const url of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/local", "//evil.com"]) {
      const root = dom(`[click](${url})`);
      expect(root.querySelector("a"), url).toBeNull();
      expect(root.textContent).toContain(`[click](${url})`);
    }
  });

  it("keeps quotes in a link target from breaking out of the attribute", () => {
    const root = dom('[x](https://a.com/"onmouseover="alert(1)) [y](https://b.com/\'><img/src/onerror=alert(1)>)');
    expectInert(root);
    const links = root.querySelectorAll("a");
    expect(links[0].getAttribute("href")).toBe('https://a.com/"onmouseover="alert(1');
    expect(links[0].attributes).toHaveLength(3);
    expect(root.querySelector("img")).toBeNull();
  });

  it("escapes HTML in code blocks and inline code", () => {
    const root = dom("```\n<b>bold</b><script>x()</script>\n```\nand `<img src=x onerror=alert(1)>`");
    expect(root.querySelector("pre code")!.textContent).toBe("<b>bold</b><script>x()</script>");
    expect(root.querySelector("p code")!.textContent).toBe("<img src=x onerror=alert(1)>");
    expectInert(root);
  });

  it("escapes HTML in link labels and formatted text", () => {
    const root = dom("[<b onclick=x>hi</b>](https://ok.com) **<i>bold</i>** *<u>it</u>*");
    expectInert(root);
    expect(root.querySelector("a")!.textContent).toBe("<b onclick=x>hi</b>");
  });

  it("ignores NUL characters that could imitate its placeholders", () => {
    const root = dom("`code` \u00000\u0000 [a](javascript:x)");
    expectInert(root);
    expect(root.innerHTML).not.toContain("\u0000");
  });
});
