/**
 * Does: every node whose inputs are all constant — constant initializers, Constant nodes, outputs of
 * other nodes folded in the same run — is computed once and replaced by initializers holding its
 * results (f(c1, c2) → c). A Constant node becomes an initializer the same way.
 *
 * How: onnxruntime computes the results, so every operator it supports folds exactly as it would run,
 * with no kernels of our own. All foldable nodes of the model (subgraphs included: a body's constants
 * do not change between iterations) go into ONE model — their nodes, the initializers they read, as
 * outputs the values something else still needs — which runs once in one session. Values keep their
 * names: the producer goes and the value becomes an initializer in place.
 *
 * Leaves alone:
 *  - nondeterministic ops (RandomNormal, RandomUniform, their *Like forms, Multinomial, Bernoulli);
 *  - nodes with subgraphs (If, Loop, Scan): not folded whole, though constant nodes inside their
 *    bodies are;
 *  - DequantizeLinear: folding would store quantized weights as floats (4x the bytes) and undo the
 *    QDQ form quantized runtimes look for;
 *  - ops onnxruntime cannot know (domains other than ai.onnx, ai.onnx.ml, com.microsoft), calls of
 *    model-local functions, and ops whose outputs are sequences or optionals (no initializer form);
 *  - in IR < 4 models, nodes inside subgraphs (a new initializer would have to be a body input);
 *  - a result larger than `foldSizeLimitBytes` AND larger than the node's inputs together
 *    (ConstantOfShape, Expand, Tile, Range…): the model would grow for nothing. Sizes come from
 *    shape inference where it knows them (the node is then not even computed), else from the
 *    computed result, which is then discarded;
 *  - nodes onnxruntime fails on: the batch is split until the failing node is found, and the rest folds.
 */
import type { Graph } from '../ir/graph.js';
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { tensorElementCount } from '../ir/tensor-data.js';
import { shapeSize, tensorTypeToProto } from '../ir/tensor-type.js';
import type { Value } from '../ir/value.js';
import { createMessage } from '../onnx/codec.js';
import { DataType, rawByteLength } from '../onnx/data-type.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../onnx/proto-types.js';
import { int64ToNumber } from '../onnx/tensor-size-check.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';
import { evaluateConstantModel } from '../runtime/evaluate-constant-model.js';
import { isConstantInitializer } from './constant-value.js';
import type { Pass, PassContext, PassOptions, PassResult } from './pass.js';
import { canHoldNewInitializers, replaceWithInitializers } from './replace-with-initializers.js';

const NONDETERMINISTIC = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);
/** Ops whose outputs are sequences, maps or optionals: onnxruntime-node cannot hand them back and no initializer holds them. */
const NON_TENSOR_OUTPUTS = new Set([
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'Optional',
  'ZipMap', 'DictVectorizer', 'CastMap',
]);
const ORT_DOMAINS = new Set(['', 'ai.onnx.ml', 'com.microsoft']);

const pass: Pass = {
  name: 'fold_constants',
  kind: 'fold',
  summary: 'compute nodes whose inputs are all constant once, in onnxruntime, and store the results as initializers',
  async run(model: Model, ctx: PassContext): Promise<PassResult> {
    const folder = new ConstantFolder(model, ctx);
    return folder.run();
  },
};
export default pass;

interface Candidate {
  node: Node;
  /** False when shape inference could not size every output: the result is checked after computing. */
  sized: boolean;
}

class ConstantFolder {
  private readonly options: PassOptions;
  /** Values produced by candidate nodes. */
  private readonly produced = new Map<Value, Node>();
  private readonly candidates: Candidate[] = [];
  private readonly candidateSet = new Set<Node>();
  /** Computed results, by value. */
  private readonly results = new Map<Value, TensorProto>();
  /** Nodes onnxruntime failed on, with its message. */
  private readonly failed = new Map<Node, string>();
  /** Every graph's outputs (Value.isGraphOutput walks the subgraphs on each call). */
  private readonly graphOutputs = new Set<Value>();

