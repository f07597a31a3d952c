/**
 * What the HTTP tests share: a small client over fetch, binary-extension bodies, a Prometheus text parser
 * that checks every line, and a model with one input of each unusual v2 datatype.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ModelBuilder } from '../../../src/ir/model-builder.js';
import { encodeModel } from '../../../src/onnx/codec.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The body as JSON (undefined when empty). */
  json: any;
}

export async function call(url: string, init: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers: init.headers, body: init.body });
  const body = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body, json: type.startsWith('application/json') && body.length > 0 ? JSON.parse(body.toString()) : undefined };
}

export const postJson = (url: string, value: unknown) => call(url, { method: 'POST', body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } });

/** A binary-extension request: the JSON header, then the raw data chunks. */
export function binaryRequest(header: unknown, ...chunks: ArrayBufferView[]): { body: Buffer; headers: Record<string, string> } {
  const head = Buffer.from(JSON.stringify(header));
  const body = Buffer.concat([head, ...chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]);
  return { body, headers: { 'Inference-Header-Content-Length': String(head.length), 'Content-Type': 'application/octet-stream' } };
}

/** Splits a binary-extension response into its JSON header and the raw data of each binary output. */
export function binaryResponse(reply: Reply): { header: any; data: Map<string, Buffer> } {
  const length = Number(reply.headers.get('inference-header-content-length'));
  assert.ok(length > 0, 'the response has Inference-Header-Content-Length');
  const header = JSON.parse(reply.body.subarray(0, length).toString());
  const data = new Map<string, Buffer>();
  let offset = length;
  for (const o of header.outputs as Array<{ name: string; parameters?: { binary_data_size?: number } }>) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    data.set(o.name, reply.body.subarray(offset, offset + size));
    offset += size;
  }
  assert.equal(offset, reply.body.length, 'binary outputs fill the body exactly');
  return { header, data };
}

export function float32s(b: Buffer): Float32Array {
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Parses exposition text into { name+labels → value }, checking every line's syntax on the way. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP \w+ .+|TYPE \w+ (counter|gauge|histogram))$/);
      continue;
    }
    const m = /^(\w+(?:\{(?:\w+="(?:[^"\\]|\\.)*",?)*\})?) (\S+)$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    samples.set(m[1]!, m[2] === '+Inf' ? Infinity : Number(m[2]));
  }
  return samples;
}

/**
 * h: FP16[batch,2] → h2 = h + h;  i: INT64[batch] → i2 = i + i;  b: BOOL[batch] → nb = not b;
 * s: BYTES[batch] → s2 = s. Every unusual datatype through a real onnxruntime session.
 */
export function typesModel(file: string): string {
  const b = new ModelBuilder({ opset: 17 });
  b.input('h', 'float16', ['batch', 2]);
  b.input('i', 'int64', ['batch']);
  b.input('b', 'bool', ['batch']);
  b.input('s', 'string', ['batch']);
  b.output(b.node('Add', ['h', 'h'], {}, { output: 'h2' }), 'float16', ['batch', 2]);
  b.output(b.node('Add', ['i', 'i'], {}, { output: 'i2' }), 'int64', ['batch']);
  b.output(b.node('Not', ['b'], {}, { output: 'nb' }), 'bool', ['batch']);
  b.output(b.node('Identity', ['s'], {}, { output: 's2' }), 'string', ['batch']);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeModel(b.build()));
  return file;
}
