/**
 * The calibration run: a copy of the model that also outputs every tensor to be quantized, run in
 * onnxruntime on each calibration input set (graph optimizations off, so every tensor exists as
 * written), reduced to one range per tensor by the chosen method. Histogram methods run the inputs
 * twice (min/max first, then the histograms over that span), keeping one run's outputs in memory at a
 * time.
 */
import type { Model } from '../ir/model.js';
import type { Value } from '../ir/value.js';
import { createMessage, encodeModel } from '../onnx/codec.js';
import { DataType } from '../onnx/data-type.js';
import type { ValueInfoProto } from '../onnx/proto-types.js';
import { tensorTypeToProto } from '../ir/tensor-type.js';
import { createSession } from '../runtime/ort-session.js';
import { runSession } from '../runtime/run-session.js';
import type { CalibrationSet } from './calibration-inputs.js';
import { Histogram, MinMax, needsHistogram, pickRange, type Range } from './calibration-methods.js';
import type { CalibrationMethod } from './quantize-options.js';

export interface CollectOptions {
  method: CalibrationMethod;
  percentile: number;
  threads?: number;
}

/** Ranges of main-graph float32 `values`, by value. */
export async function collectRanges(model: Model, values: readonly Value[], sets: readonly CalibrationSet[], options: CollectOptions): Promise<Map<Value, Range>> {
  const wanted = values.filter((v) => v.graph === model.graph);
  const proto = model.toProto();
  const existing = new Set(proto.graph!.output.map((o) => o.name));
  const extra = wanted.filter((v) => !existing.has(v.name)).map((v) => createMessage<ValueInfoProto>('ValueInfoProto', {
    name: v.name, type: tensorTypeToProto({ dtype: DataType.FLOAT!, shape: undefined }),
  }));
  const bytes = encodeModel({ ...proto, graph: { ...proto.graph!, output: [...proto.graph!.output, ...extra] } });
  const session = await createSession(bytes, { graphOptimizationLevel: 'disabled', threads: options.threads ?? 2 });
  try {
    const run = async (visit: (v: Value, data: Float32Array) => void) => {
      for (const set of sets) {
        const outputs = await runSession(session, set.feeds);
        for (const v of wanted) {
          const t = outputs[v.name];
          if (t && t.data instanceof Float32Array) visit(v, t.data);
        }
      }
    };
    const minmax = new Map(wanted.map((v) => [v, new MinMax()]));
    await run((v, data) => minmax.get(v)!.add(data));
    const ranges = new Map<Value, Range>();
    if (!needsHistogram(options.method)) {
      for (const [v, m] of minmax) ranges.set(v, m.range());
      return ranges;
    }
    const histograms = new Map(wanted.map((v) => [v, new Histogram(minmax.get(v)!.range(), options.method === 'entropy')]));
    await run((v, data) => histograms.get(v)!.add(data));
    for (const v of wanted) ranges.set(v, pickRange(options.method, minmax.get(v)!.range(), histograms.get(v), options.percentile));
    return ranges;
  } finally {
    await session.release();
  }
}