  constructor(private readonly model: Model, private readonly ctx: PassContext) {
    this.options = ctx.options;
  }

  async run(): Promise<PassResult> {
    for (const graph of this.model.graph.allGraphs()) for (const v of graph.outputs) this.graphOutputs.add(v);
    // Shape inference (for sizes) only when there is something to fold.
    if (!this.findCandidates(false)) return { modified: false, stats: { folded: 0, initializers: 0 } };
    try {
      inferShapes(this.model);
    } catch {
      // Sizes then come from the computed results alone.
    }
    this.findCandidates(true);
    if (this.candidates.length === 0) return { modified: false, stats: { folded: 0, initializers: 0 } };
    await this.evaluate(this.candidates.map((c) => c.node));
    const folded = this.acceptResults();
    const initializers = replaceWithInitializers(folded, (v) => this.results.get(v));
    return { modified: folded.length > 0, stats: { folded: folded.length, initializers } };
  }

  // -----------------------------------------------------------------------------------------------
  // Which nodes

  private isConstant(v: Value): boolean {
    return this.produced.has(v) || isConstantInitializer(v, this.options);
  }

  /**
   * Collects the nodes to compute, in topological order. Without `final` it only tells whether there
   * is any (no declines recorded, no sizes checked).
   */
  private findCandidates(final: boolean): boolean {
    this.produced.clear();
    for (const graph of this.model.graph.allGraphs()) {
      for (const node of graph.topologicalOrder()) {
        if (!node.presentInputs().every((v) => this.isConstant(v))) continue;
        // A node nobody reads is dead code's business, not worth a run.
        if (!node.outputs.some((v) => v && (v.uses.length > 0 || this.graphOutputs.has(v)))) continue;
        const why = this.ineligible(node, graph);
        if (why) {
          if (final) this.ctx.decline(pass.name, node, why);
          continue;
        }
        if (!final) return true;
        const size = this.sizeVerdict(node);
        if (size.tooBig) {
          this.ctx.decline(pass.name, node, size.tooBig);
          continue;
        }
        this.candidates.push({ node, sized: size.sized });
        this.candidateSet.add(node);
        for (const v of node.outputs) if (v) this.produced.set(v, node);
      }
    }
    return this.candidates.length > 0;
  }

  private ineligible(node: Node, graph: Graph): string | undefined {
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    if (node.subgraphs.length > 0) return `${node.opType} has subgraphs (If/Loop/Scan are not folded; constants inside their bodies are)`;
    if (NONDETERMINISTIC.has(node.opType) && domain === '') return `${node.opType} is nondeterministic`;
    if (this.model.functions.some((f) => f.name === node.opType && (f.domain ?? '') === node.domain)) {
      return `${node.opType} is a model-local function`;
    }
    if (!ORT_DOMAINS.has(domain)) return `domain '${domain}' is not one onnxruntime computes`;
    if (NON_TENSOR_OUTPUTS.has(node.opType)) return `${node.opType} does not produce a tensor`;
    if (node.opType === 'DequantizeLinear') return 'DequantizeLinear keeps quantized weights quantized (QDQ form)';
    if (!canHoldNewInitializers(graph)) return 'inside a subgraph of an IR < 4 model, which cannot take new initializers';
    return undefined;
  }

  /**
   * Shape inference's sizes: an output known to exceed the limit and the inputs' total is refused
   * before anything runs. `sized` says whether every output's size was known.
   */
  private sizeVerdict(node: Node): { tooBig?: string; sized: boolean } {
    if (node.opType === 'Constant') return { sized: true }; // its tensor is in the model already
    let sized = true;
    const inputs = this.inputBytes(node);
    for (const v of node.outputs) {
      if (!v) continue;
      const bytes = staticBytes(v);
      if (bytes === undefined) { sized = false; continue; }
      const tooBig = this.overLimit(v, bytes, inputs);
      if (tooBig) return { tooBig, sized };
    }
    return { sized };
  }

