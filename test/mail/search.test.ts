import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveFolders } from '../../src/mail/folders.ts';
import { searchFilter, searchMailboxes, searchQuery, type SearchOutcome } from '../../src/mail/search.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { ALICE, GHOST, SOC, mailHarness, rawMail, type MailHarness } from './helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';

const NOW = new Date('2025-03-01T12:00:00Z');

describe('searchFilter', () => {
  it('puts receivedDateTime first so $orderby stays efficient', () => {
    expect(searchFilter({}, NOW)).toBeUndefined();
    expect(searchFilter({ timeFrameMinutes: 90 }, NOW)).toBe('receivedDateTime ge 2025-03-01T10:30:00Z');
    expect(searchFilter({ subject: 'Invoice', sender: ' a@b.example ', onlyUnread: true }, NOW)).toBe(
      "receivedDateTime ge 1900-01-01T00:00:00Z and contains(subject,'Invoice') and from/emailAddress/address eq 'a@b.example' and isRead eq false",
    );
    expect(searchQuery({ subject: 'x' }, { now: NOW, max: 5 })).toMatchObject({ $orderby: 'receivedDateTime desc', $top: 5 });
    expect(searchQuery({}, { now: NOW, select: 'all' })).toMatchObject({ $select: undefined, $top: 1000, $filter: undefined });
  });
  it('keeps quotes inside the literal', () => {
    expect(searchFilter({ subject: "x') or (1 eq 1" }, NOW)).toBe("receivedDateTime ge 1900-01-01T00:00:00Z and contains(subject,'x'') or (1 eq 1')");
  });
});

describe('searchMailboxes against the emulator', () => {
  let h: MailHarness;
  let g: GraphClient;
  beforeAll(async () => {
    h = await mailHarness();
    g = h.client();
  });
  afterAll(async () => h?.close());
  beforeEach(async () => h.reset());

  const folderOf = async (m: string, path: string) => {
    const r = (await resolveFolders(g, [m], path)).get(m)!;
    if (r.kind !== 'done') throw new Error(`no folder ${path}: ${r.kind}`);
    return r.result;
  };
  const inbox = (m: string) => folderOf(m, 'Inbox');
  const subjects = (r: SearchOutcome | undefined) => (r?.kind === 'done' ? r.result.messages.map((m) => m.subject) : String(r?.kind));

  it('matches subject (contains), sender (equals), unread and time frame', async () => {
    const now = new Date();
    const r = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { subject: 'PASSWORD' }, { now });
    expect(subjects(r.get(ALICE))).toEqual(['Action required: your mailbox password expires today']);
    const bySender = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { sender: 'bob.keller@contoso.example' }, { now });
    expect(subjects(bySender.get(ALICE))).toEqual(['Invoice 2024-117']);
    const unread = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { onlyUnread: true }, { now });
    expect(subjects(unread.get(ALICE))).toEqual(['Action required: your mailbox password expires today', 'Invoice 2024-117']);
    const recent = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { timeFrameMinutes: 4 * 60 }, { now });
    expect(subjects(recent.get(ALICE))).toEqual(['Action required: your mailbox password expires today']);
  });

  it('user text cannot change the query', async () => {
    const now = new Date();
    const attacks = ["' or 1 eq 1", "x') or (subject ne 'x", "') or true or contains(subject,'", "\\' or '1' eq '1", "Invoice' or isRead eq false or subject eq '"];
    for (const subject of attacks) {
      const r = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { subject }, { now });
      expect(r.get(ALICE), subject).toEqual({ kind: 'done', result: { messages: [] } });
      const s = await searchMailboxes(g, [{ mailbox: ALICE, folder: await inbox(ALICE) }], { sender: subject }, { now });
      expect(s.get(ALICE), subject).toEqual({ kind: 'done', result: { messages: [] } });
    }
    await h.deliver(SOC, 'Inbox', rawMail({ subject: "O'Brien's (urgent) ' or 1 eq 1" }));
    const hit = await searchMailboxes(g, [{ mailbox: SOC, folder: null }], { subject: "(urgent) ' or 1 eq 1" }, { now });
    expect(subjects(hit.get(SOC))).toEqual(["O'Brien's (urgent) ' or 1 eq 1"]);
  });

  it('pages through every match newest first and stops at the maximum', async () => {
    const base = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 25; i++) {
      await h.deliver(SOC, 'Inbox/Reviewed', rawMail({ subject: `bulk ${String(i).padStart(2, '0')}` }), { receivedDateTime: new Date(base + i * 60_000).toISOString() });
    }
    const folder = await folderOf(SOC, 'Inbox/Reviewed');
    await h.admin('DELETE', '/requests');
    // Small pages force nextLinks, followed through $batch.
    const all = await searchMailboxes(g, [{ mailbox: SOC, folder }], { subject: 'bulk' }, { now: new Date(), pageSize: 4 });
    const got = subjects(all.get(SOC));
    expect(got).toHaveLength(25);
    expect(got[0]).toBe('bulk 24');
    expect(got[24]).toBe('bulk 00');
    const log = (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries.filter((e) => e.method === 'GET' && e.path.includes('/messages'));
    expect(log.length).toBe(7);
    const limited = await searchMailboxes(g, [{ mailbox: SOC, folder }], { subject: 'bulk' }, { now: new Date(), max: 7, pageSize: 4 });
    expect(subjects(limited.get(SOC))).toEqual(['bulk 24', 'bulk 23', 'bulk 22', 'bulk 21', 'bulk 20', 'bulk 19', 'bulk 18']);
    const full = await searchMailboxes(g, [{ mailbox: SOC, folder }], { subject: 'bulk' }, { now: new Date() });
    expect(subjects(full.get(SOC))).toEqual(got);
  });

  it('reports a missing mailbox and a missing well-known folder per mailbox', async () => {
    const r = await searchMailboxes(g, [{ mailbox: GHOST, folder: null }, { mailbox: ALICE, folder: await inbox(ALICE) }], { subject: 'zzqq' }, { now: new Date() });
    expect(r.get(GHOST)).toMatchObject({ kind: 'missing' });
    expect(r.get(ALICE)).toEqual({ kind: 'done', result: { messages: [] } });
    const noArchive = await searchMailboxes(g, [{ mailbox: ALICE, folder: { id: 'clutter', displayName: 'Clutter', path: 'Clutter', wellKnownName: 'clutter' } }], {}, { now: new Date() });
    expect(noArchive.get(ALICE)).toMatchObject({ kind: 'folderNotFound' });
  });
});
