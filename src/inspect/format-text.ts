/**
 * The terminal rendering of an InspectReport. Pure: the caller passes the styles (the CLI's, which are
 * plain text unless stdout is a colour terminal) and gets lines back. Long lists are cut to a few
 * entries with "+N more"; the JSON document always has everything.
 */
import type { AttributeJson, InspectReport, InspectWarning, NodeInfo, TensorInfo } from './report-types.js';
import { formatTensorInfo } from './tensor-info.js';

type Styler = (text: string) => string;

export interface TextStyle {
  bold: Styler;
  dim: Styler;
  yellow: Styler;
  cyan: Styler;
}

export interface FormatTextOptions {
  style?: TextStyle;
  /** Aligned columns (the CLI passes its own); right-aligns columns of numbers. */
  table?: (rows: ReadonlyArray<ReadonlyArray<string | number>>, header?: readonly string[]) => string;
  /** How many names a warning lists before "+N more". Default 8. */
  maxItems?: number;
}

const plain: Styler = (s) => s;
const PLAIN_STYLE: TextStyle = { bold: plain, dim: plain, yellow: plain, cyan: plain };

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** '1.08 GFLOPs', '340.5 MMACs', '0 FLOPs': decimal prefixes, as FLOP counts are usually quoted. */
export function formatScaled(n: number, unit: string): string {
  const scales: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, prefix] of scales) if (n >= scale) return `${(n / scale).toFixed(n / scale < 10 ? 2 : 1)} ${prefix}${unit}`;
  return `${n} ${unit}`;
}

