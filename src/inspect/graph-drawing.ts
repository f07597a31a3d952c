/**
 * `--graph FILE`: the main graph as Graphviz DOT (.dot/.gv), or drawn here as a standalone SVG
 * (.svg) or an HTML page holding that SVG (.html) that any browser opens — no scripts, no external
 * files. Boxes are nodes (op type, name, the shapes of their weights), pills are graph inputs and
 * outputs, edges carry the shape of the value they pass; hovering a box shows its full details
 * (SVG <title>). Constants — initializers, Constant nodes and nodes that compute only from constants —
 * are folded into the boxes that read them (a hundred weights fanning out from the top would hide the
 * graph); a node owning subgraphs says how many nodes they hold. Layout: graph-layout.ts.
 */
import path from 'node:path';
import { MlserveError } from '../errors.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { layeredLayout, type Point } from './graph-layout.js';
import { opKey } from './op-counts.js';
import { formatTensorInfo, tensorInfo } from './tensor-info.js';

export type GraphFormat = 'dot' | 'svg' | 'html';

const EXTENSIONS: Record<string, GraphFormat> = { '.dot': 'dot', '.gv': 'dot', '.svg': 'svg', '.html': 'html', '.htm': 'html' };

/** The format a file name asks for; an MlserveError for anything else. */
export function graphFormatFor(file: string): GraphFormat {
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format) {
    throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', { option: '--graph', value: file, reason: 'the file name must end in .dot, .gv, .svg or .html' });
  }
  return format;
}

type VertexKind = 'input' | 'node' | 'output';

interface Vertex {
  kind: VertexKind;
  /** Lines of the label; the first is the title. */
  lines: string[];
  /** Hover text. */
  tooltip: string;
  category: Category;
}

interface Edge { from: number; to: number; label: string }

type Category = 'io' | 'conv' | 'matmul' | 'activation' | 'normalization' | 'pooling' | 'elementwise' | 'shape' | 'control' | 'custom' | 'other';

const CATEGORY_OF: Record<string, Category> = {};
const categorize = (ops: string, category: Category) => { for (const op of ops.split(' ')) CATEGORY_OF[op] = category; };
categorize('Conv ConvTranspose ConvInteger QLinearConv DeformConv', 'conv');
categorize('MatMul Gemm MatMulInteger QLinearMatMul Einsum LSTM GRU RNN Attention', 'matmul');
categorize('Relu LeakyRelu PRelu Sigmoid Tanh Elu Selu Celu HardSigmoid HardSwish Softplus Softsign Mish Gelu Swish Clip Softmax LogSoftmax Erf ThresholdedRelu', 'activation');
categorize('BatchNormalization InstanceNormalization LayerNormalization GroupNormalization LpNormalization MeanVarianceNormalization RMSNormalization LRN', 'normalization');
categorize('MaxPool AveragePool GlobalAveragePool GlobalMaxPool LpPool GlobalLpPool ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL2 ReduceL1 ArgMax ArgMin', 'pooling');
categorize('Add Sub Mul Div Pow Sqrt Exp Log Neg Abs Reciprocal Min Max Sum Mean Equal Less Greater Where Not And Or Cast', 'elementwise');
categorize('Reshape Flatten Squeeze Unsqueeze Transpose Concat Split Slice Gather GatherElements GatherND Shape Size Expand Tile Pad Identity Constant ConstantOfShape Range Resize Upsample DepthToSpace SpaceToDepth ScatterND ScatterElements', 'shape');
categorize('If Loop Scan', 'control');

const FILL: Record<Category, string> = {
  io: '#eef2f7', conv: '#dbe9ff', matmul: '#e4dcff', activation: '#dff5e3', normalization: '#fff2cc',
  pooling: '#ffe3d3', elementwise: '#f1f1f1', shape: '#f7f7f7', control: '#ffd9e6', custom: '#ffd6d6', other: '#ffffff',
};

