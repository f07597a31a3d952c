/**
 * The pass contract. A pass rewrites a model in place and says whether it changed anything; the
 * manager repeats the pipeline to a fixed point. Rule passes (the common case) are declared as
 * data: which nodes they start from, a `match` that accepts a node (returning what the rewrite
 * needs), gives the reason it declines, or says the pattern is not there, and a `rewrite`. A rule
 * that does not apply returns; it never throws.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';
import { inferShapes } from '../ops/shape-inference/infer-shapes.js';

export type PassKind = 'eliminate' | 'fold' | 'fuse' | 'convert' | 'quantize';

export interface PassOptions {
  /** Constant folding: results larger than this (bytes) and larger than their inputs stay unfolded. */
  foldSizeLimitBytes: number;
  /** Treat initializers that are also graph inputs as constants even from IR 4 on, where listing them lets callers override them. */
  foldInitializerInputs: boolean;
  /** Which runtime the model is for: 'onnxruntime' allows com.microsoft contrib ops. */
  target: 'onnx' | 'onnxruntime';
  /** Highest default-domain opset a pass may raise the model to; undefined = never raise. */
  targetOpset: number | undefined;
}

export const DEFAULT_PASS_OPTIONS: PassOptions = {
  foldSizeLimitBytes: 1 << 20,
  foldInitializerInputs: false,
  target: 'onnx',
  targetOpset: undefined,
};

export interface PassContext {
  readonly options: PassOptions;
  /** Records why a rule declined a node; shown with --verbose and in --json. */
  decline(pass: string, node: Node, reason: string): void;
}

export interface PassResult {
  modified: boolean;
  /** Counters the pass wants reported, e.g. { fused: 3 }. */
  stats: Record<string, number>;
}

export interface Pass {
  /** Stable snake_case name used by --passes. */
  readonly name: string;
  readonly kind: PassKind;
  /** One line for --list-passes. */
  readonly summary: string;
  run(model: Model, ctx: PassContext): PassResult | Promise<PassResult>;
}

export type Declined = { ok: false; reason: string };
export type CheckResult = { ok: true } | Declined;
export const ok = (): CheckResult => ({ ok: true });
/** A rule found its pattern but cannot prove the rewrite safe: the reason is reported (--verbose, --json). */
export const fail = (reason: string): Declined => ({ ok: false, reason });

export interface RulePassSpec<M extends object = Node> {
  name: string;
  kind: PassKind;
  summary: string;
  /** Op types (default domain) the rule starts from; other nodes are skipped cheaply. */
  opTypes: readonly string[];
  /**
   * Run shape inference before the sweep (`match` reads `value.type`), once per run and only when
   * the model has a node of `opTypes`. Rewrites leave the other values' types as they were, so one
   * inference per sweep holds.
   */
  needsShapes?: boolean;
  /**
   * What the rewrite needs when the rule applies (for most rules the node itself); `fail(reason)`
   * when the pattern is there but the rewrite cannot be proven safe (reported); undefined when the
   * node is not the pattern at all (silent: most Mul and Add nodes are not the end of a LayerNorm,
   * and saying so for each would drown the real reasons).
   */
  match(node: Node, model: Model, options: PassOptions): M | Declined | undefined;
  /** Applies the rewrite, right after `match` accepted the node. */
  rewrite(match: M, model: Model, options: PassOptions): void;
}

function isDeclined(r: object): r is Declined {
  return (r as Declined).ok === false && typeof (r as Declined).reason === 'string';
}

/**
 * A pass that visits every node of the listed op types, in every graph (subgraphs too), in
 * topological order, and rewrites those its match accepts. Nodes removed by an earlier rewrite in
 * the same sweep are skipped.
 */
export function defineRulePass<M extends object = Node>(spec: RulePassSpec<M>): Pass {
  const types = new Set(spec.opTypes);
  const candidate = (node: Node) => node.domain === '' && types.has(node.opType);
  return {
    name: spec.name,
    kind: spec.kind,
    summary: spec.summary,
    run(model, ctx) {
      if (spec.needsShapes) {
        if (![...model.graph.allGraphs()].some((g) => g.nodes.some(candidate))) return { modified: false, stats: { applied: 0, declined: 0 } };
        inferShapes(model);
      }
      let applied = 0;
      let declined = 0;
      for (const graph of [...model.graph.allGraphs()]) {
        for (const node of graph.topologicalOrder()) {
          if (!node.inGraph || !candidate(node)) continue;
          const found = spec.match(node, model, ctx.options);
          if (!found) continue;
          if (isDeclined(found)) {
            declined++;
            ctx.decline(spec.name, node, found.reason);
            continue;
          }
          spec.rewrite(found, model, ctx.options);
          applied++;
        }
      }
      return { modified: applied > 0, stats: { applied, declined } };
    },
  };
}
