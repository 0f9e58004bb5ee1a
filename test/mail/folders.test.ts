import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { folderPathLevels, resolveFolders, wellKnownFolderName, type FolderCache } from '../../src/mail/folders.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { ALICE, BOB, CAROL, DAVE, GHOST, SOC, mailHarness, type MailHarness } from './helpers.ts';

let h: MailHarness;
let g: GraphClient;
beforeAll(async () => {
  h = await mailHarness();
  g = h.client();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const requests = async () => (await h.admin<{ total: number; entries: Array<{ method: string; path: string; status: number }> }>('GET', '/requests'));
const graphCalls = async () => (await requests()).entries.filter((e) => !e.path.includes('/token'));

describe('wellKnownFolderName', () => {
  it('knows Graph names and English display names, case-insensitively', () => {
    expect(wellKnownFolderName('Inbox')).toBe('inbox');
    expect(wellKnownFolderName('JUNKEMAIL')).toBe('junkemail');
    expect(wellKnownFolderName('Junk Email')).toBe('junkemail');
    expect(wellKnownFolderName('deleted  items')).toBe('deleteditems');
    expect(wellKnownFolderName('Sent Items')).toBe('sentitems');
    expect(wellKnownFolderName('Phishing')).toBeUndefined();
    expect(wellKnownFolderName('Posteingang')).toBeUndefined();
  });
  it('rejects an empty path', () => {
    expect(() => folderPathLevels(' / ')).toThrow(TypeError);
    expect(folderPathLevels(' Inbox / Phishing /2024/')).toEqual(['Inbox', 'Phishing', '2024']);
  });
});

describe('resolveFolders of one mailbox against the emulator', () => {
  const resolveOne = async (mailbox: string, path: string) => (await resolveFolders(g, [mailbox], path)).get(mailbox)!;
  const folderOf = async (mailbox: string, path: string) => {
    const r = await resolveOne(mailbox, path);
    if (r.kind !== 'done') throw new Error(`no folder ${path}: ${r.kind}`);
    return r.result;
  };

  it('resolves a bare well-known name with no request at all', async () => {
    await h.admin('DELETE', '/requests');
    const f = await resolveOne(SOC, 'Inbox');
    expect(f).toEqual({ kind: 'done', result: { id: 'inbox', displayName: 'Inbox', path: 'Inbox', wellKnownName: 'inbox' } });
    expect(await graphCalls()).toEqual([]);
  });

  it('walks nested folders case-insensitively', async () => {
    const f = await folderOf(SOC, 'inbox/PHISHING/2024');
    expect(f).toMatchObject({ displayName: '2024', path: 'inbox/PHISHING/2024' });
    expect(f!.id).not.toBe('inbox');
    // The folder really is the one holding the seeded closed case.
    const page = await g.get<{ value: Array<{ subject: string }> }>(`/users/${SOC}/mailFolders/${encodeURIComponent(f!.id)}/messages`);
    expect(page.value.map((m) => m.subject)).toEqual(['Closed: fake parcel notification']);
  });

  it('finds "Inbox" in a German mailbox and German display names below it', async () => {
    const f = await folderOf(BOB, 'Inbox/projekte');
    expect(f).toMatchObject({ displayName: 'Projekte' });
    const g2 = await folderOf(BOB, 'Posteingang/Projekte');
    expect(g2!.id).toBe(f!.id);
  });

  it('says folderNotFound for a missing folder at any level and missing for a missing mailbox', async () => {
    expect(await resolveOne(SOC, 'Inbox/Nope')).toEqual({ kind: 'folderNotFound' });
    expect(await resolveOne(SOC, 'Nope')).toEqual({ kind: 'folderNotFound' });
    expect(await resolveOne(SOC, 'Inbox/Phishing/2023')).toEqual({ kind: 'folderNotFound' });
    expect(await resolveOne(GHOST, 'Inbox/Phishing')).toMatchObject({ kind: 'missing', error: { status: 404 } });
    expect(await resolveOne(DAVE, 'Projects')).toMatchObject({ kind: 'missing', error: { status: 404 } });
  });

  it('cannot be steered by quotes in a folder name', async () => {
    expect(await resolveOne(SOC, "Inbox/x' or displayName ne 'x")).toEqual({ kind: 'folderNotFound' });
    expect(await resolveOne(SOC, "x') or (displayName ne 'x")).toEqual({ kind: 'folderNotFound' });
    await h.admin('POST', `/users/${SOC}/folders`, { path: "Inbox/O'Brien (2024)" });
    expect(await folderOf(SOC, "Inbox/o'brien (2024)")).toMatchObject({ displayName: "O'Brien (2024)" });
  });

  it('resolves many mailboxes with one $batch per level and uses the cache', async () => {
    await h.admin('POST', `/users/${CAROL}/folders`, { path: 'Inbox/Phishing' });
    await h.admin('DELETE', '/requests');
    const cache: FolderCache = new Map();
    const r = await resolveFolders(g, [SOC, CAROL, ALICE, GHOST], 'Inbox/Phishing', cache);
    expect(r.get(SOC)).toMatchObject({ kind: 'done', result: { displayName: 'Phishing' } });
    expect(r.get(CAROL)).toMatchObject({ kind: 'done' });
    expect(r.get(ALICE)).toEqual({ kind: 'folderNotFound' });
    expect(r.get(GHOST)).toMatchObject({ kind: 'missing', error: { code: 'ErrorInvalidUser' } });
    const batches = (await graphCalls()).filter((e) => e.path.endsWith('$batch'));
    expect(batches).toHaveLength(1);
    await h.admin('DELETE', '/requests');
    const again = await resolveFolders(g, [SOC, CAROL, ALICE], 'inbox/phishing', cache);
    expect(again.get(SOC)).toEqual(r.get(SOC));
    expect(await graphCalls()).toEqual([]);
  });
});
