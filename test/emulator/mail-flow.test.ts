/**
 * The emulator's mail flow (CONTRACT.md §5, issue 11): drafts, reply/forward drafts, send,
 * delivery with Exchange's threading, outbound mail, NDRs. Each route through our client
 * (src/graph) and Microsoft's SDK; the admin API over the SDK's dispatcher (HTTPS, the emulator's CA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Attachment, Message } from '@microsoft/microsoft-graph-types';
import { fetch, type Agent } from 'undici';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { GraphError } from '../../src/graph/errors.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { closeHttpsEmulator, startHttpsEmulator } from '../helpers/https-emulator.ts';

const SOC = 'soc@contoso.example';
const ALICE = 'alice.martin@contoso.example';
const CAROL = 'carol.diaz@contoso.example';
const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };
const VOTE_PROP = 'String {00020329-0000-0000-c000-000000000046} Name x-soar-vote';

let emu: RunningEmulator;
let graph: GraphClient;
let sdk: Client;
let dispatcher: Agent;
beforeAll(async () => {
  ({ emu, graph, sdk, dispatcher } = await startHttpsEmulator());
});
afterAll(async () => closeHttpsEmulator({ emu, graph, sdk, dispatcher }));

const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as GraphError);
const sdkFail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { statusCode: number; code: string });

async function admin<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    dispatcher,
  });
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The newest message of a folder with this subject, as Graph lists it. */
async function find(user: string, folder: string, subject: string, select = 'id,subject,conversationId,conversationIndex,internetMessageId,internetMessageHeaders,toRecipients,ccRecipients,bccRecipients,from,hasAttachments,body,parentFolderId,isDraft'): Promise<Message | undefined> {
  const page = await graph.get<{ value: Message[] }>(`/users/${user}/mailFolders/${folder}/messages`, { query: { $filter: `subject eq '${subject.replace(/'/g, "''")}'`, $select: select } });
  return page.value[0];
}

const header = (m: Message | undefined, name: string) => m?.internetMessageHeaders?.find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value;
const to = (...addresses: string[]) => addresses.map((address) => ({ emailAddress: { address } }));

