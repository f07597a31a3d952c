/**
 * The shape-inference engine: gives every value of a model (main graph and subgraphs) an element
 * type and a shape — numbers, symbolic names, or null where not known — and reports how much it
 * could type, and why the rest could not be.
 *
 * How: each graph is walked in topological order. Graph inputs are seeded from their declared types
 * (or `inputShapes`), initializers and Constant nodes from their tensors, including the CONTENT of
 * small ones (KnownValue), which the rules carry through the shape arithmetic exporters write. Each
 * node's rule (registry.ts; If/Loop/Scan in control-flow.ts) maps input types to output types.
 *
 * Decisions:
 *  - Results go to `value.inferred`; `declaredType` is never touched (Value.type merges the two).
 *    Every `inferred` in the model is cleared first, so a second run with other input shapes leaves no
 *    stale types behind.
 *  - Declared value_info vs inference: while propagating, INFERENCE WINS (as in onnxruntime), and
 *    declared dims only fill what inference left unknown — a file's value_info can be stale, and with
 *    `inputShapes` it is about other shapes anyway. Coverage is measured on `value.type`, the merge the
 *    rest of mlserve sees.
 *  - A graph input dim that is unknown (no dim_param) gets a symbol named after the input: it is one
 *    fixed length per run, and naming it lets the ops downstream say "same as that input's dim".
 *  - A rule that throws does not stop inference: its outputs are recorded as unknown with the message.
 *  - Coverage = node outputs (all graphs) whose type has a dtype and a full shape (every dim a number
 *    or a symbol) / all node outputs.
 */
