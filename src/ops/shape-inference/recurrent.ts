/**
 * Shape rules for RNN, GRU and LSTM. With layout 0, X is [seq, batch, input], Y is
 * [seq, num_directions, batch, hidden] and Y_h / Y_c are [num_directions, batch, hidden]; layout 1
 * (opset 14+) puts batch first: X [batch, seq, input], Y [batch, seq, num_directions, hidden],
 * Y_h / Y_c [batch, num_directions, hidden]. Omitted outputs get no type.
 */
import type { Dim } from '../../ir/tensor-type.js';
import type { InferenceContext, InferredOutput, ShapeRule, ShapeRuleEntry } from './shape-rule.js';

/** hidden_size, or what the recurrence weight R [num_directions, gates × hidden, hidden] says. */
function hiddenSize(ctx: InferenceContext, gates: number): Dim {
  const attr = ctx.node.intAttribute('hidden_size');
  if (attr !== undefined) return attr;
  const r = ctx.input(2)?.shape;
  if (r?.length === 3) return r[2]!;
  const w = ctx.input(1)?.shape?.[1];
  return typeof w === 'number' ? w / gates : null;
}

function directions(ctx: InferenceContext): Dim {
  const direction = ctx.node.stringAttribute('direction');
  if (direction !== undefined) return direction === 'bidirectional' ? 2 : 1;
  return ctx.input(1)?.shape?.[0] ?? 1;
}

function recurrent(gates: number): ShapeRule {
  return (ctx) => {
    const x = ctx.input(0);
    const dtype = x?.dtype || ctx.input(1)?.dtype || 0;
    const batchFirst = ctx.node.intAttribute('layout', 0) === 1;
    const xs = x?.shape?.length === 3 ? x.shape : undefined;
    const seq: Dim = xs ? xs[batchFirst ? 1 : 0]! : null;
    const batch: Dim = xs ? xs[batchFirst ? 0 : 1]! : null;
    const nd = directions(ctx);
    const hidden = hiddenSize(ctx, gates);
    const y = batchFirst ? [batch, seq, nd, hidden] : [seq, nd, batch, hidden];
    const state = (): Dim[] => (batchFirst ? [batch, nd, hidden] : [nd, batch, hidden]);
    const shapes = [y, state(), state()].slice(0, ctx.node.outputs.length);
    return shapes.map((shape, i): InferredOutput | undefined => (ctx.node.outputs[i] ? { dtype, shape } : undefined));
  };
}

export const rules: ShapeRuleEntry[] = [
  { domain: '', opType: 'RNN', rule: recurrent(1) },
  { domain: '', opType: 'GRU', rule: recurrent(3) },
  { domain: '', opType: 'LSTM', rule: recurrent(4) },
];
