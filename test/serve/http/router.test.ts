import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchRoute } from '../../../src/serve/http/router.js';

test('every KServe v2 endpoint maps to its route with its decoded path parameters', () => {
  const cases: Array<[string, string, string, Record<string, string>]> = [
    ['GET', '/v2/health/live', 'health-live', {}],
    ['GET', '/v2/health/ready', 'health-ready', {}],
    ['HEAD', '/v2/health/ready', 'health-ready', {}],
    ['GET', '/v2', 'server-metadata', {}],
    ['GET', '/v2/models/mlp', 'model-metadata', { model: 'mlp' }],
    ['GET', '/v2/models/mlp/versions/3', 'model-metadata', { model: 'mlp', version: '3' }],
    ['GET', '/v2/models/mlp/ready', 'model-ready', { model: 'mlp' }],
    ['GET', '/v2/models/mlp/versions/2/ready', 'model-ready', { model: 'mlp', version: '2' }],
    ['POST', '/v2/models/mlp/infer', 'model-infer', { model: 'mlp' }],
    ['POST', '/v2/models/my%20model/versions/1/infer?x=1', 'model-infer', { model: 'my model', version: '1' }],
    ['GET', '/v2/models/stats', 'model-stats', {}],
    ['GET', '/v2/models/mlp/stats', 'model-stats', { model: 'mlp' }],
    ['POST', '/v2/repository/index', 'repository-index', {}],
    ['POST', '/v2/repository/models/mlp/load', 'repository-load', { model: 'mlp' }],
    ['POST', '/v2/repository/models/mlp/unload', 'repository-unload', { model: 'mlp' }],
    ['GET', '/metrics', 'metrics', {}],
    ['GET', '/v2/models/mlp/', 'model-metadata', { model: 'mlp' }],
  ];
  for (const [method, target, route, params] of cases) {
    assert.deepEqual(matchRoute(method, target), { kind: 'match', route, params }, `${method} ${target}`);
  }
});

test('a known path with the wrong method says which methods it takes; an unknown or malformed path takes none', () => {
  assert.deepEqual(matchRoute('GET', '/v2/models/mlp/infer'), { kind: 'no-route', allow: ['POST'] });
  assert.deepEqual(matchRoute('POST', '/v2/health/live'), { kind: 'no-route', allow: ['GET'] });
  assert.deepEqual(matchRoute('GET', '/v1/models/mlp'), { kind: 'no-route', allow: [] });
  assert.deepEqual(matchRoute('GET', '/v2/models//ready'), { kind: 'no-route', allow: [] });
  assert.deepEqual(matchRoute('GET', '/v2/models/%E0%A4%A/ready'), { kind: 'no-route', allow: [] });
  assert.deepEqual(matchRoute('GET', 'v2'), { kind: 'no-route', allow: [] });
});
