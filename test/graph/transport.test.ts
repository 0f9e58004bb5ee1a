import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient, GraphError, type GraphClient } from '../../src/graph/index.ts';
import { FakeClock, SECRET } from './helpers.ts';
import { closedPort, startConnectProxy, startHttpsGraph, type ConnectProxy, type HttpsGraph } from './servers.ts';

let graph: HttpsGraph;
let proxy: ConnectProxy;
const clients: GraphClient[] = [];
const PROXY_PW = 'pr0xy-Pa55word!';

function client(extra: Parameters<typeof createGraphClient>[0] extends infer O ? Partial<O> : never): GraphClient {
  const c = createGraphClient({
    loginEndpoint: graph.url,
    graphEndpoint: graph.url,
    tenant: 'tenant-1',
    clientId: 'client-1',
    clientSecret: SECRET,
    clock: new FakeClock(),
    timeoutMs: 5000,
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  [graph, proxy] = await Promise.all([startHttpsGraph(), startConnectProxy('proxyuser', PROXY_PW)]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([graph.close(), proxy.close()]);
});

describe('real transport: TLS', () => {
  it('verifySsl true rejects a self-signed certificate with TlsError naming the host', async () => {
    const c = client({ verifySsl: true });
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.status).toBe(0);
    expect(err.code).toBe('TlsError');
    expect(err.parameter).toBe('Verify SSL');
    expect(err.message).toContain(new URL(graph.url).host);
    expect(err.message).toMatch(/Verify SSL to false or trust its CA/);
  });

  it('verifySsl false accepts it for this client only', async () => {
    const c = client({ verifySsl: false });
    expect(await c.get('/users/a@x.test/messages')).toEqual({ value: [{ id: 'm1' }] });
    // A sibling client with verification on is unaffected.
    const strict = client({ verifySsl: true });
    await expect(strict.get('/users/a@x.test/messages')).rejects.toMatchObject({ code: 'TlsError' });
  });

  it('the ca option trusts the certificate with verification on', async () => {
    const c = client({ verifySsl: true, ca: graph.cert });
    expect(await c.get('/users/a@x.test/messages')).toEqual({ value: [{ id: 'm1' }] });
  });

  it('responseType stream returns a web ReadableStream', async () => {
    const c = client({ ca: graph.cert });
    const res = await c.request<ReadableStream<Uint8Array>>({ method: 'GET', path: '/stream', responseType: 'stream' });
    expect(res.body).toBeInstanceOf(ReadableStream);
    let total = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) total += chunk.length;
    expect(total).toBe(128 * 1024);
  });

  it('asks for compressed JSON and decodes it; a streamed body is asked for uncompressed', async () => {
    const c = client({ ca: graph.cert });
    const body = await c.get<{ value: Array<{ id: string; accept: string | null }> }>('/gzip');
    expect(body.value[0].id).toBe('z1');
    expect(body.value[0].accept).toMatch(/gzip/);
    const res = await c.request<ReadableStream<Uint8Array>>({ method: 'GET', path: '/gzip', responseType: 'stream' });
    const bytes = Buffer.from(await new Response(res.body).arrayBuffer());
    // Asked without Accept-Encoding, the server still chose gzip: the stream hands over what was sent.
    expect(bytes[0]).toBe(0x1f);
  });

  it('a streamed body that stalls is cut after the idle deadline', async () => {
    const c = client({ ca: graph.cert, timeoutMs: 300, streamIdleMs: 60_000 });
    const res = await c.request<ReadableStream<Uint8Array>>({ method: 'GET', path: '/stall', responseType: 'stream' });
    const err = await new Response(res.body).arrayBuffer().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('a body cut short by the server is an error, not a short file', async () => {
    const c = client({ ca: graph.cert });
    const res = await c.request<ReadableStream<Uint8Array>>({ method: 'GET', path: '/cut', responseType: 'stream' });
    await expect(new Response(res.body).arrayBuffer()).rejects.toBeInstanceOf(Error);
  });

  it('keeps connections alive between requests', async () => {
    const c = client({ ca: graph.cert });
    const before = graph.connections();
    for (let i = 0; i < 5; i++) await c.get('/users/a@x.test/messages');
    // One connection for the token and the five requests (the token request may open its own).
    expect(graph.connections() - before).toBeLessThanOrEqual(2);
  });

  it('a refused connection is a NetworkError naming the host and the parameter', async () => {
    const port = await closedPort();
    const c = client({ loginEndpoint: `http://127.0.0.1:${port}`, graphEndpoint: `http://127.0.0.1:${port}`, retry: { maxRetries: 1 } });
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', parameter: 'Azure AD endpoint' });
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.message).toContain('connection refused');
  });
});

describe('real transport: CONNECT proxy', () => {
  it('tunnels HTTPS through an authenticating proxy', async () => {
    const before = proxy.connects.length;
    const c = client({ ca: graph.cert, proxy: { url: proxy.url, username: 'proxyuser', password: PROXY_PW } });
    expect(await c.get('/users/a@x.test/messages')).toEqual({ value: [{ id: 'm1' }] });
    expect(proxy.connects.length).toBeGreaterThan(before);
    expect(proxy.connects.at(-1)).toBe(new URL(graph.url).host);
  });

  it('accepts a proxy address without scheme', async () => {
    const c = client({ verifySsl: false, proxy: { url: new URL(proxy.url).host, username: 'proxyuser', password: PROXY_PW } });
    expect(await c.get('/users/a@x.test/messages')).toEqual({ value: [{ id: 'm1' }] });
  });

  it('a wrong proxy password is a ProxyError naming the proxy', async () => {
    const c = client({ verifySsl: false, proxy: { url: proxy.url, username: 'proxyuser', password: 'wrong-password' } });
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 0, code: 'ProxyError', parameter: 'Proxy Password' });
    expect(err.message).toContain(new URL(proxy.url).host);
    expect(err.message).toContain('407');
  });

  it('an unreachable proxy is a ProxyError naming the proxy address', async () => {
    const port = await closedPort();
    const c = client({ verifySsl: false, proxy: { url: `http://127.0.0.1:${port}` }, retry: { maxRetries: 0 } });
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toMatchObject({ status: 0, code: 'ProxyError', parameter: 'Proxy Server Address' });
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });
});
