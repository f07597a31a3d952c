/**
 * fuse_pad_into_conv: a constant zero Pad on spatial axes moves into the pads of the Conv (or
 * count_include_pad AveragePool, or −∞-filled MaxPool) after it, in each of Pad's opset forms;
 * fills the reader would not reproduce, channel padding, crops and other readers keep the Pad.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { float, ModelBuilder } from '../../src/ir/model-builder.js';
import type { Model } from '../../src/ir/model.js';
import { declines, opCounts, optimizeBuilt, optimizeCorpus, runPasses, statsOf } from './pass-test-kit.js';

const PASS = 'fuse_pad_into_conv';
const X = [1, 3, 7, 6];

interface Variant {
  opset?: number;
  /** Full pads over N, C, H, W: [begin×4, end×4]. */
  pads?: number[];
  value?: number;
  mode?: string;
  reader?: 'Conv' | 'AveragePool' | 'MaxPool';
  readerAttrs?: Record<string, number | number[] | string>;
  /** Pad-18 `axes` input: pads are then given for these axes only. */
  axes?: number[];
  alsoRelu?: boolean;
}

/** x → Pad → reader → y. */
function padThen(v: Variant = {}) {
  const { opset = 13, pads = [0, 0, 1, 2, 0, 0, 2, 1], value = 0, reader = 'Conv' } = v;
  const b = new ModelBuilder({ opset });
  b.input('x', 'float32', X);
  const padAttrs: Record<string, unknown> = { mode: v.mode };
  const padInputs = ['x'];
  if (opset < 11) {
    padAttrs.pads = pads;
    padAttrs.value = float(value);
  } else {
    padInputs.push(b.initializer('pads', 'int64', [pads.length], pads));
    padInputs.push(b.initializer('fill', 'float32', [], [value]));
    if (v.axes) padInputs.push(b.initializer('axes', 'int64', [v.axes.length], v.axes));
  }
  b.node('Pad', padInputs, padAttrs as Record<string, string>, { output: 'padded', name: 'pad' });
  if (reader === 'Conv') {
    const w = b.initializer('w', 'float32', [4, 3, 3, 3], Array.from({ length: 108 }, (_, i) => Math.cos(i)));
    b.node('Conv', ['padded', w], { kernel_shape: [3, 3], ...(v.readerAttrs?.auto_pad ? {} : { pads: [1, 0, 0, 1] }), ...v.readerAttrs }, { output: 'y', name: 'reader' });
  } else {
    b.node(reader, ['padded'], { kernel_shape: [3, 3], ...v.readerAttrs }, { output: 'y', name: 'reader' });
  }
  b.output('y', 'float32');
  if (v.alsoRelu) {
    b.node('Relu', ['padded'], {}, { output: 'side', name: 'side' });
    b.output('side', 'float32');
  }
  return b.build();
}

const pads = (m: Model) => m.graph.nodes.find((n) => n.name === 'reader')!.intsAttribute('pads');

describe('fuse_pad_into_conv', () => {
  test('Pad-13 (pads and value as inputs) into Conv: the Conv pads grow by the Pad\'s, outputs match', async () => {
    const { model, report } = await optimizeBuilt(padThen(), [PASS]);
    assert.deepEqual(opCounts(model), { Conv: 1 });
    // Conv's own [1,0 | 0,1] plus the Pad's H,W [1,2 | 2,1].
    assert.deepEqual(pads(model), [2, 2, 2, 2]);
    assert.deepEqual(model.graph.initializers.map((v) => v.name), ['w'], 'the Pad\'s constants went with it');
    assert.equal(statsOf(report, PASS).applied, 1);
  });

  for (const [name, v, expected] of [
    ['Pad-2 (pads and value as attributes)', { opset: 10 }, [2, 2, 2, 2]],
    ['Pad-18 with axes [-2, -1]', { opset: 18, pads: [1, 2, 2, 1], axes: [-2, -1] }, [2, 2, 2, 2]],
    ['AveragePool with count_include_pad=1', { reader: 'AveragePool', readerAttrs: { count_include_pad: 1 } }, [1, 2, 2, 1]],
    ['MaxPool after a -inf fill', { reader: 'MaxPool', value: -Infinity, pads: [0, 0, 1, 1, 0, 0, 0, 2] }, [1, 1, 0, 2]],
    ['Conv with auto_pad VALID', { readerAttrs: { auto_pad: 'VALID' } }, [1, 2, 2, 1]],
  ] as [string, Variant, number[]][]) {
    test(`${name}: fused, outputs match`, async () => {
      const { model } = await optimizeBuilt(padThen(v), [PASS]);
      assert.deepEqual(opCounts(model), { [v.reader ?? 'Conv']: 1 });
      assert.deepEqual(pads(model), expected);
      assert.equal(model.graph.nodes[0]!.hasAttribute('auto_pad'), false);
    });
  }

  test('declines what the reader would not pad the same way, and says why', async () => {
    const cases: [Variant, RegExp][] = [
      [{ value: 0.5 }, /^fill value 0\.5 is not 0 \(Conv pads with zeros\)$/],
      [{ mode: 'reflect' }, /^mode is 'reflect', not constant$/],
      [{ pads: [0, 1, 1, 1, 0, 0, 1, 1] }, /pad the batch or channel axis$/],
      [{ pads: [0, 0, 1, -1, 0, 0, 1, 1] }, /include a crop \(negative pad\)$/],
      [{ reader: 'AveragePool' }, /has count_include_pad=0: padded cells would leave the average$/],
      [{ reader: 'MaxPool' }, /^fill value 0 is not -inf/],
      [{ reader: 'MaxPool', value: -Infinity, pads: [0, 0, 3, 0, 0, 0, 0, 0] }, /would reach the kernel size \[3,3\], which onnxruntime rejects/],
      [{ readerAttrs: { auto_pad: 'SAME_UPPER' } }, /has auto_pad SAME_UPPER$/],
      [{ alsoRelu: true }, /^'padded' is also read by side \(Relu\)$/],
    ];
    for (const [v, reason] of cases) {
      const { model, why } = await runPasses(padThen(v), [PASS]);
      assert.equal(opCounts(model).Pad, 1, `Pad kept for ${JSON.stringify(v)}`);
      assert.match(why.get('pad (Pad)') ?? '', reason);
    }
  });

  test('a Pad whose pads are fed at run time stays', async () => {
    const b = new ModelBuilder({ opset: 13 });
    b.input('x', 'float32', X);
    b.input('p', 'int64', [8]);
    b.node('Pad', ['x', 'p'], {}, { output: 'padded', name: 'pad' });
    b.node('Conv', ['padded', b.initializer('w', 'float32', [1, 3, 1, 1], [1, 2, 3])], {}, { output: 'y' });
    b.output('y', 'float32');
    const { why } = await runPasses(b.build(), [PASS]);
    assert.equal(why.get('pad (Pad)'), "pads: 'p' is not a constant");
  });

  test('real model: road segmentation (tf2onnx) — all 40 Pads move into their Convs, outputs match', async (t) => {
    const { model, report } = await optimizeCorpus('road_segmentation_adas_0001', [PASS]);
    const counts = opCounts(model);
    assert.equal(counts.Pad, undefined);
    assert.equal(counts.Conv, 137);
    assert.equal(statsOf(report, PASS).applied, 40);
    assert.equal(report.check?.ok, true);
    t.diagnostic(`road segmentation: nodes ${report.nodesBefore} → ${report.nodesAfter}`);
  });
});
