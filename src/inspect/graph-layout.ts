/**
 * A layered (Sugiyama-style) layout for drawing a DAG top to bottom, kept simple:
 *   1. rank = longest path from a source, so every edge points down; what no anchored vertex
 *      (graph input) reaches moves down to just above its first reader;
 *   2. an edge spanning several ranks gets a dummy point per rank it crosses, so it bends around
 *      boxes instead of cutting through them (past a budget of dummies, long edges go straight);
 *   3. order within each rank by barycenters of neighbours, sweeping down and up a few times;
 *   4. x positions: each box pulled towards the mean of its neighbours, then pushed apart in order.
 * Pure: sizes and edges in, coordinates out. Boxes are placed by their top-left corner.
 */

export interface Size { width: number; height: number }
export interface Point { x: number; y: number }

export interface Layout {
  /** Top-left corner of each input box, in input order. */
  boxes: (Point & { rank: number })[];
  /** Per input edge: from the bottom middle of its source box, through bends, to the top middle of its target. */
  edges: Point[][];
  width: number;
  height: number;
}

export interface LayoutOptions {
  rankGap?: number;
  nodeGap?: number;
  margin?: number;
  /** Most dummy points to create; longer edges beyond it are drawn straight. */
  maxDummies?: number;
  /**
   * Vertices that start the drawing (graph inputs). Vertices none of them reaches are placed as late
   * as their readers allow; without anchors that is every vertex.
   */
  anchored?: ReadonlySet<number>;
}

interface Vertex {
  width: number;
  height: number;
  rank: number;
  /** Centre x. */
  x: number;
  order: number;
  up: number[];
  down: number[];
}

export function layeredLayout(sizes: readonly Size[], edges: readonly (readonly [number, number])[], options: LayoutOptions = {}): Layout {
  const rankGap = options.rankGap ?? 48;
  const nodeGap = options.nodeGap ?? 24;
  const margin = options.margin ?? 20;
  const maxDummies = options.maxDummies ?? 20000;

  const ranks = layerRanks(sizes.length, edges, options.anchored ?? new Set());
  const vertices: Vertex[] = sizes.map((s, i) => ({ width: s.width, height: s.height, rank: ranks[i]!, x: 0, order: 0, up: [], down: [] }));

  // Chains of vertices per edge: source, dummies…, target.
  let dummies = 0;
  const chains: number[][] = edges.map(([from, to]) => {
    const chain = [from];
    const span = vertices[to]!.rank - vertices[from]!.rank;
    if (span > 1 && dummies + span - 1 <= maxDummies) {
      for (let r = vertices[from]!.rank + 1; r < vertices[to]!.rank; r++) {
        vertices.push({ width: 0, height: 0, rank: r, x: 0, order: 0, up: [], down: [] });
        chain.push(vertices.length - 1);
        dummies++;
      }
    }
    chain.push(to);
    for (let i = 1; i < chain.length; i++) {
      vertices[chain[i - 1]!]!.down.push(chain[i]!);
      vertices[chain[i]!]!.up.push(chain[i - 1]!);
    }
    return chain;
  });

  const rankCount = vertices.reduce((m, v) => Math.max(m, v.rank + 1), 0);
  const rows: number[][] = Array.from({ length: rankCount }, () => []);
  vertices.forEach((v, i) => rows[v.rank]!.push(i));
  rows.forEach((row) => row.forEach((id, i) => { vertices[id]!.order = i; }));

  orderByBarycenter(vertices, rows);
  assignX(vertices, rows, nodeGap);

  // y: each rank as tall as its tallest box.
  const rowHeights = rows.map((row) => row.reduce((m, id) => Math.max(m, vertices[id]!.height), 0));
  const rowTop: number[] = [];
  let y = margin;
  for (const h of rowHeights) {
    rowTop.push(y);
    y += h + rankGap;
  }
  const height = y - rankGap + margin;
  const minX = vertices.reduce((m, v) => Math.min(m, v.x - v.width / 2), Infinity);
  const shift = margin - (Number.isFinite(minX) ? minX : 0);
  for (const v of vertices) v.x += shift;
  const width = vertices.reduce((m, v) => Math.max(m, v.x + v.width / 2 + margin), margin * 2);
  const rowHeight = (rank: number) => rowHeights[rank]!;
  // A box sits centred in its rank's band, so edges leave and enter at the band's middle line.
  const top = (id: number) => rowTop[vertices[id]!.rank]! + (rowHeight(vertices[id]!.rank) - vertices[id]!.height) / 2;

  return {
    boxes: sizes.map((_, i) => ({ x: vertices[i]!.x - vertices[i]!.width / 2, y: top(i), rank: vertices[i]!.rank })),
    edges: chains.map((chain) => chain.map((id, i) => {
      const v = vertices[id]!;
      if (i === 0) return { x: v.x, y: top(id) + v.height };
      if (i === chain.length - 1) return { x: v.x, y: top(id) };
      return { x: v.x, y: rowTop[v.rank]! + rowHeight(v.rank) / 2 };
    })),
    width,
    height,
  };
}

