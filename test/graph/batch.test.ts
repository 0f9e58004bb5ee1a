import { describe, expect, it } from 'vitest';
import { createGraphClient, GraphError } from '../../src/graph/index.ts';
import type { BatchItem } from '../../src/graph/index.ts';
import { baseOptions, FakeClock, graphError, json, scripted, tokenResponse, type Call } from './helpers.ts';

interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

function subRequests(call: Call): SubRequest[] {
  return (call.parsedBody as { requests: SubRequest[] }).requests;
}

const ok = (r: SubRequest) => ({ id: r.id, status: 200, headers: {}, body: { echo: r.url } });

function items(n: number, mailbox: (i: number) => string): BatchItem[] {
  return Array.from({ length: n }, (_, i) => ({ method: 'GET' as const, url: `/users/${mailbox(i)}/messages/m${i}` }));
}

describe('$batch', () => {
  it('sends calls of 4 items by default (what Graph runs of a batch at a time), side by side', async () => {
    let inFlight = 0;
    let peak = 0;
    const t = scripted(async (call) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return json(200, { responses: subRequests(call).map(ok) });
    });
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const res = await c.batch(items(45, (i) => `u${i}@x.test`));
    expect(t.calls.map((call) => subRequests(call).length).sort((a, b) => b - a)).toEqual([...Array(11).fill(4), 1]);
    expect(peak).toBe(12);
    expect(res.map((r) => r.id)).toEqual(Array.from({ length: 45 }, (_, i) => String(i)));
    expect(() => createGraphClient(baseOptions({ batchItemsPerCall: 21 }))).toThrow(/batchItemsPerCall/);
  });

  it('splits more than 20 items into calls of at most 20 and returns results in input order', async () => {
    const t = scripted((call) => json(200, { responses: subRequests(call).map(ok) }));
    const c = createGraphClient(baseOptions({ transport: t.transport, batchItemsPerCall: 20 }));
    const res = await c.batch(items(45, (i) => `u${i}@x.test`));
    const sizes = t.calls.map((call) => subRequests(call).length).sort((a, b) => b - a);
    expect(sizes).toEqual([20, 20, 5]);
    expect(t.calls.every((call) => call.url === 'https://graph.test/v1.0/$batch' && call.method === 'POST')).toBe(true);
    expect(res.map((r) => r.id)).toEqual(Array.from({ length: 45 }, (_, i) => String(i)));
    expect(res[44].body).toEqual({ echo: '/users/u44@x.test/messages/m44' });
    expect(t.calls.flatMap(subRequests).find((r) => r.id === "0")).toEqual({ id: '0', method: 'GET', url: '/users/u0@x.test/messages/m0' });
  });

  it('a call may carry more than four items of one mailbox (Graph runs four at a time), holding four of its slots: two such calls never overlap', async () => {
    let callsForA = 0;
    let peakCalls = 0;
    const t = scripted(async (call) => {
      const reqs = subRequests(call);
      const forA = reqs.some((r) => r.url.toLowerCase().startsWith('/users/a@x.test/'));
      if (forA) peakCalls = Math.max(peakCalls, ++callsForA);
      await new Promise((r) => setTimeout(r, 5));
      if (forA) callsForA--;
      return json(200, { responses: reqs.map(ok) });
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, mailboxConcurrency: 4, batchItemsPerCall: 20 }));
    const res = await c.batch(items(30, () => 'A@x.test'));
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(t.calls.map((call) => subRequests(call).length).sort((a, b) => b - a)).toEqual([20, 10]);
    expect(peakCalls).toBe(1);
  });

  it('the items of concurrent batch() calls share calls; a short queue goes out in calls of 4, a long one in full calls, at most 256 in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const t = scripted(async (call) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return json(200, { responses: subRequests(call).map(ok) });
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, requestsPerSecond: 0 }));
    // 15 chunks of 20 mailboxes at once, as a sweep's stage sends them: 300 items, 75 calls of 4.
    const chunks = Array.from({ length: 15 }, (_, k) => c.batch(items(20, (i) => `u${k * 20 + i}@x.test`)));
    const res = await Promise.all(chunks);
    expect(res.flat().every((r) => r.status === 200)).toBe(true);
    expect(res[3].map((r) => (r.body as { echo: string }).echo)[0]).toBe('/users/u60@x.test/messages/m0');
    expect(t.calls.map((call) => subRequests(call).length)).toEqual(Array(75).fill(4));
    // A tenant-wide queue: 6,000 items go out as calls of 20, never more than 256 at once.
    t.calls.length = 0;
    peak = 0;
    const wide = await Promise.all(Array.from({ length: 300 }, (_, k) => c.batch(items(20, (i) => `w${k * 20 + i}@x.test`))));
    expect(wide.flat().every((r) => r.status === 200)).toBe(true);
    const sizes = t.calls.map((call) => subRequests(call).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6000);
    // Full calls while the queue is long; never the 1,500 calls of 4 that small calls would take.
    expect(sizes.filter((n) => n === 20).length).toBeGreaterThanOrEqual(150);
    expect(sizes.length).toBeLessThan(600);
    expect(peak).toBeLessThanOrEqual(256);
  });

  it('matches out-of-order responses by id (case-insensitively)', async () => {
    const t = scripted((call) => json(200, { responses: subRequests(call).map(ok).reverse().map((r) => ({ ...r, id: r.id.toUpperCase() })) }));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const res = await c.batch([
      { id: 'a', method: 'GET', url: '/users/x@x.test/messages/1' },
      { id: 'b', method: 'GET', url: '/users/x@x.test/messages/2' },
      { id: 'c', method: 'GET', url: '/users/x@x.test/messages/3' },
    ]);
    expect(res.map((r) => [r.id, (r.body as { echo: string }).echo])).toEqual([
      ['a', '/users/x@x.test/messages/1'],
      ['b', '/users/x@x.test/messages/2'],
      ['c', '/users/x@x.test/messages/3'],
    ]);
  });

  it('retries a 429 item alone after its own Retry-After and returns per-item errors', async () => {
    const clock = new FakeClock();
    const t = scripted((call) => {
      if (call.url.endsWith('/$batch')) {
        return json(200, {
          responses: subRequests(call).map((r) => {
            if (r.id === '1') return { id: r.id, status: 429, headers: { 'Retry-After': '1.5' }, body: { error: { code: 'ApplicationThrottled', message: 'slow down' } } };
            if (r.id === '2') return { id: r.id, status: 404, headers: {}, body: { error: { code: 'ErrorItemNotFound', message: 'gone' } } };
            return { id: r.id, status: 201, headers: {}, body: { id: `moved-${r.id}` } };
          }),
        });
      }
      return json(201, { id: 'moved-1-alone' });
    });
    const c = createGraphClient(baseOptions({ clock, transport: t.transport }));
    const res = await c.batch([
      { method: 'POST', url: '/users/x@x.test/messages/0/move', body: { destinationId: 'junkemail' } },
      { method: 'POST', url: '/users/x@x.test/messages/1/move', body: { destinationId: 'junkemail' } },
      { method: 'POST', url: '/users/x@x.test/messages/2/move', body: { destinationId: 'junkemail' } },
    ]);
    expect(clock.sleeps).toEqual([1500]);
    expect(t.calls).toHaveLength(2);
    const single = t.calls[1];
    expect(single.method).toBe('POST');
    expect(single.url).toBe('https://graph.test/v1.0/users/x@x.test/messages/1/move');
    expect(single.parsedBody).toEqual({ destinationId: 'junkemail' });
    expect(res[0]).toMatchObject({ id: '0', status: 201, body: { id: 'moved-0' } });
    expect(res[1]).toMatchObject({ id: '1', status: 201, body: { id: 'moved-1-alone' } });
    expect(res[1].error).toBeUndefined();
    expect(res[2].status).toBe(404);
    expect(res[2].error).toBeInstanceOf(GraphError);
    expect(res[2].error).toMatchObject({ status: 404, code: 'ErrorItemNotFound' });
    expect(c.stats.throttled).toBe(1);
    expect(c.stats.retries).toBe(1);
    // Items with a body carry Content-Type
    expect(subRequests(t.calls[0])[0].headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('retries the outer call as a whole on 503 with Retry-After', async () => {
    const clock = new FakeClock();
    const t = scripted((call, n) => (n === 1 ? graphError(503, 'ServiceUnavailable', { 'Retry-After': '3' }) : json(200, { responses: subRequests(call).map(ok) })));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport }));
    const res = await c.batch(items(3, () => 'x@x.test'));
    expect(clock.sleeps).toEqual([3000]);
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(subRequests(t.calls[1])).toHaveLength(3);
  });

  it('gives every item of a failed call the call error, without throwing', async () => {
    const t = scripted(() => graphError(400, 'BadRequest'));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const res = await c.batch(items(2, () => 'x@x.test'));
    expect(res.map((r) => r.error?.code)).toEqual(['BadRequest', 'BadRequest']);
  });

  describe('items answered 401 inside a 200 call', () => {
    const expired = (r: SubRequest) => ({
      id: r.id, status: 401, headers: {}, body: { error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } },
    });
    /** The first token is refused on the items whose index `refused` picks, as if it expired between the call and them. */
    const expiringFirstToken = (refused: (id: string) => boolean) => {
      let first: string | undefined;
      return (call: Call) => {
        first ??= call.headers.Authorization;
        const stale = call.headers.Authorization === first;
        return json(200, { responses: subRequests(call).map((r) => (stale && refused(r.id) ? expired(r) : ok(r))) });
      };
    };

    it('refresh the token once and go again, as one call, with the new token', async () => {
      const t = scripted(expiringFirstToken((id) => Number(id) >= 2));
      const c = createGraphClient(baseOptions({ transport: t.transport, batchItemsPerCall: 20 }));
      const res = await c.batch([
        ...items(4, () => 'x@x.test'),
        // A 401 is refused before Graph acts, so even a move goes again.
        { method: 'POST', url: '/users/y@x.test/messages/m4/move', body: { destinationId: 'junkemail' } },
      ]);
      expect(res.map((r) => [r.id, r.status, r.error])).toEqual(['0', '1', '2', '3', '4'].map((id) => [id, 200, undefined]));
      expect(t.tokenCalls).toHaveLength(2);
      expect(t.calls).toHaveLength(2);
      expect(subRequests(t.calls[1]).map((r) => r.id)).toEqual(['2', '3', '4']);
      expect(subRequests(t.calls[1])[2]).toMatchObject({ method: 'POST', body: { destinationId: 'junkemail' } });
      expect(t.calls[1].headers.Authorization).not.toBe(t.calls[0].headers.Authorization);
    });

    it('share one refresh across every call that met the same token', async () => {
      const t = scripted(expiringFirstToken(() => true));
      const c = createGraphClient(baseOptions({ transport: t.transport, batchItemsPerCall: 20 }));
      const res = await c.batch(items(60, (i) => `u${i}@x.test`));
      expect(res.every((r) => r.status === 200 && r.error === undefined)).toBe(true);
      expect(t.tokenCalls).toHaveLength(2);
      // 3 calls with the expired token, then its 60 items again in 3 calls.
      expect(t.calls).toHaveLength(6);
    });

    it('a second 401 is the item\'s answer', async () => {
      const t = scripted((call) => json(200, { responses: subRequests(call).map((r) => (r.id === '1' ? expired(r) : ok(r))) }));
      const c = createGraphClient(baseOptions({ transport: t.transport, batchItemsPerCall: 20 }));
      const res = await c.batch(items(3, () => 'x@x.test'));
      expect(res.map((r) => r.status)).toEqual([200, 401, 200]);
      expect(res[1].error).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
      expect(t.tokenCalls).toHaveLength(2);
      expect(t.calls.map((call) => subRequests(call).map((r) => r.id))).toEqual([['0', '1', '2'], ['1']]);
    });

    it('a refresh that fails gives the refused items its error', async () => {
      const t = scripted(expiringFirstToken((id) => id === '0'), (_req, n) =>
        n === 1 ? tokenResponse() : json(401, { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys are expired.', error_codes: [7000222] }),
      );
      const c = createGraphClient(baseOptions({ transport: t.transport, batchItemsPerCall: 20 }));
      const res = await c.batch(items(2, () => 'x@x.test'));
      expect(res[1]).toMatchObject({ status: 200 });
      expect(res[0].error).toMatchObject({ status: 401, code: 'invalid_client', parameter: 'Secret ID' });
      expect(t.calls).toHaveLength(1);
    });
  });

  it('rejects duplicate ids', async () => {
    const c = createGraphClient(baseOptions({ transport: scripted(() => json(200, {})).transport }));
    await expect(c.batch([{ id: 'a', method: 'GET', url: '/me' }, { id: 'A', method: 'GET', url: '/me' }])).rejects.toThrow(TypeError);
  });
});
