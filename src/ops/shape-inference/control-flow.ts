/**
 * Shape inference for the ops that hold subgraphs: If, Loop, Scan. Unlike the per-op rules these need
 * the engine, to infer a body under given input types, so they receive a SubgraphRunner with the
 * context. Bodies read outer-scope values directly (the engine's types are per Value, shared by all
 * scopes), so only the body's own inputs are seeded here.
 *
 * If: both branches are inferred (every value in them counts for coverage). With a known condition the
 * output is the taken branch's; otherwise the merge of both: same rank required, equal dims kept,
 * differing dims a fresh symbol (the output has one length per run, just not a known one).
 * Loop: the body sees (iteration: int64 [], cond: bool [], carried...) and yields (cond, carried...,
 * scan outputs...). A carried value whose shape changes across iterations is generalised (differing
 * dims become symbols) and the body inferred again, so the final types hold for any iteration count.
 * Scan outputs stack per iteration: a new leading dim, the trip count when it is known, else a symbol.
 * Scan (opset 9+): the body sees the states and one slice of each scan input (the scan axis removed);
 * scan outputs gain the sequence length at their scan_output_axes.
 */
import type { Graph } from '../../ir/graph.js';
import type { Dim, Shape, TensorType } from '../../ir/tensor-type.js';
import { DT, normalizeAxis } from './rule-helpers.js';
import type { InferenceContext, InferredOutput, KnownValue } from './shape-rule.js';

/** What the engine offers a control-flow rule. */
export interface SubgraphRunner {
  /** Infers `graph` with its inputs typed as given; returns its outputs' types and known values. */
  run(graph: Graph, inputs: (InferredOutput | undefined)[]): (InferredOutput | undefined)[];
  /** Records why output `index` of the node has no full type (shown in the report). */
  note(index: number, reason: string): void;
}

export type ControlFlowRule = (ctx: InferenceContext, runner: SubgraphRunner) => (InferredOutput | undefined)[];

function subgraph(ctx: InferenceContext, attribute: string): Graph {
  const sub = ctx.node.subgraphs.find((s) => s.attribute === attribute);
  if (!sub) throw new Error(`${ctx.node.opType} has no '${attribute}' graph`);
  return sub.graph;
}

