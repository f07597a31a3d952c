/**
 * Reads a request body into one buffer, refusing it past `limitBytes` (MLS_ERR_SERVE_BODY_TOO_LARGE, 413)
 * without reading on: a Content-Length over the limit is refused before a byte is read, and a chunked body
 * as soon as it crosses the limit. The rest of a refused body stays unread; the caller answers and closes
 * the connection, so the server never holds more than the limit per request.
 *
 * With a Content-Length the buffer is allocated once at its final size (no list of chunks to join), placed
 * so that byte `alignAt` of the body (where binary tensor data starts) lands on an 8-byte boundary: the
 * numeric data is then viewed in place as a typed array instead of copied once more.
 */
import type { IncomingMessage } from 'node:http';
import { MlserveError } from '../../errors.js';

/** Rejected when the client goes away before sending the whole body; nobody is left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before sending the whole body');
  }
}

/** Alignment of binary tensor data: the largest element (float64, int64). */
const DATA_ALIGNMENT = 8;

/** `size` bytes whose byte `alignAt` sits at an 8-aligned offset of the underlying ArrayBuffer. */
function alignedBuffer(size: number, alignAt: number): Buffer {
  const room = Buffer.allocUnsafe(size + DATA_ALIGNMENT - 1);
  const skew = (DATA_ALIGNMENT - ((room.byteOffset + alignAt) % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
  return room.subarray(skew, skew + size);
}

export function readBody(req: IncomingMessage, limitBytes: number, alignAt = 0): Promise<Buffer> {
  const tooLarge = () => new MlserveError('MLS_ERR_SERVE_BODY_TOO_LARGE', { limitBytes });
  const header = req.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limitBytes) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    let buffer: Buffer | undefined = declared !== undefined ? alignedBuffer(declared, alignAt) : undefined;
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      if (length + chunk.length > limitBytes) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      if (buffer) chunk.copy(buffer, length);
      else chunks.push(chunk);
      length += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      const body: Buffer = buffer ?? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
      resolve(length === body.length ? body : body.subarray(0, length));
    };
    const onClose = () => {
      cleanup();
      reject(new ClientGoneError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}
