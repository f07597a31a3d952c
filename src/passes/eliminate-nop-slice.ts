/**
 * Does: y = Slice(x, starts, ends, axes, steps) taking every element → readers of y read x. An axis is
 * taken whole when its step is 1, its start is 0 (or a negative start reaching back to 0), and its end
 * is at least the dim — or at least 2^31-1, the "to the end" sentinel exporters write (INT32_MAX /
 * INT64_MAX), which is past any axis a runtime can hold. Bounds come from attributes (opset < 10) or
 * constant inputs.
 * Leaves alone: bounds or steps not constant, a start/end that needs the dim when the dim is not
 * known, any axis cut or strided, y being a graph output.
 */
import type { Node } from '../ir/node.js';
import { readTensorAsNumbers } from '../ir/tensor-data.js';
import { constantTensor } from './constant-value.js';
import { bypassNode } from './bypass-node.js';
import { defineRulePass, fail, type PassOptions } from './pass.js';

const TO_THE_END = 2 ** 31 - 1;

export default defineRulePass({
  name: 'eliminate_nop_slice',
  kind: 'eliminate',
  summary: 'remove Slice that takes every element (start 0, end past the dim, step 1)',
  opTypes: ['Slice'],
  needsShapes: true,
  match(node, model, options) {
    const x = node.inputs[0];
    const y = node.outputs[0];
    if (!x || !y) return fail('input or output omitted');
    const bounds = sliceBounds(node, (model.opsetVersion('') ?? 1) < 10, options);
    if (typeof bounds === 'string') return fail(bounds);
    const shape = x.type?.shape;
    for (let i = 0; i < bounds.starts.length; i++) {
      let axis = bounds.axes[i]!;
      if (axis < 0) {
        if (!shape) return fail('negative axis and rank unknown');
        axis += shape.length;
      }
      const dim = shape?.[axis];
      const start = bounds.starts[i]!;
      const end = bounds.ends[i]!;
      const step = bounds.steps[i]!;
      const known = typeof dim === 'number';
      if (step !== 1) return fail(`step ${step} on axis ${axis}`);
      if (!(start === 0 || (known && start <= -dim))) return fail(`axis ${axis} starts at ${start}${known ? '' : ' (dim unknown)'}`);
      if (!(end >= TO_THE_END || (known && end >= dim))) return fail(`axis ${axis} ends at ${end}${known ? ` of ${dim}` : ' (dim unknown)'}`);
    }
    if (y.isGraphOutput) return fail('output is a graph output');
    return node;
  },
  rewrite(node) {
    bypassNode(node, 0);
  },
});

interface Bounds { starts: number[]; ends: number[]; axes: number[]; steps: number[] }

function sliceBounds(node: Node, fromAttributes: boolean, options: PassOptions): Bounds | string {
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (fromAttributes) {
    starts = node.intsAttribute('starts');
    ends = node.intsAttribute('ends');
    axes = node.intsAttribute('axes');
  } else {
    const read = (i: number): number[] | undefined | 'missing' => {
      if (!node.inputs[i]) return undefined;
      const t = constantTensor(node.inputs[i], options);
      return t ? readTensorAsNumbers(t) : 'missing';
    };
    const [s, e, a, st] = [read(1), read(2), read(3), read(4)];
    if (s === 'missing' || e === 'missing' || a === 'missing' || st === 'missing') return 'starts, ends, axes or steps not constant';
    [starts, ends, axes, steps] = [s, e, a, st];
  }
  if (!starts || !ends || starts.length !== ends.length) return 'starts/ends missing';
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length) return 'starts, ends, axes and steps differ in length';
  return { starts, ends, axes, steps };
}