function shortShape(v: Value): string {
  const info = tensorInfo(v);
  if (info.shape === null) return info.dtype === 'unknown' ? '' : info.dtype;
  return info.shape.map((d) => (d === null ? '?' : String(d))).join('×') || 'scalar';
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Vertices and edges of the main graph: real inputs, nodes, outputs; initializers folded into readers. */
function buildGraph(model: Model): { vertices: Vertex[]; edges: Edge[] } {
  const graph = model.graph;
  const vertices: Vertex[] = [];
  const ids = new Map<Value | Node, number>();
  for (const v of graph.inputs) {
    if (v.initializer) continue;
    ids.set(v, vertices.length);
    vertices.push({ kind: 'input', lines: [truncate(v.name, 32), shortShape(v)], tooltip: `input ${v.name}: ${formatTensorInfo(tensorInfo(v))}`, category: 'io' });
  }
  const order = graph.topologicalOrder();
  const constants = constantValues(order);
  const isConstantValue = (v: Value) => constants.has(v);
  const nodes = order.filter((n) => !n.outputs.every((v) => !v || constants.has(v)) || n.outputs.length === 0);
  for (const node of nodes) {
    ids.set(node, vertices.length);
    // Weights, not the small constants that parameterize shape ops (Slice starts, Reshape targets).
    const weights = node.inputs.filter((v): v is Value => v !== undefined && isConstantValue(v) && constantSize(v) > MAX_PARAMETER_CONSTANT)
      .map(constantDims);
    const lines = [truncate(opKey(node), 36)];
    if (node.name) lines.push(truncate(node.name, 36));
    if (weights.length > 0) lines.push(truncate(weights.join(', '), 36));
    const subNodes = node.subgraphs.reduce((n, s) => n + [...s.graph.allGraphs()].reduce((m, g) => m + g.nodes.length, 0), 0);
    if (node.subgraphs.length > 0) lines.push(`${node.subgraphs.length} subgraph${node.subgraphs.length === 1 ? '' : 's'}, ${subNodes} nodes`);
    const category = node.domain !== '' && node.domain !== 'ai.onnx.ml' ? 'custom' : (CATEGORY_OF[node.opType] ?? 'other');
    vertices.push({ kind: 'node', lines, tooltip: nodeTooltip(node, constants), category });
  }
  const outputIds = graph.outputs.map((v) => {
    vertices.push({ kind: 'output', lines: [truncate(v.name, 32), shortShape(v)], tooltip: `output ${v.name}: ${formatTensorInfo(tensorInfo(v))}`, category: 'io' });
    return vertices.length - 1;
  });

  const edges = new Map<string, Edge>();
  const connect = (v: Value, to: number) => {
    const source = v.producer && v.producer.graph === graph ? v.producer : v.graph === graph && v.isGraphInput && !v.initializer ? v : undefined;
    const from = source ? ids.get(source) : undefined;
    if (from === undefined || from === to) return;
    const key = `${from}>${to}`;
    const existing = edges.get(key);
    if (existing) existing.label = truncate(`${existing.label}, ${shortShape(v)}`, 40);
    else edges.set(key, { from, to, label: shortShape(v) });
  };
  for (const node of nodes) {
    const to = ids.get(node)!;
    for (const v of node.inputs) if (v && !isConstantValue(v)) connect(v, to);
    // Reads from inside the node's subgraphs of values this graph defines: real dependencies too.
    for (const sub of node.subgraphs) {
      for (const inner of sub.graph.allGraphs()) {
        for (const n of inner.nodes) for (const v of n.inputs) if (v && v.graph === graph && !isConstantValue(v)) connect(v, to);
      }
    }
  }
  graph.outputs.forEach((v, i) => connect(v, outputIds[i]!));
  return { vertices, edges: [...edges.values()] };
}

/**
 * Values that are constant: initializers, Constant nodes, and outputs of nodes that compute only from
 * constants (a weight built by ConstantOfShape, a reshaped initializer). They are drawn inside the
 * boxes that read them, so the drawing shows the network rather than how its weights are made.
 * `order` must be topological.
 */
function constantValues(order: readonly Node[]): Set<Value> {
  const constants = new Set<Value>();
  for (const node of order) {
    for (const v of node.inputs) if (v?.initializer) constants.add(v);
  }
  for (const node of order) {
    const fromConstants = node.subgraphs.length === 0 && node.domain === ''
      && (node.opType === 'Constant' || (node.inputs.length > 0 && node.inputs.every((v) => !v || constants.has(v))));
    if (fromConstants) for (const v of node.outputs) if (v) constants.add(v);
  }
  return constants;
}

/** Constants this small are operator parameters (axes, shapes, scalars) rather than weights. */
const MAX_PARAMETER_CONSTANT = 8;

function constantShape(v: Value): number[] | undefined {
  const dims = v.initializer?.dims ?? (v.producer?.opType === 'Constant' ? v.producer.attribute('value')?.t?.dims : undefined);
  if (dims) return dims.map(int64ToNumber);
  const shape = tensorInfo(v).shape;
  return shape?.every((d): d is number => typeof d === 'number') ? shape : undefined;
}

function constantSize(v: Value): number {
  return (constantShape(v) ?? []).reduce((n, d) => n * d, 1);
}

function constantDims(v: Value): string {
  const shape = constantShape(v);
  return shape ? shape.join('×') || 'scalar' : 'const';
}

function nodeTooltip(node: Node, constants: ReadonlySet<Value>): string {
  const lines = [`${opKey(node)}${node.name ? ` '${node.name}'` : ''}`];
  node.inputs.forEach((v, i) => lines.push(`in ${i}: ${v ? `${v.name}: ${formatTensorInfo(tensorInfo(v))}${v.initializer ? ' (initializer)' : constants.has(v) ? ' (constant)' : ''}` : '(none)'}`));
  node.outputs.forEach((v, i) => lines.push(`out ${i}: ${v ? `${v.name}: ${formatTensorInfo(tensorInfo(v))}` : '(none)'}`));
  for (const a of node.attributes) if (a.name) lines.push(`@${a.name}`);
  return lines.join('\n');
}

export interface DrawOptions {
  /** Heading for the HTML page and the SVG's title. */
  title?: string;
}

export function drawGraph(model: Model, format: GraphFormat, options: DrawOptions = {}): string {
  const built = buildGraph(model);
  const title = options.title ?? model.graph.name ?? 'model';
  if (format === 'dot') return toDot(built.vertices, built.edges, title);
  const svg = toSvg(built.vertices, built.edges, title);
  return format === 'svg' ? `<?xml version="1.0" encoding="UTF-8"?>\n${svg}` : toHtml(svg, title, built.vertices);
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function toDot(vertices: Vertex[], edges: Edge[], title: string): string {
  const lines = [`digraph ${dotString(title)} {`, '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=11, style="rounded,filled"];', '  edge [fontname="Helvetica", fontsize=9, color="#666666"];'];
  vertices.forEach((v, i) => {
    const shape = v.kind === 'node' ? 'box' : 'ellipse';
    lines.push(`  n${i} [shape=${shape}, label=${dotString(v.lines.filter(Boolean).join('\n'))}, tooltip=${dotString(v.tooltip)}, fillcolor=${dotString(FILL[v.category])}];`);
  });
  for (const e of edges) lines.push(`  n${e.from} -> n${e.to}${e.label ? ` [label=${dotString(e.label)}]` : ''};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const TITLE_FONT = 12;
const LINE_FONT = 10;
const LINE_HEIGHT = 14;

/** Rough text widths for Helvetica-like fonts: enough to size boxes without measuring. */
function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

function toSvg(vertices: Vertex[], edges: Edge[], title: string): string {
  const sizes = vertices.map((v) => {
    const widths = v.lines.map((l, i) => textWidth(l, i === 0 ? TITLE_FONT : LINE_FONT));
    return { width: Math.max(64, Math.ceil(Math.max(...widths) + 20)), height: 12 + LINE_HEIGHT * v.lines.filter(Boolean).length };
  });
  const inputs = new Set(vertices.flatMap((v, i) => (v.kind === 'input' ? [i] : [])));
  const layout = layeredLayout(sizes, edges.map((e) => [e.from, e.to] as const), { anchored: inputs });
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(layout.width)}" height="${Math.ceil(layout.height)}" viewBox="0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<title>${xml(title)}</title>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>');
  out.push('<g class="edges" fill="none" stroke="#888" stroke-width="1.2">');
  edges.forEach((e, i) => {
    const points = layout.edges[i]!;
    out.push(`<path d="${pathData(points)}" marker-end="url(#arrow)"><title>${xml(e.label)}</title></path>`);
  });
  out.push('</g>');
  out.push(`<g class="edge-labels" font-size="9" fill="#777">`);
  // One label per source: its edges carry the same value, and stacked labels would be unreadable.
  const labelled = new Set<number>();
  edges.forEach((e, i) => {
    if (!e.label || labelled.has(e.from)) return;
    labelled.add(e.from);
    const [a] = layout.edges[i]!;
    out.push(`<text x="${fmt(a!.x + 4)}" y="${fmt(a!.y + 11)}">${xml(e.label)}</text>`);
  });
  out.push('</g>');
  out.push('<g class="nodes">');
  vertices.forEach((v, i) => {
    const box = layout.boxes[i]!;
    const { width, height } = sizes[i]!;
    const radius = v.kind === 'node' ? 5 : height / 2;
    out.push(`<g class="${v.kind}"><title>${xml(v.tooltip)}</title>`);
    out.push(`<rect x="${fmt(box.x)}" y="${fmt(box.y)}" width="${width}" height="${height}" rx="${fmt(radius)}" fill="${FILL[v.category]}" stroke="#555"/>`);
    v.lines.filter(Boolean).forEach((line, j) => {
      const y = box.y + 6 + LINE_HEIGHT * j + (j === 0 ? TITLE_FONT : LINE_FONT);
      const attrs = j === 0 ? `font-size="${TITLE_FONT}" font-weight="bold" fill="#111"` : `font-size="${LINE_FONT}" fill="#444"`;
      out.push(`<text x="${fmt(box.x + width / 2)}" y="${fmt(y - 2)}" text-anchor="middle" ${attrs}>${xml(line)}</text>`);
    });
    out.push('</g>');
  });
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function pathData(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(p.x)},${fmt(p.y)}`).join(' ');
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function toHtml(svg: string, title: string, vertices: Vertex[]): string {
  const nodes = vertices.filter((v) => v.kind === 'node').length;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${xml(title)}</title>
<style>
  body { margin: 0; font-family: Helvetica, Arial, sans-serif; background: #fafafa; color: #222; }
  header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 8px 16px; }
  header h1 { font-size: 16px; margin: 0; }
  header p { font-size: 12px; margin: 4px 0 0; color: #666; }
  main { padding: 16px; overflow: auto; }
  svg g.node:hover rect { stroke: #d33; stroke-width: 2; }
</style>
</head>
<body>
<header><h1>${xml(title)}</h1><p>${nodes} nodes · hover a box for its inputs, outputs and attributes</p></header>
<main>
${svg}</main>
</body>
</html>
`;
}
