/**
 * The settings that reproduce Graph's looser promises: 429 answers without `Retry-After`
 * (`retryAfterOn429: false`) and list pages with fewer items than `$top`, even none, that still
 * carry an `@odata.nextLink` (`emptyPageRate`). Read over HTTP and through Microsoft's SDK.
 */
import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { harness, readJson, SOC, type Collection, type ErrorAnswer, type Harness } from './helpers.ts';
import { graphSdkFor } from '../helpers/graph-sdk.ts';
import type { Message } from '@microsoft/microsoft-graph-types';

const enc = encodeURIComponent;

let h: Harness;
beforeAll(async () => {
  h = await harness({ seed: 'empty' });
  for (let i = 1; i <= 5; i++) {
    const raw = [`From: a@x.example`, `Subject: m${i}`, `Message-ID: <m${i}@x.example>`, `Date: Mon, ${i} Jan 2024 10:00:00 +0000`, '', 'body', ''].join('\r\n');
    const res = await h.admin(`/users/${enc(SOC)}/messages?folder=Inbox`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => h?.emu.close());

const settings = (body: Record<string, unknown>) => h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeEach(async () => {
  await settings({ retryAfterOn429: true, emptyPageRate: 0, faultRate: 0, latencyMs: 0, throttle: true });
});

describe('PUT /_emulator/settings', () => {
  it('validates and echoes retryAfterOn429 and emptyPageRate', async () => {
    const ok = await settings({ retryAfterOn429: false, emptyPageRate: 0.25 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ retryAfterOn429: false, emptyPageRate: 0.25 });
    for (const [body, message] of [
      [{ retryAfterOn429: 'no' }, "Setting 'retryAfterOn429' must be a boolean."],
      [{ emptyPageRate: 1.5 }, "Setting 'emptyPageRate' must be a number from 0 to 1."],
      [{ emptyPageRate: -0.1 }, "Setting 'emptyPageRate' must be a number from 0 to 1."],
      [{ emptyPageRate: 'all' }, "Setting 'emptyPageRate' must be a number from 0 to 1."],
    ] as const) {
      const res = await settings(body);
      expect(res.status).toBe(400);
      expect((await readJson<ErrorAnswer>(res)).error.message).toBe(message);
    }
    // A refused patch changes nothing.
    expect(await (await h.admin('/settings')).json()).toMatchObject({ retryAfterOn429: false, emptyPageRate: 0.25 });
  });
});

describe('retryAfterOn429', () => {
  it('false: injected 429s carry no Retry-After, at the top level and inside $batch; true: they do', async () => {
    await settings({ faultRate: 1, faultStatuses: [429], retryAfterOn429: false });
    const top = await h.json(`/v1.0/users/${enc(SOC)}/messages?$top=1`);
    expect(top.status).toBe(429);
    expect(top.body.error.code).toBe('ApplicationThrottled');
    expect(top.res.headers.get('retry-after')).toBeNull();

    const token = await h.token();
    // A fault strikes the outer $batch as well.
    const batch = await h.graph('/v1.0/$batch', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/users/${SOC}/messages?$top=1` }] }),
    });
    expect(batch.status).toBe(429);
    expect(batch.headers.get('retry-after')).toBeNull();

    await settings({ retryAfterOn429: true });
    const again = await h.graph(`/v1.0/users/${enc(SOC)}/messages?$top=1`, { token });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('false: the throttler\'s own 429s (mailbox concurrency) carry no Retry-After, in a $batch too', async () => {
    await settings({ retryAfterOn429: false, latencyMs: 200 });
    const token = await h.token();
    const results = await Promise.all(Array.from({ length: 6 }, () => h.graph(`/v1.0/users/${enc(SOC)}/messages?$top=1`, { token })));
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    for (const r of throttled) expect(r.headers.get('retry-after')).toBeNull();
    await Promise.all(results.map((r) => r.arrayBuffer()));

    // Graph runs 4 items of a batch at a time, which a mailbox's limit allows; 8 lanes do not.
    await settings({ batchParallelism: 8 });
    const batch = await h.json('/v1.0/$batch', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${SOC}/messages?$top=1` })) }),
    });
    const items = (batch.body.responses as Array<{ status: number; headers?: Record<string, string> }>).filter((r) => r.status === 429);
    expect(items.length).toBeGreaterThan(0);
    for (const r of items) expect(Object.keys(r.headers ?? {}).map((k) => k.toLowerCase())).not.toContain('retry-after');
    await settings({ batchParallelism: 4 });
  });
});

