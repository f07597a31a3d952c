/**
 * Does: y = x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1 → readers of y read x, where the constant is all
 * zeros (Add, Sub) or all ones (Mul, Div) and broadcasting it against x gives x's own shape: every dim
 * of the constant, aligned from the right, is 1 or equal to x's (known) dim, and its rank is not
 * higher. The element type must be x's. Exact for integers; for floats x*1, x/1 and x-0 are exact, and
 * x+0 differs only in turning -0 into +0 (numerically equal).
 * Leaves alone: a non-constant or not-all-identity operand, a broadcast that would grow or change
 * x's shape, x's shape or type unknown, y being a graph output.
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers, readTensorData, tensorDims } from '../ir/tensor-data.js';
import type { TensorProto } from '../onnx/proto-types.js';
import type { Value } from '../ir/value.js';
import { dataTypeName, DataType } from '../onnx/data-type.js';
import { bypassNode } from './bypass-node.js';
import { constantTensor } from './constant-value.js';
import { defineRulePass, fail, ok, type CheckResult, type PassOptions } from './pass.js';

const IDENTITY: Record<string, { value: number; operands: number[] }> = {
  Add: { value: 0, operands: [1, 0] },
  Sub: { value: 0, operands: [1] },
  Mul: { value: 1, operands: [1, 0] },
  Div: { value: 1, operands: [1] },
};

export default defineRulePass({
  name: 'eliminate_nop_arithmetic',
  kind: 'eliminate',
  summary: 'remove Add/Sub of 0 and Mul/Div by 1 when broadcasting keeps the other input\'s shape',
  opTypes: Object.keys(IDENTITY),
  needsShapes: true,
  match(node, _model, options) {
    const y = node.outputs[0];
    if (!node.inputs[0] || !node.inputs[1] || !y) return fail('input or output omitted');
    let reason = '';
    for (const c of IDENTITY[node.opType]!.operands) {
      const verdict = checkOperand(node, c, options);
      if (verdict.ok) return y.isGraphOutput ? fail('output is a graph output') : node;
      reason ||= verdict.reason;
    }
    return fail(reason);
  },
  rewrite(node, _model, options) {
    const c = IDENTITY[node.opType]!.operands.find((i) => checkOperand(node, i, options).ok)!;
    bypassNode(node, 1 - c);
  },
});

/** Whether input `c` is the identity constant and the other input passes through unchanged. */
function checkOperand(node: Node, c: number, options: PassOptions): CheckResult {
  const identity = IDENTITY[node.opType]!.value;
  const x = node.inputs[1 - c]!;
  const t = constantTensor(node.inputs[c], options);
  if (!t) return fail(`input ${c} is not a constant`);
  const dtype = t.data_type ?? 0;
  if (dtype === DataType.STRING || dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) return fail(`constant of type ${dataTypeName(dtype)}`);
  if (x.type?.dtype !== dtype) return fail(`element type of '${x.name}' is not the constant's ${dataTypeName(dtype)}`);
  const shape = keepsShape(x, tensorDims(t));
  if (!shape.ok) return shape;
  return allEqual(t, identity) ? ok() : fail(`constant is not all ${identity}`);
}

/** Every element equals `v`; stops at the first that does not (constants can be whole weight tensors). */
function allEqual(t: TensorProto, v: number): boolean {
  const dtype = t.data_type;
  if (dtype === DataType.FLOAT16 || dtype === DataType.BFLOAT16 || (dtype !== undefined && dtype >= DataType.FLOAT8E4M3FN!)) {
    return readTensorAsNumbers(t).every((e) => e === v);
  }
  const data = readTensorData(t);
  for (let i = 0; i < data.length; i++) if (Number(data[i]) !== v) return false;
  return true;
}

function keepsShape(x: Value, dims: number[]): CheckResult {
  const shape = x.type?.shape;
  if (!shape) return fail(`rank of '${x.name}' unknown`);
  if (dims.length > shape.length) return fail(`the constant's rank ${dims.length} would broadcast '${x.name}' (rank ${shape.length}) up`);
  for (let i = 1; i <= dims.length; i++) {
    const d = dims[dims.length - i]!;
    const xd = shape[shape.length - i];
    if (d !== 1 && xd !== d) return fail(`the constant's dim ${d} may broadcast '${x.name}' dim ${xd ?? '?'}`);
  }
  return ok();
}
