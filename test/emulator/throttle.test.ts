import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Throttler } from '../../emulator/throttle.ts';
import { EmulatorError } from '../../emulator/errors.ts';
import { harness, readJson, SOC, type BatchAnswer, type Collection, type Harness } from './helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';

describe('Throttler (injected clock)', () => {
  it('allows 4 in flight per (app, mailbox); the 5th gets 429 with a fractional Retry-After', () => {
    const t = new Throttler(() => 0);
    const releases = [1, 2, 3, 4].map(() => t.acquire('app', 'mb', 300));
    let err: unknown;
    try {
      t.acquire('app', 'mb', 300);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EmulatorError);
    expect((err as EmulatorError).status).toBe(429);
    expect((err as EmulatorError).code).toBe('ApplicationThrottled');
    expect((err as EmulatorError).message).toBe('Application is over its MailboxConcurrency limit.');
    expect((err as EmulatorError).headers['Retry-After']).toBe('0.3');
    expect(() => t.acquire('app', 'other', 0)).not.toThrow();
    expect(() => t.acquire('other-app', 'mb', 0)).not.toThrow();
    releases[0]();
    releases[0]();
    expect(() => t.acquire('app', 'mb', 0)).not.toThrow();
    expect(() => t.acquire('app', 'mb', 0)).toThrow(EmulatorError);
  });

  it('10,000 requests per 10 minutes per mailbox, then 429 until the window ends', () => {
    let now = 1_000_000;
    const t = new Throttler(() => now);
    for (let i = 0; i < 10_000; i += 1) {
      if (i % 1500 === 0) now += 1000; // stay under the per-second app limit
      t.acquire('app', 'mb', 0)();
    }
    now += 1000;
    let err: EmulatorError | undefined;
    try {
      t.acquire('app', 'mb', 0);
    } catch (e) {
      err = e as EmulatorError;
    }
    expect(err?.status).toBe(429);
    expect(Number(err?.headers['Retry-After'])).toBeGreaterThan(500);
    now += 10 * 60 * 1000;
    expect(() => t.acquire('app', 'mb', 0)()).not.toThrow();
  });

  it('2,000 requests per second per app across mailboxes', () => {
    let now = 5_000;
    const t = new Throttler(() => now);
    for (let i = 0; i < 2000; i += 1) t.acquire('app', `mb${i % 50}`, 0)();
    now += 750;
    let err: EmulatorError | undefined;
    try {
      t.acquire('app', 'fresh', 0);
    } catch (e) {
      err = e as EmulatorError;
    }
    expect(err?.status).toBe(429);
    expect(err?.headers['Retry-After']).toBe('0.3');
    now += 250;
    expect(() => t.acquire('app', 'fresh', 0)).not.toThrow();
  });
});