  private overLimit(v: Value, bytes: number, inputBytes: number): string | undefined {
    const limit = this.options.foldSizeLimitBytes;
    if (bytes <= limit || bytes <= inputBytes) return undefined;
    return `result '${v.name}' would be ${bytes} bytes, over the fold size limit (${limit}) and its inputs' ${inputBytes}`;
  }

  /** Bytes of a node's inputs: initializers and computed results exactly, others from shape inference (0 if unknown). */
  private inputBytes(node: Node): number {
    let total = 0;
    for (const v of node.presentInputs()) {
      const t = v.initializer ?? this.results.get(v);
      total += t ? tensorBytes(t) : (staticBytes(v) ?? 0);
    }
    return total;
  }

  // -----------------------------------------------------------------------------------------------
  // Computing

  /**
   * Computes `nodes` (topologically ordered, inputs constant or computed earlier) in one session; if
   * onnxruntime refuses the batch, halves it until the failing nodes are found.
   */
  private async evaluate(nodes: Node[]): Promise<void> {
    if (nodes.length === 0) return;
    const inBatch = new Set(nodes);
    const wanted = this.wantedOutputs(nodes, inBatch);
    try {
      const { proto, names } = this.buildModel(nodes, inBatch, wanted);
      const outputs = await evaluateConstantModel(proto);
      for (const [name, tensor] of outputs) this.results.set(names.get(name)!, tensor);
    } catch (e) {
      if (nodes.length === 1) {
        this.failed.set(nodes[0]!, firstLine(e));
        return;
      }
      const half = Math.ceil(nodes.length / 2);
      await this.evaluate(nodes.slice(0, half));
      await this.evaluate(this.stillComputable(nodes.slice(half)));
    }
  }

  /** The nodes whose inputs are all still available (no failed node upstream). */
  private stillComputable(nodes: Node[]): Node[] {
    const lost = new Set<Value>();
    for (const [node] of this.failed) for (const v of node.outputs) if (v) lost.add(v);
    const batch = new Set(nodes);
    const keep: Node[] = [];
    for (const node of nodes) {
      const unavailable = (v: Value) => lost.has(v) || (this.produced.has(v) && !this.results.has(v) && !batch.has(this.produced.get(v)!));
      if (node.presentInputs().some(unavailable)) {
        for (const v of node.outputs) if (v) lost.add(v);
        this.failed.set(node, 'an input could not be computed');
        continue;
      }
      keep.push(node);
    }
    return keep;
  }

  /**
   * What a batch must hand back: values read outside the batch (other nodes, graph outputs), and the
   * inputs of nodes whose result size was not known beforehand (so they can stay initializers if
   * that result is refused).
   */
  private wantedOutputs(nodes: Node[], inBatch: Set<Node>): Value[] {
    const unsized = new Set(this.candidates.filter((c) => !c.sized).map((c) => c.node));
    const wanted: Value[] = [];
    for (const node of nodes) {
      for (const v of node.outputs) {
        if (!v) continue;
        const needed = this.graphOutputs.has(v) || v.uses.some((u) => !inBatch.has(u.node) || unsized.has(u.node));
        if (needed) wanted.push(v);
      }
    }
    return wanted;
  }

