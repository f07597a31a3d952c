/**
 * Writing responses: JSON documents, empty status answers, inference bodies (JSON, or JSON and binary data
 * with Inference-Header-Content-Length), and errors as `{"error": "…"}` with the status the error registry
 * gives. A 503 carries Retry-After. A response sent before the request body was read to its end closes the
 * connection, so the unread rest is never parsed as the next request (nor read at all).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMlserveError } from '../../errors.js';
import type { EncodedResponse } from './inference-response.js';

/** Seconds a client is asked to wait before retrying a 503 (queue full, not ready). */
export const RETRY_AFTER_SECONDS = 1;

/** Bodies at most this large are joined into one buffer (one write); larger ones go out as several writes. */
const JOIN_LIMIT = 64 * 1024;

/** Whether part of the request body may still be unread. (A request without a body is never `complete` yet
 * while its handler runs, so `complete` alone would close every keep-alive connection.) */
function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (bodyUnread(req)) res.setHeader('Connection', 'close');
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  closeIfUnread(req, res);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

export function sendEmpty(req: IncomingMessage, res: ServerResponse, status: number): void {
  closeIfUnread(req, res);
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  const body = Buffer.from(text);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
}

export function sendInference(res: ServerResponse, encoded: EncodedResponse): void {
  const json = Buffer.from(encoded.json);
  if (encoded.binary.length === 0) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': json.length });
    res.end(json);
    return;
  }
  const total = encoded.binary.reduce((n, b) => n + b.byteLength, json.length);
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': total,
    'Inference-Header-Content-Length': json.length,
  });
  if (total <= JOIN_LIMIT) {
    res.end(Buffer.concat([json, ...encoded.binary], total));
    return;
  }
  // Large outputs are written from their own memory (views on the batch's outputs), not copied.
  res.cork();
  res.write(json);
  for (const b of encoded.binary) res.write(b);
  res.end();
  res.uncork();
}

/** The status and message an error is answered with; anything not an MlserveError is a 500. */
export function errorStatus(e: unknown): { status: number; message: string } {
  if (isMlserveError(e)) return { status: e.httpStatus, message: e.message };
  return { status: 500, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

export function sendError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    // Too late for a status: end the connection so the client sees a cut-off response, not a wrong one.
    res.destroy();
    return;
  }
  const { status, message } = errorStatus(e);
  if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  sendJson(req, res, status, { error: message });
}
