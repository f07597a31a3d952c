/**
 * `mlserve inspect BUNDLE_DIR`: what a compiled bundle holds — the source model it came from, the
 * versions that built it, every variant with its shapes, level and hash — and whether each variant
 * file still matches its recorded size and sha256. `inspectBundle` never throws for a bad variant
 * (the report lists it); the command exits with MLS_ERR_BUNDLE_VERIFY_FAILED after printing.
 */
import type { BundleManifest, ManifestSelection } from '../compile/bundle-manifest.js';
import { assertBundleIntact, verifyBundle, type BundleVerification, type VariantCheck } from '../compile/verify-bundle.js';

export interface BundleInspection {
  kind: 'bundle';
  dir: string;
  /** true when every variant file matches the manifest. */
  verified: boolean;
  source: BundleManifest['source'];
  createdAt: string;
  mlserve: string;
  onnxruntime: BundleManifest['onnxruntime'];
  compile: BundleManifest['compile'];
  variants: Array<{
    id: string;
    file: string;
    provider: string;
    precision: string;
    batchSize: number;
    inputs: Record<string, number[]>;
    outputs: Record<string, number[]>;
    optimizationLevel: string;
    passes: number;
    opset: Record<string, number>;
    bytes: number;
    sha256: string;
    check: VariantCheck;
  }>;
  skipped: BundleManifest['skipped'];
  selection: ManifestSelection | null;
}

export function inspectBundle(dir: string): { report: BundleInspection; verification: BundleVerification } {
  const verification = verifyBundle(dir);
  const m = verification.manifest;
  const checks = new Map(verification.variants.map((c) => [c.id, c]));
  const report: BundleInspection = {
    kind: 'bundle',
    dir,
    verified: verification.ok,
    source: m.source,
    createdAt: m.createdAt,
    mlserve: m.mlserve,
    onnxruntime: m.onnxruntime,
    compile: m.compile,
    variants: m.variants.map((v) => ({
      id: v.id, file: v.file, provider: v.provider, precision: v.precision, batchSize: v.batchSize,
      inputs: v.inputs, outputs: v.outputs, optimizationLevel: v.optimizationLevel, passes: v.passes.length,
      opset: v.opset, bytes: v.bytes, sha256: v.sha256, check: checks.get(v.id)!,
    })),
    skipped: m.skipped ?? [],
    selection: m.selection ?? null,
  };
  return { report, verification };
}

/** Throws MLS_ERR_BUNDLE_VERIFY_FAILED naming every bad variant; call after printing the report. */
export function assertBundleVerified(verification: BundleVerification): void {
  assertBundleIntact(verification);
}

export interface BundleTextOptions {
  style: { bold(s: string): string; dim(s: string): string; green(s: string): string; red(s: string): string };
  table(rows: string[][], header: string[]): string;
}

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`);
const shapes = (record: Record<string, number[]>) => Object.entries(record).map(([n, d]) => `${n}[${d.join(',')}]`).join(' ');

export function formatBundleText(r: BundleInspection, { style, table }: BundleTextOptions): string {
  const lines = [
    `${style.bold('Bundle')}  ${r.dir}`,
    `  source ${r.source.file} · ${size(r.source.bytes)} · sha256 ${r.source.sha256}`,
    `  built ${r.createdAt} by mlserve ${r.mlserve}, onnxruntime-node ${r.onnxruntime.node}${r.onnxruntime.web ? `, onnxruntime-web ${r.onnxruntime.web}` : ''}`,
    `  passes ${r.compile.passes} · onnxruntime level ${r.compile.optimizationLevel}`,
    '',
    style.bold(`Variants  ${r.variants.length}`),
    table(r.variants.map((v) => [
      v.id, v.file, shapes(v.inputs), shapes(v.outputs), v.optimizationLevel, Object.entries(v.opset).map(([d, n]) => `${d} ${n}`).join(', '),
      size(v.bytes), v.check.ok ? style.green('ok') : style.red(`FAILED: ${v.check.problem}`),
    ]), ['variant', 'file', 'inputs', 'outputs', 'level', 'opsets', 'size', 'sha256']),
  ];
  for (const s of r.skipped) lines.push(style.dim(`  skipped ${s.provider} ${s.precision} batch ${s.batchSize}: ${s.reason}`));
  lines.push('');
  if (r.selection) {
    const sel = r.selection;
    lines.push(style.bold('Selection') + `  (bench ${sel.selectedAt}, ${sel.bench.host}${sel.maxLatencyMs !== null ? `, p99 ≤ ${sel.maxLatencyMs} ms` : ''})`);
    for (const e of sel.byBatchSize) {
      lines.push(`  batch ${e.batchSize}: ${e.variant} · ${e.throughput.toFixed(1)} samples/s · p99 ${e.p99Ms.toFixed(2)} ms${sel.servedBatchSizes.includes(e.batchSize) ? '' : ' · not served'}`);
    }
    lines.push(`  serves batch sizes ${sel.servedBatchSizes.join(', ')}`);
  } else {
    lines.push(style.dim(`No selection yet: mlserve bench ${r.dir} --select`));
  }
  const bad = r.variants.filter((v) => !v.check.ok).length;
  lines.push(bad === 0 ? style.green(`hashes: all ${r.variants.length} variant files match the manifest`) : style.red(`hashes: ${bad} of ${r.variants.length} variant files do not match the manifest`));
  return lines.join('\n');
}
