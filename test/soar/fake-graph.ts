/** A scripted GraphClient for runtime and action unit tests (no HTTP). */
import { GraphError } from '../../src/graph/errors.ts';
import type { GraphClient, GraphRequest, GraphResponse, TokenInfo } from '../../src/graph/types.ts';

export type Route = unknown | GraphError | ((req: GraphRequest) => unknown);

export interface FakeGraph extends GraphClient {
  calls: GraphRequest[];
  closed: boolean;
}

/** `routes` keys: "GET v1.0 /users/a@b" (query ignored); a GraphError value is thrown. */
export function fakeGraph(routes: Record<string, Route>, token: Partial<TokenInfo> = {}): FakeGraph {
  const calls: GraphRequest[] = [];
  const fake: FakeGraph = {
    calls,
    closed: false,
    stats: { httpRequests: 0, retries: 0, throttled: 0 },
    async request<T>(req: GraphRequest): Promise<GraphResponse<T>> {
      calls.push(req);
      const key = `${req.method} ${req.version ?? 'v1.0'} ${req.path}`;
      if (!(key in routes)) throw new GraphError({ status: 404, code: 'Request_ResourceNotFound', message: `No fake route for ${key}` });
      let r = routes[key];
      if (typeof r === 'function') r = (r as (req: GraphRequest) => unknown)(req);
      if (r instanceof GraphError) throw r;
      return { status: 200, headers: {}, body: r as T };
    },
    async get<T>(path: string, opts = {}) {
      return (await fake.request<T>({ ...opts, method: 'GET', path })).body;
    },
    async post<T>(path: string, body?: unknown, opts = {}) {
      return (await fake.request<T>({ ...opts, method: 'POST', path, body })).body;
    },
    async patch<T>(path: string, body: unknown, opts = {}) {
      return (await fake.request<T>({ ...opts, method: 'PATCH', path, body })).body;
    },
    async delete(path: string, opts = {}) {
      await fake.request({ ...opts, method: 'DELETE', path });
    },
    paginate() {
      throw new Error('not scripted');
    },
    async batch() {
      throw new Error('not scripted');
    },
    preAuthenticated() {
      throw new Error('not scripted');
    },
    async getToken() {
      return { accessToken: 'fake-token', expiresOn: Date.now() + 3600_000, roles: [], ...token };
    },
    async close() {
      fake.closed = true;
    },
  };
  return fake;
}

export const notFound = (what = 'user') =>
  new GraphError({ status: 404, code: 'Request_ResourceNotFound', message: `Resource '${what}' does not exist.` });

export const baseConfig = {
  'Azure AD endpoint': 'https://login.example.test',
  'Microsoft Graph Endpoint': 'https://graph.example.test',
  'Client ID': 'client-1',
  'Secret ID': 'super-secret-value',
  Tenant: 'tenant-1',
  'Default Mailbox': 'soc@contoso.test',
  'Verify SSL': true,
};

/** A clock whose sleep advances time instantly. */
export function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}
