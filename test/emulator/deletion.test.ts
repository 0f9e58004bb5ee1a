/**
 * Exchange's deletion lifecycle in the emulator, driven with plain fetch: DELETE to Deleted
 * Items, on to Recoverable Items (recoverableitemsdeletions), refused there (403
 * ErrorCannotDeleteObject), permanentDelete to the unreachable Purges folder.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { harness, u, type Harness } from './helpers.ts';

const BOX = 'dumpster.owner@contoso.example';
const mailbox = `/v1.0/users/${u(BOX)}`;
let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await harness({ seed: 'empty', throttle: false });
});
afterAll(() => h.emu.close());
beforeEach(async () => {
  await h.admin('/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 'empty' }) });
  await h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: [...DEFAULT_PERMISSIONS], throttle: false }) });
  const r = await h.admin('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userPrincipalName: BOX }) });
  expect(r.status).toBe(201);
});

async function deliver(folder = 'Inbox'): Promise<{ id: string; internetMessageId: string }> {
  seq += 1;
  const raw = [
    'From: Mallory <mallory@evil.example>',
    `To: ${BOX}`,
    `Subject: phish ${seq}`,
    'Date: Mon, 01 Jul 2024 10:00:00 +0000',
    `Message-ID: <dumpster-${seq}@evil.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Click here.',
    '',
  ].join('\r\n');
  const r = await h.admin(`/users/${u(BOX)}/messages?folder=${u(folder)}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; internetMessageId: string };
}

async function copies(internetMessageId: string): Promise<{ total: number; byFolder: Record<string, number> }> {
  return (await (await h.admin(`/messages?internetMessageId=${u(internetMessageId)}`)).json()) as { total: number; byFolder: Record<string, number> };
}

async function listIds(folder: string): Promise<string[]> {
  const r = await h.json(`${mailbox}/mailFolders/${folder}/messages?$select=id`);
  expect(r.status).toBe(200);
  return r.body.value.map((m: { id: string }) => m.id);
}

const del = (id: string, headers: Record<string, string> = {}) => h.graph(`${mailbox}/messages/${u(id)}`, { method: 'DELETE', headers });
const purge = (id: string, base = mailbox) => h.graph(`${base}/messages/${u(id)}/permanentDelete`, { method: 'POST' });

describe('DELETE', () => {
  it('moves a message to Deleted Items under a new id; the old id is gone', async () => {
    const m = await deliver();
    const r = await del(m.id);
    expect(r.status).toBe(204);
    expect(await r.text()).toBe('');
    expect((await h.json(`${mailbox}/messages/${u(m.id)}`)).status).toBe(404);
    const [moved] = await listIds('deleteditems');
    expect(moved).toBeDefined();
    expect(moved).not.toBe(m.id);
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { deleteditems: 1 } });
  });

  it('from Deleted Items moves it on to Recoverable Items, which lists it (and the mailbox-wide list does not)', async () => {
    const m = await deliver('Deleted Items');
    expect((await del(m.id)).status).toBe(204);
    expect(await listIds('deleteditems')).toEqual([]);
    const soft = await listIds('recoverableitemsdeletions');
    expect(soft).toHaveLength(1);
    expect(soft[0]).not.toBe(m.id);
    const got = await h.json(`${mailbox}/messages/${u(soft[0])}`);
    expect(got.status).toBe(200);
    expect(got.body.parentFolderId).toBe((await h.json(`${mailbox}/mailFolders/recoverableitemsdeletions`)).body.id);
    expect((await h.json(`${mailbox}/messages?$select=id`)).body.value).toEqual([]);
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { recoverableitemsdeletions: 1 } });
  });

  it('from a folder under Deleted Items also goes to Recoverable Items', async () => {
    const m = await deliver('Deleted Items/Old stuff/2023');
    expect((await del(m.id)).status).toBe(204);
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { recoverableitemsdeletions: 1 } });
  });

  it('twice takes a message from the Inbox to Recoverable Items; a third time is refused with 403 ErrorCannotDeleteObject', async () => {
    const m = await deliver();
    expect((await del(m.id)).status).toBe(204);
    expect((await del((await listIds('deleteditems'))[0])).status).toBe(204);
    const [soft] = await listIds('recoverableitemsdeletions');
    const third = await h.json(`${mailbox}/messages/${u(soft)}`, { method: 'DELETE' });
    expect(third.status).toBe(403);
    expect(third.body.error).toMatchObject({ code: 'ErrorCannotDeleteObject', message: 'Object cannot be deleted.' });
    expect(await listIds('recoverableitemsdeletions')).toEqual([soft]);
  });

  it('accepts the folder-scoped route, which names the folder but does not scope the id (docs/deviations.md)', async () => {
    const m = await deliver();
    // The message is in the Inbox: the path's folder must exist, but the id is served from any folder.
    expect((await h.graph(`${mailbox}/mailFolders/deleteditems/messages/${u(m.id)}`, { method: 'DELETE' })).status).toBe(204);
    expect(await copies(m.internetMessageId)).toMatchObject({ byFolder: { deleteditems: 1 } });
    const missingFolder = await h.json(`${mailbox}/mailFolders/${u('AAMkAGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm')}/messages/${u(m.id)}`, { method: 'DELETE' });
    expect(missingFolder.status).toBe(404);
  });
});

describe('POST .../permanentDelete', () => {
  it('answers 204 with no body and purges the message out of every folder Graph shows', async () => {
    const m = await deliver();
    const r = await purge(m.id);
    expect(r.status).toBe(204);
    expect(await r.text()).toBe('');
    const gone = await h.json(`${mailbox}/messages/${u(m.id)}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ErrorItemNotFound');
    for (const folder of ['inbox', 'deleteditems', 'recoverableitemsdeletions']) expect(await listIds(folder)).toEqual([]);
    expect((await h.json(`${mailbox}/messages?$select=id`)).body.value).toEqual([]);
    // The Purges folder is not a Graph well-known folder: only the admin API still counts the copy.
    expect((await h.json(`${mailbox}/mailFolders/recoverableitemspurges/messages`)).status).toBe(400);
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { recoverableitemspurges: 1 } });
    expect((await purge(m.id)).status).toBe(404);
  });

  it('purges from Recoverable Items and through the folder-scoped route', async () => {
    const a = await deliver('Deleted Items');
    expect((await del(a.id)).status).toBe(204);
    const [soft] = await listIds('recoverableitemsdeletions');
    expect((await purge(soft, `${mailbox}/mailFolders/recoverableitemsdeletions`)).status).toBe(204);
    expect(await copies(a.internetMessageId)).toEqual({ total: 1, byFolder: { recoverableitemspurges: 1 } });
    const b = await deliver();
    expect((await purge(b.id, `${mailbox}/mailFolders/inbox`)).status).toBe(204);
  });

  it('needs Mail.ReadWrite', async () => {
    const m = await deliver();
    await h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: ['Mail.Read'] }) });
    const r = await h.json(`${mailbox}/messages/${u(m.id)}/permanentDelete`, { method: 'POST', token: await h.token() });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('ErrorAccessDenied');
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { inbox: 1 } });
  });
});

describe('move to recoverableitemsdeletions', () => {
  it('soft-deletes in one request (201 with the message under its new id there)', async () => {
    const m = await deliver();
    const r = await h.json(`${mailbox}/messages/${u(m.id)}/move`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ destinationId: 'recoverableitemsdeletions' }),
    });
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe(m.id);
    expect(r.body.parentFolderId).toBe((await h.json(`${mailbox}/mailFolders/recoverableitemsdeletions`)).body.id);
    expect(await listIds('recoverableitemsdeletions')).toEqual([r.body.id]);
    expect(await copies(m.internetMessageId)).toEqual({ total: 1, byFolder: { recoverableitemsdeletions: 1 } });
  });
});

describe('immutable ids through the lifecycle', () => {
  it('keep naming the message in Deleted Items and in Recoverable Items, where DELETE is then refused', async () => {
    const m = await deliver();
    const prefer = { prefer: 'IdType="ImmutableId"' };
    const before = await h.json(`${mailbox}/messages/${u(m.id)}?$select=id`, { headers: prefer });
    const immutable = before.body.id as string;
    expect((await del(immutable, prefer)).status).toBe(204);
    const inDeleted = await h.json(`${mailbox}/messages/${u(immutable)}`, { headers: prefer });
    expect(inDeleted.status).toBe(200);
    expect(inDeleted.body.id).toBe(immutable);
    expect(inDeleted.body.parentFolderId).toBe((await h.json(`${mailbox}/mailFolders/deleteditems`)).body.id);
    expect((await del(immutable, prefer)).status).toBe(204);
    expect((await h.json(`${mailbox}/messages/${u(immutable)}`)).body.parentFolderId).toBe((await h.json(`${mailbox}/mailFolders/recoverableitemsdeletions`)).body.id);
    const third = await h.json(`${mailbox}/messages/${u(immutable)}`, { method: 'DELETE', headers: prefer });
    expect(third.status).toBe(403);
    expect(third.body.error.code).toBe('ErrorCannotDeleteObject');
    expect((await purge(immutable)).status).toBe(204);
    expect((await h.json(`${mailbox}/messages/${u(immutable)}`)).status).toBe(404);
  });
});

describe('inside $batch', () => {
  it('runs DELETE and permanentDelete items, each with its own status', async () => {
    const a = await deliver();
    const b = await deliver();
    const c = await deliver('Deleted Items');
    const r = await h.json('/v1.0/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'DELETE', url: `/users/${u(BOX)}/messages/${u(a.id)}` },
          { id: '2', method: 'POST', url: `/users/${u(BOX)}/messages/${u(b.id)}/permanentDelete` },
          { id: '3', method: 'DELETE', url: `/users/${u(BOX)}/messages/${u(c.id)}` },
        ],
      }),
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string; status: number }) => [x.id, x.status]));
    expect(byId).toEqual({ 1: 204, 2: 204, 3: 204 });
    expect((await copies(a.internetMessageId)).byFolder).toEqual({ deleteditems: 1 });
    expect((await copies(b.internetMessageId)).byFolder).toEqual({ recoverableitemspurges: 1 });
    expect((await copies(c.internetMessageId)).byFolder).toEqual({ recoverableitemsdeletions: 1 });
  });
});
