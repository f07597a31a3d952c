/**
 * Runs a session and returns plain outputs: the typed data and dims of every output, detached from
 * onnxruntime's tensor objects so callers can compare and keep them.
 */
import { decodeFloat16Array } from '../ir/float16.js';
import type { OrtSession, OrtTensor } from './ort-session.js';

export interface OutputTensor {
  dtype: string;
  dims: number[];
  data: OrtTensor['data'];
}

export async function runSession(session: OrtSession, feeds: Record<string, OrtTensor>): Promise<Record<string, OutputTensor>> {
  const results = await session.run(feeds);
  const out: Record<string, OutputTensor> = {};
  for (const [name, tensor] of Object.entries(results)) {
    out[name] = { dtype: tensor.type, dims: [...tensor.dims], data: tensor.data };
  }
  return out;
}

/** An output's elements as numbers (float16 decoded, 64-bit integers as Numbers); undefined for strings. */
export function outputValues(t: OutputTensor): ArrayLike<number> | undefined {
  const data = t.data;
  if (t.dtype === 'float16') return decodeFloat16Array(data as Uint16Array);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (ArrayBuffer.isView(data)) return data as unknown as ArrayLike<number>;
  return undefined;
}