function simpleTable(rows: ReadonlyArray<ReadonlyArray<string | number>>, header?: readonly string[]): string {
  const all = [...(header ? [header] : []), ...rows].map((r) => r.map(String));
  const columns = Math.max(0, ...all.map((r) => r.length));
  const numeric = Array.from({ length: columns }, (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((r) => Array.from({ length: columns }, (_, c) => {
    const cell = r[c] ?? '';
    return numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
  }).join('  ').trimEnd()).join('\n');
}

function indent(text: string, by = '  '): string {
  return text.split('\n').map((l) => (l ? by + l : l)).join('\n');
}

function listed(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (+${items.length - max} more)` : shown;
}

function firstLine(text: string, max = 100): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function tensorRows(tensors: readonly TensorInfo[]): string[][] {
  return tensors.map((t) => [t.name, t.dtype, t.shape === null ? '?' : `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`]);
}

export function formatText(report: InspectReport, options: FormatTextOptions = {}): string {
  const s = options.style ?? PLAIN_STYLE;
  const table = options.table ?? simpleTable;
  const max = options.maxItems ?? 8;
  const out: string[] = [];
  const section = (title: string, detail = '') => {
    out.push('', `${s.bold(title)}${detail ? `  ${s.dim(detail)}` : ''}`);
  };

  // Header
  const where = report.file ? `${report.file.path}  ${s.dim(`(${formatBytes(report.file.bytes)})`)}` : '(in-memory model)';
  out.push(`${s.bold('Model')}  ${where}`);
  const facts = [
    `IR ${report.irVersion}`,
    `opsets ${Object.entries(report.opsetImport).map(([d, v]) => `${d} ${v}`).join(', ') || 'none'}`,
  ];
  if (report.producer.name || report.producer.version) facts.push(`producer ${[report.producer.name, report.producer.version].filter(Boolean).join(' ')}`);
  if (report.graphName) facts.push(`graph '${report.graphName}'`);
  if (report.domain) facts.push(`domain ${report.domain}`);
  if (report.modelVersion !== null) facts.push(`model version ${report.modelVersion}`);
  out.push(indent(facts.join(' · ')));
  if (report.docString) out.push(indent(`doc: ${firstLine(report.docString)}`));
  const metadata = Object.entries(report.metadata);
  if (metadata.length > 0) out.push(indent(`metadata: ${listed(metadata.map(([k, v]) => `${k}=${firstLine(v, 60)}`), max)}`));

  section('Inputs', String(report.inputs.length));
  if (report.inputs.length > 0) out.push(indent(table(tensorRows(report.inputs), ['name', 'dtype', 'shape'])));
  section('Outputs', String(report.outputs.length));
  if (report.outputs.length > 0) out.push(indent(table(tensorRows(report.outputs), ['name', 'dtype', 'shape'])));
  if (report.initializerInputs.length > 0) {
    out.push(indent(s.dim(`+ ${report.initializerInputs.length} initializers also listed as graph inputs (not real inputs): ${listed(report.initializerInputs.map((t) => t.name), 4)}`)));
  }

  // Parameters
  const p = report.parameters;
  section('Parameters', `${formatCount(p.count)} in ${formatCount(p.tensors)} tensors, ${formatBytes(p.bytes)}`);
  const dtypeRows = Object.entries(p.byDtype).map(([dtype, g]) => [dtype, g.count, formatBytes(g.bytes), `${g.tensors} tensors`]);
  if (dtypeRows.length > 0) out.push(indent(table(dtypeRows)));
  if (p.constants.tensors > 0) out.push(indent(`Constant nodes: ${formatCount(p.constants.count)} values in ${p.constants.tensors} tensors, ${formatBytes(p.constants.bytes)}`));
  if (p.externalData && p.externalData.tensors > 0) {
    out.push(indent(`external data: ${p.externalData.tensors} tensors, ${formatBytes(p.externalData.bytes)} in ${p.externalData.files.map((f) => `${f.location} (${f.tensors} tensors, ${formatBytes(f.bytes)})`).join(', ')}`));
  }

  // Operators
  section('Operators', `${report.nodeCount} nodes, ${Object.keys(report.opCounts).length} op types`);
  const ops = Object.entries(report.opCounts);
  if (ops.length > 0) out.push(indent(columns(ops.map(([op, n]) => `${op} ${n}`))));
  const sub = report.subgraphs;
  if (sub.count > 0) {
    section('Subgraphs', `${sub.count} subgraphs, ${sub.nodeCount} nodes`);
    out.push(indent(table(sub.owners.slice(0, max * 2).map((o) => [`${'  '.repeat(o.depth - 1)}${o.node}`, o.attribute, o.nodeCount === 1 ? '1 node' : `${o.nodeCount} nodes`]))));
    if (sub.owners.length > max * 2) out.push(indent(s.dim(`… (+${sub.owners.length - max * 2} more)`)));
    const subOps = Object.entries(sub.opCounts);
    if (subOps.length > 0) out.push(indent(`ops: ${columns(subOps.map(([op, n]) => `${op} ${n}`))}`));
  }
  if (report.functions.names.length > 0) {
    section('Functions', String(report.functions.names.length));
    out.push(indent(listed(report.functions.names, max)));
  }
  if (report.customOps.length > 0) {
    section('Custom-domain ops');
    out.push(indent(table(report.customOps.map((c) => [`${c.domain}::${c.opType}`, c.count, `implemented by ${c.implementedBy}`]))));
  }

  // Compute
  const c = report.compute;
  section('Compute', `shapes known for ${Math.round(report.shapeCoverage * 100)}% of values`);
  const si = report.shapeInference;
  const pins = Object.entries(si.inputShapes);
  if (pins.length > 0) out.push(indent(s.dim(`with ${pins.map(([n, d]) => `${n}=${d.join(',')}`).join(' ')}`)));
  if (si.missingRules.length > 0) out.push(indent(s.dim(`no shape rule for ${listed(si.missingRules.map((m) => `${m.op} ×${m.nodes}`), max)}`)));
  const causes = si.rootCauses.filter((c) => !si.missingRules.some((m) => m.op === c.op));
  if (causes.length > 0) out.push(indent(s.dim(`shapes unknown from ${listed(causes.map((c) => `${c.value} (${c.op}: ${firstLine(c.reason, 60)})`), 3)}`)));
  const perSample = c.assumedInputShapes ? ` per sample (${Object.entries(c.assumedInputShapes).map(([n, d]) => `${n}=${d.join(',')}`).join(' ')})` : '';
  out.push(indent(`${formatScaled(c.macs, 'MACs')}, ${formatScaled(c.flops, 'FLOPs')}${perSample}${c.complete ? '' : s.dim(' (lower bound: not every node counted)')}`));
  const computeRows = Object.entries(c.byOpType).slice(0, max * 2).map(([op, e]) => [op, e.nodes, formatScaled(e.macs, 'MACs'), formatScaled(e.flops, 'FLOPs')]);
  if (computeRows.length > 0) out.push(indent(table(computeRows)));
  const notCounted: string[] = [];
  if (c.nodesWithUnknownShapes > 0) notCounted.push(`${c.nodesWithUnknownShapes} node${c.nodesWithUnknownShapes === 1 ? '' : 's'} with unknown shapes (try --input-shape)`);
  const uncounted = Object.entries(c.uncountedOpTypes);
  if (uncounted.length > 0) notCounted.push(`no formula for ${listed(uncounted.map(([op, n]) => `${op} ×${n}`), max)}`);
  if (c.subgraphNodesExcluded > 0) notCounted.push(`${c.subgraphNodesExcluded} subgraph nodes`);
  if (notCounted.length > 0) out.push(indent(s.dim(`not counted: ${notCounted.join('; ')}`)));

  // Warnings
  if (report.warnings.length > 0) {
    section('Warnings', String(report.warnings.length));
    for (const w of report.warnings) out.push(...formatWarning(w, s, max));
  }

  if (report.nodes) {
    section('Nodes', String(report.nodes.length));
    for (const node of report.nodes) out.push(...formatNode(node, s));
  }
  return `${out.join('\n')}\n`;
}

function formatWarning(w: InspectWarning, s: TextStyle, max: number): string[] {
  const mark = w.severity === 'warning' ? s.yellow('warning') : s.cyan('info');
  const lines = [indent(`${mark} ${w.message}`)];
  if (w.code === 'unsupported-op' || w.code === 'legacy-op' || w.code === 'unsupported-opset') {
    for (const item of w.items.slice(0, max)) lines.push(indent(`- ${item}`, '      '));
    if (w.items.length > max) lines.push(indent(s.dim(`… (+${w.items.length - max} more)`), '      '));
  } else {
    lines.push(indent(s.dim(listed(w.items, max)), '      '));
  }
  return lines;
}

function formatNode(node: NodeInfo, s: TextStyle): string[] {
  const op = node.domain === 'ai.onnx' ? node.opType : `${node.domain}::${node.opType}`;
  const lines = [indent(`${s.bold(op)}${node.name ? ` '${node.name}'` : ''}${node.graph === 'main' ? '' : s.dim(`  in ${node.graph}`)}`)];
  const values = (vs: (TensorInfo | null)[]) => vs.map((v) => (v ? `${v.name}: ${formatTensorInfo(v)}` : '(none)')).join(', ') || '-';
  lines.push(indent(`in:  ${values(node.inputs)}`, '      '));
  lines.push(indent(`out: ${values(node.outputs)}`, '      '));
  const attrs = Object.entries(node.attributes);
  if (attrs.length > 0) lines.push(indent(`attrs: ${attrs.map(([k, v]) => `${k}=${formatAttribute(v)}`).join(' ')}`, '      '));
  return lines;
}

function formatAttribute(v: AttributeJson): string {
  if (v === null) return '?';
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (typeof v === 'number') return String(v);
  if ('tensor' in v) return `${v.tensor.dtype}[${v.tensor.shape.join(',')}]${v.tensor.values ? `{${v.tensor.values.join(',')}}` : ''}`;
  if ('graph' in v) return `<graph ${v.graph.name ?? ''} ${v.graph.nodes} nodes>`;
  if ('graphs' in v) return `<${v.graphs} graphs>`;
  if ('tensors' in v) return `<${v.tensors} tensors>`;
  return `@${v.ref}`;
}

/** Words packed into lines of at most 100 characters. */
function columns(words: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 3 + w.length > 100) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} · ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
