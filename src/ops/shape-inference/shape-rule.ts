/**
 * The contract between the shape-inference engine and the per-op rules.
 * A rule sees its node's input types (and, where known, the VALUES of small integer inputs such as
 * the output of Shape → Gather → Concat, with symbolic dims as strings), and returns the output types
 * (and values, where it can compute them). Rules are pure: no graph mutation.
 */
import type { Node } from '../../ir/node.js';
import type { Dim, Shape, TensorType } from '../../ir/tensor-type.js';

/**
 * The known content of a small tensor (a shape, axes, sizes, pads, scales): elements are numbers, or
 * symbolic dim names where the element is a dim the graph only knows by name, or null where that one
 * element is not known. Flattened in row-major order; present only when the tensor's shape is all
 * numbers and it has at most 64 elements (tensor-known-value.ts), so rank-0/1 inputs — the usual
 * case — read it directly. Float tensors carry their numbers too (Resize scales).
 */
export type KnownValue = Dim[];

export interface InferredOutput {
  dtype: number;
  shape: Shape | undefined;
  /** The output's content when it is a small integer tensor the rule could compute. */
  value?: KnownValue;
}

export interface InferenceContext {
  readonly node: Node;
  /** The opset version in force for the node's domain. */
  readonly opset: number;
  readonly inputCount: number;
  /** Type of input i; undefined when the input is omitted or nothing is known. */
  input(i: number): TensorType | undefined;
  /** Known content of input i (constant, or propagated), as numbers and symbol names. */
  inputValue(i: number): KnownValue | undefined;
  /** Whether input i is present (not omitted with ''). */
  hasInput(i: number): boolean;
  /** A fresh symbolic dim name, unique in the model, for dims that depend on data (e.g. NonZero's count). */
  newSymbol(hint: string): string;
}

export type ShapeRule = (ctx: InferenceContext) => (InferredOutput | undefined)[];

export interface ShapeRuleEntry {
  /** '' for ai.onnx. */
  domain: string;
  opType: string;
  /** First opset this rule applies to (inclusive); entries for the same op are matched newest first. */
  sinceOpset?: number;
  rule: ShapeRule;
}
