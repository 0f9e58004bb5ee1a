import { parseRetryAfter } from '../../src/graph/error-builders.ts';
import { describe, expect, it } from 'vitest';
import { createGraphClient, GraphError } from '../../src/graph/index.ts';
import { baseOptions, FakeClock, fetchFailed, graphError, json, scripted } from './helpers.ts';

describe('retry layer', () => {
  it('honours a fractional Retry-After on 429, for a POST too', async () => {
    const clock = new FakeClock();
    const t = scripted((_req, n) => (n === 1 ? graphError(429, 'ApplicationThrottled', { 'retry-after': '0.5' }) : json(202, undefined)));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport }));
    await c.post('/users/a@x.test/messages/1/move', { destinationId: 'inbox' });
    expect(clock.sleeps).toEqual([500]);
    expect(t.calls).toHaveLength(2);
    expect(c.stats).toMatchObject({ httpRequests: 3, retries: 1, throttled: 1 }); // 1 token + 2 graph
  });

  it('honours an HTTP-date Retry-After on 503', async () => {
    const clock = new FakeClock();
    const at = new Date(Math.ceil(clock.now() / 1000) * 1000 + 7000);
    const expected = at.getTime() - clock.now();
    const t = scripted((_req, n) =>
      n === 1 ? graphError(503, 'ServiceUnavailable', { 'retry-after': at.toUTCString() }) : json(200, { ok: true }),
    );
    const c = createGraphClient(baseOptions({ clock, transport: t.transport }));
    expect(await c.get('/users/a@x.test/messages')).toEqual({ ok: true });
    expect(clock.sleeps).toEqual([expected]);
  });

  it('backs off with full jitter on 5xx for GET, but never retries a POST after a 500', async () => {
    const clock = new FakeClock();
    const t = scripted((_req, n) => (n <= 2 ? graphError(500, 'InternalServerError') : json(200, { ok: 1 })));
    const c = createGraphClient(baseOptions({ clock, random: () => 0.5, transport: t.transport }));
    await c.get('/users/a@x.test/mailFolders');
    // random 0.5 * min(cap, 500 * 2^attempt)
    expect(clock.sleeps).toEqual([250, 500]);

    const clock2 = new FakeClock();
    const t2 = scripted(() => graphError(500, 'InternalServerError'));
    const c2 = createGraphClient(baseOptions({ clock: clock2, transport: t2.transport }));
    await expect(c2.post('/users/a@x.test/sendMail', { message: {} })).rejects.toMatchObject({ status: 500 });
    expect(t2.calls).toHaveLength(1);
    expect(clock2.sleeps).toEqual([]);
  });

  it('POST with idempotent: true is retried on 5xx', async () => {
    const t = scripted((_req, n) => (n === 1 ? graphError(502, 'BadGateway') : json(200, {})));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    await c.request({ method: 'POST', path: '/users/a@x.test/messages/1/copy', body: {}, idempotent: true });
    expect(t.calls).toHaveLength(2);
  });

  it('retries a connection reset only for idempotent requests; a refused connection for any method', async () => {
    const reset = scripted((_req, n) => {
      if (n === 1) throw fetchFailed('ECONNRESET', 'socket hang up');
      return json(200, {});
    });
    const c = createGraphClient(baseOptions({ transport: reset.transport }));
    await c.get('/users/a@x.test/messages');
    expect(reset.calls).toHaveLength(2);

    const reset2 = scripted(() => {
      throw fetchFailed('ECONNRESET', 'socket hang up');
    });
    const c2 = createGraphClient(baseOptions({ transport: reset2.transport }));
    const err = await c2.post('/users/a@x.test/sendMail', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 0, code: 'NetworkError' });
    expect(reset2.calls).toHaveLength(1);

    const refused = scripted((_req, n) => {
      if (n === 1) throw fetchFailed('ECONNREFUSED');
      return json(202, undefined);
    });
    const c3 = createGraphClient(baseOptions({ transport: refused.transport }));
    await c3.post('/users/a@x.test/sendMail', {});
    expect(refused.calls).toHaveLength(2);
  });

  it('does not retry statuses in doNotRetry', async () => {
    const t = scripted(() => graphError(404, 'ErrorItemNotFound'));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    await expect(c.get('/users/a@x.test/messages/zz')).rejects.toMatchObject({ status: 404, code: 'ErrorItemNotFound' });
    expect(t.calls).toHaveLength(1);
  });

  it('gives up after maxRetries with a GraphError carrying status, code, requestId and retryAfterMs', async () => {
    const clock = new FakeClock();
    const t = scripted(() => graphError(429, 'ApplicationThrottled', { 'retry-after': '2', 'request-id': 'rid-9' }));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport, retry: { maxRetries: 3 } }));
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('ApplicationThrottled');
    expect(err.requestId).toBe('rid-9');
    expect(err.retryAfterMs).toBe(2000);
    expect(t.calls).toHaveLength(4);
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(c.stats.retries).toBe(3);
    expect(c.stats.throttled).toBe(4);
  });

  it('backs off a 429 without Retry-After exponentially with equal jitter, capped, never at once, for a POST too', async () => {
    for (const [random, expected] of [
      [() => 0, [250, 500, 1000, 2000, 2000]],
      [() => 0.999, [499, 999, 1999, 3998, 3998]],
    ] as const) {
      const clock = new FakeClock();
      const t = scripted((_req, n) => (n <= 5 ? graphError(429, 'ApplicationThrottled') : json(202, undefined)));
      const c = createGraphClient(baseOptions({ clock, random, transport: t.transport, retry: { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 4000 } }));
      await c.post('/users/a@x.test/messages/1/move', { destinationId: 'inbox' });
      expect(t.calls).toHaveLength(6);
      // Window min(cap, 500 * 2^n): its lower half is always waited, the upper half is random; the cap binds from the 4th wait.
      expect(clock.sleeps).toEqual(expected);
      expect(c.stats).toMatchObject({ retries: 5, throttled: 5 });
    }
  });

  it('gives up on a 429 without Retry-After after maxRetries, with no retryAfterMs on the error', async () => {
    const clock = new FakeClock();
    const t = scripted(() => graphError(429, 'ApplicationThrottled'));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport, retry: { maxRetries: 2 } }));
    const err = (await c.get('/users/a@x.test/messages').catch((e: unknown) => e)) as GraphError;
    expect(err).toMatchObject({ status: 429, code: 'ApplicationThrottled' });
    expect(err.retryAfterMs).toBeUndefined();
    expect(t.calls).toHaveLength(3);
    expect(clock.sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('gives up at once when Retry-After is longer than maxDelayMs, carrying the wait', async () => {
    const clock = new FakeClock();
    const t = scripted((_r, n) => (n === 1 ? graphError(429, 'TooMany', { 'retry-after': '3600' }) : json(200, {})));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport, retry: { maxDelayMs: 10_000 } }));
    const err = await c.get('/users/a@x.test/messages').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it('reads Retry-After strictly: fractional seconds and IMF dates, garbage ignored', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('.5', now)).toBe(500);
    expect(parseRetryAfter('5.', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('2015-10-21', now)).toBeUndefined();
  });

  it('rejects a bad retry policy with a TypeError', () => {
    expect(() => createGraphClient(baseOptions({ retry: { maxRetries: -1 } }))).toThrow(TypeError);
  });

  it('holds at most mailboxConcurrency requests in flight per mailbox', async () => {
    let inFlight = 0;
    let peak = 0;
    let otherPeak = 0;
    let otherInFlight = 0;
    const t = scripted(async (req) => {
      const other = req.url.includes('/users/b@x.test/');
      if (other) otherPeak = Math.max(otherPeak, ++otherInFlight);
      else peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      if (other) otherInFlight--;
      else inFlight--;
      return json(200, {});
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, mailboxConcurrency: 3 }));
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => c.get(`/users/A@x.test/messages/${i}`)),
      ...Array.from({ length: 12 }, (_, i) => c.get(`/users/b@x.test/messages/${i}`)),
    ]);
    expect(peak).toBe(3);
    expect(otherPeak).toBe(3);
  });

  it('sends Accept, a client-request-id per request and the bearer token; builds the version URL', async () => {
    const t = scripted(() => json(200, {}));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    await c.get('/users/a@x.test/messages', { query: { $filter: "subject eq 'a b'", $top: 5 } });
    await c.get('/users/a@x.test/messages', { version: 'beta' });
    const [a, b] = t.calls;
    expect(a.url).toBe("https://graph.test/v1.0/users/a@x.test/messages?$filter=subject%20eq%20'a%20b'&$top=5");
    expect(b.url).toBe('https://graph.test/beta/users/a@x.test/messages');
    expect(a.headers.Accept).toBe('application/json');
    expect(a.headers.Authorization).toMatch(/^Bearer /);
    expect(a.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['client-request-id']).not.toBe(b.headers['client-request-id']);
  });

  it('a streamed response keeps its mailbox slot until the stream is read to the end', async () => {
    const order: string[] = [];
    const t = scripted((req) => {
      order.push(`send ${req.url.split('/').pop()}`);
      if (req.url.endsWith('/$value')) {
        return { status: 200, headers: {}, body: new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([1, 2])), c.close()) }) };
      }
      return json(200, {});
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, mailboxConcurrency: 1 }));
    const res = await c.request<ReadableStream<Uint8Array>>({ method: 'GET', path: '/users/a@x.test/messages/1/$value', responseType: 'stream' });
    const second = c.get('/users/a@x.test/messages/2').then(() => order.push('second done'));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['send $value']);
    const bytes = new Uint8Array(await new Response(res.body).arrayBuffer());
    order.push('stream read');
    await second;
    expect(bytes).toEqual(new Uint8Array([1, 2]));
    // The second request could only start once the stream's end released the slot.
    expect(order.filter((o) => o.startsWith('send'))).toEqual(['send $value', 'send 2']);
    expect(order).toContain('second done');
  });

  it('a stream nobody reads is cancelled after streamIdleMs and frees its slot', async () => {
    let cancelled = false;
    const t = scripted((req) => {
      if (req.url.endsWith('/$value')) {
        return { status: 200, headers: {}, body: new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined), cancel: () => void (cancelled = true) }) };
      }
      return json(200, { ok: true });
    });
    const c = createGraphClient(baseOptions({ transport: t.transport, mailboxConcurrency: 1, streamIdleMs: 30 }));
    await c.request({ method: 'GET', path: '/users/a@x.test/messages/1/$value', responseType: 'stream' }); // never read
    const second = await c.get<{ ok: boolean }>('/users/a@x.test/messages/2');
    expect(second.ok).toBe(true);
    expect(cancelled).toBe(true);
  });
});