  /** A model of the batch alone. Values are renamed c0, c1, …: names from different subgraphs may clash. */
  private buildModel(nodes: Node[], inBatch: Set<Node>, wanted: Value[]): { proto: ModelProto; names: Map<string, Value> } {
    const ids = new Map<Value, string>();
    const names = new Map<string, Value>();
    const id = (v: Value): string => {
      let n = ids.get(v);
      if (n === undefined) {
        n = `c${ids.size}`;
        ids.set(v, n);
        names.set(n, v);
      }
      return n;
    };
    const initializers: TensorProto[] = [];
    const inputs: ValueInfoProto[] = [];
    const irVersion = this.model.irVersion;
    for (const node of nodes) {
      for (const v of node.presentInputs()) {
        if (ids.has(v) || (v.producer && inBatch.has(v.producer))) continue;
        const tensor = v.initializer ?? this.results.get(v);
        if (!tensor) throw new Error(`no value for '${v.name}'`);
        initializers.push({ ...tensor, name: id(v) });
        // IR < 4: an initializer must also be a graph input.
        if (irVersion < 4) inputs.push(valueInfo(id(v), tensor));
      }
    }
    const nodeProtos = nodes.map((node) => {
      const fields: Partial<NodeProto> = {
        op_type: node.opType,
        input: node.inputs.map((v) => (v ? id(v) : '')),
        output: node.outputs.map((v) => (v ? id(v) : '')),
        attribute: node.attributes,
      };
      if (node.domain !== '') fields.domain = node.domain;
      return createMessage<NodeProto>('NodeProto', fields);
    });
    const graph = createMessage<GraphProto>('GraphProto', {
      name: 'constants',
      node: nodeProtos,
      initializer: initializers,
      input: inputs,
      output: wanted.map((v) => createMessage<ValueInfoProto>('ValueInfoProto', { name: id(v) })),
    });
    const proto = createMessage<ModelProto>('ModelProto', {
      ir_version: this.model.proto.ir_version ?? 3,
      opset_import: this.model.opsetImport,
      graph,
    });
    return { proto, names };
  }

  // -----------------------------------------------------------------------------------------------
  // Keeping

  /**
   * The nodes to replace: computed, within the size limit, and — since a node that stays needs its
   * inputs — only those whose still-read outputs all have a result.
   */
  private acceptResults(): Node[] {
    const keep = new Set<Node>();
    for (const [node, reason] of this.failed) {
      keep.add(node);
      this.ctx.decline(pass.name, node, `onnxruntime could not compute it: ${reason}`);
    }
    // Every computed result is measured, sized beforehand or not: a stale declared type must not let a big one through.
    for (const { node } of this.candidates) {
      if (keep.has(node) || node.opType === 'Constant') continue;
      const inputs = this.inputBytes(node);
      for (const v of node.outputs) {
        const t = v && this.results.get(v);
        const tooBig = t && this.overLimit(v, tensorBytes(t), inputs);
        if (tooBig) {
          keep.add(node);
          this.ctx.decline(pass.name, node, tooBig);
          break;
        }
      }
    }
    // A kept node's inputs must stay available: a folded producer needs a result for each of them.
    for (let changed = true; changed;) {
      changed = false;
      for (const { node } of this.candidates) {
        if (keep.has(node)) continue;
        const missing = node.outputs.some((v) => v && !this.results.has(v) && (this.graphOutputs.has(v)
          || v.uses.some((u) => !this.candidateSet.has(u.node) || keep.has(u.node))));
        if (missing) {
          keep.add(node);
          changed = true;
        }
      }
    }
    return this.candidates.map((c) => c.node).filter((n) => !keep.has(n));
  }
}

/** Bytes of a value's tensor when shape inference knows its dtype and every dim. */
function staticBytes(v: Value): number | undefined {
  const type = v.type;
  const count = shapeSize(type?.shape);
  if (!type || count === undefined || !type.dtype || type.dtype === DataType.STRING) return undefined;
  return rawByteLength(type.dtype, count);
}

function tensorBytes(t: TensorProto): number {
  if (t.data_type === DataType.STRING) return (t.string_data ?? []).reduce((a, s) => a + s.length, 0);
  return t.raw_data?.length ?? rawByteLength(t.data_type ?? 0, tensorElementCount(t)) ?? 0;
}

function valueInfo(name: string, t: TensorProto): ValueInfoProto {
  return createMessage<ValueInfoProto>('ValueInfoProto', {
    name, type: tensorTypeToProto({ dtype: t.data_type ?? 0, shape: (t.dims ?? []).map(int64ToNumber) }),
  });
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.trim().slice(0, 300);
}
