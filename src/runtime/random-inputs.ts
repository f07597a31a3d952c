/**
 * Deterministic random feeds for a model's inputs: values fitted to each dtype (floats in [-1, 1),
 * integers in [0, 8) so they stay valid as indices and token ids, booleans), symbolic dims set from
 * `dims` (by name) or to `defaultDim`.
 */
import { dataTypeName } from '../onnx/data-type.js';
import type { Dim } from '../ir/tensor-type.js';
import { ort, type OrtTensor } from './ort-session.js';
import { encodeFloat16Array } from '../ir/float16.js';
import { seededRandom } from '../util/seeded-random.js';

export interface InputSpec {
  name: string;
  dtype: number;
  shape: Dim[] | undefined;
}

export interface RandomFeedOptions {
  /** Concrete shapes by input name (wins over everything). */
  shapes?: Map<string, number[]>;
  /** Values for symbolic dims, by symbol name. */
  dims?: Record<string, number>;
  /** Used for symbolic and unknown dims not named in `dims`; default 1. */
  defaultDim?: number;
  seed?: number;
  /** Inputs to fill with one value instead of random ones (e.g. Silero VAD's sample rate, 16000). */
  fill?: Record<string, number>;
}

export function concreteShape(spec: InputSpec, options: RandomFeedOptions): number[] {
  const given = options.shapes?.get(spec.name);
  if (given) return given;
  return (spec.shape ?? []).map((d) => {
    if (typeof d === 'number' && d >= 0) return d;
    if (typeof d === 'string' && options.dims?.[d] !== undefined) return options.dims[d]!;
    return options.defaultDim ?? 1;
  });
}

export function randomFeeds(inputs: InputSpec[], options: RandomFeedOptions = {}): Record<string, OrtTensor> {
  const random = seededRandom(options.seed ?? 1234);
  const feeds: Record<string, OrtTensor> = {};
  for (const spec of inputs) {
    const shape = concreteShape(spec, options);
    const count = shape.reduce((a, b) => a * b, 1);
    const fill = options.fill?.[spec.name];
    const next = fill === undefined ? random : () => fill;
    feeds[spec.name] = randomTensor(dataTypeName(spec.dtype), shape, count, next, fill !== undefined);
  }
  return feeds;
}

function randomTensor(dtype: string, shape: number[], count: number, random: () => number, exact: boolean): OrtTensor {
  const floats = () => Float32Array.from({ length: count }, () => (exact ? random() : random() * 2 - 1));
  const ints = () => Array.from({ length: count }, () => (exact ? random() : Math.floor(random() * 8)));
  switch (dtype) {
    case 'float32': return new ort.Tensor('float32', floats(), shape);
    case 'float64': return new ort.Tensor('float64', Float64Array.from(floats()), shape);
    case 'float16': return new ort.Tensor('float16', encodeFloat16Array(floats()), shape);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(ints(), BigInt), shape);
    case 'uint64': return new ort.Tensor('uint64', BigUint64Array.from(ints(), BigInt), shape);
    case 'int32': return new ort.Tensor('int32', Int32Array.from(ints()), shape);
    case 'uint32': return new ort.Tensor('uint32', Uint32Array.from(ints()), shape);
    case 'int16': return new ort.Tensor('int16', Int16Array.from(ints()), shape);
    case 'uint16': return new ort.Tensor('uint16', Uint16Array.from(ints()), shape);
    case 'int8': return new ort.Tensor('int8', Int8Array.from(ints()), shape);
    case 'uint8': return new ort.Tensor('uint8', Uint8Array.from(ints()), shape);
    case 'bool': return new ort.Tensor('bool', Uint8Array.from(ints(), (v) => v & 1), shape);
    case 'string': return new ort.Tensor('string', Array.from({ length: count }, () => 'mlserve'), shape);
    default: throw new Error(`cannot make random input of type ${dtype}`);
  }
}
