import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, harness, SOC, u, type Harness } from './helpers.ts';
import type { Message } from '@microsoft/microsoft-graph-types';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.emu.close());

const post = (path: string, body: unknown, contentType = 'application/json') =>
  h.json(path, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const CAROL = 'carol.diaz@contoso.example';

describe('sending mail', () => {
  it('sendMail: 202, copy in Sent Items, delivered to tenant recipients, custom x- headers kept', async () => {
    const r = await post(`/v1.0/users/${SOC}/sendMail`, {
      message: {
        subject: 'Vote: is this phishing?',
        body: { contentType: 'HTML', content: '<p>Reply <b>Yes</b> or <b>No</b></p>' },
        toRecipients: [{ emailAddress: { address: CAROL, name: 'Carol Diaz' } }, { emailAddress: { address: 'someone@outside.example' } }],
        internetMessageHeaders: [{ name: 'X-SOAR-Case', value: '42' }],
        attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'note.txt', contentType: 'text/plain', contentBytes: Buffer.from('hi').toString('base64') }],
      },
    });
    expect(r.status).toBe(202);
    const sent = await h.json(`/v1.0/users/${SOC}/mailFolders/sentitems/messages?$select=subject,isRead,hasAttachments`);
    expect(sent.body.value[0]).toMatchObject({ subject: 'Vote: is this phishing?', isRead: true, hasAttachments: true });
    const inbox = await h.json(`/v1.0/users/${CAROL}/mailFolders/inbox/messages?$top=1&$select=subject,from,internetMessageHeaders,body`);
    const got = inbox.body.value[0];
    expect(got.subject).toBe('Vote: is this phishing?');
    expect(got.from.emailAddress.address).toBe(SOC);
    expect(got.internetMessageHeaders).toEqual(expect.arrayContaining([{ name: 'X-SOAR-Case', value: '42' }]));
    expect(got.body.content).toContain('<b>Yes</b>');
  });

  it('sendMail rejects no recipients, non-x- headers, and needs Mail.Send', async () => {
    expect((await post(`/v1.0/users/${SOC}/sendMail`, { message: { subject: 'x' } })).body.error.code).toBe('ErrorInvalidRecipients');
    const bad = await post(`/v1.0/users/${SOC}/sendMail`, {
      message: { subject: 'x', toRecipients: [{ emailAddress: { address: CAROL } }], internetMessageHeaders: [{ name: 'Foo', value: '1' }] },
    });
    expect(bad.body.error.code).toBe('InvalidInternetMessageHeader');
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['Mail.ReadWrite'] }) });
    const token = await h.token();
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['Mail.ReadWrite', 'Mail.Send', 'User.Read.All'] }) });
    const denied = await h.json(`/v1.0/users/${SOC}/sendMail`, {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { subject: 'x', toRecipients: [{ emailAddress: { address: CAROL } }] } }),
    });
    expect(denied.status).toBe(403);
  });

  it('sendMail with base64 MIME (text/plain)', async () => {
    const mime = ['From: soc@contoso.example', `To: ${CAROL}`, 'Subject: MIME send', 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'body', ''].join('\r\n');
    const r = await post(`/v1.0/users/${SOC}/sendMail`, Buffer.from(mime).toString('base64'), 'text/plain');
    expect(r.status).toBe(202);
    const inbox = await h.json(`/v1.0/users/${CAROL}/mailFolders/inbox/messages?$top=1&$select=subject`);
    expect(inbox.body.value[0].subject).toBe('MIME send');
    expect((await post(`/v1.0/users/${SOC}/sendMail`, '***', 'text/plain')).body.error.code).toBe('ErrorMimeContentInvalidBase64String');
  });

  it('reply threads into the same conversation; forward carries attachments', async () => {
    const inbox = await h.json(`/v1.0/users/${CAROL}/mailFolders/inbox/messages?$filter=${u("subject eq 'Vote: is this phishing?'")}`);
    const vote = inbox.body.value[0];
    expect((await post(`/v1.0/users/${CAROL}/messages/${u(vote.id)}/reply`, { comment: 'Yes' })).status).toBe(202);
    const answers = await h.json(`/v1.0/users/${SOC}/mailFolders/inbox/messages?$top=1&$select=subject,body,conversationId,from`);
    const answer = answers.body.value[0];
    expect(answer.subject).toBe('RE: Vote: is this phishing?');
    // An HTML original gets an HTML reply: the comment first, then the quoted original.
    expect(answer.body.content).toMatch(/^<html><body><div>Yes<\/div><hr>/);
    const sentOriginal = await h.json(`/v1.0/users/${SOC}/mailFolders/sentitems/messages?$filter=${u("subject eq 'Vote: is this phishing?'")}&$select=conversationId`);
    expect(answer.conversationId).toBe(sentOriginal.body.value[0].conversationId);

    const fwd = await post(`/v1.0/users/${SOC}/messages/${u(sentOriginal.body.value[0].id)}/forward`, {
      comment: 'FYI',
      toRecipients: [{ emailAddress: { address: ALICE } }],
    });
    expect(fwd.status).toBe(202);
    const got = await h.json(`/v1.0/users/${ALICE}/messages?$top=1&$select=subject,hasAttachments`);
    expect(got.body.value[0]).toMatchObject({ subject: 'FW: Vote: is this phishing?', hasAttachments: true });
  });

  it('mail from a blocked sender lands in Junk Email', async () => {
    const put = await h.admin(`/users/${CAROL}/blockedSenders`, { method: 'PUT', body: JSON.stringify({ senders: [SOC] }) });
    expect(put.status).toBe(200);
    await post(`/v1.0/users/${SOC}/sendMail`, { message: { subject: 'Blocked one', toRecipients: [{ emailAddress: { address: CAROL } }] } });
    const junk = await h.json(`/v1.0/users/${CAROL}/mailFolders/junkemail/messages?$select=subject`);
    expect(junk.body.value.map((m: Message) => m.subject)).toContain('Blocked one');
  });
});
