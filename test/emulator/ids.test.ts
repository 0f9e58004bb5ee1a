/**
 * Id shapes, `Prefer: IdType="ImmutableId"` (single requests and `$batch` items) and
 * translateExchangeIds, driven with plain fetch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idKey } from '../../emulator/ids.ts';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { harness, u, type Harness } from './helpers.ts';

const BOX = 'ids.owner@contoso.example';
const OTHER = 'someone.else@contoso.example';
const mailbox = `/v1.0/users/${u(BOX)}`;
const PREFER = { prefer: 'IdType="ImmutableId"' };
const JSON_HEADERS = { 'content-type': 'application/json' };
let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await harness({ seed: 'empty', throttle: false });
});
afterAll(() => h.emu.close());
beforeEach(async () => {
  await h.admin('/reset', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ seed: 'empty' }) });
  await h.admin('/settings', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ permissions: [...DEFAULT_PERMISSIONS] }) });
  for (const upn of [BOX, OTHER]) {
    expect((await h.admin('/users', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ userPrincipalName: upn }) })).status).toBe(201);
  }
});

async function deliver(folder = 'Inbox', to = BOX): Promise<{ id: string; internetMessageId: string }> {
  seq += 1;
  const boundary = `b${seq}`;
  const raw = [
    'From: Mallory <mallory@evil.example>',
    `To: ${to}`,
    `Subject: ids ${seq}`,
    'Date: Mon, 01 Jul 2024 10:00:00 +0000',
    `Message-ID: <ids-${seq}@evil.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    `--${boundary}`,
    'Content-Type: text/plain; name="note.txt"',
    'Content-Disposition: attachment; filename="note.txt"',
    '',
    'hello',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const r = await h.admin(`/users/${u(to)}/messages?folder=${u(folder)}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; internetMessageId: string };
}

const move = (id: string, destinationId: string, headers: Record<string, string> = {}) =>
  h.json(`${mailbox}/messages/${u(id)}/move`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ destinationId }) });

const translate = (body: unknown, who = BOX) =>
  h.json(`/v1.0/users/${u(who)}/translateExchangeIds`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

describe('id shapes', () => {
  it('look like Exchange REST ids: AAMk messages and folders, AQMk well-known folders, AAQk conversations', async () => {
    const m = await deliver('Inbox/Phishing');
    const msg = (await h.json(`${mailbox}/messages/${u(m.id)}?$expand=attachments`)).body;
    expect(msg.id).toMatch(/^AAMkA[DG][A-Za-z0-9_-]{145}=$/);
    expect(msg.conversationId).toMatch(/^AAQkA[DG][A-Za-z0-9_-]+=*$/);
    const inbox = (await h.json(`${mailbox}/mailFolders/inbox`)).body;
    expect(inbox.id).toMatch(/^AQMkA[DG][A-Za-z0-9_-]+=*$/);
    const phishing = (await h.json(`${mailbox}/mailFolders/inbox/childFolders`)).body.value[0];
    expect(phishing.id).toMatch(/^AAMkA[DG][A-Za-z0-9_-]{113}=$/);
    expect(msg.parentFolderId).toBe(phishing.id);
    // An attachment id extends its message's id (same leading bytes).
    const att = msg.attachments[0];
    expect(att.id.length).toBeGreaterThan(msg.id.length);
    expect(att.id.slice(0, 148)).toBe(msg.id.slice(0, 148));
  });

  it('a compressed (AQMk) and an uncompressed (AAMk) id of the same folder both resolve', async () => {
    const inbox = (await h.json(`${mailbox}/mailFolders/inbox`)).body;
    const plain = idKey(inbox.id);
    expect(plain).toMatch(/^AAMk/);
    expect(plain).not.toBe(inbox.id);
    const again = await h.json(`${mailbox}/mailFolders/${u(plain)}`);
    expect(again.status).toBe(200);
    expect(again.body.displayName).toBe('Inbox');
    const m = await deliver();
    const moved = await move(m.id, plain);
    expect(moved.status).toBe(201);
    expect(moved.body.parentFolderId).toBe(inbox.id);
  });

  it('ids of another mailbox are not found, malformed ones are 400', async () => {
    const theirs = await deliver('Inbox', OTHER);
    expect((await h.json(`${mailbox}/messages/${u(theirs.id)}`)).status).toBe(404);
    const bad = await h.json(`${mailbox}/messages/${u('AAMk+not/base64url')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ErrorInvalidIdMalformed');
  });
});

describe('Prefer: IdType="ImmutableId"', () => {
  it('answers immutable message and attachment ids, keeps folder ids, and says Preference-Applied', async () => {
    const m = await deliver();
    const plain = await h.json(`${mailbox}/messages/${u(m.id)}?$expand=attachments`);
    expect(plain.res.headers.get('preference-applied')).toBeNull();
    const r = await h.json(`${mailbox}/messages/${u(m.id)}?$expand=attachments`, { headers: PREFER });
    expect(r.status).toBe(200);
    expect(r.res.headers.get('preference-applied')).toBe('IdType="ImmutableId"');
    expect(r.body.id).toMatch(/^AAkALgAA[A-Za-z0-9_-]{60}$/);
    expect(r.body.parentFolderId).toBe(plain.body.parentFolderId);
    expect(r.body.conversationId).toBe(plain.body.conversationId);
    expect(r.body.attachments[0].id).toMatch(/^AAkA/);
    expect(r.body.attachments[0].id).not.toBe(plain.body.attachments[0].id);
    const list = await h.json(`${mailbox}/mailFolders/inbox/messages?$select=id,subject`, { headers: PREFER });
    expect(list.body.value.map((x: { id: string }) => x.id)).toEqual([r.body.id]);
    const atts = await h.json(`${mailbox}/messages/${u(r.body.id)}/attachments?$select=name`, { headers: PREFER });
    expect(atts.body.value[0].id).toBe(r.body.attachments[0].id);
    // Other preferences may share the header.
    const mixed = await h.json(`${mailbox}/messages/${u(m.id)}?$select=id`, { headers: { prefer: 'outlook.timezone="UTC", IdType="ImmutableId"' } });
    expect(mixed.body.id).toBe(r.body.id);
  });

  it('an immutable id survives moves while the REST id changes; both kinds resolve afterwards', async () => {
    const m = await deliver();
    const immutable = (await h.json(`${mailbox}/messages/${u(m.id)}?$select=id`, { headers: PREFER })).body.id as string;
    const first = await move(immutable, 'archive', PREFER);
    expect(first.status).toBe(201);
    expect(first.res.headers.get('preference-applied')).toBe('IdType="ImmutableId"');
    expect(first.body.id).toBe(immutable);
    const second = await move(immutable, 'junkemail');
    expect(second.status).toBe(201);
    const restNow = second.body.id as string;
    expect(restNow).toMatch(/^AAMk/);
    expect(restNow).not.toBe(m.id);
    expect((await h.json(`${mailbox}/messages/${u(m.id)}`)).status).toBe(404);
    const byRest = await h.json(`${mailbox}/messages/${u(restNow)}?$select=id,parentFolderId`, { headers: PREFER });
    expect(byRest.body.id).toBe(immutable);
    const byImmutable = await h.json(`${mailbox}/messages/${u(immutable)}?$select=id,parentFolderId`);
    expect(byImmutable.body.id).toBe(restNow);
    expect(byImmutable.body.parentFolderId).toBe((await h.json(`${mailbox}/mailFolders/junkemail`)).body.id);
    expect((await h.json(`${mailbox}/mailFolders/junkemail/messages/${u(immutable)}?$select=id`)).status).toBe(200);
  });

  it('immutable attachment ids stay across a move, REST attachment ids do not; both read $value', async () => {
    const m = await deliver();
    const before = await h.json(`${mailbox}/messages/${u(m.id)}/attachments`);
    const restAtt = before.body.value[0].id as string;
    const immutable = await h.json(`${mailbox}/messages/${u(m.id)}/attachments`, { headers: PREFER });
    const immAtt = immutable.body.value[0].id as string;
    const moved = await move(m.id, 'archive');
    const newRest = moved.body.id as string;
    expect((await h.json(`${mailbox}/messages/${u(newRest)}/attachments/${u(restAtt)}`)).status).toBe(404);
    const after = await h.json(`${mailbox}/messages/${u(newRest)}/attachments`);
    expect(after.body.value[0].id).not.toBe(restAtt);
    const again = await h.json(`${mailbox}/messages/${u(newRest)}/attachments`, { headers: PREFER });
    expect(again.body.value[0].id).toBe(immAtt);
    const immMsg = (await h.json(`${mailbox}/messages/${u(newRest)}?$select=id`, { headers: PREFER })).body.id as string;
    for (const [msg, att] of [[newRest, after.body.value[0].id], [newRest, immAtt], [immMsg, immAtt], [immMsg, after.body.value[0].id]]) {
      const value = await h.graph(`${mailbox}/messages/${u(msg)}/attachments/${u(att)}/$value`);
      expect(value.status).toBe(200);
      expect((await value.text()).trim()).toBe('hello');
    }
  });

  it('inside $batch each item follows its own Prefer header, and the item answer carries Preference-Applied', async () => {
    const m = await deliver();
    const r = await h.json('/v1.0/$batch', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        requests: [
          { id: 'imm', method: 'GET', url: `/users/${u(BOX)}/messages/${u(m.id)}?$select=id`, headers: PREFER },
          { id: 'rest', method: 'GET', url: `/users/${u(BOX)}/messages/${u(m.id)}?$select=id`, dependsOn: ['imm'] },
          // A batch with dependsOn must be fully sequential (each item after the one before).
          { id: 'move', method: 'POST', url: `/users/${u(BOX)}/messages/${u(m.id)}/move`, headers: { 'Content-Type': 'application/json', Prefer: 'IdType="ImmutableId"' }, body: { destinationId: 'archive' }, dependsOn: ['rest'] },
        ],
      }),
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId.imm.body.id).toMatch(/^AAkA/);
    expect(byId.imm.headers['Preference-Applied']).toBe('IdType="ImmutableId"');
    expect(byId.rest.body.id).toBe(m.id);
    expect(byId.rest.headers['Preference-Applied']).toBeUndefined();
    expect(byId.move.status).toBe(201);
    expect(byId.move.body.id).toBe(byId.imm.body.id);
    expect(r.res.headers.get('preference-applied')).toBeNull();
  });

  it('is not applied to folders (they have no immutable ids): no Preference-Applied there', async () => {
    const plain = await h.json(`${mailbox}/mailFolders/inbox`);
    const r = await h.json(`${mailbox}/mailFolders/inbox`, { headers: PREFER });
    expect(r.body.id).toBe(plain.body.id);
    expect(r.res.headers.get('preference-applied')).toBeNull();
  });
});

describe('POST /users/{id}/translateExchangeIds', () => {
  it('restId <-> restImmutableEntryId match the ids Prefer gives, also after a move', async () => {
    const m = await deliver();
    const immutable = (await h.json(`${mailbox}/messages/${u(m.id)}?$select=id`, { headers: PREFER })).body.id;
    const r = await translate({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'restImmutableEntryId' });
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toMatch(/\$metadata#Collection\(microsoft\.graph\.convertIdResult\)$/);
    expect(r.body.value).toEqual([{ sourceId: m.id, targetId: immutable }]);
    const moved = await move(m.id, 'archive');
    const back = await translate({ inputIds: [immutable], sourceIdType: 'restImmutableEntryId', targetIdType: 'restId' });
    expect(back.body.value).toEqual([{ sourceId: immutable, targetId: moved.body.id }]);
  });

  it('converts to and from entryId, immutableEntryId and ewsId, messages and folders alike', async () => {
    const m = await deliver();
    const inbox = (await h.json(`${mailbox}/mailFolders/inbox`)).body.id as string;
    for (const id of [m.id, inbox]) {
      const out: Record<string, string> = {};
      for (const target of ['entryId', 'immutableEntryId', 'ewsId', 'restImmutableEntryId']) {
        const r = await translate({ inputIds: [id], sourceIdType: 'restId', targetIdType: target });
        expect(r.body.value[0].errorDetails, `${id} -> ${target}`).toBeUndefined();
        out[target] = r.body.value[0].targetId;
      }
      // Binary formats: URL-safe base64 without padding plus the padding count (user-translateexchangeids.md).
      expect(out.entryId).toMatch(/^[A-Za-z0-9_-]+[012]$/);
      expect(out.immutableEntryId).toMatch(/^[A-Za-z0-9_-]+[012]$/);
      expect(out.ewsId).toMatch(/^[A-Za-z0-9+/]+=*$/);
      for (const [source, value] of Object.entries(out)) {
        const r = await translate({ inputIds: [value], sourceIdType: source, targetIdType: 'restId' });
        expect(r.body.value[0], `${source} -> restId`).toEqual({ sourceId: value, targetId: id });
      }
    }
  });

  it('reports per-id failures in errorDetails and keeps the order', async () => {
    const m = await deliver();
    const theirs = await deliver('Inbox', OTHER);
    const unknown = `AAMk${'A'.repeat(60)}AAA=`;
    const r = await translate({ inputIds: ['not-an-id', m.id, unknown, theirs.id], sourceIdType: 'restId', targetIdType: 'restImmutableEntryId' });
    expect(r.status).toBe(200);
    expect(r.body.value.map((x: { sourceId: string }) => x.sourceId)).toEqual(['not-an-id', m.id, unknown, theirs.id]);
    expect(r.body.value[0]).toEqual({ sourceId: 'not-an-id', errorDetails: { code: 'ErrorInvalidIdMalformed', message: 'Id is malformed.' } });
    expect(r.body.value[1].targetId).toMatch(/^AAkA/);
    expect(r.body.value[2].errorDetails.code).toBe('ErrorItemNotFound');
    expect(r.body.value[3].errorDetails.code).toBe('ErrorItemNotFound');
    // An immutable id is not a restId.
    const wrongKind = await translate({ inputIds: [r.body.value[1].targetId], sourceIdType: 'restId', targetIdType: 'ewsId' });
    expect(wrongKind.body.value[0].errorDetails.code).toBe('ErrorInvalidIdMalformed');
  });

  it('refuses bad requests with 400 and needs User.Read.All', async () => {
    const m = await deliver();
    const badFormat = await translate({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'mapiId' });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.code).toBe('RequestBodyRead');
    const missing = await translate({ inputIds: [m.id], targetIdType: 'restId' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("'sourceIdType'");
    const extra = await translate({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'ewsId', mailbox: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('RequestBodyRead');
    const tooMany = await translate({ inputIds: Array.from({ length: 1001 }, () => m.id), sourceIdType: 'restId', targetIdType: 'ewsId' });
    expect(tooMany.status).toBe(400);
    expect((await translate({ inputIds: Array.from({ length: 1000 }, () => m.id), sourceIdType: 'restId', targetIdType: 'ewsId' })).body.value).toHaveLength(1000);
    const nobody = await translate({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'ewsId' }, 'nobody@contoso.example');
    expect(nobody.status).toBe(404);
    await h.admin('/settings', { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ permissions: ['Mail.ReadWrite'] }) });
    const denied = await h.json(`/v1.0/users/${u(BOX)}/translateExchangeIds`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ inputIds: [m.id], sourceIdType: 'restId', targetIdType: 'ewsId' }),
      token: await h.token(),
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('ErrorAccessDenied');
  });
});
