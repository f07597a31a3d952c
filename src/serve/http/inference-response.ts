/**
 * A KServe v2 inference response: the JSON document, and with the binary extension the raw data of the
 * outputs asked for as binary, which follow the JSON in the body (the JSON's byte length goes in the
 * Inference-Header-Content-Length header).
 *
 *   { "model_name": "mlp", "model_version": "1", "id": "42",
 *     "outputs": [{ "name": "logits", "datatype": "FP32", "shape": [2, 10], "data": [ … ] },
 *                 { "name": "probs", "datatype": "FP32", "shape": [2, 10], "parameters": { "binary_data_size": 80 } }] }
 */
import type { Tensor } from '../tensor.js';
import { encodeBinaryData } from './binary-tensor-codec.js';
import type { OutputRequest } from './inference-request.js';
import { encodeJsonData } from './json-tensor-codec.js';
import { v2Datatype } from './v2-datatype.js';

export interface EncodedResponse {
  /** The JSON document (the whole body when `binary` is empty). */
  json: string;
  /** Raw output data to send after the JSON, in order. Views on the outputs' memory: no copies. */
  binary: Uint8Array[];
}

export function encodeInferenceResponse(
  model: { name: string; version: string },
  id: string | undefined,
  outputs: Readonly<Record<string, Tensor>>,
  selection: readonly OutputRequest[],
): EncodedResponse {
  const binary: Uint8Array[] = [];
  // The JSON is assembled as text: data arrays are written by encodeJsonData (exact int64, no NaN), and
  // JSON.stringify of the small envelope parts keeps names and ids escaped.
  const parts = selection.map(({ name, binary: asBinary }) => {
    const t = outputs[name]!;
    const head = `{"name":${JSON.stringify(name)},"datatype":"${v2Datatype(t.dtype)}","shape":[${t.dims.join(',')}]`;
    if (!asBinary) return `${head},"data":${encodeJsonData(t)}}`;
    const bytes = encodeBinaryData(t.data);
    binary.push(bytes);
    return `${head},"parameters":{"binary_data_size":${bytes.byteLength}}}`;
  });
  const idPart = id === undefined ? '' : `,"id":${JSON.stringify(id)}`;
  const json = `{"model_name":${JSON.stringify(model.name)},"model_version":${JSON.stringify(model.version)}${idPart},"outputs":[${parts.join(',')}]}`;
  return { json, binary };
}
