import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient, GraphError, type GraphClient, type GraphClientOptions } from '../../src/graph/index.ts';
import { captureLogger, FakeClock, fetchFailed, graphError, json, scripted, SECRET, baseOptions } from './helpers.ts';
import { startConnectProxy, startHttpsGraph, type ConnectProxy, type HttpsGraph } from './servers.ts';

const PROXY_PW = 'Pr0xy:P@ss/word%';
let graph: HttpsGraph;
let proxy: ConnectProxy;
const clients: GraphClient[] = [];

beforeAll(async () => {
  [graph, proxy] = await Promise.all([startHttpsGraph(), startConnectProxy('u', PROXY_PW)]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([graph.close(), proxy.close()]);
});

interface Outcome {
  error: GraphError;
  logs: string[];
  tokens: string[];
}

async function run(opts: Partial<GraphClientOptions>, action: (c: GraphClient) => Promise<unknown>): Promise<Outcome> {
  const logger = captureLogger();
  const tokens: string[] = [];
  const c = createGraphClient({
    loginEndpoint: graph.url,
    graphEndpoint: graph.url,
    tenant: 't',
    clientId: 'c',
    clientSecret: SECRET,
    clock: new FakeClock(),
    random: () => 0.1,
    logger,
    retry: { maxRetries: 2 },
    ...opts,
  });
  clients.push(c);
  const orig = c.getToken;
  const error = (await action({
    ...c,
    getToken: async (f?: boolean) => {
      const t = await orig(f);
      tokens.push(t.accessToken);
      return t;
    },
  }).catch((e: unknown) => e)) as GraphError;
  expect(error).toBeInstanceOf(GraphError);
  try {
    tokens.push((await c.getToken()).accessToken);
  } catch {
    /* scenarios where no token can be had */
  }
  return { error, logs: logger.lines, tokens };
}

function assertClean(o: Outcome, secrets: string[]) {
  const surfaces = [o.error.message, JSON.stringify(o.error), String(o.error.cause), String((o.error.cause as Error | undefined)?.stack), ...o.logs];
  for (const s of secrets) {
    for (const text of surfaces) {
      expect(text.includes(s), `secret leaked into: ${text}`).toBe(false);
      expect(text.includes(encodeURIComponent(s)), `encoded secret leaked into: ${text}`).toBe(false);
    }
  }
  expect(o.logs.length).toBeGreaterThan(0);
}

describe('secrets never leak', () => {
  it('wrong secret (Entra echoes nothing secret, but we check anyway)', async () => {
    const t = scripted(
      () => json(200, {}),
      (req) =>
        json(401, {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Got ${String(req.body)} i.e. ${new URLSearchParams(String(req.body)).get("client_secret")}`,
          error_codes: [7000215],
        }),
    );
    const o = await run({ transport: t.transport, loginEndpoint: 'https://l.test', graphEndpoint: 'https://g.test' }, (c) => c.get('/users/a@x.test'));
    expect(o.error.parameter).toBe('Secret ID');
    assertClean(o, [SECRET]);
  });

  it('repeated 500s from a server that echoes the Authorization header', async () => {
    const o = await run({ ca: graph.cert }, (c) => c.get('/echo-auth'));
    expect(o.error.status).toBe(500);
    expect(o.tokens.length).toBeGreaterThan(0);
    expect(o.error.message).toContain('[REDACTED]');
    assertClean(o, [SECRET, ...o.tokens]);
  });

  it('proxy auth failure', async () => {
    const o = await run({ verifySsl: false, proxy: { url: proxy.url, username: 'u', password: 'not-the-' + PROXY_PW } }, (c) => c.get('/users/a@x.test/messages'));
    expect(o.error.code).toBe('ProxyError');
    assertClean(o, [SECRET, 'not-the-' + PROXY_PW]);
  });

  it('proxy credentials in the proxy URL', async () => {
    const url = new URL(proxy.url);
    const o = await run(
      { verifySsl: false, proxy: { url: `http://u:${encodeURIComponent('wrong' + PROXY_PW)}@${url.host}` } },
      (c) => c.get('/users/a@x.test/messages'),
    );
    expect(o.error.code).toBe('ProxyError');
    assertClean(o, [SECRET, 'wrong' + PROXY_PW]);
  });

  it('TLS failure behind a working proxy', async () => {
    const o = await run({ verifySsl: true, proxy: { url: proxy.url, username: 'u', password: PROXY_PW } }, (c) => c.get('/users/a@x.test/messages'));
    expect(o.error.code).toBe('TlsError');
    assertClean(o, [SECRET, PROXY_PW]);
  });

  it('network errors whose cause message carries credentials', async () => {
    const t = scripted(() => {
      throw fetchFailed('ECONNRESET', `socket hang up sending Authorization: Bearer abc.def.ghi client_secret=${SECRET}`);
    });
    const o = await run({ ...baseOptions(), transport: t.transport, logger: undefined }, (c) => c.get('/users/a@x.test'));
    expect(String(o.error.cause)).toContain('socket hang up');
    const surfaces = [o.error.message, JSON.stringify(o.error), String(o.error.cause)];
    for (const s of surfaces) {
      expect(s).not.toContain(SECRET);
      expect(s).not.toContain('abc.def.ghi');
    }
  });

  it('logs carry only method, path, status, ms and requestId', async () => {
    const t = scripted(() => graphError(404, 'ErrorItemNotFound', { 'request-id': 'r-1' }));
    const logger = captureLogger();
    const c = createGraphClient(baseOptions({ transport: t.transport, logger }));
    await c.get('/users/a@x.test/messages/1', { query: { $filter: "subject eq 'private'" } }).catch(() => undefined);
    const last = JSON.parse(logger.lines.at(-1)!.replace(/graph http$/, ''));
    expect(Object.keys(last).sort()).toEqual(['method', 'ms', 'path', 'requestId', 'status']);
    expect(last).toMatchObject({ method: 'GET', path: '/v1.0/users/a@x.test/messages/1', status: 404, requestId: 'r-1' });
  });

  it('a malformed proxy URL is rejected without echoing it', () => {
    let caught: unknown;
    try {
      createGraphClient(baseOptions({ proxy: { url: 'http://u:hunter2-secret@[bad', password: 'x' } }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(String(caught)).toContain('Proxy Server Address');
    expect(JSON.stringify(caught) + String(caught) + Object.values(caught as object).join()).not.toContain('hunter2');
  });
});
