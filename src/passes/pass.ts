/**
 * The pass contract. A pass rewrites a model in place and says whether it changed anything; the
 * manager repeats the pipeline to a fixed point. Rule passes (the common case) are declared as
 * data: which nodes they look at, a `check` that either accepts a node or gives the reason it
 * declines, and a `rewrite`. A rule that does not apply returns a reason; it never throws.
 */
import type { Model } from '../ir/model.js';
import type { Node } from '../ir/node.js';

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

export type CheckResult = { ok: true } | { ok: false; reason: string };
export const ok = (): CheckResult => ({ ok: true });
export const fail = (reason: string): CheckResult => ({ ok: false, reason });

export interface RulePassSpec {
  name: string;
  kind: PassKind;
  summary: string;
  /** Op types (default domain) the rule looks at; other nodes are skipped cheaply. */
  opTypes: readonly string[];
  check(node: Node, model: Model, options: PassOptions): CheckResult;
  /** Applies the rewrite; only called after `check` accepted the node. */
  rewrite(node: Node, model: Model, options: PassOptions): void;
}

/**
 * A pass that visits every node of the listed op types, in every graph (subgraphs too), in
 * topological order, and rewrites those its check accepts. Nodes removed by an earlier rewrite in
 * the same sweep are skipped.
 */
export function defineRulePass(spec: RulePassSpec): Pass {
  const types = new Set(spec.opTypes);
  return {
    name: spec.name,
    kind: spec.kind,
    summary: spec.summary,
    run(model, ctx) {
      let applied = 0;
      let declined = 0;
      for (const graph of [...model.graph.allGraphs()]) {
        for (const node of graph.topologicalOrder()) {
          if (node.domain !== '' || !types.has(node.opType) || !node.inGraph) continue;
          const verdict = spec.check(node, model, ctx.options);
          if (!verdict.ok) {
            declined++;
            ctx.decline(spec.name, node, verdict.reason);
            continue;
          }
          spec.rewrite(node, model, ctx.options);
          applied++;
        }
      }
      return { modified: applied > 0, stats: { applied, declined } };
    },
  };
}
