/**
 * Runs a session and returns plain outputs: the typed data and dims of every output, detached from
 * onnxruntime's tensor objects so callers can compare and keep them.
 */
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
