import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { findInMailboxes } from '../../src/mail/find.ts';
import { resolveFolders, type ResolvedFolder } from '../../src/mail/folders.ts';
import { parseMailId, parseMailIds, type MailId, type MailIdMatch } from '../../src/mail/mail-ids.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { ALICE, GHOST, SOC, mailHarness, rawMail, type MailHarness } from './helpers.ts';

let h: MailHarness;
let g: GraphClient;
beforeAll(async () => {
  h = await mailHarness();
  g = h.client();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

describe('parseMailIds', () => {
  it('tells Graph ids from internetMessageIds and adds missing brackets', () => {
    expect(parseMailId('AAMkAGI2TG93AAA=')).toEqual({ kind: 'graph', id: 'AAMkAGI2TG93AAA=', input: 'AAMkAGI2TG93AAA=' });
    expect(parseMailId('abc@x.example')).toEqual({ kind: 'internetMessageId', value: '<abc@x.example>', input: 'abc@x.example' });
    expect(parseMailId(' <abc@x.example> ')).toMatchObject({ kind: 'internetMessageId', value: '<abc@x.example>' });
    expect(parseMailId('<no-at-sign>')).toMatchObject({ kind: 'internetMessageId', value: '<no-at-sign>' });
    expect(parseMailId('  ')).toBeUndefined();
  });
  it('splits, trims and drops duplicates (bracketed or not)', () => {
    expect(parseMailIds(['a@x, <a@x>', 'ID1,ID1, ', 'id1']).map((i) => (i.kind === 'graph' ? i.id : i.value))).toEqual(['<a@x>', 'ID1', 'id1']);
  });
});

/** The finder of every sweep, for one mailbox: the matches per id, or the verdict that is not "found". */
async function find(mailbox: string, folder: ResolvedFolder | null, ids: MailId[]): Promise<MailIdMatch[]> {
  const o = (await findInMailboxes(g, [{ mailbox, folder }], { ids, criteria: {}, now: new Date() })).get(mailbox)!;
  if (o.kind !== 'done') throw Object.assign(new Error(`not found: ${o.kind}`), { outcome: o });
  return o.result.matches;
}

async function folderOf(mailbox: string, path: string): Promise<ResolvedFolder> {
  const f = (await resolveFolders(g, [mailbox], path)).get(mailbox)!;
  if (f.kind !== 'done') throw new Error(`no folder ${path}`);
  return f.result;
}

describe('findInMailboxes by Mail IDs against the emulator', () => {
  it('finds the phish by internetMessageId with and without brackets, and by Graph id', async () => {
    const inbox = await folderOf(ALICE, 'Inbox');
    const bare = PHISH_MESSAGE_ID.slice(1, -1);
    const [withBrackets] = await find(ALICE, inbox, parseMailIds([PHISH_MESSAGE_ID]));
    const [without] = await find(ALICE, inbox, parseMailIds([bare]));
    expect(withBrackets.messages).toHaveLength(1);
    expect(without.messages.map((m) => m.id)).toEqual(withBrackets.messages.map((m) => m.id));
    expect(withBrackets.messages[0]).toMatchObject({ internetMessageId: PHISH_MESSAGE_ID, subject: 'Action required: your mailbox password expires today' });
    const id = withBrackets.messages[0].id;
    const [byId, malformed, unknown] = await find(ALICE, inbox, parseMailIds([id, 'not-an-id!!', 'AAMkAGZmZmZmZmZm']));
    expect(byId.messages.map((m) => m.id)).toEqual([id]);
    expect(malformed.messages).toEqual([]);
    expect(unknown.messages).toEqual([]);
  });

  it('does not find a message outside the folder, and returns every duplicate of an internetMessageId', async () => {
    const phishing = await folderOf(SOC, 'Inbox/Phishing');
    const [phish] = await find(SOC, phishing, parseMailIds([PHISH_MESSAGE_ID]));
    expect(phish.messages).toEqual([]);
    const mid = '<dup@test.contoso.example>';
    for (let i = 0; i < 3; i++) await h.deliver(SOC, 'Inbox/Phishing', rawMail({ subject: `dup ${i}`, messageId: mid }));
    const [dups] = await find(SOC, phishing, parseMailIds(['dup@test.contoso.example']));
    expect(dups.messages.map((m) => m.subject).sort()).toEqual(['dup 0', 'dup 1', 'dup 2']);
    const [anywhere] = await find(SOC, null, parseMailIds([mid]));
    expect(anywhere.messages).toHaveLength(3);
  });

  it('never takes a Graph id from another folder for one in the folder asked about, well-known or not', async () => {
    // Graph may serve mailFolders/inbox/messages/{id} for a message in any folder; the finder checks parentFolderId.
    const sent = await h.deliver(ALICE, 'Sent Items', rawMail({ subject: 'sent copy', messageId: '<sent-copy@test.contoso.example>' }));
    const deleted = await h.deliver(ALICE, 'Deleted Items', rawMail({ subject: 'binned', messageId: '<binned@test.contoso.example>' }));
    const res = await fetch(`${h.emu.url}/v1.0/users/${ALICE}/mailFolders/inbox/messages/${encodeURIComponent(sent.id)}?$select=id,parentFolderId`, {
      headers: { Authorization: `Bearer ${(await g.getToken()).accessToken}` },
    });
    expect(res.status).toBe(200); // the emulator, like Graph, does not scope the id by the path
    for (const path of ['Inbox', 'inbox', 'Archive']) {
      const [a, b] = await find(ALICE, await folderOf(ALICE, path), parseMailIds([sent.id, deleted.id]));
      expect(a.messages).toEqual([]);
      expect(b.messages).toEqual([]);
    }
    const [inSent] = await find(ALICE, await folderOf(ALICE, 'Sent Items'), parseMailIds([sent.id]));
    expect(inSent.messages.map((m) => m.subject)).toEqual(['sent copy']);
  });

  it('treats quotes in an internetMessageId as data', async () => {
    const [m] = await find(SOC, null, parseMailIds(["<x' or internetMessageId ne 'x@y>"]));
    expect(m.messages).toEqual([]);
    const odd = "<o'brien(1)@test.contoso.example>";
    await h.deliver(SOC, 'Inbox', rawMail({ subject: 'quoted id', messageId: odd }));
    const [hit] = await find(SOC, null, parseMailIds([odd]));
    expect(hit.messages.map((x) => x.subject)).toEqual(['quoted id']);
  });

  it('says the mailbox is missing', async () => {
    await expect(find(GHOST, null, parseMailIds([PHISH_MESSAGE_ID]))).rejects.toMatchObject({ outcome: { kind: 'missing' } });
    const inbox = await folderOf(SOC, 'Inbox');
    await expect(find(GHOST, inbox, parseMailIds(['AAMkAGZmZmZmZmZm']))).rejects.toMatchObject({ outcome: { kind: 'missing' } });
  });
});

describe('findInMailboxes when Graph spells a folder id two ways', () => {
  // Exchange has a plain (AAMk...) and a compressed (AQMk...) spelling of a well-known folder's id;
  // the finder must neither lose a message in the folder nor take one from elsewhere.
  const INBOX_Q = 'AQMkInboxCompressed';
  const INBOX_P = 'AAMkInboxPlain';
  const SENT = 'AAMkSentItems';
  function fakeGraph(): GraphClient & { urls: string[] } {
    const urls: string[] = [];
    const answer = (url: string) => {
      const path = url.split('?')[0];
      if (/\/mailFolders\/(inbox|AQMkInboxCompressed|AAMkInboxPlain)$/.test(path)) return { status: 200, body: { id: INBOX_Q } };
      if (path.endsWith(`/mailFolders/${SENT}`)) return { status: 200, body: { id: SENT } };
      if (path.endsWith('/messages/m-in')) return { status: 200, body: { id: 'm-in', parentFolderId: INBOX_P } };
      if (path.endsWith('/messages/m-sent')) return { status: 200, body: { id: 'm-sent', parentFolderId: SENT } };
      return { status: 404, body: { error: { code: 'ErrorItemNotFound', message: 'not found' } } };
    };
    return {
      urls,
      async batch(items: Array<{ url: string }>) {
        return items.map((it, i) => {
          urls.push(it.url);
          return { id: String(i), ...answer(it.url) };
        });
      },
    } as unknown as GraphClient & { urls: string[] };
  }

  it('compares the folder ids as Graph reads them back, so the same folder matches and another does not', async () => {
    const fake = fakeGraph();
    const inboxFolder: ResolvedFolder = { id: 'inbox', displayName: 'Inbox', path: 'Inbox', wellKnownName: 'inbox' };
    const o = (await findInMailboxes(fake, [{ mailbox: SOC, folder: inboxFolder }], { ids: parseMailIds(['m-in', 'm-sent']), criteria: {}, now: new Date() })).get(SOC)!;
    expect(o.kind).toBe('done');
    if (o.kind !== 'done') return;
    expect(o.result.matches.map((m) => m.messages.map((x) => x.id))).toEqual([['m-in'], []]);
    expect(o.result.unmatchedIds).toEqual(['m-sent']);
    // The second read went to the messages' own folders and the target folder, each by id.
    expect(fake.urls.filter((u) => u.includes(`/mailFolders/${INBOX_P}`) || u.includes(`/mailFolders/${SENT}`) || u.includes(`/mailFolders/${INBOX_Q}`)).length).toBe(3);
  });
});
