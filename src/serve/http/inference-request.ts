/**
 * A KServe v2 inference request body → the tensors `Serving.infer` takes, and what the client wants back.
 *
 *   { "id": "42", "parameters": { "binary_data_output": true, "timeout": 5000 },
 *     "inputs":  [{ "name": "x", "datatype": "FP32", "shape": [2, 64], "data": [[…], […]] },
 *                 { "name": "y", "datatype": "INT64", "shape": [2], "parameters": { "binary_data_size": 16 } }],
 *     "outputs": [{ "name": "logits", "parameters": { "binary_data": false } }] }
 *
 * With the binary extension the body is this JSON (`headerLength` bytes) followed by the raw data of the
 * inputs that give `binary_data_size`, in order. `timeout` is Triton's per-request queue timeout in
 * microseconds. Checks here are those that need the protocol's words (datatype names, JSON structure,
 * element counts); shapes against the model are checked by the serving core.
 */
import { MlserveError } from '../../errors.js';
import type { ServingMetadata } from '../serving.js';
import { elementCount, type Tensor } from '../tensor.js';
import { decodeBinaryData } from './binary-tensor-codec.js';
import { decodeJsonData } from './json-tensor-codec.js';
import { dtypeOfV2, v2Datatype, V2_DATATYPES } from './v2-datatype.js';

export interface OutputRequest {
  name: string;
  /** Return this output as binary data after the JSON header. */
  binary: boolean;
}

