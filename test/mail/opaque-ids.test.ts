/**
 * Our client treats Graph ids as opaque: every shape Exchange hands out (REST `AAMk`, compressed
 * `AQMk`, immutable `AAkA`, EWS-style base64) is a Graph id to it, and the Graph client carries
 * `Prefer: IdType="ImmutableId"` on single requests and `$batch` items alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHISH_MESSAGE_ID } from '../../emulator/seed-demo.ts';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { parseMailId } from '../../src/mail/mail-ids.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { ALICE, SOC, invoke, mailHarness, rawMail, type MailHarness } from './helpers.ts';

const PREFER = { Prefer: 'IdType="ImmutableId"' };
let h: MailHarness;
let g: GraphClient;
beforeAll(async () => {
  h = await mailHarness();
  g = h.client();
});
afterAll(async () => h?.close());
beforeEach(async () => h.reset());

const where = (internetMessageId: string) => h.admin<{ byFolder: Record<string, number> }>('GET', `/messages?internetMessageId=${encodeURIComponent(internetMessageId)}`);

describe('ids are opaque to the client', () => {
  it('parseMailId takes every Exchange id shape as a Graph id, as given', () => {
    for (const id of [
      'AAMkADhAAATs28OAAA=',
      'AQMkADAwATM0MDAAMS1iNWUwLWIxMzktMDACLTAwCgAuAAADyBv',
      'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AnMdP0zg8UEuwqV1nnfyp4gAABZ3JYQAA',
      'AAMkAGI2+/THIS/is/an/EWS/id==',
    ]) {
      expect(parseMailId(id)).toEqual({ kind: 'graph', id, input: id });
    }
  });

  it('the Graph client sends Prefer on one request and reads Preference-Applied back', async () => {
    const list = await g.get<{ value: Array<{ id: string }> }>(`/users/${ALICE}/mailFolders/inbox/messages`, { query: { $select: 'id', $top: 1 } });
    const rest = list.value[0].id;
    expect(rest).toMatch(/^AAMk/);
    const res = await g.request<{ id: string }>({ method: 'GET', path: `/users/${ALICE}/messages/${encodeURIComponent(rest)}`, query: { $select: 'id' }, headers: PREFER });
    expect(res.headers['preference-applied']).toBe('IdType="ImmutableId"');
    expect(res.body.id).toMatch(/^AAkA/);
    const back = await g.get<{ id: string }>(`/users/${ALICE}/messages/${encodeURIComponent(res.body.id)}`, { query: { $select: 'id' } });
    expect(back.id).toBe(rest);
  });

  it('and per $batch item', async () => {
    const list = await g.get<{ value: Array<{ id: string }> }>(`/users/${ALICE}/mailFolders/inbox/messages`, { query: { $select: 'id', $top: 1 } });
    const url = `/users/${ALICE}/messages/${encodeURIComponent(list.value[0].id)}?$select=id`;
    const [imm, rest] = await g.batch<{ id: string }>([
      { method: 'GET', url, headers: PREFER, mailbox: ALICE },
      { method: 'GET', url, mailbox: ALICE },
    ]);
    expect(imm.body?.id).toMatch(/^AAkA/);
    expect(Object.entries(imm.headers ?? {}).find(([k]) => k.toLowerCase() === 'preference-applied')?.[1]).toBe('IdType="ImmutableId"');
    expect(rest.body?.id).toBe(list.value[0].id);
  });

  it('Delete Email takes immutable ids in Mail IDs, in a well-known and in a nested folder', async () => {
    const phish = await g.get<{ value: Array<{ id: string }> }>(`/users/${ALICE}/mailFolders/inbox/messages`, {
      query: { $select: 'id', $filter: `internetMessageId eq '${PHISH_MESSAGE_ID}'` },
      headers: PREFER,
    });
    const immutable = phish.value[0].id;
    expect(immutable).toMatch(/^AAkA/);
    const doc = await invoke(h, deleteEmail, { 'Delete In Mailbox': ALICE, 'Folder Name': 'Inbox', 'Mail IDs': immutable });
    expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${ALICE}: 1`);
    expect((await where(PHISH_MESSAGE_ID)).byFolder).toMatchObject({ deleteditems: 1 });

    const nested = await h.deliver(SOC, 'Inbox/Phishing/2024', rawMail({ subject: 'nested', messageId: '<nested-imm@x.example>' }));
    const imm = (await g.request<{ id: string }>({ method: 'GET', path: `/users/${SOC}/messages/${encodeURIComponent(nested.id)}`, query: { $select: 'id' }, headers: PREFER })).body.id;
    const wrongFolder = await invoke(h, deleteEmail, { 'Delete In Mailbox': SOC, 'Folder Name': 'Inbox/Reviewed', 'Mail IDs': imm });
    expect(wrongFolder.output_message).toBe('Action was not able to find any emails based on the specified search criteria.');
    const right = await invoke(h, deleteEmail, { 'Delete In Mailbox': SOC, 'Folder Name': 'Inbox/Phishing/2024', 'Mail IDs': imm, 'Deletion Type': 'Permanent' });
    expect(right.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${SOC}: 1`);
    expect((await where('<nested-imm@x.example>')).byFolder).toEqual({ recoverableitemspurges: 1 });
  });
});
