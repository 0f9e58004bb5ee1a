import { describe, expect, it } from 'vitest';
import { createGraphClient } from '../../src/graph/index.ts';
import { RequestRateLimiter } from '../../src/graph/limiter.ts';
import { baseOptions, FakeClock, json, scripted, type Call } from './helpers.ts';

/** A clock whose sleeps advance time by exactly what was asked (the limiter's only way to wait). */
function pacerClock() {
  return new FakeClock();
}

describe('RequestRateLimiter (app-wide pacing)', () => {
  it('lets a burst through at once, then refills at limit - 2 x burst per second', async () => {
    const clock = pacerClock();
    const p = new RequestRateLimiter(2000, clock);
    expect(p.burst).toBe(100);
    expect(p.ratePerSecond).toBe(1800);
    for (let i = 0; i < 5; i++) await p.take(20);
    expect(clock.sleeps).toEqual([]);
    await p.take(20);
    // 20 tokens at 1.8 per ms
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(Math.ceil((20 * 1000) / 1800));
  });

  it('never admits more than limit - burst requests in any one second, whatever the demand', async () => {
    const clock = pacerClock();
    const p = new RequestRateLimiter(2000, clock);
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, async () => {
        await p.take(20);
        sent.push(clock.now());
      }),
    );
    expect(sent.length).toBe(300);
    const start = sent[0];
    const end = sent[sent.length - 1];
    for (let t = start; t <= end; t += 50) {
      const inWindow = sent.filter((s) => s >= t && s < t + 1000).length * 20;
      expect(inWindow).toBeLessThanOrEqual(1900);
    }
    // 6,000 requests at 1,800 per second after the first 100.
    expect(end - start).toBeGreaterThanOrEqual(Math.floor(((6000 - 100 - 20) * 1000) / 1800) - 20);
  });

  it('serves waiters in order', async () => {
    const clock = pacerClock();
    const p = new RequestRateLimiter(40, clock); // burst 20, rate 20/s
    const order: string[] = [];
    await p.take(20);
    await Promise.all([p.take(20).then(() => order.push('a')), p.take(1).then(() => order.push('b')), p.take(20).then(() => order.push('c'))]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('rejects a bad limit', () => {
    expect(() => new RequestRateLimiter(0, pacerClock())).toThrow(TypeError);
    expect(() => createGraphClient(baseOptions({ requestsPerSecond: -1 }))).toThrow(/requestsPerSecond/);
    expect(() => createGraphClient(baseOptions({ requestsPerSecond: 1.5 }))).toThrow(/requestsPerSecond/);
  });
});

describe('client pacing', () => {
  const batchOk = (call: Call) =>
    json(200, { responses: (call.parsedBody as { requests: Array<{ id: string }> }).requests.map((r) => ({ id: r.id, status: 200, body: {} })) });

  it('counts every $batch item against the rate, not the call', async () => {
    const clock = new FakeClock();
    const t = scripted(batchOk);
    // limit 60: burst 20, refill 30 per second (never below half the limit). 60 items = 3 calls:
    // one at once, then 20 tokens' refill before each of the other two.
    const c = createGraphClient(baseOptions({ transport: t.transport, clock, requestsPerSecond: 60, batchItemsPerCall: 20 }));
    const res = await c.batch(Array.from({ length: 60 }, (_, i) => ({ method: 'GET' as const, url: `/users/u${i}@x.test/messages` })));
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(t.calls.length).toBe(3);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(2 * Math.ceil((20 * 1000) / 30));
  });

  it('does not wait at all with requestsPerSecond: 0', async () => {
    const clock = new FakeClock();
    const t = scripted(batchOk);
    const c = createGraphClient(baseOptions({ transport: t.transport, clock, requestsPerSecond: 0, batchItemsPerCall: 20 }));
    await c.batch(Array.from({ length: 200 }, (_, i) => ({ method: 'GET' as const, url: `/users/u${i}@x.test/messages` })));
    expect(t.calls.length).toBe(10);
    expect(clock.sleeps).toEqual([]);
  });

  it('a single request takes one token, and a shared limiter paces two clients together', async () => {
    const clock = new FakeClock();
    const shared = new RequestRateLimiter(60, clock);
    const t = scripted(() => json(200, { value: [] }));
    const a = createGraphClient(baseOptions({ transport: t.transport, clock, rateLimiter: shared }));
    const b = createGraphClient(baseOptions({ transport: t.transport, clock, rateLimiter: shared }));
    for (let i = 0; i < 20; i++) await a.get(`/users/u${i}@x.test/messages`);
    expect(clock.sleeps).toEqual([]);
    await b.get('/users/v@x.test/messages');
    expect(clock.sleeps.reduce((x, y) => x + y, 0)).toBe(Math.ceil(1000 / shared.ratePerSecond));
  });
});
