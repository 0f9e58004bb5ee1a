/**
 * The client against an emulator that answers empty pages with a nextLink (`emptyPageRate: 1`)
 * and 429s without Retry-After (`retryAfterOn429: false`): every lookup keeps reading pages until
 * no nextLink is left, and throttled requests back off on their own.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { resolveFolders } from '../../src/mail/folders.ts';
import { parseMailIds } from '../../src/mail/mail-ids.ts';
import { searchMailboxes } from '../../src/mail/search.ts';
import { findInMailboxes } from '../../src/mail/find.ts';
import { ALICE, BOB, CAROL, SOC, mailHarness, rawMail, type MailHarness } from './helpers.ts';
import { doneOf } from '../helpers/results.ts';

let h: MailHarness;
let g: GraphClient;
beforeAll(async () => {
  h = await mailHarness();
  g = h.client();
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.reset();
  await h.admin('PUT', '/settings', { emptyPageRate: 1, retryAfterOn429: true, faultRate: 0, latencyMs: 0 });
});

const inbox = { id: 'inbox', displayName: 'Inbox', path: 'Inbox', wellKnownName: 'inbox' };

describe('with an empty page in front of every page', () => {
  it('the emulator really answers so', async () => {
    const first = await g.get<{ value: unknown[]; '@odata.nextLink'?: string }>(`/users/${SOC}/mailFolders/inbox/messages`, { query: { $top: 5 } });
    expect(first.value).toEqual([]);
    expect(first['@odata.nextLink']).toEqual(expect.any(String));
  });

  it('paginate yields every message', async () => {
    await h.admin('PUT', '/settings', { emptyPageRate: 0 });
    const ids = async () => {
      const out: string[] = [];
      for await (const m of g.paginate<{ id: string }>(`/users/${SOC}/messages`, { query: { $top: 2, $select: 'id' } })) out.push(m.id);
      return out;
    };
    const plain = await ids();
    expect(plain.length).toBeGreaterThan(2);
    await h.admin('PUT', '/settings', { emptyPageRate: 1 });
    expect(await ids()).toEqual(plain);
  });

  it('an internetMessageId lookup is found, not "not found", in a folder and in the whole mailbox', async () => {
    const ids = parseMailIds([PHISH_MESSAGE_ID, '<nobody@nowhere.example>']);
    for (const folder of [inbox, null]) {
      const found = (await findInMailboxes(g, [{ mailbox: ALICE, folder }], { ids, criteria: {}, now: new Date() })).get(ALICE)!;
      if (found.kind !== 'done') throw new Error(found.kind);
      const [hit, miss] = found.result.matches;
      expect(hit!.messages.map((m) => m.internetMessageId)).toEqual([PHISH_MESSAGE_ID]);
      expect(miss!.messages).toEqual([]);
    }
  });

  it('a nested folder path resolves level by level across the empty pages', async () => {
    const f = (await resolveFolders(g, [SOC], 'Inbox/Phishing/2024')).get(SOC);
    expect(f).toMatchObject({ kind: 'done', result: { displayName: '2024' } });
    expect((await resolveFolders(g, [SOC], 'Inbox/Nope')).get(SOC)).toEqual({ kind: 'folderNotFound' });
    const many = await resolveFolders(g, [SOC, BOB, ALICE], 'Posteingang/Projekte');
    expect(many.get(BOB)).toMatchObject({ kind: 'done', result: { displayName: 'Projekte' } });
    expect(many.get(SOC)).toEqual({ kind: 'folderNotFound' });
    expect(many.get(ALICE)).toEqual({ kind: 'folderNotFound' });
  });

  it('a search finds every match past empty pages and honours its maximum', async () => {
    for (let i = 0; i < 7; i++) await h.deliver(SOC, 'Inbox', rawMail({ subject: `alert ${i}`, date: new Date(Date.now() - i * 60_000) }));
    const targets = [SOC, ALICE].map((mailbox) => ({ mailbox, folder: inbox }));
    const all = await searchMailboxes(g, targets, { subject: 'alert' }, { now: new Date(), pageSize: 2 });
    expect(all.get(SOC)).toMatchObject({ kind: 'done' });
    const soc = doneOf(all.get(SOC));
    expect(soc.messages.map((m) => m.subject)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `alert ${i}`));
    expect(all.get(ALICE)).toEqual({ kind: 'done', result: { messages: [] } });
    const capped = doneOf((await searchMailboxes(g, targets, { subject: 'alert' }, { now: new Date(), max: 3, pageSize: 2 })).get(SOC));
    expect(capped.messages).toHaveLength(3);
  });

  it('the find stage of a sweep matches an id in every mailbox and names only true misses', async () => {
    const found = await findInMailboxes(g, [ALICE, BOB, CAROL, SOC].map((mailbox) => ({ mailbox, folder: inbox })), {
      ids: parseMailIds([PHISH_MESSAGE_ID, 'missing@nowhere.example']),
      criteria: {},
      now: new Date(),
    });
    for (const m of [ALICE, BOB, CAROL, SOC]) {
      const o = found.get(m)!;
      expect(o.kind, m).toBe('done');
      if (o.kind !== 'done') continue;
      expect(o.result.messages.map((x) => x.internetMessageId)).toEqual([PHISH_MESSAGE_ID]);
      expect(o.result.unmatchedIds).toEqual(['missing@nowhere.example']);
    }
  });
});

describe('429 without Retry-After', () => {
  /** Real time, waits shortened 50-fold and recorded as asked. */
  function recordingClock(onSleep?: (n: number) => Promise<void>) {
    const sleeps: number[] = [];
    return {
      sleeps,
      clock: {
        now: () => Date.now(),
        sleep: async (ms: number) => {
          sleeps.push(ms);
          await onSleep?.(sleeps.length);
          await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms / 50)));
        },
      },
    };
  }

  it('a request backs off exponentially (never at once) and succeeds once the service recovers', async () => {
    await h.admin('PUT', '/settings', { emptyPageRate: 0, retryAfterOn429: false, faultRate: 1, faultStatuses: [429] });
    const rec = recordingClock(async (n) => {
      if (n === 3) await h.admin('PUT', '/settings', { faultRate: 0 });
    });
    const c = h.client({ clock: rec.clock, retry: { maxRetries: 6, baseDelayMs: 100, maxDelayMs: 10_000 } });
    const folder = await c.get<{ displayName: string }>(`/users/${SOC}/mailFolders/inbox`);
    expect(folder.displayName).toBe('Inbox');
    expect(rec.sleeps).toHaveLength(3);
    rec.sleeps.forEach((ms, i) => {
      const ceiling = 100 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThan(ceiling);
    });
    expect(c.stats.throttled).toBe(3);
  });

  it('gives up after maxRetries with the 429 and no retryAfterMs', async () => {
    await h.admin('PUT', '/settings', { retryAfterOn429: false, faultRate: 1, faultStatuses: [429] });
    const rec = recordingClock();
    const c = h.client({ clock: rec.clock, retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 10_000 } });
    const err = await c.get(`/users/${SOC}/mailFolders/inbox`).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, code: 'ApplicationThrottled' });
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
    expect(rec.sleeps).toHaveLength(2);
  });

  it('throttled $batch items without Retry-After are retried until every one answers', async () => {
    await h.admin('PUT', '/settings', { retryAfterOn429: false, latencyMs: 50 });
    const rec = recordingClock();
    // Eight items of one mailbox in one call: the emulator's 4-per-mailbox limit throttles some.
    const c = h.client({ clock: rec.clock, mailboxConcurrency: 8, retry: { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 10_000 } });
    const results = await c.batch(Array.from({ length: 8 }, () => ({ method: 'GET' as const, url: `/users/${SOC}/mailFolders/inbox`, mailbox: SOC })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(c.stats.throttled).toBeGreaterThan(0);
    expect(rec.sleeps.length).toBeGreaterThan(0);
    expect(rec.sleeps.every((ms) => ms >= 50)).toBe(true);
  });
});
