/**
 * Shape rules for ops that make tensors from attributes or from a shape: Constant, ConstantOfShape,
 * Range, EyeLike and the random generators. Constant and ConstantOfShape also give KNOWN VALUES: the
 * small int64 vectors exporters feed to Reshape, Slice and Unsqueeze often are Constant nodes, and
 * torch's Expand export builds its shape from ConstantOfShape([n]) of ones.
 */
import type { Dim, Shape } from '../../ir/tensor-type.js';
import { int64ToNumber } from '../../onnx/tensor-size-check.js';
import type { TensorProto } from '../../onnx/proto-types.js';
import { ceilDivDims, isKnownDim, subDims } from './dim-math.js';
import { DT, sameAsInput, unknownDims, unknownRank } from './rule-helpers.js';
import type { InferredOutput, ShapeRule, ShapeRuleEntry } from './shape-rule.js';
import { elementCount, valueShape } from './flat-values.js';
import { knownValueOfTensor, MAX_KNOWN_ELEMENTS } from './tensor-known-value.js';

function tensorOutput(t: TensorProto): InferredOutput {
  const out: InferredOutput = { dtype: t.data_type ?? 0, shape: (t.dims ?? []).map(int64ToNumber) };
  const value = knownValueOfTensor(t);
  if (value) out.value = value;
  return out;
}

const constant: ShapeRule = (ctx) => {
  const node = ctx.node;
  const value = node.attribute('value')?.t;
  if (value) return [tensorOutput(value)];
  const sparse = node.attribute('sparse_value')?.sparse_tensor;
  if (sparse) return [{ dtype: sparse.values?.data_type ?? 0, shape: sparse.dims.map(int64ToNumber) }];
  if (node.hasAttribute('value_int')) {
    return [{ dtype: DT.INT64, shape: [], value: [node.intAttribute('value_int', 0)] }];
  }
  const ints = node.intsAttribute('value_ints');
  if (ints && node.hasAttribute('value_ints')) {
    const out: InferredOutput = { dtype: DT.INT64, shape: [ints.length] };
    if (ints.length <= MAX_KNOWN_ELEMENTS) out.value = ints;
    return [out];
  }
  if (node.hasAttribute('value_float')) return [{ dtype: DT.FLOAT, shape: [], value: [node.floatAttribute('value_float', 0)] }];
  const floats = node.attributeValue('value_floats');
  if (Array.isArray(floats) && node.hasAttribute('value_floats')) {
    const out: InferredOutput = { dtype: DT.FLOAT, shape: [floats.length] };
    if (floats.length <= MAX_KNOWN_ELEMENTS) out.value = floats as number[];
    return [out];
  }
  if (node.hasAttribute('value_string')) return [{ dtype: DT.STRING, shape: [] }];
  const strings = node.attributeValue('value_strings');
  if (Array.isArray(strings)) return [{ dtype: DT.STRING, shape: [strings.length] }];
  throw new Error('Constant has no value attribute');
};

/** The fill element ConstantOfShape's `value` attribute holds (0.0 float32 when absent). */
function fillValue(t: TensorProto | undefined): { dtype: number; element: Dim } {
  if (!t) return { dtype: DT.FLOAT, element: 0 };
  return { dtype: t.data_type ?? DT.FLOAT, element: knownValueOfTensor(t)?.[0] ?? null };
}

const constantOfShape: ShapeRule = (ctx) => {
  const { dtype, element } = fillValue(ctx.node.attribute('value')?.t);
  const target = ctx.inputValue(0);
  if (!target) {
    const n = ctx.input(0)?.shape?.[0];
    return [typeof n === 'number' ? { dtype, shape: unknownDims(n) } : unknownRank(dtype)];
  }
  const out: InferredOutput = { dtype, shape: [...target] };
  const dims = valueShape(target);
  if (dims) out.value = new Array<Dim>(elementCount(dims)).fill(element);
  return [out];
};

/** Range's length, max(ceil((limit - start) / delta), 0); a symbol where the bounds are data. */
const range: ShapeRule = (ctx) => {
  const dtype = ctx.input(0)?.dtype || ctx.input(1)?.dtype || 0;
  const [start, limit, delta] = [0, 1, 2].map((i) => ctx.inputValue(i)?.[0] ?? null) as [Dim, Dim, Dim];
  let length: Dim = null;
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number' && delta !== 0) {
    length = Math.max(Math.ceil((limit - start) / delta), 0);
  } else if (isKnownDim(start) && isKnownDim(limit) && typeof delta === 'number' && delta > 0) {
    // arange(n) and arange(k, n) over a symbolic n: the bounds are dims, so limit ≥ start is assumed.
    length = ceilDivDims(subDims(limit, start), delta);
  }
  if (length === null) length = ctx.newSymbol('range');
  const out: InferredOutput = { dtype, shape: [length] };
  if (typeof length === 'number' && length <= MAX_KNOWN_ELEMENTS && typeof start === 'number' && typeof delta === 'number') {
    out.value = Array.from({ length }, (_, i) => start + i * delta);
  }
  return [out];
};

const eyeLike: ShapeRule = (ctx) => [sameAsInput(ctx, 0, ctx.node.intAttribute('dtype', 0) || ctx.input(0)?.dtype || DT.FLOAT)];

/** RandomNormal/RandomUniform: shape and dtype from attributes. */
const randomFromAttributes: ShapeRule = (ctx) => {
  const shape = ctx.node.intsAttribute('shape');
  return [{ dtype: ctx.node.intAttribute('dtype', DT.FLOAT), shape: shape ? [...shape] : undefined }];
};

/** RandomNormalLike/RandomUniformLike: the input's shape, the attribute's dtype or the input's. */
const randomLike: ShapeRule = (ctx) => [sameAsInput(ctx, 0, ctx.node.intAttribute('dtype', 0) || ctx.input(0)?.dtype || 0)];

/** Multinomial: [batch, sample_size], int32 unless told otherwise. */
const multinomial: ShapeRule = (ctx) => {
  const batch = ctx.input(0)?.shape?.[0] ?? null;
  const shape: Shape = [batch, ctx.node.intAttribute('sample_size', 1)];
  return [{ dtype: ctx.node.intAttribute('dtype', DT.INT32), shape }];
};

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'Constant', rule: constant },
  { domain: '', opType: 'ConstantOfShape', rule: constantOfShape },
  { domain: '', opType: 'Range', rule: range },
  { domain: '', opType: 'EyeLike', rule: eyeLike },
  { domain: '', opType: 'RandomNormal', rule: randomFromAttributes },
  { domain: '', opType: 'RandomUniform', rule: randomFromAttributes },
  { domain: '', opType: 'RandomNormalLike', rule: randomLike },
  { domain: '', opType: 'RandomUniformLike', rule: randomLike },
  { domain: '', opType: 'Multinomial', rule: multinomial },
];
