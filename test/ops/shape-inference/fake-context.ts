/**
 * Test harness for shape rules: a one-node model described as a table row, the InferenceContext the
 * rule sees for it (input types and known values given by the row), and the same model run in
 * onnxruntime so a test can hold the rule's static shapes against what ORT actually produces.
 */
import assert from 'node:assert/strict';
import type { Dim, TensorType } from '../../../src/ir/tensor-type.js';
import { ModelBuilder, dtypeId, type Attributes, type DTypeSpec } from '../../../src/ir/model-builder.js';
import { modelFromProto } from '../../../src/ir/model-from-proto.js';
import type { Node } from '../../../src/ir/node.js';
import { encodeModel } from '../../../src/onnx/codec.js';
import { dataTypeName } from '../../../src/onnx/data-type.js';
import type { ModelProto } from '../../../src/onnx/proto-types.js';
import { createSession } from '../../../src/runtime/ort-session.js';
import { randomFeeds } from '../../../src/runtime/random-inputs.js';
import type { InferenceContext, InferredOutput, KnownValue, ShapeRuleEntry } from '../../../src/ops/shape-inference/shape-rule.js';

export interface CaseInput {
  dtype: DTypeSpec;
  /** undefined = rank unknown (rule-only cases). */
  shape?: Dim[];
  /** Constant content: an initializer in the ORT model, and the known value the rule sees. */
  data?: number[];
  /** A known value for the rule only (e.g. one holding symbols), as the engine would propagate it. */
  known?: KnownValue;
}

export interface OneNodeCase {
  op: string;
  domain?: string;
  /** Opset of the node's domain; default 17. */
  opset?: number;
  /** null leaves an optional input out. */
  inputs: (CaseInput | null)[];
  attrs?: Attributes;
  /** How many outputs the node has; default 1. */
  outputs?: number;
  /** Output positions left out ('' in the node). */
  omitOutputs?: number[];
}

const inputName = (i: number) => `in${i}`;
const outputName = (i: number) => `out${i}`;

function buildModel(c: OneNodeCase, outputTypes?: (InferredOutput | undefined)[]): ModelProto {
  const domain = c.domain ?? '';
  const opset = c.opset ?? 17;
  const b = new ModelBuilder(domain === '' ? { opset, irVersion: opset < 8 ? 3 : 8 } : { opset: 17, opsetImports: { [domain]: opset } });
  const names = c.inputs.map((input, i) => {
    if (!input) return '';
    if (input.data) {
      const dims = (input.shape ?? [input.data.length]) as number[];
      return b.initializer(inputName(i), input.dtype, dims, input.data);
    }
    return b.input(inputName(i), input.dtype, input.shape);
  });
  const count = c.outputs ?? 1;
  const outputs = Array.from({ length: count }, (_, i) => (c.omitOutputs?.includes(i) ? '' : outputName(i)));
  b.node(c.op, names, c.attrs ?? {}, { outputs, domain });
  if (outputTypes) {
    outputs.forEach((name, i) => {
      if (name !== '') b.output(name, outputTypes[i]?.dtype || 'float32');
    });
  }
  return b.build();
}

/** The case's node, as the IR holds it. */
export function caseNode(c: OneNodeCase): Node {
  const model = modelFromProto(buildModel(c), `test:${c.op}`);
  return model.graph.nodes[0]!;
}

/** The InferenceContext the engine would hand the rule for this case. */
export function fakeContext(c: OneNodeCase, node: Node = caseNode(c)): InferenceContext {
  let symbols = 0;
  return {
    node,
    opset: c.opset ?? 17,
    inputCount: c.inputs.length,
    input(i): TensorType | undefined {
      const input = c.inputs[i];
      return input ? { dtype: dtypeId(input.dtype), shape: input.shape ? [...input.shape] : undefined } : undefined;
    },
    inputValue(i): KnownValue | undefined {
      const input = c.inputs[i];
      return input?.known ?? input?.data;
    },
    hasInput(i) {
      return c.inputs[i] !== undefined && c.inputs[i] !== null;
    },
    newSymbol(hint) {
      return `${hint}_${++symbols}`;
    },
  };
}

/** The entry the registry would pick: same domain and op, newest sinceOpset not above the node's opset. */
export function findRule(rules: ShapeRuleEntry[], c: OneNodeCase): ShapeRuleEntry {
  const opset = c.opset ?? 17;
  const candidates = rules
    .filter((r) => r.domain === (c.domain ?? '') && r.opType === c.op && (r.sinceOpset ?? 1) <= opset)
    .sort((a, b) => (b.sinceOpset ?? 1) - (a.sinceOpset ?? 1));
  if (!candidates[0]) throw new Error(`no rule for ${c.domain ?? ''}:${c.op} at opset ${opset}`);
  return candidates[0];
}

/** Runs the rule for the case. */
export function runRule(rules: ShapeRuleEntry[], c: OneNodeCase): (InferredOutput | undefined)[] {
  return findRule(rules, c).rule(fakeContext(c));
}

/** Output shapes of the rule, one per output ('' outputs give undefined). */
export function ruleShapes(rules: ShapeRuleEntry[], c: OneNodeCase): (Dim[] | undefined)[] {
  return runRule(rules, c).map((o) => o?.shape);
}

/**
 * Runs the case in onnxruntime (graph inputs fed random data) and returns each output's dims and
 * element type; outputs are declared with the types the rule inferred, so a wrong dtype fails too.
 */
export async function ortOutputs(c: OneNodeCase, inferred: (InferredOutput | undefined)[]): Promise<({ dims: number[]; dtype: string } | undefined)[]> {
  const proto = buildModel(c, inferred);
  const session = await createSession(encodeModel(proto), { graphOptimizationLevel: 'disabled' });
  try {
    const specs = c.inputs.flatMap((input, i) => (input && !input.data
      ? [{ name: inputName(i), dtype: dtypeId(input.dtype), shape: input.shape }] : []));
    const results = await session.run(randomFeeds(specs));
    const count = c.outputs ?? 1;
    return Array.from({ length: count }, (_, i) => {
      const t = results[outputName(i)];
      return t ? { dims: [...t.dims], dtype: t.type } : undefined;
    });
  } finally {
    await session.release();
  }
}

/** Asserts the rule's static shapes and element types equal what onnxruntime produces for the case. */
export async function assertMatchesOrt(rules: ShapeRuleEntry[], c: OneNodeCase): Promise<void> {
  const inferred = runRule(rules, c);
  const actual = await ortOutputs(c, inferred);
  const label = `${c.op} ${JSON.stringify(c.attrs ?? {})} on ${JSON.stringify(c.inputs.map((i) => i?.shape ?? null))}`;
  actual.forEach((got, i) => {
    if (!got) return;
    assert.deepEqual(inferred[i]?.shape, got.dims, `${label}: output ${i} shape`);
    assert.equal(dataTypeName(inferred[i]?.dtype), got.dtype, `${label}: output ${i} type`);
  });
}