/**
 * Ranks: longest path from the sources, so every edge points down; then every vertex that no anchored
 * vertex reaches (a chain computing a weight from constants, say) moves as far down as its readers
 * allow — as late as possible — so it sits just above where it is used instead of on the top row.
 * Edges that would close a cycle (there should be none) are ignored.
 */
function layerRanks(n: number, edges: readonly (readonly [number, number])[], anchored: ReadonlySet<number>): number[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Array<number>(n).fill(0);
  for (const [from, to] of edges) {
    out[from]!.push(to);
    indegree[to]!++;
  }
  const rank = new Array<number>(n).fill(0);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    const v = order[head]!;
    for (const w of out[v]!) {
      rank[w] = Math.max(rank[w]!, rank[v]! + 1);
      if (--indegree[w]! === 0) order.push(w);
    }
  }
  const reached = new Array<boolean>(n).fill(false);
  for (const v of order) {
    if (anchored.has(v)) reached[v] = true;
    if (reached[v]) for (const w of out[v]!) reached[w] = true;
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k]!;
    if (reached[v] || out[v]!.length === 0) continue;
    rank[v] = out[v]!.reduce((m, w) => Math.min(m, rank[w]!), Infinity) - 1;
  }
  const lowest = rank.reduce((m, r) => Math.min(m, r), 0);
  return lowest < 0 ? rank.map((r) => r - lowest) : rank;
}

function orderByBarycenter(vertices: Vertex[], rows: number[][], sweeps = 4): void {
  const reorder = (row: number[], neighbours: (v: Vertex) => number[]) => {
    const key = new Map<number, number>();
    for (const id of row) {
      const ns = neighbours(vertices[id]!);
      key.set(id, ns.length === 0 ? vertices[id]!.order : ns.reduce((s, n) => s + vertices[n]!.order, 0) / ns.length);
    }
    // Stable: ties keep the current order.
    row.sort((a, b) => key.get(a)! - key.get(b)! || vertices[a]!.order - vertices[b]!.order);
    row.forEach((id, i) => { vertices[id]!.order = i; });
  };
  for (let s = 0; s < sweeps; s++) {
    for (let r = 1; r < rows.length; r++) reorder(rows[r]!, (v) => v.up);
    for (let r = rows.length - 2; r >= 0; r--) reorder(rows[r]!, (v) => v.down);
  }
}

function assignX(vertices: Vertex[], rows: number[][], gap: number): void {
  const pack = (row: number[]) => {
    // Left to right, keep order and gaps; then shift the row back so its centre is where it wanted to be.
    const wanted = row.map((id) => vertices[id]!.x);
    let right = -Infinity;
    for (const id of row) {
      const v = vertices[id]!;
      const spacing = v.width === 0 ? gap / 2 : gap;
      const left = Math.max(v.x - v.width / 2, right + spacing);
      v.x = left + v.width / 2;
      right = left + v.width;
    }
    const drift = row.reduce((s, id, i) => s + vertices[id]!.x - wanted[i]!, 0) / Math.max(1, row.length);
    for (const id of row) vertices[id]!.x -= drift;
  };
  for (const row of rows) {
    let x = 0;
    for (const id of row) {
      const v = vertices[id]!;
      v.x = x + v.width / 2;
      x += v.width + gap;
    }
    const half = x / 2;
    for (const id of row) vertices[id]!.x -= half;
  }
  const mean = (ids: number[]) => ids.reduce((s, n) => s + vertices[n]!.x, 0) / ids.length;
  for (let iteration = 0; iteration < 4; iteration++) {
    for (let r = 1; r < rows.length; r++) {
      for (const id of rows[r]!) if (vertices[id]!.up.length > 0) vertices[id]!.x = mean(vertices[id]!.up);
      pack(rows[r]!);
    }
    for (let r = rows.length - 2; r >= 0; r--) {
      for (const id of rows[r]!) if (vertices[id]!.down.length > 0) vertices[id]!.x = mean(vertices[id]!.down);
      pack(rows[r]!);
    }
  }
}
