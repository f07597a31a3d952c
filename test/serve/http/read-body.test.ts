import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { decodeBinaryData } from '../../../src/serve/http/binary-tensor-codec.js';
import { readBody } from '../../../src/serve/http/read-body.js';

/** A request stream sending `body` in chunks of `chunk` bytes, with the headers a client would send. */
function request(body: Buffer, headers: Record<string, string>, chunk = 7): IncomingMessage {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  return Object.assign(Readable.from(parts), { headers }) as unknown as IncomingMessage;
}

test('the binary data after a JSON header of any length lands 8-aligned, so it is viewed in place', async () => {
  const values = Float64Array.from([1.5, -2, 1e300]);
  for (let headerLength = 0; headerLength < 17; headerLength++) {
    const body = Buffer.concat([Buffer.alloc(headerLength, 0x20), Buffer.from(values.buffer)]);
    const read = await readBody(request(body, { 'content-length': String(body.length) }), 1 << 20, headerLength);
    assert.deepEqual(read, body, `header ${headerLength}: the body as sent`);
    assert.equal((read.byteOffset + headerLength) % 8, 0, `header ${headerLength}: data offset aligned`);
    const data = decodeBinaryData(read.subarray(headerLength), 'float64', 3) as Float64Array;
    assert.equal(data.buffer, read.buffer, `header ${headerLength}: a view, not a copy`);
    assert.deepEqual([...data], [...values]);
  }
});

test('a chunked body (no Content-Length) is joined; one over the limit is refused with 413 either way', async () => {
  const body = Buffer.from('{"inputs":[]}');
  assert.deepEqual(await readBody(request(body, {}), 100), body);
  await assert.rejects(readBody(request(body, { 'content-length': String(body.length) }), 5), { code: 'MLS_ERR_SERVE_BODY_TOO_LARGE' });
  await assert.rejects(readBody(request(Buffer.alloc(64), {}), 20), { code: 'MLS_ERR_SERVE_BODY_TOO_LARGE' });
});
