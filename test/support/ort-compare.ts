/**
 * Runs two models on the same deterministic inputs and reports whether their outputs are identical bit for bit.
 */
import { createSession } from '../../src/runtime/ort-session.js';
import { randomFeeds, type InputSpec } from '../../src/runtime/random-inputs.js';
import { runSession, type OutputTensor } from '../../src/runtime/run-session.js';
import type { CorpusModel } from './corpus.js';

export async function runWithCorpusFeeds(model: Uint8Array | string, inputs: InputSpec[], entry: CorpusModel): Promise<Record<string, OutputTensor>> {
  const session = await createSession(model);
  try {
    const feeds = randomFeeds(inputs, { shapes: new Map(Object.entries(entry.shapes ?? {})), fill: entry.fill, seed: 7 });
    return await runSession(session, feeds);
  } finally {
    await session.release();
  }
}

export function bytesOf(data: OutputTensor['data']): Buffer {
  if (Array.isArray(data)) return Buffer.from(JSON.stringify(data));
  const view = data as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** The first difference between two output sets, or undefined when they are bit-identical. */
export function firstDifference(a: Record<string, OutputTensor>, b: Record<string, OutputTensor>): string | undefined {
  const names = Object.keys(a);
  if (names.join() !== Object.keys(b).join()) return `output names differ: ${names} vs ${Object.keys(b)}`;
  for (const name of names) {
    const x = a[name]!;
    const y = b[name]!;
    if (x.dtype !== y.dtype || x.dims.join() !== y.dims.join()) return `${name}: ${x.dtype}${x.dims} vs ${y.dtype}${y.dims}`;
    if (!bytesOf(x.data).equals(bytesOf(y.data))) return `${name}: values differ`;
  }
  return undefined;
}
