import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAdmin } from '../../emulator/admin.ts';
import { harness, readJson, u, type Collection, type Harness } from './helpers.ts';
import type { MailFolder } from '@microsoft/microsoft-graph-types';
import type { EmulatorState } from '../../emulator/state.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness({ seed: 'empty' });
});
afterAll(() => h.emu.close());

const adminJson = async (path: string, init?: RequestInit) => {
  const res = await h.admin(path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

const RAW = [
  'From: Eve Sender <eve@partner.example>',
  'To: analyst@contoso.example',
  'Subject: Hello from the admin API',
  'Date: Tue, 02 Jan 2024 10:00:00 +0000',
  'Message-ID: <admin-test-1@partner.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Plain body.',
  '',
].join('\r\n');

describe('admin API', () => {
  it('empty seed has only the default mailbox', () => {
    expect(h.emu.info.mailboxes).toEqual([h.emu.info.defaultMailbox]);
  });

  it('creates users, folders (with parents) and messages from raw RFC 822', async () => {
    const user = await adminJson('/users', { method: 'POST', body: JSON.stringify({ userPrincipalName: 'analyst@contoso.example', displayName: 'Analyst' }) });
    expect(user.status).toBe(201);
    expect(user.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const dup = await adminJson('/users', { method: 'POST', body: JSON.stringify({ userPrincipalName: 'ANALYST@contoso.example' }) });
    expect(dup.status).toBe(400);

    const folder = await adminJson(`/users/${u('analyst@contoso.example')}/folders`, { method: 'POST', body: JSON.stringify({ path: 'Inbox/Phishing/2024' }) });
    expect(folder.status).toBe(201);
    const inbox = await h.json<Collection<MailFolder>>(`/v1.0/users/analyst@contoso.example/mailFolders/inbox/childFolders`);
    expect(inbox.body.value.map((f) => f.displayName)).toEqual(['Phishing']);

    const msg = await adminJson(`/users/${u('analyst@contoso.example')}/messages?folder=${u('Inbox/Phishing/2024')}&isRead=true&receivedDateTime=2024-01-02T10:05:00Z`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: RAW,
    });
    expect(msg.status).toBe(201);
    expect(msg.body).toMatchObject({ internetMessageId: '<admin-test-1@partner.example>', parentFolderId: folder.body.id });
    const got = await h.json(`/v1.0/users/analyst@contoso.example/messages/${u(msg.body.id)}`);
    expect(got.body).toMatchObject({ subject: 'Hello from the admin API', isRead: true, receivedDateTime: '2024-01-02T10:05:00Z' });
    expect(got.body.from.emailAddress.address).toBe('eve@partner.example');
  });

  it('users without a mailbox answer MailboxNotEnabledForRESTAPI on mail routes', async () => {
    await adminJson('/users', { method: 'POST', body: JSON.stringify({ userPrincipalName: 'nomail@contoso.example', mailbox: false }) });
    const r = await h.json('/v1.0/users/nomail@contoso.example/mailFolders');
    expect(r.body.error.code).toBe('MailboxNotEnabledForRESTAPI');
    expect((await h.json('/v1.0/users/nomail@contoso.example')).status).toBe(200);
  });

  it('presence can be set', async () => {
    const put = await adminJson(`/users/${u(h.emu.info.defaultMailbox)}/presence`, {
      method: 'PUT',
      body: JSON.stringify({ availability: 'Busy', outOfOfficeSettings: { isOutOfOffice: true, message: 'Gone fishing' } }),
    });
    expect(put.status).toBe(200);
    const id = (await h.json(`/v1.0/users/${h.emu.info.defaultMailbox}`)).body.id;
    const p = await h.json(`/beta/users/${id}/presence`);
    expect(p.body).toMatchObject({ availability: 'Busy', outOfOfficeSettings: { isOutOfOffice: true, message: 'Gone fishing' } });
  });

  it('settings validate their values and unknown keys', async () => {
    expect((await adminJson('/settings', { method: 'PUT', body: JSON.stringify({ faultRate: 2 }) })).status).toBe(400);
    expect((await adminJson('/settings', { method: 'PUT', body: JSON.stringify({ nope: 1 }) })).status).toBe(400);
    const ok = await adminJson('/settings', { method: 'PUT', body: JSON.stringify({ tokenLifetimeSeconds: 120 }) });
    expect(ok.body.tokenLifetimeSeconds).toBe(120);
    const token = await fetch(`${h.base}/${h.emu.info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: h.emu.info.clientId, client_secret: h.emu.info.clientSecret, scope: `${h.base}/.default`, grant_type: 'client_credentials' }),
    });
    expect((await readJson<{ expires_in: number }>(token)).expires_in).toBe(120);
  });

  it('request log: counters and entries; DELETE clears', async () => {
    await h.admin('/requests', { method: 'DELETE' });
    await h.graph('/v1.0/users');
    await h.graph('/v1.0/users/nobody@contoso.example/messages');
    const log = await adminJson('/requests');
    expect(log.body.total).toBe(2);
    expect(log.body.byStatus).toEqual({ '200': 1, '404': 1 });
    expect(log.body.entries[1]).toMatchObject({ method: 'GET', path: '/v1.0/users/nobody@contoso.example/messages', status: 404, mailbox: 'nobody@contoso.example' });
    expect(typeof log.body.entries[0].ms).toBe('number');
    await h.admin('/requests', { method: 'DELETE' });
    expect((await adminJson('/requests')).body).toEqual({ total: 0, byStatus: {}, entries: [] });
  });

  it('reset to demo brings the demo tenant; reset to empty clears it', async () => {
    const demo = await adminJson('/reset', { method: 'POST', body: JSON.stringify({ seed: 'demo' }) });
    expect(demo.body.mailboxes).toContain('phishing-reports@contoso.example');
    const phish = await h.json(`/v1.0/users/soc@contoso.example/messages?$filter=${u("subject eq 'Action required: your mailbox password expires today'")}`);
    expect(phish.body.value).toHaveLength(1);
    const empty = await adminJson('/reset', { method: 'POST', body: JSON.stringify({ seed: 'empty' }) });
    expect(empty.body.mailboxes).toEqual([h.emu.info.defaultMailbox]);
    expect((await h.json('/v1.0/users/analyst@contoso.example')).status).toBe(404);
  });

  it('routes by method and path: anything else is a 404 naming both', async () => {
    const unknown = await adminJson('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NotFound', message: 'No admin route GET /_emulator/nope.' });
    // A known path with another method is a 404 too, not a 405.
    const wrongMethod = await adminJson('/settings', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.message).toBe('No admin route DELETE /_emulator/settings.');
    // Literals match exactly; empty segments are ignored; {upn} is decoded.
    expect((await adminJson('/Settings')).status).toBe(404);
    expect((await adminJson('/settings/')).status).toBe(200);
    const blocked = await adminJson(`/users/${u(h.emu.info.defaultMailbox)}/blockedSenders`);
    expect(blocked).toEqual({ status: 200, body: { senders: [] } });
  });

  it('answers loopback callers only', async () => {
    // Only the clock is needed: the loopback check comes before any route.
    const res = await handleAdmin({ now: () => 0 } as Partial<EmulatorState> as EmulatorState, {
      method: 'GET',
      path: '/_emulator/requests',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.alloc(0),
      remoteAddress: '10.1.2.3',
    }).catch(() => undefined);
    expect(res?.status).toBe(403);
  });
});
