import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailboxNotFoundError } from '../../src/mail/mailboxes.ts';
import { folderPathLevels, resolveFolder, resolveFolders, wellKnownFolderName, type FolderCache } from '../../src/mail/folders.ts';
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

describe('resolveFolder against the emulator', () => {
  it('resolves a bare well-known name with no request at all', async () => {
    await h.admin('DELETE', '/requests');
    const f = await resolveFolder(g, SOC, 'Inbox');
    expect(f).toEqual({ id: 'inbox', displayName: 'Inbox', path: 'Inbox', wellKnownName: 'inbox' });
    expect(await graphCalls()).toEqual([]);
  });

  it('walks nested folders case-insensitively', async () => {
    const f = await resolveFolder(g, SOC, 'inbox/PHISHING/2024');
    expect(f).toMatchObject({ displayName: '2024', path: 'inbox/PHISHING/2024' });
    expect(f!.id).not.toBe('inbox');
    // The folder really is the one holding the seeded closed case.
    const page = await g.get<{ value: Array<{ subject: string }> }>(`/users/${SOC}/mailFolders/${encodeURIComponent(f!.id)}/messages`);
    expect(page.value.map((m) => m.subject)).toEqual(['Closed: fake parcel notification']);
  });

  it('finds "Inbox" in a German mailbox and German display names below it', async () => {
    const f = await resolveFolder(g, BOB, 'Inbox/projekte');
    expect(f).toMatchObject({ displayName: 'Projekte' });
    const g2 = await resolveFolder(g, BOB, 'Posteingang/Projekte');
    expect(g2!.id).toBe(f!.id);
  });

  it('returns null for a missing folder at any level and throws MailboxNotFoundError for a missing mailbox', async () => {
    expect(await resolveFolder(g, SOC, 'Inbox/Nope')).toBeNull();
    expect(await resolveFolder(g, SOC, 'Nope')).toBeNull();
    expect(await resolveFolder(g, SOC, 'Inbox/Phishing/2023')).toBeNull();
    await expect(resolveFolder(g, GHOST, 'Inbox/Phishing')).rejects.toBeInstanceOf(MailboxNotFoundError);
    await expect(resolveFolder(g, DAVE, 'Projects')).rejects.toBeInstanceOf(MailboxNotFoundError);
    await expect(resolveFolder(g, GHOST, 'Inbox/Phishing')).rejects.toMatchObject({ mailbox: GHOST });
  });

  it('cannot be steered by quotes in a folder name', async () => {
    expect(await resolveFolder(g, SOC, "Inbox/x' or displayName ne 'x")).toBeNull();
    expect(await resolveFolder(g, SOC, "x') or (displayName ne 'x")).toBeNull();
    await h.admin('POST', `/users/${SOC}/folders`, { path: "Inbox/O'Brien (2024)" });
    expect(await resolveFolder(g, SOC, "Inbox/o'brien (2024)")).toMatchObject({ displayName: "O'Brien (2024)" });
  });

  it('resolves many mailboxes with one $batch per level and uses the cache', async () => {
    await h.admin('POST', `/users/${CAROL}/folders`, { path: 'Inbox/Phishing' });
    await h.admin('DELETE', '/requests');
    const cache: FolderCache = new Map();
    const r = await resolveFolders(g, [SOC, CAROL, ALICE, GHOST], 'Inbox/Phishing', cache);
    expect(r.get(SOC)).toMatchObject({ kind: 'found', folder: { displayName: 'Phishing' } });
    expect(r.get(CAROL)).toMatchObject({ kind: 'found' });
    expect(r.get(ALICE)).toEqual({ kind: 'notFound' });
    expect(r.get(GHOST)).toMatchObject({ kind: 'mailboxMissing', error: { code: 'ErrorInvalidUser' } });
    const batches = (await graphCalls()).filter((e) => e.path.endsWith('$batch'));
    expect(batches).toHaveLength(1);
    await h.admin('DELETE', '/requests');
    const again = await resolveFolders(g, [SOC, CAROL, ALICE], 'inbox/phishing', cache);
    expect(again.get(SOC)).toEqual(r.get(SOC));
    expect(await graphCalls()).toEqual([]);
  });
});
