/**
 * Per-op facts the float16 converter needs: which ops stay float32 by default and why, which inputs
 * of an op are float32 whatever the op computes in (ONNX types them tensor(float) or gives them a
 * type variable of their own), and which inputs accept any element type (no Cast needed in front).
 *
 * What onnxruntime's CPU provider does with float16 (measured with onnxruntime-node 1.30 on x86-64,
 * AVX-512): it has float16 kernels only for data movement (Transpose, Gather, Slice, Split, Concat,
 * Cast), LayerNormalization, Clip, Min and Max. For every other op it does not fail: at session
 * load its InsertCastTransformer wraps each float16 region in Casts, up-casts the weights once and
 * computes in float32. So a float16 model runs on CPU at float32 speed with float16-rounded weights;
 * blocking the ops that lack CPU kernels would only repeat that while robbing GPU providers of the
 * float16 graph. The default block list therefore holds what is wrong or fragile in float16 on any
 * provider, not what the CPU lacks — plus the few float16 patterns onnxruntime itself mishandles.
 */
import type { Node } from '../ir/node.js';
import type { Value } from '../ir/value.js';

/** Ops (default domain) kept float32 by default, with the reason shown in the report. */
export const DEFAULT_FP16_OP_BLOCK_LIST: ReadonlyMap<string, string> = new Map([
  ['NonMaxSuppression', 'boxes and scores are tensor(float) only'],
  ['RoiAlign', 'box coordinates lose pixels in float16 beyond 2048'],
  ['Range', 'index arithmetic: float16 integers are exact only up to 2048'],
  ['CumSum', 'long running sums overflow or lose precision in float16'],
  ['TopK', 'ties after float16 rounding reorder the selected indices'],
  ['RandomNormal', 'output type set by an attribute (sampling stays float32)'],
  ['RandomUniform', 'output type set by an attribute (sampling stays float32)'],
  ['RandomNormalLike', 'sampling stays float32'],
  ['RandomUniformLike', 'sampling stays float32'],
  ['Multinomial', 'sampling stays float32'],
  ['Bernoulli', 'sampling stays float32'],
  ['EyeLike', 'output type set by an attribute'],
  ['TfIdfVectorizer', 'float output from integer inputs, typed by the op'],
  ['MelWeightMatrix', 'output type set by an attribute'],
  ['HannWindow', 'output type set by an attribute'],
  ['HammingWindow', 'output type set by an attribute'],
  ['BlackmanWindow', 'output type set by an attribute'],
  ['QuantizeLinear', 'quantization scales stay float32'],
  ['DequantizeLinear', 'quantization scales stay float32'],
  ['DynamicQuantizeLinear', 'tensor(float) only'],
  ['QLinearConv', 'quantization scales stay float32'],
  ['QLinearMatMul', 'quantization scales stay float32'],
  ['ConvInteger', 'integer op'],
  ['MatMulInteger', 'integer op'],
  ['If', 'control flow: its branches are converted inside, with float32 at the boundary'],
  ['Loop', 'control flow: its body is converted inside, with float32 at the boundary'],
  ['Scan', 'control flow: its body is converted inside, with float32 at the boundary'],
  ['SequenceConstruct', 'sequence types are not converted'],
  ['SequenceInsert', 'sequence types are not converted'],
  ['SequenceAt', 'sequence types are not converted'],
  ['SplitToSequence', 'sequence types are not converted'],
  ['ConcatFromSequence', 'sequence types are not converted'],
  ['SequenceEmpty', 'sequence types are not converted'],
  ['Optional', 'optional types are not converted'],
  ['OptionalGetElement', 'optional types are not converted'],
]);

interface InputRule {
  /** First opset version the rule holds for (up to the next entry's). */
  since: number;
  inputs: readonly number[];
}

/**
 * Inputs that stay float32 on an op that is otherwise converted, by op and opset: ONNX types them
 * tensor(float) (Resize's and Upsample's scales) or gives them a type variable of their own (Resize's
 * roi), so float32 is always valid and float16 is not always.
 */
const FLOAT32_INPUTS: Readonly<Record<string, readonly InputRule[]>> = {
  Upsample: [{ since: 9, inputs: [1] }],
  Resize: [{ since: 10, inputs: [1] }, { since: 11, inputs: [1, 2] }],
};

/** Whether input `index` of `op` at `opset` stays float32 when the op is converted. */
export function isFloat32OnlyInput(op: string, opset: number, index: number): boolean {
  const rules = FLOAT32_INPUTS[op];
  if (!rules) return false;
  let current: InputRule | undefined;
  for (const rule of rules) if (rule.since <= opset) current = rule;
  return current?.inputs.includes(index) ?? false;
}

/**
 * Inputs that accept every element type and do not tie it to an output: Shape's and Size's data,
 * Cast's input (its output type is the `to` attribute). A float32 value read there needs no Cast.
 */
const ANY_TYPE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Shape: [0],
  Size: [0],
  Cast: [0],
};

export function acceptsAnyType(op: string, index: number): boolean {
  return ANY_TYPE_INPUTS[op]?.includes(index) ?? false;
}

/**
 * Float16 patterns onnxruntime mishandles (reproduced with onnxruntime-node 1.30, CPU): the node is
 * kept float32, the reason says why. Each entry has a test that shows the crash is avoided.
 */
export function float16RuntimeHazard(node: Node): string | undefined {
  if (node.opType === 'Transpose' && node.domain === '') {
    // At optimization level 'all' a session segfaults on a float16 rank-3 Transpose feeding MatMul
    // unless the perm only swaps the last two axes ([1,0,2] and [1,2,0] crash; rank 4 does not).
    const perm = node.intsAttribute('perm');
    const rank = node.inputs[0]?.type?.shape?.length ?? perm?.length;
    const harmless = perm !== undefined && (perm.join() === '0,2,1' || perm.join() === '0,1,2' || perm.join() === '2,0,1');
    const feedsMatMul = node.outputs[0] !== undefined && readsThroughCasts(node.outputs[0]).some((n) => n.opType === 'MatMul' && n.domain === '');
    if (rank === 3 && feedsMatMul && !harmless) {
      return 'onnxruntime 1.30 (CPU, optimization level all) crashes on a float16 rank-3 Transpose feeding MatMul';
    }
  }
  return undefined;
}

/** The nodes reading `value`, looking through Casts (so a second conversion sees what the first did). */
function readsThroughCasts(value: Value, depth = 0): Node[] {
  return value.uses.flatMap(({ node }) => (node.opType === 'Cast' && node.domain === '' && node.outputs[0] && depth < 4
    ? readsThroughCasts(node.outputs[0], depth + 1) : [node]));
}

/** Where shape arithmetic starts: outputs of these are sizes, and float math on them is index math. */
export const SHAPE_SOURCES: ReadonlySet<string> = new Set(['Shape', 'Size']);