describe('throttling and faults over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ latencyMs: 300 });
  });
  afterAll(() => h.emu.close());

  it('5 concurrent requests to one mailbox with latency: some 429 with Retry-After, counted in /requests', async () => {
    await h.graph('/v1.0/users?$top=1');
    await h.admin('/requests', { method: 'DELETE' });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => h.json(`/v1.0/users/${SOC}/messages?$top=1&$select=subject`)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    for (const r of throttled) {
      expect(r.body.error.code).toBe('ApplicationThrottled');
      expect(Number(r.res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const log = await readJson<RequestLogSnapshot>(await h.admin('/requests'));
    expect(log.total).toBe(6);
    expect(log.byStatus).toEqual({ '200': 4, '429': 2 });
    expect(log.entries[0]).toMatchObject({ method: 'GET', mailbox: SOC });
    expect(log.entries.find((e) => e.status === 200)!.ms).toBeGreaterThanOrEqual(290);
  });

  it('a $batch runs 4 items at a time, so 20 to one mailbox stay within its limit; more lanes, or a request beside it, meet 429s', async () => {
    const mailboxes = (await h.json<Collection<{ userPrincipalName: string }>>('/v1.0/users?$top=50')).body.value.map((x) => x.userPrincipalName);
    const token = await h.token();
    const batch = (urls: string[]) =>
      h.json('/v1.0/$batch', {
        token,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests: urls.map((url, i) => ({ id: String(i + 1), method: 'GET', url })) }),
      });
    const twenty = Array.from({ length: 20 }, () => `/users/${SOC}/messages?$top=1`);
    // Graph feeds Outlook 4 items of a batch at a time: one batch alone never exceeds a mailbox's 4.
    const one = await batch(twenty);
    expect(one.status).toBe(200);
    expect(one.body.responses.filter((r: BatchAnswer) => r.status !== 200)).toEqual([]);
    // A single request while the batch holds the mailbox's 4 slots (latency 300 ms each) is refused,
    // and so is every item a second batch starts meanwhile.
    const [busy, single, second] = await Promise.all([batch(twenty), new Promise((r) => setTimeout(r, 450)).then(() => h.graph(`/v1.0/users/${SOC}/messages?$top=1`, { token })), new Promise((r) => setTimeout(r, 450)).then(() => batch(twenty.slice(0, 4)))]);
    expect(busy.body.responses.every((r: BatchAnswer) => r.status === 200)).toBe(true);
    expect(single.status).toBe(429);
    expect(second.body.responses.every((r: BatchAnswer) => r.status === 429 && r.headers?.['Retry-After'])).toBe(true);
    // With more lanes than the mailbox allows (not Graph's default), the fifth item at once is a 429.
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ batchParallelism: 20 }) });
    try {
      const wide = await batch(twenty);
      const throttled = wide.body.responses.filter((r: BatchAnswer) => r.status === 429);
      expect(throttled.length).toBe(16);
      expect(throttled[0].headers['Retry-After']).toBeDefined();
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ batchParallelism: 4 }) });
    }
    const spread = mailboxes.filter((m) => !m.startsWith('dave'));
    const many = await batch(spread.slice(0, 20).map((m) => `/users/${m}/mailFolders/inbox`));
    expect(many.body.responses.every((r: BatchAnswer) => r.status === 200)).toBe(true);
  });

  it('the items of a batch wait for a lane whatever their mailboxes: 8 items at 300 ms take at least two service times', async () => {
    const mailboxes = (await h.json<Collection<{ userPrincipalName: string }>>('/v1.0/users?$top=50')).body.value.map((x) => x.userPrincipalName).filter((m) => !m.startsWith('dave'));
    const token = await h.token();
    const started = performance.now();
    const r = await h.json('/v1.0/$batch', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: mailboxes.slice(0, 8).map((m, i) => ({ id: String(i), method: 'GET', url: `/users/${m}/mailFolders/inbox` })) }),
    });
    // A lower bound only (a slow machine can make it longer, never shorter): 8 items, 4 lanes, 300 ms each.
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
    expect(r.body.responses.every((x: BatchAnswer) => x.status === 200)).toBe(true);
  });

  it('throttle:false turns it off', async () => {
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ throttle: false, latencyMs: 20 }) });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => h.graph(`/v1.0/users/${SOC}/messages?$top=1`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ throttle: true, latencyMs: 300 }) });
    }
  });

  it('fault injection answers the configured statuses in Graph shape, per request and per batch item', async () => {
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ faultRate: 1, faultStatuses: [503], latencyMs: 0 }) });
    try {
      const r = await h.json(`/v1.0/users/${SOC}/mailFolders`);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('ServiceUnavailable');
      expect(r.res.headers.get('retry-after')).toBeTruthy();
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ faultRate: 0.5, faultStatuses: [504, 500] }) });
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i += 1) statuses.add((await h.graph('/v1.0/users?$top=1')).status);
      expect([...statuses].sort()).toEqual([200, 500, 504]);
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ faultRate: 0, latencyMs: 300 }) });
    }
  });
});
