/**
 * The request queue: oldest first, a hard limit (503-class rejection, queue unchanged), and deadlines that
 * drop a request without it ever being taken into a batch (504-class rejection).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlserveError } from '../../src/errors.js';
import { RequestQueue, type QueuedRequest } from '../../src/serve/request-queue.js';

interface Req extends QueuedRequest {
  id: string;
  rejected?: Error;
}

function req(id: string, enqueuedAt: number, timeoutMs?: number): Req {
  const r: Req = {
    id, rows: 1, key: 'k', enqueuedAt, timeoutMs,
    deadline: timeoutMs === undefined ? undefined : enqueuedAt + timeoutMs,
    reject: (e) => { r.rejected = e; },
  };
  return r;
}

test('a full queue rejects the newcomer with MLS_ERR_SERVE_QUEUE_FULL (HTTP 503) and keeps what it holds', () => {
  const q = new RequestQueue<Req>('mlp', 2);
  q.push(req('a', 0));
  q.push(req('b', 1));
  assert.throws(() => q.push(req('c', 2)), (e: unknown) => {
    assert.ok(e instanceof MlserveError);
    assert.equal(e.code, 'MLS_ERR_SERVE_QUEUE_FULL');
    assert.equal(e.httpStatus, 503);
    assert.match(e.message, /model 'mlp': the request queue is full \(2 requests waiting\)/);
    return true;
  });
  assert.deepEqual(q.entries.map((r) => r.id), ['a', 'b']);
  // Room again once a request leaves.
  q.take([0]);
  q.push(req('c', 3));
  assert.deepEqual(q.entries.map((r) => r.id), ['b', 'c']);
});

test('take removes exactly the given positions and keeps the rest oldest-first', () => {
  const q = new RequestQueue<Req>('m', 10);
  for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) q.push(req(id, i));
  assert.deepEqual(q.take([0, 2, 3]).map((r) => r.id), ['a', 'c', 'd']);
  assert.deepEqual(q.entries.map((r) => r.id), ['b', 'e']);
});

test('a request past its deadline is dropped and rejected with MLS_ERR_SERVE_TIMEOUT (HTTP 504); others stay', () => {
  const q = new RequestQueue<Req>('mlp', 10);
  const a = req('a', 0, 50);
  const b = req('b', 10);
  const c = req('c', 20, 30);
  [a, b, c].forEach((r) => q.push(r));
  assert.equal(q.nextDeadline(), 50);
  assert.deepEqual(q.expire(49).map((r) => r.id), []);
  assert.deepEqual(q.expire(50).map((r) => r.id), ['a', 'c']);
  assert.deepEqual(q.entries.map((r) => r.id), ['b']);
  for (const r of [a, c]) {
    assert.ok(r.rejected instanceof MlserveError);
    assert.equal(r.rejected.code, 'MLS_ERR_SERVE_TIMEOUT');
    assert.equal(r.rejected.httpStatus, 504);
  }
  assert.match(a.rejected!.message, /waited past its 50 ms deadline in the queue and was not computed/);
  assert.equal(b.rejected, undefined);
  assert.equal(q.nextDeadline(), undefined);
});

test('rejectAll empties the queue and rejects every request with the given error', () => {
  const q = new RequestQueue<Req>('m', 10);
  const a = req('a', 0);
  const b = req('b', 1);
  q.push(a);
  q.push(b);
  const gone = new Error('model unloaded');
  q.rejectAll(gone);
  assert.equal(q.length, 0);
  assert.equal(a.rejected, gone);
  assert.equal(b.rejected, gone);
});
