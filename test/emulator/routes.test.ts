import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, harness, REPORTS, SOC, u, type Harness } from './helpers.ts';
import type { InternetMessageHeader, MailFolder, Message, User } from '@microsoft/microsoft-graph-types';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.emu.close());

describe('users', () => {
  it('lists users with $top and a nextLink that works alone', async () => {
    const first = await h.json('/v1.0/users?$top=2&$select=userPrincipalName');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(2);
    expect(Object.keys(first.body.value[0]).sort()).toEqual(['id', 'userPrincipalName']);
    const seen = [...first.body.value];
    let next: string | undefined = first.body['@odata.nextLink'];
    expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?\$skiptoken=/);
    while (next) {
      const page = await h.json(next);
      expect(Object.keys(page.body.value[0]).sort()).toEqual(['id', 'userPrincipalName']);
      seen.push(...page.body.value);
      next = page.body['@odata.nextLink'];
    }
    expect(seen.map((x) => x.userPrincipalName)).toContain('dave.nomail@contoso.example');
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
  });

  it("filters by userPrincipalName eq '...' case-insensitively", async () => {
    const r = await h.json(`/v1.0/users?$filter=${u("userPrincipalName eq 'ALICE.MARTIN@contoso.example'")}`);
    expect(r.status).toBe(200);
    expect(r.body.value.map((x: User) => x.displayName)).toEqual(['Alice Martin']);
  });

  it('gets a user by UPN (any case) or id; unknown -> 404 Request_ResourceNotFound', async () => {
    const byUpn = await h.json(`/v1.0/users/${u('Alice.Martin@CONTOSO.example')}`);
    expect(byUpn.body.userPrincipalName).toBe(ALICE);
    const byId = await h.json(`/v1.0/users/${byUpn.body.id}?$select=displayName`);
    expect(byId.body).toMatchObject({ id: byUpn.body.id, displayName: 'Alice Martin' });
    expect(byId.body).not.toHaveProperty('mail');
    const missing = await h.json('/v1.0/users/nobody@contoso.example');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('mail folders', () => {
  it('lists top-level folders (default $top 10), hidden only on request, with nextLink', async () => {
    const r = await h.json(`/v1.0/users/${SOC}/mailFolders`);
    const names = r.body.value.map((f: MailFolder) => f.displayName);
    expect(names).toEqual(expect.arrayContaining(['Inbox', 'Sent Items', 'Deleted Items', 'Junk Email', 'Archive', 'Drafts']));
    expect(names).not.toContain('Scheduled');
    const hidden = await h.json(`/v1.0/users/${SOC}/mailFolders?includeHiddenFolders=true&$top=3`);
    expect(hidden.body.value).toHaveLength(3);
    const all = [...hidden.body.value];
    let next = hidden.body['@odata.nextLink'];
    while (next) {
      const p = await h.json(next);
      all.push(...p.body.value);
      next = p.body['@odata.nextLink'];
    }
    expect(all.find((f) => f.displayName === 'Scheduled')?.isHidden).toBe(true);
  });

  it('filters by displayName, resolves well-known names, lists childFolders', async () => {
    const inbox = await h.json(`/v1.0/users/${SOC}/mailFolders/inbox`);
    expect(inbox.body.displayName).toBe('Inbox');
    expect(inbox.body.id).toMatch(/^AQMk/);
    const f = await h.json(`/v1.0/users/${SOC}/mailFolders?$filter=${u("displayName eq 'inbox'")}`);
    expect(f.body.value.map((x: MailFolder) => x.id)).toEqual([inbox.body.id]);
    const kids = await h.json(`/v1.0/users/${SOC}/mailFolders/${u(inbox.body.id)}/childFolders`);
    expect(kids.body.value.map((x: MailFolder) => x.displayName).sort()).toEqual(['Phishing', 'Reviewed']);
    const phishing = kids.body.value.find((x: MailFolder) => x.displayName === 'Phishing');
    const y = await h.json(`/v1.0/users/${SOC}/mailFolders/${u(phishing.id)}/childFolders`);
    expect(y.body.value.map((x: MailFolder) => x.displayName)).toEqual(['2024']);
  });

  it('localized folder names keep well-known names working', async () => {
    const r = await h.json(`/v1.0/users/bob.keller@contoso.example/mailFolders/inbox`);
    expect(r.body.displayName).toBe('Posteingang');
  });

  it('malformed folder id -> 400 ErrorInvalidIdMalformed; unknown -> 404', async () => {
    expect((await h.json(`/v1.0/users/${SOC}/mailFolders/not-an-id`)).body.error.code).toBe('ErrorInvalidIdMalformed');
    const r = await h.json(`/v1.0/users/${SOC}/mailFolders/AQMkAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('ErrorItemNotFound');
  });
});

describe('messages', () => {
  it('lists newest first, pages with a self-contained nextLink, $count', async () => {
    const r = await h.json(`/v1.0/users/${ALICE}/messages?$top=1&$count=true&$select=subject,receivedDateTime`);
    expect(r.status).toBe(200);
    expect(r.body['@odata.count']).toBe(3);
    const subjects = [r.body.value[0].subject];
    let next = r.body['@odata.nextLink'];
    let last = r.body.value[0].receivedDateTime;
    while (next) {
      const p = await h.json(next);
      expect(p.body.value[0].receivedDateTime <= last).toBe(true);
      last = p.body.value[0].receivedDateTime;
      subjects.push(p.body.value[0].subject);
      next = p.body['@odata.nextLink'];
    }
    expect(subjects).toHaveLength(3);
    expect(subjects[0]).toMatch(/password expires/);
  });

  it('$top above 1000 is a 400; unsupported options are loud 400s', async () => {
    expect((await h.json(`/v1.0/users/${ALICE}/messages?$top=1001`)).status).toBe(400);
    const r = await h.json(`/v1.0/users/${ALICE}/messages?$expand=attachments&foo=1`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/\$expand|foo/);
  });

  it('$filter on internetMessageId finds the campaign; $search works', async () => {
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=5&$select=internetMessageId`);
    const imid = list.body.value[0].internetMessageId;
    const f = await h.json(`/v1.0/users/${SOC}/messages?$filter=${u(`internetMessageId eq '${imid}'`)}`);
    expect(f.body.value).toHaveLength(1);
    const s = await h.json(`/v1.0/users/${ALICE}/mailFolders/inbox/messages?$search=${u('"invoice"')}`);
    expect(s.body.value.map((m: Message) => m.subject)).toEqual(['Invoice 2024-117']);
  });

  it('gets one message, its headers only with $select, and its MIME via $value', async () => {
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=1`);
    const id = list.body.value[0].id;
    expect(id).toMatch(/^AAMk/);
    expect(list.body.value[0]).not.toHaveProperty('internetMessageHeaders');
    const one = await h.json(`/v1.0/users/${ALICE}/messages/${u(id)}`);
    expect(one.body).toMatchObject({ id, isRead: false, hasAttachments: false });
    const headers = await h.json(`/v1.0/users/${ALICE}/messages/${u(id)}?$select=internetMessageHeaders`);
    expect(headers.body.internetMessageHeaders.some((x: InternetMessageHeader) => x.name === 'Authentication-Results')).toBe(true);
    const mime = await h.graph(`/v1.0/users/${ALICE}/messages/${u(id)}/$value`);
    expect(mime.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await mime.text()).toMatch(/Message-ID: <7f3c2a91/);
  });

  it('malformed message id -> 400; unknown -> 404; unknown user -> 404; no mailbox -> MailboxNotEnabledForRESTAPI', async () => {
    expect((await h.json(`/v1.0/users/${ALICE}/messages/xyz`)).body.error.code).toBe('ErrorInvalidIdMalformed');
    const unknown = await h.json(`/v1.0/users/${ALICE}/messages/AAMkAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ErrorItemNotFound');
    const nobody = await h.json(`/v1.0/users/nobody@contoso.example/messages`);
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('ErrorInvalidUser');
    const dave = await h.json(`/v1.0/users/dave.nomail@contoso.example/messages`);
    expect(dave.status).toBe(404);
    expect(dave.body.error.code).toBe('MailboxNotEnabledForRESTAPI');
  });

  it('PATCH isRead/categories/flag; rejects unknown properties', async () => {
    const list = await h.json(`/v1.0/users/${ALICE}/messages?$top=1`);
    const id = list.body.value[0].id;
    const patched = await h.json(`/v1.0/users/${ALICE}/messages/${u(id)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ isRead: true, categories: ['Phish'], flag: { flagStatus: 'flagged' } }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, isRead: true, categories: ['Phish'], flag: { flagStatus: 'flagged' } });
    expect(patched.body.changeKey).not.toBe(list.body.value[0].changeKey);
    const bad = await h.json(`/v1.0/users/${ALICE}/messages/${u(id)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parentFolderId: 'x' }),
    });
    expect(bad.status).toBe(400);
  });

  it('move gives a new id (201), the old id is gone; copy keeps the original; delete goes to Deleted Items, then to Recoverable Items', async () => {
    const mailbox = `/v1.0/users/${u('carol.diaz@contoso.example')}`;
    const list = await h.json(`${mailbox}/mailFolders/inbox/messages?$top=1`);
    const id = list.body.value[0].id;
    const archive = await h.json(`${mailbox}/mailFolders/archive`);
    const moved = await h.json(`${mailbox}/messages/${u(id)}/move`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ destinationId: 'archive' }),
    });
    expect(moved.status).toBe(201);
    expect(moved.body.id).not.toBe(id);
    expect(moved.body.parentFolderId).toBe(archive.body.id);
    expect((await h.json(`${mailbox}/messages/${u(id)}`)).status).toBe(404);

    const copy = await h.json(`${mailbox}/messages/${u(moved.body.id)}/copy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ destinationId: 'inbox' }),
    });
    expect(copy.status).toBe(201);
    expect((await h.json(`${mailbox}/messages/${u(moved.body.id)}`)).status).toBe(200);

    const del = await h.graph(`${mailbox}/messages/${u(copy.body.id)}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const deleted = await h.json(`${mailbox}/mailFolders/deleteditems/messages`);
    expect(deleted.body.value).toHaveLength(1);
    const again = await h.graph(`${mailbox}/messages/${u(deleted.body.value[0].id)}`, { method: 'DELETE' });
    expect(again.status).toBe(204);
    expect((await h.json(`${mailbox}/mailFolders/deleteditems/messages`)).body.value).toHaveLength(0);
    expect((await h.json(`${mailbox}/mailFolders/recoverableitemsdeletions/messages`)).body.value).toHaveLength(1);
  });

  it('attachments: file with contentBytes, item attachment with $expand item, $value raw', async () => {
    const reports = `/v1.0/users/${u(REPORTS)}`;
    const list = await h.json(`${reports}/messages?$top=5&$filter=${u('hasAttachments eq true')}`);
    const report = list.body.value.find((m: Message) => /^Report:/.test(String(m.subject)));
    const withAtt = await h.json(`${reports}/messages/${u(report.id)}?$expand=attachments`);
    expect(withAtt.body.attachments).toHaveLength(1);
    const att = withAtt.body.attachments[0];
    expect(att['@odata.type']).toBe('#microsoft.graph.itemAttachment');
    const expanded = await h.json(`${reports}/messages/${u(report.id)}/attachments?$expand=${u('microsoft.graph.itemattachment/item')}`);
    expect(expanded.body.value[0].item.subject).toMatch(/password expires/);
    const raw = await h.graph(`${reports}/messages/${u(report.id)}/attachments/${u(att.id)}/$value`);
    expect(await raw.text()).toMatch(/login-microsoft-verify\.example/);

    const alice = `/v1.0/users/${u(ALICE)}`;
    const inv = (await h.json(`${alice}/messages?$search=${u('"invoice"')}`)).body.value[0];
    const files = await h.json(`${alice}/messages/${u(inv.id)}/attachments`);
    expect(files.body.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'invoice-2024-117.txt' });
    expect(Buffer.from(files.body.value[0].contentBytes, 'base64').toString()).toMatch(/Invoice 2024-117/);
    const one = await h.graph(`${alice}/messages/${u(inv.id)}/attachments/${u(files.body.value[0].id)}/$value`);
    expect(await one.text()).toMatch(/Amount: 1,250.00 EUR/);
  });
});

