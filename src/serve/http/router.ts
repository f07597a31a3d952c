/**
 * The server's endpoints — the KServe v2 REST API as Triton serves it, plus /metrics — and the pure
 * match of a method and request target against them. Path parameters are URL-decoded segments; HEAD is
 * answered as GET (Node leaves the body out).
 */
export type RouteName =
  | 'health-live' | 'health-ready' | 'server-metadata'
  | 'model-metadata' | 'model-ready' | 'model-infer' | 'model-stats'
  | 'repository-index' | 'repository-load' | 'repository-unload'
  | 'metrics';

export interface RouteParams {
  model?: string;
  version?: string;
}

export type RouteMatch =
  | { kind: 'match'; route: RouteName; params: RouteParams }
  /** `allow`: the methods the path takes (empty: no such path at all). */
  | { kind: 'no-route'; allow: string[] };

interface Route {
  method: 'GET' | 'POST';
  /** Segments; ':model' and ':version' capture. */
  pattern: string[];
  route: RouteName;
}

const ROUTES: readonly Route[] = ([
  ['GET', '/v2/health/live', 'health-live'],
  ['GET', '/v2/health/ready', 'health-ready'],
  ['GET', '/v2', 'server-metadata'],
  ['GET', '/v2/models/stats', 'model-stats'],
  ['GET', '/v2/models/:model', 'model-metadata'],
  ['GET', '/v2/models/:model/versions/:version', 'model-metadata'],
  ['GET', '/v2/models/:model/ready', 'model-ready'],
  ['GET', '/v2/models/:model/versions/:version/ready', 'model-ready'],
  ['POST', '/v2/models/:model/infer', 'model-infer'],
  ['POST', '/v2/models/:model/versions/:version/infer', 'model-infer'],
  ['GET', '/v2/models/:model/stats', 'model-stats'],
  ['GET', '/v2/models/:model/versions/:version/stats', 'model-stats'],
  ['POST', '/v2/repository/index', 'repository-index'],
  ['POST', '/v2/repository/models/:model/load', 'repository-load'],
  ['POST', '/v2/repository/models/:model/unload', 'repository-unload'],
  ['GET', '/metrics', 'metrics'],
] as const).map(([method, path, route]) => ({ method, pattern: path.split('/').slice(1), route }));

/** The path of a request target, without the query, split into decoded segments; undefined if malformed. */
function segmentsOf(target: string): string[] | undefined {
  const q = target.indexOf('?');
  let path = q < 0 ? target : target.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (!path.startsWith('/')) return undefined;
  try {
    return path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p === ':model' || p === ':version') {
      if (s === '') return undefined;
      params[p === ':model' ? 'model' : 'version'] = s;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

export function matchRoute(method: string, target: string): RouteMatch {
  const segments = segmentsOf(target);
  if (!segments) return { kind: 'no-route', allow: [] };
  const m = method === 'HEAD' ? 'GET' : method;
  const allow = new Set<string>();
  for (const r of ROUTES) {
    const params = matchPattern(r.pattern, segments);
    if (!params) continue;
    // Literal routes are listed before the ones that capture the same segment (/v2/models/stats).
    if (r.method === m) return { kind: 'match', route: r.route, params };
    allow.add(r.method);
  }
  return { kind: 'no-route', allow: [...allow] };
}