function sameValue(a: KnownValue | undefined, b: KnownValue | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Two types a value may have (two branches, or a loop's iterations) as one: undefined when the rank
 * differs or either is unknown; `fresh` names dims that differ.
 */
function mergeTypes(a: InferredOutput | undefined, b: InferredOutput | undefined, fresh: () => string): InferredOutput | undefined {
  if (!a && !b) return undefined;
  const dtype = a?.dtype || b?.dtype || 0;
  if (!a?.shape || !b?.shape || a.shape.length !== b.shape.length) return { dtype, shape: undefined };
  const shape = a.shape.map((d, i): Dim => (d === b.shape![i] && d !== null ? d : fresh()));
  const out: InferredOutput = { dtype, shape };
  if (sameValue(a.value, b.value)) out.value = a.value;
  return out;
}

const ifRule: ControlFlowRule = (ctx, runner) => {
  const thenOut = runner.run(subgraph(ctx, 'then_branch'), []);
  const elseOut = runner.run(subgraph(ctx, 'else_branch'), []);
  const cond = ctx.inputValue(0)?.[0];
  if (typeof cond === 'number') return cond ? thenOut : elseOut;
  return ctx.node.outputs.map((_, i) => {
    const merged = mergeTypes(thenOut[i], elseOut[i], () => ctx.newSymbol('if'));
    if (merged && !merged.shape) {
      const [a, b] = [thenOut[i]?.shape, elseOut[i]?.shape];
      runner.note(i, a && b ? `the If branches give ranks ${a.length} and ${b.length}` : 'an If branch output has no known shape');
    }
    return merged;
  });
};

/**
 * A loop-carried type widened to cover both the type going in (`a`) and the one coming out (`b`):
 * dims they share stay; a dim that differs becomes a symbol — the one this loop already made for it,
 * so a second round with the widened type comes back unchanged.
 */
function generalize(
  a: InferredOutput | undefined, b: InferredOutput | undefined, widened: Set<string>, fresh: () => string,
): InferredOutput | undefined {
  if (!a && !b) return undefined;
  const dtype = a?.dtype || b?.dtype || 0;
  if (!a?.shape || !b?.shape || a.shape.length !== b.shape.length) return { dtype, shape: undefined };
  const shape = a.shape.map((d, i): Dim => {
    if (d === b.shape![i] && d !== null) return d;
    if (typeof d === 'string' && widened.has(d)) return d;
    const symbol = fresh();
    widened.add(symbol);
    return symbol;
  });
  return { dtype, shape };
}

function shapesEqual(a: Shape | undefined, b: Shape | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

const loopRule: ControlFlowRule = (ctx, runner) => {
  const body = subgraph(ctx, 'body');
  const carriedCount = Math.max(ctx.inputCount - 2, 0);
  const typeOfInput = (i: number): InferredOutput | undefined => {
    const t = ctx.input(i);
    return t ? { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined } : undefined;
  };
  let carried: (InferredOutput | undefined)[] = Array.from({ length: carriedCount }, (_, j) => typeOfInput(j + 2));
  let outputs: (InferredOutput | undefined)[] = [];
  // A body whose carried shapes change is re-inferred with widened inputs; as a widened dim stays
  // widened, the second round settles it (the third is a guard).
  const widened = new Set<string>();
  for (let round = 0; round < 3; round++) {
    outputs = runner.run(body, [{ dtype: DT.INT64, shape: [] }, { dtype: DT.BOOL, shape: [] }, ...carried]);
    const next = carried.map((c, j) => generalize(c, outputs[j + 1], widened, () => ctx.newSymbol('loop')));
    if (next.every((n, j) => shapesEqual(n?.shape, carried[j]?.shape) && (n?.dtype ?? 0) === (carried[j]?.dtype ?? 0))) break;
    carried = next;
  }
  const tripCount = loopTripCount(ctx, body, outputs[0]);
  const scanCount = ctx.node.outputs.length - carriedCount;
  const result: (InferredOutput | undefined)[] = carried.map((c) => (c ? { dtype: c.dtype, shape: c.shape } : undefined));
  for (let k = 0; k < scanCount; k++) {
    const o = outputs[1 + carriedCount + k];
    result.push(o ? { dtype: o.dtype, shape: o.shape ? [tripCount ?? ctx.newSymbol('loop_iterations'), ...o.shape] : undefined } : undefined);
  }
  return result;
};

/**
 * The iteration count when the graph fixes it: M is known and the loop cannot stop early (no
 * condition input, or the body passes its condition through unchanged or yields a known true).
 */
function loopTripCount(ctx: InferenceContext, body: Graph, condOut: InferredOutput | undefined): Dim | undefined {
  if (!ctx.hasInput(0)) return undefined;
  const m = ctx.inputValue(0)?.[0];
  if (m === undefined || m === null) return undefined;
  if (ctx.hasInput(1)) {
    const initial = ctx.inputValue(1)?.[0];
    if (initial === 0) return 0;
    let condOutValue = body.outputs[0];
    while (condOutValue?.producer?.opType === 'Identity' && condOutValue.producer.graph === body) condOutValue = condOutValue.producer.inputs[0];
    const passedThrough = condOutValue !== undefined && condOutValue === body.inputs[1];
    if (initial !== 1 || !(passedThrough || condOut?.value?.[0] === 1)) return undefined;
  }
  return typeof m === 'number' ? Math.max(m, 0) : m;
}

const scanRule: ControlFlowRule = (ctx, runner) => {
  if (ctx.opset < 9) throw new Error('Scan before opset 9 (with a batch axis) is not supported');
  const body = subgraph(ctx, 'body');
  const scanInputs = ctx.node.intAttribute('num_scan_inputs', 0);
  const stateCount = ctx.inputCount - scanInputs;
  const inputAxes = ctx.node.intsAttribute('scan_input_axes') ?? [];
  const outputAxes = ctx.node.intsAttribute('scan_output_axes') ?? [];
  const bodyInputs: (InferredOutput | undefined)[] = [];
  let sequenceLength: Dim = null;
  for (let i = 0; i < ctx.inputCount; i++) {
    const t: TensorType | undefined = ctx.input(i);
    if (i < stateCount) { bodyInputs.push(t ? { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined } : undefined); continue; }
    if (!t?.shape) { bodyInputs.push(t ? { dtype: t.dtype, shape: undefined } : undefined); continue; }
    const axis = normalizeAxis(inputAxes[i - stateCount] ?? 0, t.shape.length, 'scan_input_axes entry');
    if (sequenceLength === null) sequenceLength = t.shape[axis] ?? null;
    bodyInputs.push({ dtype: t.dtype, shape: t.shape.filter((_, k) => k !== axis) });
  }
  const outputs = runner.run(body, bodyInputs);
  const length: Dim = sequenceLength ?? ctx.newSymbol('scan');
  return ctx.node.outputs.map((_, j) => {
    const o = outputs[j];
    if (j < stateCount || !o) return o ? { dtype: o.dtype, shape: o.shape } : undefined;
    if (!o.shape) return { dtype: o.dtype, shape: undefined };
    const shape = [...o.shape];
    shape.splice(normalizeAxis(outputAxes[j - stateCount] ?? 0, shape.length + 1, 'scan_output_axes entry'), 0, length);
    return { dtype: o.dtype, shape };
  });
};

/** Control-flow rules by op type (ai.onnx). */
export const CONTROL_FLOW_RULES: Readonly<Record<string, ControlFlowRule>> = {
  If: ifRule,
  Loop: loopRule,
  Scan: scanRule,
};