describe('presence and mailbox settings', () => {
  const idOf = async (upn: string) => (await h.json(`/v1.0/users/${upn}`)).body.id as string;

  it('beta presence shows out of office with the emulator context URL, by user id only', async () => {
    const byUpn = await h.json(`/beta/users/${ALICE}/presence`);
    expect(byUpn.status).toBe(400);
    const r = await h.json(`/beta/users/${await idOf(ALICE)}/presence`);
    expect(r.body['@odata.context']).toBe(`${h.base}/beta/$metadata#communications/presences/$entity`);
    expect(r.body.outOfOfficeSettings.isOutOfOffice).toBe(true);
  });

  it('automatic replies, and the admin API can switch them', async () => {
    const r = await h.json(`/v1.0/users/${ALICE}/mailboxSettings/automaticRepliesSetting`);
    expect(r.body.status).toBe('alwaysEnabled');
    await h.admin(`/users/${SOC}/mailboxSettings`, {
      method: 'PUT',
      body: JSON.stringify({ automaticRepliesSetting: { status: 'alwaysEnabled', internalReplyMessage: 'Away' } }),
    });
    const s = await h.json(`/v1.0/users/${SOC}/mailboxSettings`);
    expect(s.body.automaticRepliesSetting).toMatchObject({ status: 'alwaysEnabled', internalReplyMessage: 'Away' });
    expect((await h.json(`/beta/users/${await idOf(SOC)}/presence`)).body.outOfOfficeSettings).toEqual({ isOutOfOffice: true, message: 'Away' });
  });
});

describe('routing', () => {
  it('unknown segment -> 400 BadRequest; wrong method -> 405; ids on every response', async () => {
    const r = await h.json(`/v1.0/users/${SOC}/nonsense`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BadRequest');
    const m = await h.json(`/v1.0/users/${SOC}/messages`, { method: 'DELETE' });
    expect(m.status).toBe(405);
    const ok = await h.graph('/v1.0/users', { headers: { 'client-request-id': 'abc-123' } });
    expect(ok.headers.get('client-request-id')).toBe('abc-123');
    expect(ok.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