describe('drafts', () => {
  it('POST /messages makes a draft in Drafts (201, immutable id on request), PATCH edits it, attachments are added, send moves it to Sent Items and delivers it', async () => {
    const drafts = await graph.get<{ id: string }>(`/users/${SOC}/mailFolders/drafts`);
    const created = await graph.request<Message>({ method: 'POST', path: `/users/${SOC}/messages`, headers: IMMUTABLE, body: { subject: 'Draft one', body: { contentType: 'Text', content: 'first' }, toRecipients: to(CAROL) } });
    expect(created.status).toBe(201);
    expect(created.headers['preference-applied']).toBe('IdType="ImmutableId"');
    const draft = created.body;
    expect(draft).toMatchObject({ isDraft: true, isRead: true, subject: 'Draft one', parentFolderId: drafts.id });
    expect(draft.id).toMatch(/^AAkA/);
    expect(draft.internetMessageId).toMatch(/^<.+@.+>$/);

    // PATCH through Microsoft's SDK: recipients, subject, body, importance, x- headers, an extended property.
    const patched = (await sdk.api(`/users/${SOC}/messages/${draft.id}`).patch({
      subject: 'Draft one (final)',
      body: { contentType: 'HTML', content: '<p>Please <b>confirm</b></p>' },
      toRecipients: to(CAROL, 'partner@fabrikam.example'),
      ccRecipients: to('nobody@contoso.example'),
      bccRecipients: to(ALICE, 'hidden@fabrikam.example'),
      replyTo: to('soc-team@contoso.example'),
      importance: 'high',
      internetMessageHeaders: [{ name: 'X-SOAR-Case', value: '4711' }],
      singleValueExtendedProperties: [{ id: VOTE_PROP, value: 'Yes;No' }],
    })) as Message;
    expect(patched).toMatchObject({ subject: 'Draft one (final)', importance: 'high', isDraft: true });
    expect(patched.bccRecipients?.map((r) => r.emailAddress?.address)).toEqual([ALICE, 'hidden@fabrikam.example']);
    const expanded = (await sdk.api(`/users/${SOC}/messages/${draft.id}`).expand(`singleValueExtendedProperties($filter=id eq '${VOTE_PROP}')`).get()) as Message;
    expect(expanded.singleValueExtendedProperties).toEqual([{ id: VOTE_PROP, value: 'Yes;No' }]);
    expect(await fail(graph.patch(`/users/${SOC}/messages/${draft.id}`, { internetMessageHeaders: [{ name: 'Subject', value: 'x' }] }))).toMatchObject({ status: 400, code: 'InvalidInternetMessageHeader' });

    const file = await graph.post<Attachment & { contentBytes: string }>(`/users/${SOC}/messages/${draft.id}/attachments`, {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'iocs.csv',
      contentType: 'text/csv',
      contentBytes: Buffer.from('ip,hits\n198.51.100.23,4\n').toString('base64'),
    });
    expect(file).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'iocs.csv', size: 24 });
    const item = (await sdk.api(`/users/${SOC}/messages/${draft.id}/attachments`).post({
      '@odata.type': '#microsoft.graph.itemAttachment',
      name: 'Reported phish',
      item: { '@odata.type': '#microsoft.graph.message', subject: 'You won', body: { contentType: 'Text', content: 'click here' } },
    })) as Attachment;
    expect(item).toMatchObject({ '@odata.type': '#microsoft.graph.itemAttachment', name: 'Reported phish' });

    await sdk.api(`/users/${SOC}/messages/${draft.id}/send`).post(null);
    // The draft is now the Sent Items copy: same immutable id, no longer a draft, Bcc kept for the sender.
    const sentItems = await graph.get<{ id: string }>(`/users/${SOC}/mailFolders/sentitems`);
    const sent = await graph.get<Message>(`/users/${SOC}/messages/${draft.id}`, { headers: IMMUTABLE });
    expect(sent).toMatchObject({ id: draft.id, isDraft: false, parentFolderId: sentItems.id, subject: 'Draft one (final)', hasAttachments: true, internetMessageId: draft.internetMessageId });
    expect(sent.bccRecipients?.length).toBe(2);
    expect(await find(SOC, 'drafts', 'Draft one (final)')).toBeUndefined();

    // Delivered: To and Bcc in the tenant, with the attachments, the x- header and the extended property.
    const carols = await find(CAROL, 'inbox', 'Draft one (final)');
    expect(carols).toMatchObject({ hasAttachments: true, internetMessageId: draft.internetMessageId, isDraft: false });
    expect(header(carols, 'X-SOAR-Case')).toBe('4711');
    expect(header(carols, 'Importance')).toBe('high');
    expect(header(carols, 'Bcc')).toBeUndefined();
    expect(carols?.bccRecipients).toEqual([]);
    const carolsAttachments = await graph.get<{ value: Attachment[] }>(`/users/${CAROL}/messages/${carols!.id}/attachments`, { query: { $select: 'name,size' } });
    expect(carolsAttachments.value.map((a) => a.name).sort()).toEqual(['Reported phish.eml', 'iocs.csv']);
    const carolsVote = (await sdk.api(`/users/${CAROL}/messages/${carols!.id}`).expand(`singleValueExtendedProperties($filter=id eq '${VOTE_PROP}')`).get()) as Message;
    expect(carolsVote.singleValueExtendedProperties).toEqual([{ id: VOTE_PROP, value: 'Yes;No' }]);
    expect(await find(ALICE, 'inbox', 'Draft one (final)')).toMatchObject({ internetMessageId: draft.internetMessageId });

    // Outside addresses were relayed; the unknown address of the tenant's own domain bounced.
    const outbound = await admin<{ messages: Array<Record<string, unknown>> }>('/outbound');
    expect(outbound.messages).toContainEqual(expect.objectContaining({ from: SOC, to: ['partner@fabrikam.example'], cc: [], bcc: ['hidden@fabrikam.example'], subject: 'Draft one (final)', internetMessageId: draft.internetMessageId }));
    const ndr = await find(SOC, 'inbox', 'Undeliverable: Draft one (final)');
    expect(ndr?.from?.emailAddress?.name).toBe('Microsoft Outlook');
    expect(header(ndr, 'In-Reply-To')).toBe(draft.internetMessageId);
    const ndrMime = await graph.get<Buffer>(`/users/${SOC}/messages/${ndr!.id}/$value`, { responseType: 'buffer' });
    expect(Buffer.from(ndrMime).toString('utf8')).toMatch(/Final-Recipient: rfc822;nobody@contoso\.example\r\nAction: failed\r\nStatus: 5\.1\.10/);
  });

  it('a draft in a folder of the path; a sent message cannot be sent again or have its body changed; send needs valid recipients', async () => {
    const folder = await admin<{ id: string }>(`/users/${SOC}/folders`, { method: 'POST', body: { path: 'Drafts/Templates' } });
    const inFolder = (await sdk.api(`/users/${SOC}/mailFolders/${folder.id}/messages`).post({ subject: 'Template A' })) as Message;
    expect(inFolder).toMatchObject({ parentFolderId: folder.id, isDraft: true });
    expect(await fail(graph.post(`/users/${SOC}/messages/${inFolder.id}/send`))).toMatchObject({ status: 400, code: 'ErrorInvalidRecipients' });
    await graph.patch(`/users/${SOC}/messages/${inFolder.id}`, { toRecipients: to('not an address') });
    expect(await fail(graph.post(`/users/${SOC}/messages/${inFolder.id}/send`))).toMatchObject({ status: 400, code: 'ErrorInvalidRecipients' });
    const received = await find(CAROL, 'inbox', 'Draft one (final)');
    expect(await fail(graph.post(`/users/${CAROL}/messages/${received!.id}/send`))).toMatchObject({ status: 400 });
    expect(await fail(graph.patch(`/users/${CAROL}/messages/${received!.id}`, { body: { contentType: 'text', content: 'x' } }))).toMatchObject({ status: 400, code: 'ErrorInvalidPropertyUpdateSentMessage' });
  });

  it('a request over 4 MB is a 413 (our client and the SDK)', async () => {
    const draft = await graph.post<Message>(`/users/${SOC}/messages`, { subject: 'Too big inline', toRecipients: to(CAROL) });
    const big = Buffer.alloc(3 * 1024 * 1024 + 200_000, 7).toString('base64');
    const err = await fail(graph.post(`/users/${SOC}/messages/${draft.id}/attachments`, { '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.bin', contentBytes: big }));
    expect(err).toMatchObject({ status: 413, code: 'RequestEntityTooLarge' });
    const viaSdk = await sdkFail(sdk.api(`/users/${SOC}/sendMail`).post({ message: { subject: 'x', toRecipients: to(CAROL), attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.bin', contentBytes: big }] } }));
    expect(viaSdk).toMatchObject({ statusCode: 413, code: 'RequestEntityTooLarge' });
  });

  it('several 2.9 MB files, each in its own request under 4 MB, go out together; DELETE of an attachment takes it off the draft (204)', async () => {
    const d = await graph.post<Message>(`/users/${SOC}/messages`, { subject: 'Three files', toRecipients: to(CAROL) });
    const size = Math.floor(2.9 * 1024 * 1024);
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const a = await graph.post<Attachment>(`/users/${SOC}/messages/${d.id}/attachments`, { '@odata.type': '#microsoft.graph.fileAttachment', name: `part${n}.bin`, contentBytes: Buffer.alloc(size, n).toString('base64') });
      ids.push(a.id!);
    }
    await sdk.api(`/users/${SOC}/messages/${d.id}/attachments/${ids[3]}`).delete();
    expect(await fail(graph.delete(`/users/${SOC}/messages/${d.id}/attachments/${ids[3]}`))).toMatchObject({ status: 404, code: 'ErrorItemNotFound' });
    await graph.post(`/users/${SOC}/messages/${d.id}/send`);
    const got = await find(CAROL, 'inbox', 'Three files');
    const files = await graph.get<{ value: Attachment[] }>(`/users/${CAROL}/messages/${got!.id}/attachments`, { query: { $select: 'name,size' } });
    expect(files.value.map((a) => [a.name, a.size])).toEqual([['part1.bin', size], ['part2.bin', size], ['part3.bin', size]]);
  });
});

describe('threads', () => {
  it('createReply / createReplyAll: RE: drafts to the right people, threaded; sent, both mailboxes see one conversation', async () => {
    await graph.post(`/users/${SOC}/sendMail`, { message: { subject: 'Is this phishing?', body: { contentType: 'Text', content: 'Please check.' }, toRecipients: to(CAROL, ALICE), ccRecipients: to('phishing-reports@contoso.example') } });
    const original = await find(CAROL, 'inbox', 'Is this phishing?');
    expect(original).toBeDefined();

    const replyAll = await graph.post<Message>(`/users/${CAROL}/messages/${original!.id}/createReplyAll`, { comment: 'Looks like it.' });
    expect(replyAll.subject).toBe('RE: Is this phishing?');
    expect(replyAll.toRecipients?.map((r) => r.emailAddress?.address)).toEqual([SOC, ALICE]);
    expect(replyAll.ccRecipients?.map((r) => r.emailAddress?.address)).toEqual(['phishing-reports@contoso.example']);
    expect(await fail(graph.post(`/users/${CAROL}/messages/${original!.id}/createReply`, { comment: 'a', message: { body: { contentType: 'text', content: 'b' } } }))).toMatchObject({ status: 400 });

    const reply = (await sdk.api(`/users/${CAROL}/messages/${original!.id}/createReply`).post({ comment: 'Yes, it is.' })) as Message;
    expect(reply).toMatchObject({ subject: 'RE: Is this phishing?', isDraft: true, conversationId: original!.conversationId });
    expect(reply.toRecipients?.map((r) => r.emailAddress?.address)).toEqual([SOC]);
    expect(reply.body?.content).toMatch(/^Yes, it is\./);
    await sdk.api(`/users/${CAROL}/messages/${reply.id}/send`).post(null);

    // The sender's view: the original in Sent Items and the answer in the Inbox, one conversation.
    const sentOriginal = await find(SOC, 'sentitems', 'Is this phishing?');
    const answer = await find(SOC, 'inbox', 'RE: Is this phishing?');
    expect(header(answer, 'In-Reply-To')).toBe(sentOriginal!.internetMessageId);
    expect(header(answer, 'References')).toBe(sentOriginal!.internetMessageId);
    expect(answer!.conversationId).toBe(sentOriginal!.conversationId);
    const rootIndex = Buffer.from(sentOriginal!.conversationIndex!, 'base64');
    const childIndex = Buffer.from(answer!.conversationIndex!, 'base64');
    expect(rootIndex.length).toBe(22);
    expect(childIndex.length).toBe(27);
    expect(childIndex.subarray(0, 22).equals(rootIndex)).toBe(true);
    // The replier's view: the original in the Inbox and the reply in Sent Items, one conversation.
    const carolsReply = await find(CAROL, 'sentitems', 'RE: Is this phishing?');
    expect(carolsReply!.conversationId).toBe(original!.conversationId);
    expect(carolsReply!.internetMessageId).toBe(answer!.internetMessageId);

    // A reply to the reply carries the whole chain.
    await graph.post(`/users/${SOC}/messages/${answer!.id}/reply`, { comment: 'Thanks, purging.' });
    const second = await find(CAROL, 'inbox', 'RE: Is this phishing?');
    expect(header(second, 'References')).toBe(`${sentOriginal!.internetMessageId} ${answer!.internetMessageId}`);
    expect(second!.conversationId).toBe(original!.conversationId);
  });

  it('createForward: FW: draft with the original attachments; toRecipients exactly once; the forward threads under the original', async () => {
    await graph.post(`/users/${SOC}/sendMail`, {
      message: { subject: 'Evidence', body: { contentType: 'HTML', content: '<p>see file</p>' }, toRecipients: to(CAROL), attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'sample.txt', contentType: 'text/plain', contentBytes: Buffer.from('evil').toString('base64') }] },
    });
    const original = await find(SOC, 'sentitems', 'Evidence');
    expect(await fail(graph.post(`/users/${SOC}/messages/${original!.id}/createForward`, { comment: 'x' }))).toMatchObject({ status: 400 });
    expect(await fail(graph.post(`/users/${SOC}/messages/${original!.id}/createForward`, { toRecipients: to(ALICE), message: { toRecipients: to(ALICE) } }))).toMatchObject({ status: 400 });
    const fw = (await sdk.api(`/users/${SOC}/messages/${original!.id}/createForward`).post({ comment: 'For the vendor', toRecipients: to(ALICE, 'vendor@fabrikam.example') })) as Message;
    expect(fw).toMatchObject({ subject: 'FW: Evidence', isDraft: true, hasAttachments: true, conversationId: original!.conversationId });
    await graph.post(`/users/${SOC}/messages/${fw.id}/send`);

    const alices = await find(ALICE, 'inbox', 'FW: Evidence');
    expect(header(alices, 'In-Reply-To')).toBe(original!.internetMessageId);
    const files = await graph.get<{ value: Attachment[] }>(`/users/${ALICE}/messages/${alices!.id}/attachments`, { query: { $select: 'name' } });
    expect(files.value.map((a) => a.name)).toEqual(['sample.txt']);
    const sentForward = await find(SOC, 'sentitems', 'FW: Evidence');
    expect(sentForward!.conversationId).toBe(original!.conversationId);
    // Alice answers the forward: the answer joins the sender's conversation too.
    await graph.post(`/users/${ALICE}/messages/${alices!.id}/reply`, { comment: 'Got it' });
    const back = await find(SOC, 'inbox', 'RE: FW: Evidence');
    expect(back!.conversationId).toBe(original!.conversationId);
    const outbound = await admin<{ messages: Array<{ to: string[]; subject: string }> }>('/outbound');
    expect(outbound.messages).toContainEqual(expect.objectContaining({ to: ['vendor@fabrikam.example'], subject: 'FW: Evidence' }));
    expect((await admin<{ messages: unknown[] }>('/outbound', { method: 'DELETE' })) ?? null).toBeNull();
    expect((await admin<{ messages: unknown[] }>('/outbound')).messages).toEqual([]);
  });
});

