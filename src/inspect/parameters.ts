/**
 * Parameter counts and sizes: the initializers of every graph (subgraphs included, sparse ones by
 * their stored values), by element type, and apart from them the tensors Constant nodes hold. Reads
 * dims and byte lengths only, never the data, so it costs nothing on a multi-gigabyte model.
 */
import type { Model } from '../ir/model.js';
import { dataTypeName, rawByteLength } from '../onnx/data-type.js';
import { externalDataRef, isExternal } from '../onnx/external-data.js';
import type { TensorProto } from '../onnx/proto-types.js';
import { declaredElementCount } from '../onnx/tensor-size-check.js';
import type { ParameterGroup, ParameterSummary } from './report-types.js';

const STRING = 8;

/** Bytes a tensor's data takes as stored (raw_data as is; typed fields as raw_data would hold them). */
export function tensorStoredBytes(t: TensorProto): number {
  if (t.raw_data !== undefined) return t.raw_data.length;
  if (isExternal(t)) {
    const ref = externalDataRef(t);
    if (ref.length !== undefined && !Number.isNaN(ref.length)) return ref.length;
  }
  if (t.data_type === STRING) return t.string_data.reduce((sum, s) => sum + s.length, 0);
  return rawByteLength(t.data_type ?? 0, declaredElementCount(t)) ?? 0;
}

function emptyGroup(): ParameterGroup {
  return { tensors: 0, count: 0, bytes: 0 };
}

function add(group: ParameterGroup, count: number, bytes: number): void {
  group.tensors += 1;
  group.count += count;
  group.bytes += bytes;
}

export function summarizeParameters(model: Model): Omit<ParameterSummary, 'externalData'> {
  const total = emptyGroup();
  const constants = emptyGroup();
  const byDtype = new Map<string, ParameterGroup>();
  const addInitializer = (dtype: number | undefined, count: number, bytes: number) => {
    const name = dataTypeName(dtype);
    let group = byDtype.get(name);
    if (!group) byDtype.set(name, (group = emptyGroup()));
    add(group, count, bytes);
    add(total, count, bytes);
  };
  for (const graph of model.graph.allGraphs()) {
    for (const value of graph.initializers) {
      const t = value.initializer!;
      addInitializer(t.data_type, declaredElementCount(t), tensorStoredBytes(t));
    }
    for (const sparse of graph.proto.sparse_initializer ?? []) {
      if (!sparse.values) continue;
      const bytes = tensorStoredBytes(sparse.values) + (sparse.indices ? tensorStoredBytes(sparse.indices) : 0);
      addInitializer(sparse.values.data_type, declaredElementCount(sparse.values), bytes);
    }
    for (const node of graph.nodes) {
      if (node.opType !== 'Constant' || node.domain !== '') continue;
      const t = node.attribute('value')?.t;
      if (t) add(constants, declaredElementCount(t), tensorStoredBytes(t));
    }
  }
  // Largest first: what a reader wants to see is where the bytes are.
  const sorted = [...byDtype].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]));
  return { ...total, byDtype: Object.fromEntries(sorted), constants };
}
