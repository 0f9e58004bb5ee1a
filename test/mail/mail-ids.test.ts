import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { resolveFolder } from '../../src/mail/folders.ts';
import { findMessages, parseMailId, parseMailIds } from '../../src/mail/mail-ids.ts';
import { MailboxNotFoundError } from '../../src/mail/mailboxes.ts';
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

describe('findMessages against the emulator', () => {
  it('finds the phish by internetMessageId with and without brackets, and by Graph id', async () => {
    const inbox = await resolveFolder(g, ALICE, 'Inbox');
    const bare = PHISH_MESSAGE_ID.slice(1, -1);
    const [withBrackets, without] = await findMessages(g, ALICE, inbox, parseMailIds([PHISH_MESSAGE_ID, bare]).slice(0, 1).concat(parseMailIds([bare])));
    expect(withBrackets.messages).toHaveLength(1);
    expect(without.messages.map((m) => m.id)).toEqual(withBrackets.messages.map((m) => m.id));
    expect(withBrackets.messages[0]).toMatchObject({ internetMessageId: PHISH_MESSAGE_ID, subject: 'Action required: your mailbox password expires today' });
    const id = withBrackets.messages[0].id;
    const [byId, malformed, unknown] = await findMessages(g, ALICE, inbox, parseMailIds([id, 'not-an-id!!', 'AAMkAGZmZmZmZmZm']));
    expect(byId.messages.map((m) => m.id)).toEqual([id]);
    expect(malformed.messages).toEqual([]);
    expect(unknown.messages).toEqual([]);
  });

  it('does not find a message outside the folder, and returns every duplicate of an internetMessageId', async () => {
    const phishing = await resolveFolder(g, SOC, 'Inbox/Phishing');
    const [phish] = await findMessages(g, SOC, phishing, parseMailIds([PHISH_MESSAGE_ID]));
    expect(phish.messages).toEqual([]);
    const mid = '<dup@test.contoso.example>';
    for (let i = 0; i < 3; i++) await h.deliver(SOC, 'Inbox/Phishing', rawMail({ subject: `dup ${i}`, messageId: mid }));
    const [dups] = await findMessages(g, SOC, phishing, parseMailIds(['dup@test.contoso.example']));
    expect(dups.messages.map((m) => m.subject).sort()).toEqual(['dup 0', 'dup 1', 'dup 2']);
    const [anywhere] = await findMessages(g, SOC, null, parseMailIds([mid]));
    expect(anywhere.messages).toHaveLength(3);
  });

  it('treats quotes in an internetMessageId as data', async () => {
    const [m] = await findMessages(g, SOC, null, parseMailIds(["<x' or internetMessageId ne 'x@y>"]));
    expect(m.messages).toEqual([]);
    const odd = "<o'brien(1)@test.contoso.example>";
    await h.deliver(SOC, 'Inbox', rawMail({ subject: 'quoted id', messageId: odd }));
    const [hit] = await findMessages(g, SOC, null, parseMailIds([odd]));
    expect(hit.messages.map((x) => x.subject)).toEqual(['quoted id']);
  });

  it('throws MailboxNotFoundError for a missing mailbox', async () => {
    await expect(findMessages(g, GHOST, null, parseMailIds([PHISH_MESSAGE_ID]))).rejects.toBeInstanceOf(MailboxNotFoundError);
    await expect(findMessages(g, GHOST, await resolveFolder(g, SOC, 'Inbox'), parseMailIds(['AAMkAGZmZmZmZmZm']))).rejects.toBeInstanceOf(MailboxNotFoundError);
  });
});
