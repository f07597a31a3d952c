/**
 * Batch input buffers, used again. Each batch is stacked into a fresh buffer that is transferred to a
 * worker; the worker transfers it back with the batch's result, and the next batch of the same byte size is
 * stacked into it. Under load that takes away the allocation and zero-fill of a new buffer per batch on
 * the main thread, and the garbage collections its external memory sets off (the PP-OCR classifier at 64
 * clients stacks about a megabyte per batch, 150 batches a second). Profiled there together with reading
 * binary data 8-aligned (read-body.ts): the main thread's GC share went from 17.9% to 14.6% of its busy
 * time and the codec's copy (6%) went away; served throughput moved less than this machine's noise.
 *
 * A recycled buffer holds an old batch's data: whoever takes one overwrites all of it (see stackRows).
 * Only whole ArrayBuffers are kept, at most `maxPerSize` per byte size and `maxBytes` in all, so an unusual
 * request size never pins memory for long.
 */
import { allocateData, storageOf, type TensorData, type TensorDType } from './tensor.js';

export class BufferRecycler {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private bytes = 0;

  constructor(private readonly maxPerSize: number, private readonly maxBytes: number) {}

  /** Bytes held for reuse now. */
  get heldBytes(): number { return this.bytes; }

  /** Keeps `buffer` for a later batch of its size, or lets it go when the recycler is full. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    if (list.length >= this.maxPerSize || this.bytes + buffer.byteLength > this.maxBytes) return;
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.bytes += buffer.byteLength;
  }

  /**
   * Storage for `length` elements of `dtype`: a kept buffer of exactly that size when there is one (its
   * contents are stale), else a fresh zeroed array.
   */
  allocate(dtype: TensorDType, length: number): TensorData {
    if (dtype === 'string') return allocateData(dtype, length);
    const Storage = storageOf(dtype);
    const kept = this.free.get(length * Storage.BYTES_PER_ELEMENT)?.pop();
    if (!kept) return new Storage(length);
    this.bytes -= kept.byteLength;
    return new Storage(kept);
  }
}