export interface InferenceRequest {
  id: string | undefined;
  inputs: Record<string, Tensor>;
  /** The outputs to return, in order: the ones the request names, else all of the model's. */
  outputs: OutputRequest[];
  /** Per-request queue deadline (from `parameters.timeout`, in µs). */
  timeoutMs: number | undefined;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function badRequest(reason: string): MlserveError {
  return new MlserveError('MLS_ERR_SERVE_BAD_REQUEST', { reason });
}

/** Parses the body's JSON; a malformed or non-object body is a 400. */
export function parseJsonBody(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`malformed JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw badRequest('the body must be a JSON object');
  return value;
}

/**
 * Reads an inference request for `model`. `headerLength` is the Inference-Header-Content-Length header
 * (undefined: the whole body is JSON). Throws MLS_ERR_SERVE_BAD_REQUEST for protocol errors and
 * MLS_ERR_SERVE_BAD_INPUT for an input that does not fit the model.
 */
export function parseInferenceRequest(body: Uint8Array, headerLength: number | undefined, model: ServingMetadata): InferenceRequest {
  if (headerLength !== undefined && headerLength > body.byteLength) {
    throw badRequest(`Inference-Header-Content-Length is ${headerLength} but the body has only ${body.byteLength} bytes`);
  }
  const jsonEnd = headerLength ?? body.byteLength;
  const json = parseJsonBody(Buffer.from(body.buffer, body.byteOffset, jsonEnd).toString('utf8'));
  const binary = body.subarray(jsonEnd);

  const id = json['id'];
  if (id !== undefined && typeof id !== 'string') throw badRequest(`'id' must be a string, got ${JSON.stringify(id)}`);
  const parameters = json['parameters'] ?? {};
  if (!isObject(parameters)) throw badRequest("'parameters' must be an object");
  const binaryOutput = parameters['binary_data_output'] ?? false;
  if (typeof binaryOutput !== 'boolean') throw badRequest("parameters.binary_data_output must be true or false");
  const timeout = parameters['timeout'];
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) throw badRequest('parameters.timeout must be a positive number of microseconds');

  const bad = (input: string, reason: string) => new MlserveError('MLS_ERR_SERVE_BAD_INPUT', { model: model.name, input, reason });
  const rawInputs = json['inputs'];
  if (!Array.isArray(rawInputs)) throw badRequest("'inputs' must be an array of tensors");
  const inputs: Record<string, Tensor> = {};
  let offset = 0;
  rawInputs.forEach((raw, i) => {
    if (!isObject(raw)) throw badRequest(`inputs[${i}] must be an object`);
    const name = raw['name'];
    if (typeof name !== 'string') throw badRequest(`inputs[${i}].name must be a string`);
    if (Object.hasOwn(inputs, name)) throw bad(name, 'given twice');
    const spec = model.inputs.find((t) => t.name === name);
    if (!spec) throw bad(name, `the model has no such input (its inputs: ${model.inputs.map((t) => t.name).join(', ')})`);
    const datatype = raw['datatype'];
    const dtype = typeof datatype === 'string' ? dtypeOfV2(datatype) : undefined;
    if (dtype === undefined) throw bad(name, `datatype ${JSON.stringify(datatype)} is not one of ${V2_DATATYPES.join(', ')}`);
    if (dtype !== spec.dtype) throw bad(name, `datatype is ${datatype}, the model needs ${v2Datatype(spec.dtype)}`);
    const shape = raw['shape'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(name, `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const dims = shape as number[];
    const count = elementCount(dims);
    if (!Number.isSafeInteger(count)) throw bad(name, `shape [${dims.join(',')}] is too large`);
    const params = raw['parameters'] ?? {};
    if (!isObject(params)) throw bad(name, "'parameters' must be an object");
    const size = params['binary_data_size'];
    let data;
    if (size !== undefined) {
      if (!Number.isSafeInteger(size) || (size as number) < 0) throw bad(name, 'parameters.binary_data_size must be a non-negative integer');
      if (raw['data'] !== undefined) throw bad(name, "has both 'data' and parameters.binary_data_size");
      const end = offset + (size as number);
      if (end > binary.byteLength) {
        throw badRequest(`input '${name}': binary_data_size ${size as number} runs past the end of the binary data (${binary.byteLength - offset} bytes left${headerLength === undefined ? '; binary data needs the Inference-Header-Content-Length header' : ''})`);
      }
      data = decodeBinaryData(binary.subarray(offset, end), dtype, count);
      offset = end;
    } else {
      if (raw['data'] === undefined) throw bad(name, "has neither 'data' nor parameters.binary_data_size");
      data = decodeJsonData(raw['data'], dtype, count);
    }
    if (typeof data === 'string') throw bad(name, data);
    inputs[name] = { dtype, dims, data };
  });
  if (offset !== binary.byteLength) {
    throw badRequest(`the binary data after the JSON header is ${binary.byteLength} bytes, but the inputs' binary_data_size add up to ${offset}`);
  }

  const outputs = parseOutputs(json['outputs'], binaryOutput, model);
  return { id, inputs, outputs, timeoutMs: timeout === undefined ? undefined : (timeout as number) / 1000 };
}

function parseOutputs(raw: unknown, binaryDefault: boolean, model: ServingMetadata): OutputRequest[] {
  if (raw === undefined) return model.outputs.map((t) => ({ name: t.name, binary: binaryDefault }));
  if (!Array.isArray(raw)) throw badRequest("'outputs' must be an array");
  const seen = new Set<string>();
  return raw.map((o, i) => {
    if (!isObject(o) || typeof o['name'] !== 'string') throw badRequest(`outputs[${i}] must be an object with a string 'name'`);
    const name = o['name'];
    if (!model.outputs.some((t) => t.name === name)) {
      throw badRequest(`output '${name}': the model has no such output (its outputs: ${model.outputs.map((t) => t.name).join(', ')})`);
    }
    if (seen.has(name)) throw badRequest(`output '${name}' is asked for twice`);
    seen.add(name);
    const params = o['parameters'] ?? {};
    if (!isObject(params)) throw badRequest(`output '${name}': 'parameters' must be an object`);
    const binary = params['binary_data'] ?? binaryDefault;
    if (typeof binary !== 'boolean') throw badRequest(`output '${name}': parameters.binary_data must be true or false`);
    return { name, binary };
  });
}