describe('emptyPageRate', () => {
  async function pageSizes(first: string): Promise<{ sizes: number[]; subjects: string[] }> {
    const sizes: number[] = [];
    const subjects: string[] = [];
    let next: string | undefined = first;
    while (next) {
      const page: { status: number; body: Collection<Message> } = await h.json<Collection<Message>>(next);
      expect(page.status).toBe(200);
      sizes.push(page.body.value.length);
      subjects.push(...page.body.value.map((m) => m.subject ?? ''));
      next = page.body['@odata.nextLink'];
      if (sizes.length > 50) throw new Error('no end');
    }
    return { sizes, subjects };
  }

  it('0 (default): full pages, no trailing link', async () => {
    expect(await pageSizes(`/v1.0/users/${enc(SOC)}/mailFolders/inbox/messages?$top=2&$select=subject`)).toEqual({
      sizes: [2, 2, 1],
      subjects: ['m5', 'm4', 'm3', 'm2', 'm1'],
    });
  });

  it('1: an empty page with a nextLink before every page, and a trailing empty page after the last', async () => {
    await settings({ emptyPageRate: 1 });
    const { sizes, subjects } = await pageSizes(`/v1.0/users/${enc(SOC)}/mailFolders/inbox/messages?$top=2&$select=subject&$count=true`);
    expect(sizes).toEqual([0, 2, 0, 2, 0, 1, 0, 0]);
    expect(subjects).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('1: a one-page answer (a lookup by internetMessageId) comes as empty, the match, then an empty last page', async () => {
    await settings({ emptyPageRate: 1 });
    const filter = enc(`internetMessageId eq '<m3@x.example>'`);
    const { sizes, subjects } = await pageSizes(`/v1.0/users/${enc(SOC)}/messages?$filter=${filter}&$top=100&$select=subject`);
    expect(sizes).toEqual([0, 1, 0, 0]);
    expect(subjects).toEqual(['m3']);
  });

  it('applies to users and mailFolders lists too', async () => {
    await settings({ emptyPageRate: 1 });
    const users = await h.json('/v1.0/users');
    expect(users.body.value).toEqual([]);
    expect(typeof users.body['@odata.nextLink']).toBe('string');
    const folders = await pageSizes(`/v1.0/users/${enc(SOC)}/mailFolders?$top=100`);
    expect(folders.sizes[0]).toBe(0);
    expect(folders.sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
  });
});

describe('emptyPageRate through the Graph SDK', () => {
  // TLS: the SDK only sends its token to https hosts.
  let emu: RunningEmulator;
  let dispatcher: Agent;
  let sdk: Client;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, seed: 'demo', quiet: true });
    ({ sdk, dispatcher } = graphSdkFor(emu.info));
  });
  afterAll(async () => {
    await emu?.close();
    await dispatcher?.close();
  });

  it('PageIterator collects every message past the empty pages', async () => {
    const collect = async () => {
      const seen: string[] = [];
      const first = (await sdk.api(`/users/${enc(emu.info.defaultMailbox)}/messages`).top(2).select(['id']).get()) as PageCollection;
      await new PageIterator(sdk, first, (m: { id: string }) => {
        seen.push(m.id);
        return true;
      }).iterate();
      return seen;
    };
    const plain = await collect();
    expect(plain.length).toBeGreaterThan(2);
    const admin = async (body: unknown) =>
      fetch(`${emu.url}/_emulator/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher });
    await admin({ emptyPageRate: 1 });
    expect((await sdk.api(`/users/${enc(emu.info.defaultMailbox)}/messages`).top(2).get()).value).toEqual([]);
    expect(await collect()).toEqual(plain);
  });
});
