// Lays a dependency graph out in layers, left to right: a component sits one layer right of
// everything it depends on, so what nothing depends on ends up rightmost. Pure and
// tolerant: edges to unknown components are dropped, and a cycle in the data (which the
// backend forbids, but old data may hold) is broken where it is met instead of looping.

export type LayoutInput = { id: string; name: string; dirty?: boolean };
export type LayoutDependency = { component_id: string; depends_on_id: string };

export type LayoutNode = {
  id: string;
  name: string;
  dirty: boolean;
  layer: number;
  /** Position within its layer, top first. */
  row: number;
  x: number;
  y: number;
};

export type LayoutEdge = {
  /** The dependent… */
  from: string;
  /** …and what it depends on; the arrow points here. */
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Part of a cycle: it points right (or within a layer) instead of left. */
  back: boolean;
};

export type Layout = { nodes: LayoutNode[]; edges: LayoutEdge[]; width: number; height: number; layers: number };

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 34;
const GAP_X = 70;
const GAP_Y = 16;
const PAD = 12;

/** Each component's layer: 0 for no dependencies, else one more than its deepest dependency. */
export function layers(ids: string[], deps: Map<string, Set<string>>): Map<string, number> {
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const waiting = new Map<string, number>();
  for (const id of ids) {
    const on = deps.get(id) ?? new Set();
    waiting.set(id, on.size);
    for (const d of on) dependents.get(d)!.push(id);
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const done = new Set<string>();
  const queue = ids.filter((id) => waiting.get(id) === 0);
  const visit = (id: string) => {
    done.add(id);
    for (const dependent of dependents.get(id)!) {
      if (done.has(dependent)) continue; // a cycle's back edge
      layer.set(dependent, Math.max(layer.get(dependent)!, layer.get(id)! + 1));
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) queue.push(dependent);
    }
  };
  let next = 0;
  while (done.size < ids.length) {
    if (next < queue.length) {
      const id = queue[next++];
      if (!done.has(id)) visit(id);
      continue;
    }
    // Only cycles (and what depends on them) are left: break one at its first member.
    const stuck = ids.find((id) => !done.has(id))!;
    queue.push(stuck);
  }
  return layer;
}

export function layout(components: LayoutInput[], dependencies: LayoutDependency[]): Layout {
  const known = new Set(components.map((c) => c.id));
  const deps = new Map<string, Set<string>>();
  for (const d of dependencies) {
    if (!known.has(d.component_id) || !known.has(d.depends_on_id) || d.component_id === d.depends_on_id) continue;
    if (!deps.has(d.component_id)) deps.set(d.component_id, new Set());
    deps.get(d.component_id)!.add(d.depends_on_id);
  }
  const ids = components.map((c) => c.id);
  const layerOf = layers(ids, deps);

  // Fill the layers left to right; within one, order by where the dependencies sit (a
  // barycenter pass) so edges cross less, then by name.
  const count = Math.max(0, ...layerOf.values()) + (ids.length ? 1 : 0);
  const byLayer: LayoutInput[][] = Array.from({ length: count }, () => []);
  for (const c of components) byLayer[layerOf.get(c.id)!].push(c);
  const rowOf = new Map<string, number>();
  for (const column of byLayer) {
    const weight = (c: LayoutInput) => {
      const rows = [...(deps.get(c.id) ?? [])].map((d) => rowOf.get(d)).filter((r) => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : -1;
    };
    const weighted = column.map((c) => ({ c, w: weight(c) }));
    weighted.sort((a, b) => a.w - b.w || a.c.name.localeCompare(b.c.name));
    weighted.forEach(({ c }, row) => rowOf.set(c.id, row));
  }

  const nodes: LayoutNode[] = components.map((c) => {
    const layer = layerOf.get(c.id)!;
    const row = rowOf.get(c.id)!;
    return {
      id: c.id,
      name: c.name,
      dirty: c.dirty ?? false,
      layer,
      row,
      x: PAD + layer * (NODE_WIDTH + GAP_X),
      y: PAD + row * (NODE_HEIGHT + GAP_Y),
    };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: LayoutEdge[] = [];
  for (const [from, tos] of deps) {
    for (const to of tos) {
      const a = at.get(from)!;
      const b = at.get(to)!;
      edges.push({
        from,
        to,
        x1: a.x,
        y1: a.y + NODE_HEIGHT / 2,
        x2: b.x + NODE_WIDTH,
        y2: b.y + NODE_HEIGHT / 2,
        back: b.layer >= a.layer,
      });
    }
  }
  const rows = Math.max(0, ...byLayer.map((l) => l.length));
  return {
    nodes,
    edges,
    layers: count,
    width: count ? PAD * 2 + count * NODE_WIDTH + (count - 1) * GAP_X : 0,
    height: rows ? PAD * 2 + rows * NODE_HEIGHT + (rows - 1) * GAP_Y : 0,
  };
}