describe('inline images', () => {
  it('an inline fileAttachment with a contentId reaches the recipient inline, referenced by cid:', async () => {
    const d = await graph.post<Message>(`/users/${SOC}/messages`, {
      subject: 'Inline logo',
      importance: 'Low',
      body: { contentType: 'HTML', content: '<p><img src="cid:logo@soar"></p>' },
      toRecipients: to(CAROL),
      attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'logo.png', contentType: 'image/png', isInline: true, contentId: 'logo@soar', contentBytes: Buffer.from('PNG').toString('base64') }],
    });
    expect(d).toMatchObject({ hasAttachments: false, importance: 'low' });
    await graph.patch(`/users/${SOC}/messages/${d.id}`, { importance: 'High' });
    await graph.post(`/users/${SOC}/messages/${d.id}/send`);
    const got = await find(CAROL, 'inbox', 'Inline logo');
    expect(got).toMatchObject({ hasAttachments: false });
    expect(header(got, 'Importance')).toBe('high');
    const files = await graph.get<{ value: Array<Attachment & { contentId?: string }> }>(`/users/${CAROL}/messages/${got!.id}/attachments`);
    expect(files.value[0]).toMatchObject({ name: 'logo.png', isInline: true, contentId: 'logo@soar' });
  });
});

describe('MIME drafts and auto-replies', () => {
  it('a MIME draft (base64 text/plain) is sent as given, less its Bcc header; bad base64 is ErrorMimeContentInvalidBase64String', async () => {
    const mime = [`From: ${SOC}`, `To: ${CAROL}`, `Bcc: ${ALICE}`, 'Subject: MIME draft', 'X-Signed: kept', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'exact body', ''].join('\r\n');
    const res = await graph.request<Message>({ method: 'POST', path: `/users/${SOC}/messages`, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from(mime).toString('base64') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ isDraft: true, subject: 'MIME draft' });
    await graph.post(`/users/${SOC}/messages/${res.body.id}/send`);
    const carols = await find(CAROL, 'inbox', 'MIME draft');
    const raw = Buffer.from(await graph.get<Uint8Array>(`/users/${CAROL}/messages/${carols!.id}/$value`, { responseType: 'buffer' })).toString('utf8');
    expect(raw).toContain('X-Signed: kept');
    expect(raw).toContain('exact body');
    expect(raw).not.toMatch(/^bcc:/im);
    expect(await find(ALICE, 'inbox', 'MIME draft')).toBeDefined();
    expect(await fail(graph.request({ method: 'POST', path: `/users/${SOC}/messages`, headers: { 'Content-Type': 'text/plain' }, body: '***' }))).toMatchObject({ status: 400, code: 'ErrorMimeContentInvalidBase64String' });
  });

  it('POST /_emulator/users/{upn}/auto-reply: the mailbox answers new Inbox mail in the thread, never an auto-reply; {"body": null} stops it', async () => {
    expect(await admin(`/users/${CAROL}/auto-reply`, { method: 'POST', body: { body: 'Approve', delaySeconds: 0 } })).toEqual({ body: 'Approve', delaySeconds: 0 });
    expect(await admin(`/users/${ALICE}/auto-reply`, { method: 'POST', body: { body: 'Out of office' } })).toEqual({ body: 'Out of office', delaySeconds: 0 });
    await sdk.api(`/users/${SOC}/sendMail`).post({ message: { subject: 'Approve the purge?', toRecipients: to(CAROL) } });
    const sent = await find(SOC, 'sentitems', 'Approve the purge?');
    const answer = await find(SOC, 'inbox', 'RE: Approve the purge?');
    expect(answer?.body?.content).toMatch(/^Approve/);
    expect(header(answer, 'In-Reply-To')).toBe(sent!.internetMessageId);
    expect(answer!.conversationId).toBe(sent!.conversationId);
    // Carol's auto-reply to Alice is not answered by Alice's (no loop).
    await graph.post(`/users/${ALICE}/sendMail`, { message: { subject: 'Loop?', toRecipients: to(CAROL) } });
    expect(await find(ALICE, 'inbox', 'RE: Loop?')).toBeDefined();
    expect(await find(CAROL, 'inbox', 'RE: RE: Loop?')).toBeUndefined();
    await admin(`/users/${CAROL}/auto-reply`, { method: 'POST', body: { body: null } });
    await admin(`/users/${ALICE}/auto-reply`, { method: 'POST', body: { body: null } });
    await graph.post(`/users/${SOC}/sendMail`, { message: { subject: 'No answer now', toRecipients: to(CAROL) } });
    expect(await find(SOC, 'inbox', 'RE: No answer now')).toBeUndefined();
  });
});
