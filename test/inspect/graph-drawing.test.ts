/**
 * Graph drawings: the layout's geometry (edges point down, boxes in a rank do not overlap, long
 * edges bend around boxes) and the three file formats on real models (one box per drawn node, one
 * path per edge, self-contained HTML).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { drawGraph, graphFormatFor } from '../../src/inspect/graph-drawing.js';
import { layeredLayout, type Layout, type Size } from '../../src/inspect/graph-layout.js';
import { loadForInspect, inspect } from '../../src/inspect/inspect.js';
import { repoRoot } from '../support/corpus.js';

function assertGeometry(layout: Layout, sizes: readonly Size[], edges: readonly (readonly [number, number])[]): void {
  edges.forEach(([from, to], i) => {
    const points = layout.edges[i]!;
    const a = layout.boxes[from]!;
    const b = layout.boxes[to]!;
    assert.ok(b.rank > a.rank, `edge ${from}->${to} points down`);
    assert.deepEqual(points[0], { x: a.x + sizes[from]!.width / 2, y: a.y + sizes[from]!.height }, 'starts at the bottom middle of its source');
    assert.deepEqual(points[points.length - 1], { x: b.x + sizes[to]!.width / 2, y: b.y }, 'ends at the top middle of its target');
    for (let k = 1; k < points.length; k++) assert.ok(points[k]!.y > points[k - 1]!.y, 'every segment goes down');
  });
  const byRank = new Map<number, number[]>();
  layout.boxes.forEach((box, i) => byRank.set(box.rank, [...(byRank.get(box.rank) ?? []), i]));
  for (const ids of byRank.values()) {
    const spans = ids.map((i) => [layout.boxes[i]!.x, layout.boxes[i]!.x + sizes[i]!.width] as const).sort((p, q) => p[0] - q[0]);
    for (let k = 1; k < spans.length; k++) assert.ok(spans[k]![0] >= spans[k - 1]![1], 'boxes of one rank do not overlap');
  }
  for (const box of layout.boxes) {
    assert.ok(box.x >= 0 && box.y >= 0, 'inside the canvas');
    assert.ok(Number.isFinite(box.x) && Number.isFinite(box.y));
  }
  layout.boxes.forEach((box, i) => {
    assert.ok(box.x + sizes[i]!.width <= layout.width && box.y + sizes[i]!.height <= layout.height, 'inside the canvas');
  });
}

test('layout: a diamond with a skip edge gets ranks by longest path and a bend on the long edge', () => {
  const sizes = [60, 80, 60, 70, 60].map((width) => ({ width, height: 30 }));
  //   0 → 1 → 2 → 4, 0 → 3 → 4, 0 → 4 (skip)
  const edges = [[0, 1], [1, 2], [2, 4], [0, 3], [3, 4], [0, 4]] as const;
  const layout = layeredLayout(sizes, edges, { anchored: new Set([0]) });
  assert.deepEqual(layout.boxes.map((b) => b.rank), [0, 1, 2, 1, 3]);
  // Without an anchor nothing is reached from the top: every vertex sits as low as its readers allow.
  assert.deepEqual(layeredLayout(sizes, edges).boxes.map((b) => b.rank), [0, 1, 2, 2, 3]);
  assert.equal(layout.edges[5]!.length, 4, 'the skip edge bends once per rank it crosses');
  assertGeometry(layout, sizes, edges);
});

test('layout: a chain no input reaches sits just above its reader, not on the top row', () => {
  const sizes = Array.from({ length: 7 }, () => ({ width: 50, height: 20 }));
  // Input 0 → 1 → 2 → 3 → 4; a weight chain 5 → 6 feeds 4.
  const edges = [[0, 1], [1, 2], [2, 3], [3, 4], [5, 6], [6, 4]] as const;
  const anchored = layeredLayout(sizes, edges, { anchored: new Set([0]) });
  assert.deepEqual(anchored.boxes.map((b) => b.rank), [0, 1, 2, 3, 4, 2, 3]);
  assertGeometry(anchored, sizes, edges);
  // Anchoring the chain's head keeps it on top instead.
  assert.equal(layeredLayout(sizes, edges, { anchored: new Set([0, 5]) }).boxes[5]!.rank, 0);
});

test('layout: past the dummy budget, long edges go straight, and the geometry still holds', () => {
  const n = 40;
  const sizes = Array.from({ length: n }, () => ({ width: 40, height: 20 }));
  const edges: [number, number][] = [];
  for (let i = 1; i < n; i++) edges.push([i - 1, i], [0, i]);
  const layout = layeredLayout(sizes, edges, { maxDummies: 10, anchored: new Set([0]) });
  const straightLong = edges.filter(([from, to], i) => layout.boxes[to]!.rank - layout.boxes[from]!.rank > 1 && layout.edges[i]!.length === 2);
  assert.ok(straightLong.length > 0, 'some long edges were left straight');
  assert.ok(edges.some(([from, to], i) => layout.boxes[to]!.rank - layout.boxes[from]!.rank > 1 && layout.edges[i]!.length > 2), 'and the first ones bent');
  assertGeometry(layout, sizes, edges);
});

test('graphFormatFor: .dot/.gv, .svg, .html/.htm; anything else is an invalid argument', () => {
  assert.equal(graphFormatFor('a/b.DOT'), 'dot');
  assert.equal(graphFormatFor('g.gv'), 'dot');
  assert.equal(graphFormatFor('g.svg'), 'svg');
  assert.equal(graphFormatFor('g.htm'), 'html');
  assert.throws(() => graphFormatFor('g.png'), (e: unknown) => e instanceof MlserveError && e.code === 'MLS_ERR_INVALID_ARGUMENT' && /g\.png/.test(e.message));
});

const yolox = path.join(repoRoot, '../shared/models/real/yolox_nano.onnx');

test('yolox_nano as SVG, DOT and HTML: one box per node, one edge per producer→reader pair, nothing external', { skip: !fs.existsSync(yolox) }, () => {
  const loaded = loadForInspect(yolox);
  const report = inspect(loaded);
  const model = loaded.model;
  const constants = model.graph.nodes.filter((n) => n.opType === 'Constant' && n.inputs.length === 0).length;
  const drawnNodes = report.nodeCount - constants;
  const ioCount = report.inputs.length + report.outputs.length;

  const svg = drawGraph(model, 'svg');
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<g class="node">/g) ?? []).length, drawnNodes);
  assert.equal((svg.match(/<rect /g) ?? []).length, drawnNodes + ioCount);
  assert.equal((svg.match(/<g class="(?:node|input|output)">/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length - 3, 'groups are closed (3 more for edges, labels, nodes)');
  assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  assert.doesNotMatch(svg, /<script|href=|src=/);
  const edgeCount = (svg.match(/<path d="M[^"]*" marker-end="url\(#arrow\)">/g) ?? []).length;
  assert.ok(edgeCount >= drawnNodes, 'every node is reached by at least one edge');
  // The shapes inference found ride on the edges.
  assert.ok(svg.includes('1×3×416×416'));

  const dot = drawGraph(model, 'dot');
  assert.match(dot, /^digraph "/);
  assert.equal((dot.match(/^ {2}n\d+ \[shape=box/gm) ?? []).length, drawnNodes);
  assert.equal((dot.match(/^ {2}n\d+ -> n\d+/gm) ?? []).length, edgeCount);
  assert.ok(dot.trimEnd().endsWith('}'));

  const html = drawGraph(model, 'html', { title: 'yolox <nano>' });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('<title>yolox &lt;nano&gt;</title>'), 'the title is escaped');
  assert.ok(html.includes('<svg '));
  assert.doesNotMatch(html, /<script|<link|src=|href=/, 'self-contained: no scripts, no external files');
});

test('subgraph owners say what they hold; values read inside a branch still connect', () => {
  const file = path.join(repoRoot, 'fixtures/models/control_flow.onnx');
  if (!fs.existsSync(file)) return;
  const loaded = loadForInspect(file);
  inspect(loaded);
  const svg = drawGraph(loaded.model, 'svg');
  const owners = loaded.model.graph.nodes.filter((n) => n.subgraphs.length > 0);
  assert.ok(owners.length > 0);
  for (const owner of owners) assert.match(svg, new RegExp(`${owner.subgraphs.length} subgraphs?, \\d+ nodes`));
});

const inception = path.join(repoRoot, '../shared/models/onnx-light/light_inception_v2.onnx');

test('weights computed from constants (ConstantOfShape chains) are folded into the boxes that read them', { skip: !fs.existsSync(inception) }, () => {
  const loaded = loadForInspect(inception);
  const report = inspect(loaded);
  const svg = drawGraph(loaded.model, 'svg');
  const titles = [...svg.matchAll(/font-weight="bold" fill="#111">([^<]*)</g)].map((m) => m[1]);
  assert.equal(titles.filter((t) => t === 'ConstantOfShape').length, 0, 'no ConstantOfShape box');
  assert.ok(report.opCounts['ConstantOfShape']! > 0);
  assert.equal(titles.filter((t) => t === 'Conv').length, report.opCounts['Conv']);
  // The first Conv's box names its 64×3×7×7 weight, built at run time by ConstantOfShape.
  assert.match(svg, /<text [^>]*>Conv<\/text>\n<text [^>]*>n0<\/text>\n<text [^>]*>64×3×7×7<\/text>/);
  const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
  assert.ok(width < 3000, `a readable width (${width}px), not a top row of weight builders`);
});
