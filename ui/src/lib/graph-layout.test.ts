import { describe, expect, it } from "vitest";
import { layout, NODE_WIDTH } from "./graph-layout";

const c = (id: string, dirty = false) => ({ id, name: id, dirty });
const dep = (from: string, to: string) => ({ component_id: from, depends_on_id: to });
const layerOf = (l: ReturnType<typeof layout>) => Object.fromEntries(l.nodes.map((n) => [n.id, n.layer]));

describe("layout", () => {
  it("puts a component one layer right of what it depends on", () => {
    const l = layout([c("web"), c("repo"), c("schema")], [dep("web", "repo"), dep("repo", "schema")]);
    expect(layerOf(l)).toEqual({ schema: 0, repo: 1, web: 2 });
    const x = Object.fromEntries(l.nodes.map((n) => [n.id, n.x]));
    expect(x.schema).toBeLessThan(x.repo);
    expect(x.repo).toBeLessThan(x.web);
    expect(l.layers).toBe(3);
  });

  it("uses the longest path in a diamond", () => {
    // top → left, right → bottom, and top → bottom directly.
    const l = layout(
      [c("top"), c("left"), c("right"), c("bottom")],
      [dep("top", "left"), dep("top", "right"), dep("left", "bottom"), dep("right", "bottom"), dep("top", "bottom")],
    );
    expect(layerOf(l)).toEqual({ bottom: 0, left: 1, right: 1, top: 2 });
    const left = l.nodes.find((n) => n.id === "left")!;
    const right = l.nodes.find((n) => n.id === "right")!;
    expect(left.x).toBe(right.x);
    expect(left.y).not.toBe(right.y);
    expect(l.edges).toHaveLength(5);
  });

  it("draws each edge from the dependent to the dependency", () => {
    const l = layout([c("a"), c("b", true)], [dep("a", "b")]);
    const [edge] = l.edges;
    const a = l.nodes.find((n) => n.id === "a")!;
    const b = l.nodes.find((n) => n.id === "b")!;
    expect(edge).toMatchObject({ from: "a", to: "b", x1: a.x, x2: b.x + NODE_WIDTH, back: false });
    expect(b.dirty).toBe(true);
    expect(l.width).toBeGreaterThanOrEqual(a.x + NODE_WIDTH);
  });

  it("terminates on a cycle and places every component", () => {
    const l = layout([c("a"), c("b"), c("c"), c("d")], [dep("a", "b"), dep("b", "c"), dep("c", "a"), dep("d", "a")]);
    expect(l.nodes).toHaveLength(4);
    for (const n of l.nodes) expect(Number.isFinite(n.layer)).toBe(true);
    expect(l.edges.filter((e) => e.back)).toHaveLength(1);
    const layers = layerOf(l);
    expect(layers.d).toBeGreaterThan(layers.a);
  });

  it("ignores self edges, duplicates and unknown ids", () => {
    const l = layout([c("a"), c("b")], [dep("a", "a"), dep("a", "b"), dep("a", "b"), dep("a", "gone"), dep("gone", "b")]);
    expect(l.edges).toHaveLength(1);
    expect(layerOf(l)).toEqual({ b: 0, a: 1 });
  });

  it("handles an empty graph", () => {
    expect(layout([], [])).toMatchObject({ nodes: [], edges: [], width: 0, height: 0, layers: 0 });
  });

  it("lays out a large chain without recursion limits", () => {
    const n = 5000;
    const comps = Array.from({ length: n }, (_, i) => c(`n${i}`));
    const deps = comps.slice(1).map((x, i) => dep(x.id, `n${i}`));
    const l = layout(comps, deps);
    expect(l.nodes[n - 1].layer).toBe(n - 1);
  });
});