import { MlserveError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import type { Model } from '../../ir/model.js';
import type { Node } from '../../ir/node.js';
import { formatShape, tensorTypeFromProto, type Dim, type Shape, type TensorType } from '../../ir/tensor-type.js';
import type { Value } from '../../ir/value.js';
import { int64ToNumber } from '../../onnx/tensor-size-check.js';
import type { FunctionProto } from '../../onnx/proto-types.js';
import { CONTROL_FLOW_RULES, type SubgraphRunner } from './control-flow.js';
import { calledFunction, functionBodyModel } from './function-body.js';
import { isFullShape } from './dim-math.js';
import { normalizeDomain, resolveShapeRule } from './registry.js';
import type { InferenceContext, InferredOutput, KnownValue } from './shape-rule.js';
import { elementCount, valueShape } from './flat-values.js';
import { knownValueOfTensor } from './tensor-known-value.js';

export interface InferShapesOptions {
  /** Concrete (or symbolic) dims for main-graph inputs, by input name; they replace the declared shape. */
  inputShapes?: ReadonlyMap<string, readonly Dim[]>;
  /**
   * Known contents of small main-graph inputs (flat, row-major), e.g. Silero VAD's sample rate: lets
   * If conditions and shape arithmetic that depend on them be decided.
   */
  inputValues?: ReadonlyMap<string, readonly number[]>;
}

export interface UnknownValue {
  /** The value's name. */
  value: string;
  /** Producer node: its name (may be undefined), op type and domain ('' = ai.onnx). */
  node: string | undefined;
  /** The subgraph holding the value (its name), or undefined for the main graph. */
  subgraph: string | undefined;
  opType: string;
  domain: string;
  reason: string;
  /**
   * True when the producer itself is the cause (no rule, a rule error, a rule that could not tell);
   * false when only an input was already unknown — fixing the root causes fixes these.
   */
  rootCause: boolean;
}

export interface ShapeInferenceReport {
  /** valuesCovered / valuesTotal (1 for a model without nodes). */
  coverage: number;
  valuesTotal: number;
  valuesCovered: number;
  unknown: UnknownValue[];
  /** 'domain::Op' (ai.onnx written as the bare op) of ops without any rule, with how many nodes each. */
  missingRules: { op: string; nodes: number }[];
  /**
   * The content inference worked out for small tensors (shape vectors, their Gathers and Concats, …),
   * flat in row-major order: what a folding pass can turn into constants where it is all numbers.
   */
  knownValues: ReadonlyMap<Value, KnownValue>;
}

/** A full type: a dtype and every dim a number or a symbol. */
export function isFullyKnown(type: TensorType | undefined): boolean {
  return type !== undefined && type.dtype !== 0 && isFullShape(type.shape);
}

export function inferShapes(model: Model, options: InferShapesOptions = {}): ShapeInferenceReport {
  return new ShapeInference(model).run(options);
}

interface Failure { reason: string; rootCause: boolean }

function opLabel(domain: string, opType: string): string {
  return domain === '' ? opType : `${domain}::${opType}`;
}

/** Inference's dims, with the declared ones filling what inference left unknown (see the header). */
function combine(inferred: TensorType | undefined, declared: TensorType | undefined): TensorType | undefined {
  if (!inferred) return declared;
  if (!declared) return inferred;
  const dtype = inferred.dtype || declared.dtype;
  if (!inferred.shape) return { dtype, shape: declared.shape };
  if (!declared.shape || declared.shape.length !== inferred.shape.length) return { dtype, shape: inferred.shape };
  return { dtype, shape: inferred.shape.map((d, i) => d ?? declared.shape![i] ?? null) };
}

/** Symbol names in use, shared by a model's inference and the function bodies it infers. */
interface SymbolTable {
  readonly used: Set<string>;
  readonly counters: Map<string, number>;
  /** For generated symbols: the base name they extend, so 'x_1' does not beget 'x_1_1'. */
  readonly base: Map<string, string>;
}

/** Function bodies calling functions: deeper than this is a recursion no valid model has. */
const MAX_FUNCTION_DEPTH = 16;

class ShapeInference {
  private readonly model: Model;
  /** What the engine believes about each value, declared facts merged in. */
  private readonly types = new Map<Value, TensorType>();
  private readonly values = new Map<Value, KnownValue>();
  private readonly failures = new Map<Value, Failure>();
  private readonly missing = new Map<string, number>();
  private readonly symbols: SymbolTable;
  private readonly depth: number;

  constructor(model: Model, symbols?: SymbolTable, depth = 0) {
    this.model = model;
    this.symbols = symbols ?? { used: new Set(), counters: new Map(), base: new Map() };
    this.depth = depth;
  }

  run(options: InferShapesOptions): ShapeInferenceReport {
    const main = this.model.graph;
    for (const graph of main.allGraphs()) {
      for (const v of graph.values.values()) {
        v.inferred = undefined;
        for (const d of tensorTypeFromProto(v.declaredType)?.shape ?? []) if (typeof d === 'string') this.symbols.used.add(d);
      }
    }
    this.seedMainInputs(main, options.inputShapes, options.inputValues);
    this.inferGraph(main);
    return this.report();
  }

  // ---------------------------------------------------------------------------------------------
  // Seeding

  private seedMainInputs(
    graph: Graph,
    overrides: ReadonlyMap<string, readonly Dim[]> | undefined,
    values: ReadonlyMap<string, readonly number[]> | undefined,
  ): void {
    const inputs = graph.inputs.filter((v) => !v.initializer);
    for (const [option, given] of [['--input-shape', overrides], ['inputValues', values]] as const) {
      for (const [name] of given ?? []) {
        if (!inputs.some((v) => v.name === name)) {
          throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
            option, value: name,
            reason: `the model has no input of that name (inputs: ${inputs.map((v) => v.name).join(', ') || 'none'})`,
          });
        }
      }
    }
    for (const v of inputs) {
      const declared = tensorTypeFromProto(v.declaredType);
      const override = overrides?.get(v.name);
      let shape = declared?.shape;
      if (override) {
        if (shape && shape.length !== override.length) {
          throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
            option: '--input-shape', value: `${v.name}=${override.join(',')}`, reason: `the input has rank ${shape.length}`,
          });
        }
        const clash = shape?.findIndex((d, i) => typeof d === 'number' && typeof override[i] === 'number' && d !== override[i]) ?? -1;
        if (clash >= 0) {
          throw new MlserveError('MLS_ERR_INVALID_ARGUMENT', {
            option: '--input-shape', value: `${v.name}=${override.join(',')}`,
            reason: `dim ${clash} of the input is fixed at ${shape![clash]}`,
          });
        }
        shape = [...override];
      }
      if (!declared && !override) continue;
      const seeded: TensorType = {
        dtype: declared?.dtype ?? 0,
        shape: shape?.map((d, i) => d ?? this.newSymbol(`${v.name}_dim${i}`, true)),
      };
      const value = values?.get(v.name);
      const dims = valueShape(seeded.shape);
      this.setType(v, seeded, value && dims && value.length === elementCount(dims) ? [...value] : undefined);
    }
  }

  private setType(v: Value, type: TensorType, value?: KnownValue): void {
    this.types.set(v, type);
    v.inferred = { dtype: type.dtype, shape: type.shape ? [...type.shape] : undefined };
    if (value) this.values.set(v, value); else this.values.delete(v);
  }

  private seedInitializers(graph: Graph): void {
    for (const v of graph.initializers) {
      const t = v.initializer!;
      this.setType(v, { dtype: t.data_type ?? 0, shape: (t.dims ?? []).map(int64ToNumber) }, knownValueOfTensor(t));
    }
  }

  /** The engine's type of a value; values it has not typed fall back to their declaration. */
  private typeOf(v: Value): TensorType | undefined {
    return this.types.get(v) ?? tensorTypeFromProto(v.declaredType);
  }

  /** A symbol no declared type or earlier inference uses: `hint_1`, `hint_2`, … (or `hint` itself when `bare`). */
  newSymbol(hint: string, bare = false): string {
    const { used, counters, base: bases } = this.symbols;
    const base = bases.get(hint) ?? (hint || 'dim');
    if (bare && !used.has(base)) {
      used.add(base);
      return base;
    }
    let n = counters.get(base) ?? 0;
    let name: string;
    do name = `${base}_${++n}`; while (used.has(name));
    counters.set(base, n);
    used.add(name);
    bases.set(name, base);
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Walking

  private inferGraph(graph: Graph): void {
    this.seedInitializers(graph);
    for (const node of graph.topologicalOrder()) this.inferNode(node);
  }

  private context(node: Node): InferenceContext {
    const domain = normalizeDomain(node.domain);
    const opset = this.model.opsetVersion(domain) ?? 1;
    return {
      node,
      opset,
      inputCount: node.inputs.length,
      input: (i) => {
        const v = node.inputs[i];
        const t = v ? this.typeOf(v) : undefined;
        return t ? { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined } : undefined;
      },
      inputValue: (i) => {
        const v = node.inputs[i];
        const known = v ? this.values.get(v) : undefined;
        return known ? [...known] : undefined;
      },
      hasInput: (i) => node.inputs[i] !== undefined,
      newSymbol: (hint) => this.newSymbol(hint),
    };
  }

  private inferNode(node: Node): void {
    // A Loop body is inferred more than once: what an earlier round concluded no longer holds.
    for (const v of node.outputs) if (v) this.failures.delete(v);
    const domain = normalizeDomain(node.domain);
    const ctx = this.context(node);
    const notes = new Map<number, string>();
    let results: (InferredOutput | undefined)[];
    try {
      const controlFlow = domain === '' ? CONTROL_FLOW_RULES[node.opType] : undefined;
      const fn = controlFlow ? undefined : calledFunction(this.model, node);
      if (controlFlow) {
        results = controlFlow(ctx, this.runner(notes));
      } else if (fn) {
        results = this.inferFunctionCall(node, fn, ctx);
      } else {
        const rule = resolveShapeRule(domain, node.opType, ctx.opset);
        if (!rule) {
          const label = opLabel(domain, node.opType);
          this.missing.set(label, (this.missing.get(label) ?? 0) + 1);
          this.fail(node, `no rule for ${label} at opset ${ctx.opset}`, true);
          return;
        }
        results = rule(ctx);
      }
    } catch (e) {
      // Subgraphs of a failed control-flow op still count: give them declared types at least.
      this.fail(node, `${node.opType} rule failed: ${e instanceof Error ? e.message : String(e)}`, true);
      return;
    }
    node.outputs.forEach((v, i) => {
      if (!v) return;
      const r = results[i];
      const note = notes.get(i);
      if (!r) {
        this.failures.set(v, { reason: note ?? `the ${node.opType} rule gave no type for output ${i}`, rootCause: true });
        return;
      }
      const shape = r.shape?.map((d) => (typeof d === 'number' && !(Number.isInteger(d) && d >= 0) ? null : d));
      const type = combine({ dtype: r.dtype, shape }, tensorTypeFromProto(v.declaredType))!;
      this.setType(v, type, this.acceptValue(r, shape));
      v.inferred = { dtype: r.dtype, shape };
      if (note) this.failures.set(v, { reason: note, rootCause: true });
    });
  }

  /** A rule's known value, if it is consistent with the output's shape (all numbers, same element count). */
  private acceptValue(r: InferredOutput, shape: Shape | undefined): KnownValue | undefined {
    const dims = valueShape(shape);
    return r.value && dims && r.value.length === elementCount(dims) ? r.value : undefined;
  }

  private fail(node: Node, reason: string, rootCause: boolean): void {
    for (const v of node.outputs) if (v) this.failures.set(v, { reason, rootCause });
  }

  private runner(notes: Map<number, string>): SubgraphRunner {
    return {
      run: (graph, inputs) => {
        graph.inputs.forEach((v, i) => {
          const given = inputs[i];
          const type = combine(given ? { dtype: given.dtype, shape: given.shape } : undefined, tensorTypeFromProto(v.declaredType));
          if (type) this.setType(v, type, given?.value); else this.types.delete(v);
        });
        this.inferGraph(graph);
        return graph.outputs.map((v) => {
          const t = this.typeOf(v);
          if (!t) return undefined;
          const out: InferredOutput = { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined };
          const known = this.values.get(v);
          if (known) out.value = [...known];
          return out;
        });
      },
      note: (index, reason) => notes.set(index, reason),
    };
  }

  /** Output types of a model-local function call: its body inferred under the call's input types. */
  private inferFunctionCall(node: Node, fn: FunctionProto, ctx: InferenceContext): (InferredOutput | undefined)[] {
    if (this.depth >= MAX_FUNCTION_DEPTH) throw new Error(`function calls nest deeper than ${MAX_FUNCTION_DEPTH}`);
    const body = functionBodyModel(this.model, fn, node);
    const inner = new ShapeInference(body, this.symbols, this.depth + 1);
    body.graph.inputs.forEach((v, i) => {
      const t = ctx.input(i);
      if (t) inner.setType(v, t, ctx.inputValue(i));
    });
    inner.inferGraph(body.graph);
    return body.graph.outputs.map((v) => {
      const t = inner.typeOf(v);
      if (!t) return undefined;
      const out: InferredOutput = { dtype: t.dtype, shape: t.shape };
      const known = inner.values.get(v);
      if (known) out.value = known;
      return out;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private report(): ShapeInferenceReport {
    let total = 0;
    let covered = 0;
    const unknown: UnknownValue[] = [];
    for (const graph of this.model.graph.allGraphs()) {
      for (const node of graph.topologicalOrder()) {
        for (const v of node.outputs) {
          if (!v) continue;
          total++;
          if (isFullyKnown(v.type)) { covered++; continue; }
          unknown.push({
            value: v.name, node: node.name, subgraph: graph.owner ? (graph.name ?? '') : undefined,
            opType: node.opType, domain: normalizeDomain(node.domain),
            ...this.explain(node, v),
          });
        }
      }
    }
    return {
      coverage: total === 0 ? 1 : covered / total,
      valuesTotal: total,
      valuesCovered: covered,
      unknown,
      missingRules: [...this.missing].map(([op, nodes]) => ({ op, nodes })).sort((a, b) => b.nodes - a.nodes || a.op.localeCompare(b.op)),
      knownValues: this.values,
    };
  }

  private explain(node: Node, v: Value): Failure {
    const failure = this.failures.get(v);
    if (failure) return failure;
    const unknownInput = node.inputs.find((input) => input && !isFullyKnown(input.type) && !isFullyKnown(this.typeOf(input)));
    if (unknownInput) return { reason: `input '${unknownInput.name}' is not fully known`, rootCause: false };
    const t = v.type;
    const what = !t ? 'no type' : t.dtype === 0 ? 'no element type' : !t.shape ? 'unknown rank' : `shape ${formatShape(t.shape)}`;
    return { reason: `the ${node.opType} rule could not tell (${what})`, rootCause: true };
  }
}
