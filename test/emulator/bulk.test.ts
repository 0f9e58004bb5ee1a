import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../../emulator/rfc822.ts';
import { harness, readJson, u, type Collection, type ErrorAnswer, type Harness } from './helpers.ts';
import type { MailFolder } from '@microsoft/microsoft-graph-types';

let h: Harness;
beforeAll(async () => {
  h = await harness({ seed: 'empty', throttle: false });
});
afterAll(() => h.emu.close());

const PHISH = '<bulk-phish@evil.example>';
const raw = (subject: string, messageId: string) =>
  buildMail({ from: 'x@evil.example', to: ['all@contoso.test'], subject, date: new Date('2025-01-02T03:04:05Z'), messageId, text: 'hi' }).toString('utf8');

const adminJson = async <T = unknown,>(path: string, init?: RequestInit) => {
  const res = await h.admin(path, init);
  return { status: res.status, body: await readJson<T>(res) };
};
const bulk = (body: unknown) => adminJson<{ users: number; messages: number } & Partial<ErrorAnswer>>('/bulk', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('admin: bulk seeding, traffic counters, copies of one email', () => {
  it('creates every user with a copy of every message in the named folders', async () => {
    const users = Array.from({ length: 30 }, (_, i) => ({ userPrincipalName: `b${i}@contoso.test` }));
    const r = await bulk({
      users,
      messages: [
        { raw: raw('Invoice', PHISH) },
        { raw: raw('Plan', '<plan@contoso.test>'), folder: 'Inbox/Projects', isRead: true },
      ],
    });
    expect(r).toEqual({ status: 201, body: { users: 30, messages: 60 } });
    const inbox = await h.json(`/v1.0/users/${u('b7@contoso.test')}/mailFolders/inbox/messages?$select=subject,internetMessageId,isRead`);
    expect(inbox.body.value).toEqual([expect.objectContaining({ subject: 'Invoice', internetMessageId: PHISH, isRead: false })]);
    const sub = await h.json<Collection<MailFolder>>(`/v1.0/users/${u('b7@contoso.test')}/mailFolders/inbox/childFolders`);
    expect(sub.body.value.map((f) => [f.displayName, f.totalItemCount])).toEqual([['Projects', 1]]);
    // Each copy is its own item: changing one leaves the others alone.
    const id = inbox.body.value[0].id;
    await h.graph(`/v1.0/users/${u('b7@contoso.test')}/messages/${u(id)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ isRead: true, categories: ['Phish'] }) });
    const other = await h.json(`/v1.0/users/${u('b8@contoso.test')}/mailFolders/inbox/messages?$select=isRead,categories`);
    expect(other.body.value[0]).toMatchObject({ isRead: false, categories: [] });
    expect(new Set([id, other.body.value[0].id]).size).toBe(2);
  });

  it('counts copies of one email by folder', async () => {
    const before = await adminJson(`/messages?internetMessageId=${u(PHISH)}`);
    expect(before.body).toEqual({ total: 30, byFolder: { inbox: 30 } });
    const list = await h.json(`/v1.0/users/${u('b1@contoso.test')}/mailFolders/inbox/messages?$select=id`);
    await h.graph(`/v1.0/users/${u('b1@contoso.test')}/messages/${u(list.body.value[0].id)}`, { method: 'DELETE' });
    const after = await adminJson(`/messages?internetMessageId=${u(PHISH.slice(1, -1))}`);
    expect(after.body).toEqual({ total: 30, byFolder: { inbox: 29, deleteditems: 1 } });
    expect((await adminJson('/messages')).status).toBe(400);
  });

  it('tells HTTP round trips from Graph operations', async () => {
    await h.graph('/v1.0/users'); // token fetched and cached before counting
    await h.admin('/requests', { method: 'DELETE' });
    expect((await adminJson('/traffic')).body).toEqual({ httpRequests: 0, operations: 0, throttledOperations: 0, batchCalls: 0, tokenRequests: 0 });
    await h.graph('/v1.0/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: Array.from({ length: 5 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/b${i}@contoso.test/mailFolders/inbox` })) }),
    });
    await h.graph(`/v1.0/users/${u('b9@contoso.test')}`);
    await h.token();
    expect((await adminJson('/traffic')).body).toEqual({ httpRequests: 3, operations: 6, throttledOperations: 0, batchCalls: 1, tokenRequests: 1 });
  });

  it('rejects malformed bodies with a message naming the shape', async () => {
    expect((await bulk({ users: 'x' })).body.error?.message).toMatch(/"users"/);
    expect((await bulk({ users: [{ userPrincipalName: 'c@contoso.test' }], messages: [{}] })).body.error?.message).toMatch(/"messages"/);
  });
});
