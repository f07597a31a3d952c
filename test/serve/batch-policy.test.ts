/**
 * planBatch as arithmetic. A queue is written as requests "rows key @ enqueuedAt": '3a@0' is a 3-row
 * request of shape key 'a' queued at t=0 ms. Each row of a table says which queued requests go together
 * now, and at what size the model runs them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { paddedBatchSize, planBatch, spreadRows, type BatchConfig, type QueuedView } from '../../src/serve/batch-policy.js';

function queue(...items: string[]): QueuedView[] {
  return items.map((s) => {
    const m = /^(\d+)([a-z])@(\d+(?:\.\d+)?)$/.exec(s);
    if (!m) throw new Error(`bad queue item ${s}`);
    return { rows: Number(m[1]), key: m[2]!, enqueuedAt: Number(m[3]) };
  });
}

const BUNDLE_1248: BatchConfig = { maxBatch: 8, maxDelayMs: 2, batchSizes: [1, 2, 4, 8] };
const DYNAMIC_8: BatchConfig = { maxBatch: 8, maxDelayMs: 2 };

interface Row {
  says: string;
  queue: string[];
  now: number;
  config: BatchConfig;
  expect: ReturnType<typeof planBatch>;
}

const rows: Row[] = [
  {
    says: '5 = 3 + 2, padded to 8, when compiled sizes are 1,2,4,8 and maxBatch 8 (oldest waited 2 ms)',
    queue: ['3a@0', '2a@1'], now: 2, config: BUNDLE_1248,
    expect: { kind: 'dispatch', take: [0, 1], rows: 5, batchSize: 8, reason: 'delay' },
  },
  {
    says: '3 = 1 + 2, padded to 4 — the smallest compiled size ≥ 3, not the largest',
    queue: ['1a@0', '2a@0.5'], now: 2, config: BUNDLE_1248,
    expect: { kind: 'dispatch', take: [0, 1], rows: 3, batchSize: 4, reason: 'delay' },
  },
  {
    says: '2 = 2 runs at 2 with no padding when 2 is a compiled size',
    queue: ['2a@0'], now: 5, config: BUNDLE_1248,
    expect: { kind: 'dispatch', take: [0], rows: 2, batchSize: 2, reason: 'delay' },
  },
  {
    says: '5 = 3 + 2 runs at exactly 5 on a dynamic-batch model',
    queue: ['3a@0', '2a@1'], now: 2, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0, 1], rows: 5, batchSize: 5, reason: 'delay' },
  },
  {
    says: '8 = 4 + 4 goes at once: full, no waiting',
    queue: ['4a@0', '4a@0.1'], now: 0.1, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0, 1], rows: 8, batchSize: 8, reason: 'full' },
  },
  {
    says: '3 + 2 < 8 at 1 ms waits the remaining 1 ms of the oldest request\'s 2 ms',
    queue: ['3a@0', '2a@0.5'], now: 1, config: DYNAMIC_8,
    expect: { kind: 'wait', ms: 1 },
  },
  {
    says: '5 + 5 > 8: the second does not fit, so the first goes now (waiting would only delay the older one)',
    queue: ['5a@0', '5a@0.2'], now: 0.2, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0], rows: 5, batchSize: 5, reason: 'no-room' },
  },
  {
    says: '8 = 5 + 3, first fit: the 4 that does not fit is skipped, the later 3 fills the batch',
    queue: ['5a@0', '4a@0.1', '3a@0.2'], now: 0.2, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0, 2], rows: 8, batchSize: 8, reason: 'full' },
  },
  {
    says: 'different non-batch dims never share a batch: a + a across a b, the b waits for its own batch',
    queue: ['2a@0', '1b@0.5', '3a@1'], now: 2, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0, 2], rows: 5, batchSize: 5, reason: 'delay' },
  },
  {
    says: 'no starvation: the key with the oldest request goes first when both are due',
    queue: ['1b@0', '2a@0.5', '1a@0.6'], now: 3, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0], rows: 1, batchSize: 1, reason: 'delay' },
  },
  {
    says: 'a younger key that is full goes before an older key that is still forming',
    queue: ['1b@0', '8a@0.5'], now: 1, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [1], rows: 8, batchSize: 8, reason: 'full' },
  },
  {
    says: 'two keys forming: wake when the older one is due',
    queue: ['1b@0.5', '1a@1'], now: 1, config: DYNAMIC_8,
    expect: { kind: 'wait', ms: 1.5 },
  },
  {
    says: 'a 12-row request on a dynamic model with maxBatch 8 goes alone at 12',
    queue: ['12a@0', '1a@0'], now: 0, config: DYNAMIC_8,
    expect: { kind: 'dispatch', take: [0], rows: 12, batchSize: 12, reason: 'full' },
  },
  {
    says: 'maxBatch 3 with sizes 1,2,4: 5 = 3 (padded to 4) + 2 (next batch)',
    queue: ['3a@0', '2a@0'], now: 0, config: { maxBatch: 3, maxDelayMs: 2, batchSizes: [1, 2, 4] },
    expect: { kind: 'dispatch', take: [0], rows: 3, batchSize: 4, reason: 'full' },
  },
  {
    says: 'maxBatch 3 with sizes 1,2,4: a lone 4-row request goes alone at 4',
    queue: ['4a@0'], now: 0, config: { maxBatch: 3, maxDelayMs: 2, batchSizes: [1, 2, 4] },
    expect: { kind: 'dispatch', take: [0], rows: 4, batchSize: 4, reason: 'full' },
  },
  {
    says: 'maxDelayMs 0 (draining): whatever is queued goes now',
    queue: ['1a@5'], now: 5, config: { ...DYNAMIC_8, maxDelayMs: 0 },
    expect: { kind: 'dispatch', take: [0], rows: 1, batchSize: 1, reason: 'delay' },
  },
  {
    says: 'maxBatch 1: every request is its own batch',
    queue: ['1a@0', '1a@0'], now: 0, config: { maxBatch: 1, maxDelayMs: 2 },
    expect: { kind: 'dispatch', take: [0], rows: 1, batchSize: 1, reason: 'full' },
  },
  {
    says: 'an empty queue is idle',
    queue: [], now: 0, config: DYNAMIC_8,
    expect: { kind: 'idle' },
  },
];

describe('planBatch', () => {
  for (const r of rows) {
    test(r.says, () => {
      assert.deepEqual(planBatch(queue(...r.queue), r.now, r.config), r.expect);
    });
  }

  test('repeated planning drains a mixed queue oldest key first, every request exactly once', () => {
    // What the batcher does: plan, take the dispatched requests out, plan again.
    let q = queue('3a@0', '1b@0.1', '4a@0.2', '2b@0.3', '2a@0.4', '5c@0.5');
    const ids = new Map(q.map((v, i) => [v, i]));
    const batches: number[][] = [];
    for (let guard = 0; q.length > 0 && guard < 10; guard++) {
      const plan = planBatch(q, 10, BUNDLE_1248);
      assert.equal(plan.kind, 'dispatch');
      if (plan.kind !== 'dispatch') break;
      batches.push(plan.take.map((i) => ids.get(q[i]!)!));
      q = q.filter((_, i) => !plan.take.includes(i));
    }
    // a: 3 + 4 = 7 (padded to 8), then the 2 left over; b: 1 + 2 = 3 (padded to 4); c alone.
    assert.deepEqual(batches, [[0, 2], [1, 3], [4], [5]]);
  });
});

describe('paddedBatchSize', () => {
  const table: Array<[number, number[] | undefined, number | undefined]> = [
    [1, [1, 2, 4, 8], 1], [3, [1, 2, 4, 8], 4], [5, [1, 2, 4, 8], 8], [8, [1, 2, 4, 8], 8],
    [9, [1, 2, 4, 8], undefined], [3, [8, 4], 4], [7, undefined, 7],
  ];
  for (const [rowsIn, sizes, expected] of table) {
    test(`${rowsIn} rows with sizes ${sizes?.join(',') ?? 'dynamic'} → ${expected ?? 'none fits'}`, () => {
      assert.equal(paddedBatchSize(rowsIn, sizes), expected);
    });
  }
});

describe('spreadRows', () => {
  const cases: Array<[number[], number, number[]]> = [
    [[1, 1, 1, 1, 1, 1, 1, 1], 2, [4, 4]],
    [[3, 1, 1, 1, 1, 1], 2, [2, 4]],
    [[7, 1], 2, [1, 1]],
    [[5, 1, 1, 1], 2, [1, 3]],
    [[1, 1, 1, 1, 1], 2, [2, 3]],
    [[2, 2, 2], 4, [1, 1, 1]],
    [[1], 4, [1]],
    [[1, 1, 1, 1], 1, [4]],
  ];
  for (const [rows, parts, expected] of cases) {
    test(`[${rows}] over ${parts}: groups of ${expected} requests`, () => {
      const counts = spreadRows(rows, parts);
      assert.deepEqual(counts, expected);
      assert.equal(counts.reduce((a, b) => a + b, 0), rows.length, 'every request in exactly one group');
    });
  }
});
