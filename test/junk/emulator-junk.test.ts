/** The emulator's markAsJunk / markAsNotJunk, driven with plain fetch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { harness, u, type Harness } from '../emulator/helpers.ts';

const BOX = 'junk.owner@contoso.example';
const SPAMMER = 'Prize Desk <Winner@Lottery-Prizes.example>';

let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await harness({ seed: 'empty', throttle: false });
  const r = await h.admin('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userPrincipalName: BOX }) });
  expect(r.status).toBe(201);
});
afterAll(() => h.emu.close());

function rawMail(from: string, subject: string): string {
  seq += 1;
  return [
    `From: ${from}`,
    `To: ${BOX}`,
    `Subject: ${subject}`,
    'Date: Mon, 01 Jul 2024 10:00:00 +0000',
    `Message-ID: <junk-test-${seq}@lottery-prizes.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'You won.',
    '',
  ].join('\r\n');
}

async function deliver(folder = 'Inbox', from = SPAMMER): Promise<{ id: string; parentFolderId: string }> {
  const r = await h.admin(`/users/${u(BOX)}/messages?folder=${u(folder)}`, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822' },
    body: rawMail(from, `mail ${seq}`),
  });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; parentFolderId: string };
}

const post = (path: string, body: unknown) =>
  h.json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function folderId(name: string): Promise<string> {
  const r = await h.json(`/v1.0/users/${u(BOX)}/mailFolders/${name}`);
  return r.body.id as string;
}

async function blocked(): Promise<string[]> {
  const r = await h.admin(`/users/${u(BOX)}/blockedSenders`);
  return ((await r.json()) as { senders: string[] }).senders;
}

async function setBlocked(senders: string[]): Promise<void> {
  await h.admin(`/users/${u(BOX)}/blockedSenders`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ senders }) });
}

describe('beta markAsJunk', () => {
  it('blocks the sender and moves the message to Junk Email under a new id (202 + message)', async () => {
    await setBlocked([]);
    const m = await deliver();
    const r = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(r.status).toBe(202);
    expect(r.body['@odata.context']).toMatch(/\/beta\/\$metadata#message$/);
    expect(r.body['@odata.type']).toBe('#microsoft.graph.message');
    expect(r.body.parentFolderId).toBe(await folderId('junkemail'));
    expect(r.body.id).not.toBe(m.id);
    expect(r.body).not.toHaveProperty('internetMessageHeaders');
    expect(await blocked()).toEqual(['winner@lottery-prizes.example']);
    expect((await h.json(`/v1.0/users/${u(BOX)}/messages/${u(m.id)}`)).status).toBe(404);
    expect((await h.json(`/v1.0/users/${u(BOX)}/mailFolders/junkemail/messages/${u(r.body.id)}`)).status).toBe(200);
  });

  it('with moveToJunk false blocks the sender but leaves the message (same id) where it is', async () => {
    await setBlocked([]);
    const m = await deliver();
    const r = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, { moveToJunk: false });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ id: m.id, parentFolderId: m.parentFolderId });
    expect(await blocked()).toEqual(['winner@lottery-prizes.example']);
  });

  it('a message already in Junk Email keeps its id', async () => {
    const m = await deliver('Junk Email');
    const r = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(r.status).toBe(202);
    expect(r.body.id).toBe(m.id);
  });

  it('on the folder-scoped route, a message of another folder is not found', async () => {
    const m = await deliver();
    const wrong = await post(`/beta/users/${u(BOX)}/mailFolders/junkemail/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe('ErrorItemNotFound');
    const right = await post(`/beta/users/${u(BOX)}/mailFolders/inbox/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(right.status).toBe(202);
  });

  it('answers Graph errors for bad bodies, unknown messages and mailboxes', async () => {
    const m = await deliver();
    const path = `/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`;
    const notBool = await post(path, { moveToJunk: 'yes' });
    expect(notBool.status).toBe(400);
    expect(notBool.body.error.code).toBe('RequestBodyRead');
    const unknownParam = await post(path, { moveToJunk: true, reason: 'spam' });
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.error.message).toBe("The parameter 'reason' in the request payload is not a valid parameter for the operation 'markAsJunk'.");
    const empty = await h.json(path, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const gone = await post(`/beta/users/${u(BOX)}/messages/AAMkAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/markAsJunk`, { moveToJunk: true });
    expect(gone.status).toBe(404);
    const nobody = await post(`/beta/users/nobody%40contoso.example/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(nobody.body.error.code).toBe('ErrorInvalidUser');
    const get = await h.json(path);
    expect(get.status).toBe(405);
  });

  it('needs Mail.ReadWrite', async () => {
    const m = await deliver();
    await h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: ['Mail.Read'] }) });
    try {
      // A token minted now carries only Mail.Read.
      const token = await h.token();
      const r = await h.json(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, {
        token,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ moveToJunk: true }),
      });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('ErrorAccessDenied');
    } finally {
      await h.admin('/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: DEFAULT_PERMISSIONS }) });
    }
  });
});

describe('beta markAsNotJunk', () => {
  it('unblocks the address (not a blocked domain) and moves the message to Inbox', async () => {
    await setBlocked(['winner@lottery-prizes.example', '@lottery-prizes.example', 'other@x.example']);
    const m = await deliver('Junk Email');
    const r = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsNotJunk`, { moveToInbox: true });
    expect(r.status).toBe(202);
    expect(r.body.parentFolderId).toBe(await folderId('inbox'));
    expect(r.body.id).not.toBe(m.id);
    expect((await blocked()).sort()).toEqual(['@lottery-prizes.example', 'other@x.example']);
  });

  it('with moveToInbox false only unblocks', async () => {
    await setBlocked(['winner@lottery-prizes.example']);
    const m = await deliver('Junk Email');
    const r = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsNotJunk`, { moveToInbox: false });
    expect(r.body).toMatchObject({ id: m.id, parentFolderId: m.parentFolderId });
    expect(await blocked()).toEqual([]);
  });
});

describe('v1.0', () => {
  it('answers the undocumented actions with their PascalCase v1.0 parameters', async () => {
    await setBlocked([]);
    const m = await deliver();
    const r = await post(`/v1.0/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, { MoveToJunk: true });
    expect(r.status).toBe(202);
    expect(r.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#message$/);
    expect(r.body.parentFolderId).toBe(await folderId('junkemail'));
    const back = await post(`/v1.0/users/${u(BOX)}/messages/${u(r.body.id)}/markAsNotJunk`, { MoveToInbox: true });
    expect(back.status).toBe(202);
    expect(back.body.parentFolderId).toBe(await folderId('inbox'));
    expect(await blocked()).toEqual([]);
  });

  it('rejects the beta spelling on v1.0 and the v1.0 spelling on beta', async () => {
    const m = await deliver();
    const v1 = await post(`/v1.0/users/${u(BOX)}/messages/${u(m.id)}/markAsJunk`, { moveToJunk: true });
    expect(v1.status).toBe(400);
    expect(v1.body.error).toMatchObject({
      code: 'RequestBodyRead',
      message: "The parameter 'moveToJunk' in the request payload is not a valid parameter for the operation 'markAsJunk'.",
    });
    const beta = await post(`/beta/users/${u(BOX)}/messages/${u(m.id)}/markAsNotJunk`, { MoveToInbox: true });
    expect(beta.status).toBe(400);
    expect(beta.body.error.code).toBe('RequestBodyRead');
  });
});

describe('inside $batch', () => {
  it('runs junk and not-junk items of one beta batch, each with its own status', async () => {
    await setBlocked([]);
    const a = await deliver();
    const b = await deliver('Junk Email', 'Newsletter <news@shop.example>');
    const r = await post('/beta/$batch', {
      requests: [
        { id: '1', method: 'POST', url: `/users/${u(BOX)}/messages/${u(a.id)}/markAsJunk`, headers: { 'Content-Type': 'application/json' }, body: { moveToJunk: true } },
        { id: '2', method: 'POST', url: `/users/${u(BOX)}/messages/${u(b.id)}/markAsNotJunk`, headers: { 'Content-Type': 'application/json' }, body: { moveToInbox: true } },
        { id: '3', method: 'POST', url: `/users/${u(BOX)}/messages/AAMkAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/markAsJunk`, headers: { 'Content-Type': 'application/json' }, body: { moveToJunk: true } },
      ],
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId['1']).toMatchObject({ status: 202, body: { parentFolderId: await folderId('junkemail') } });
    expect(byId['2']).toMatchObject({ status: 202, body: { parentFolderId: await folderId('inbox') } });
    expect(byId['3']).toMatchObject({ status: 404, body: { error: { code: 'ErrorItemNotFound' } } });
    expect(await blocked()).toEqual(['winner@lottery-prizes.example']);
  });
});
