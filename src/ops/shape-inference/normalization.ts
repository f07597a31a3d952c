/**
 * Shape rules for normalizations. Y always has X's shape and type; what differs is the statistics
 * outputs: BatchNormalization's running/saved mean and variance ([C], the scale's shape), and
 * LayerNormalization's Mean / InvStdDev (X's dims before `axis`, then 1s, in stash_type).
 */
import type { Shape } from '../../ir/tensor-type.js';
import { DataType } from '../../onnx/data-type.js';
import type { InferredOutput, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

const sameAsInput: ShapeRule = (ctx) => {
  const x = ctx.input(0);
  return [{ dtype: x?.dtype ?? 0, shape: x?.shape && [...x.shape] }];
};

/**
 * BatchNormalization's outputs after Y (training mode, or opsets < 9 that always declare them):
 * running mean/var, then (opset < 14) saved mean/var; all per-channel, typed like the mean input.
 */
const batchNormalization: ShapeRule = (ctx) => {
  const [y] = sameAsInput(ctx);
  const x = ctx.input(0);
  // The stats have the scale's shape: [C], or [C, D1, …] for the pre-opset-9 spatial=0 form.
  const scale = ctx.input(1)?.shape;
  const stats: Shape | undefined = scale ? [...scale] : x?.shape && x.shape.length >= 2 ? [x.shape[1] ?? null] : undefined;
  const dtype = ctx.input(3)?.dtype || x?.dtype || 0;
  const outputs: (InferredOutput | undefined)[] = [y];
  for (let i = 1; i < ctx.node.outputs.length; i++) outputs.push({ dtype, shape: stats && [...stats] });
  return outputs;
};

function normalizedAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a <= rank ? a : undefined;
}

/** LayerNormalization (ai.onnx 17, and ORT's com.microsoft / pre-17 contrib form): Mean and InvStdDev. */
const layerNormalization: ShapeRule = (ctx) => {
  const [y] = sameAsInput(ctx);
  const x = ctx.input(0);
  const statsType = ctx.node.intAttribute('stash_type', DataType.FLOAT!);
  let stats: Shape | undefined;
  if (x?.shape) {
    const axis = normalizedAxis(ctx.node.intAttribute('axis', -1), x.shape.length);
    if (axis !== undefined) stats = x.shape.map((d, i) => (i < axis ? d : 1));
  }
  const outputs: (InferredOutput | undefined)[] = [y];
  for (let i = 1; i < Math.min(ctx.node.outputs.length, 3); i++) outputs.push({ dtype: statsType, shape: stats && [...stats] });
  return outputs;
};

/**
 * com.microsoft SkipLayerNormalization: output like X; mean and inv_std_var over the last axis
 * (float32); input_skip_bias_sum like X.
 */
const skipLayerNormalization: ShapeRule = (ctx) => {
  const [y] = sameAsInput(ctx);
  const x = ctx.input(0);
  const stats: InferredOutput = { dtype: DataType.FLOAT!, shape: x?.shape && x.shape.map((d, i) => (i < x.shape!.length - 1 ? d : 1)) };
  const outputs: (InferredOutput | undefined)[] = [y, stats, { ...stats, shape: stats.shape && [...stats.shape] }, y && { ...y, shape: y.shape && [...y.shape] }];
  return outputs.slice(0, Math.max(1, ctx.node.outputs.length));
};

const same = (opType: string, domain = ''): ShapeRuleEntry => ({ domain, opType, rule: sameAsInput });

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'BatchNormalization', rule: batchNormalization },
  { domain: '', opType: 'LayerNormalization', rule: layerNormalization },
  { domain: 'com.microsoft', opType: 'LayerNormalization', rule: layerNormalization },
  // ORT's contrib schemas put SimplifiedLayerNormalization in the default domain; some tools write com.microsoft.
  { domain: '', opType: 'SimplifiedLayerNormalization', rule: layerNormalization },
  { domain: 'com.microsoft', opType: 'SimplifiedLayerNormalization', rule: layerNormalization },
  { domain: 'com.microsoft', opType: 'SkipLayerNormalization', rule: skipLayerNormalization },
  { domain: 'com.microsoft', opType: 'SkipSimplifiedLayerNormalization', rule: skipLayerNormalization },
  same('InstanceNormalization'),
  same('GroupNormalization'),
  same('LRN'),
  same('RMSNormalization'),
  // MeanVarianceNormalization and LpNormalization (shape = input) are registered in elementwise.ts.
];
