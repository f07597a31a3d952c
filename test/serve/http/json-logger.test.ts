import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlserveError } from '../../../src/errors.js';
import { createJsonLogger } from '../../../src/serve/http/json-logger.js';

test('one JSON object per line, at the logger\'s level and above, with errors and bigints kept readable', () => {
  const lines: string[] = [];
  const log = createJsonLogger({ level: 'info', write: (l) => lines.push(l), now: () => new Date(0) });
  log.debug('hidden');
  log.info('model ready', { model: 'mlp', ms: 12 });
  log.error('request failed', { error: new MlserveError('MLS_ERR_SERVE_TIMEOUT', { model: 'mlp', timeoutMs: 5 }), rows: 3n });
  log.warn('plain', { error: new Error('boom') });
  assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [
    { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'model ready', model: 'mlp', ms: 12 },
    { time: '1970-01-01T00:00:00.000Z', level: 'error', msg: 'request failed', rows: '3', error: { code: 'MLS_ERR_SERVE_TIMEOUT', message: "model 'mlp': the request waited past its 5 ms deadline in the queue and was not computed" } },
    { time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'plain', error: { message: 'boom' } },
  ]);
  assert.equal(log.enabled('debug'), false);
  assert.equal(createJsonLogger({ level: 'debug', write: () => {} }).enabled('debug'), true);
});
