/**
 * Large attachments through an upload session (attachment-createuploadsession.md,
 * outlook-large-attachments.md): createUploadSession through our client and Microsoft's SDK,
 * the pre-authenticated uploadUrl without a token, a 20 MB file received byte-identical, and
 * Graph's errors (sizes, ranges, a token sent anyway, expiry, cancel).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Attachment, Message } from '@microsoft/microsoft-graph-types';
import { fetch, type Agent } from 'undici';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { GraphError } from '../../src/graph/errors.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { closeHttpsEmulator, startHttpsEmulator } from '../helpers/https-emulator.ts';

const SOC = 'soc@contoso.example';
const CAROL = 'carol.diaz@contoso.example';
const MB = 1024 * 1024;

interface UploadSession {
  uploadUrl: string;
  expirationDateTime: string;
  nextExpectedRanges: string[];
}

let emu: RunningEmulator;
let graph: GraphClient;
let sdk: Client;
let dispatcher: Agent;
beforeAll(async () => {
  ({ emu, graph, sdk, dispatcher } = await startHttpsEmulator());
});
afterAll(async () => closeHttpsEmulator({ emu, graph, sdk, dispatcher }));

const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as GraphError);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function draft(subject: string): Promise<Message> {
  return graph.post<Message>(`/users/${SOC}/messages`, { subject, toRecipients: [{ emailAddress: { address: CAROL } }] });
}

async function session(messageId: string, size: number, name = 'evidence.bin'): Promise<UploadSession> {
  return graph.post<UploadSession>(`/users/${SOC}/messages/${messageId}/attachments/createUploadSession`, { AttachmentItem: { attachmentType: 'file', name, size, contentType: 'application/octet-stream' } });
}

/** A PUT to the upload URL without a client (no token, as the docs ask). */
async function put(url: string, bytes: Buffer, range: string, extra: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-range': range, ...extra }, body: bytes, dispatcher });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function fileOf(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

describe('upload sessions', () => {
  it('a 20 MB file in chunks through our client (no token), then sent: the recipient gets it byte-identical', async () => {
    const file = fileOf(20 * MB);
    const d = await draft('Twenty megabytes');
    const s = await session(d.id!, file.length, 'capture.pcap');
    expect(s.nextExpectedRanges).toEqual(['0-']);
    expect(Date.parse(s.expirationDateTime)).toBeGreaterThan(Date.now());
    expect(new URL(s.uploadUrl).origin).toBe(new URL(emu.info.graphEndpoint).origin);
    expect(s.uploadUrl).toMatch(/\/api\/v2\.0\/Users\('.+'\)\/Messages\('.+'\)\/AttachmentSessions\('.+'\)\?authtoken=/);
    const target = graph.preAuthenticated(s.uploadUrl);
    const chunk = 3.5 * MB;
    let last: { status: number; headers: Record<string, string>; body: unknown } | undefined;
    for (let start = 0; start < file.length; start += chunk) {
      const end = Math.min(start + chunk, file.length) - 1;
      last = await target.request({ method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${end}/${file.length}` }, body: file.subarray(start, end + 1) });
      if (end + 1 < file.length) {
        expect(last.status).toBe(200);
        expect((last.body as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([String(end + 1)]);
      }
    }
    expect(last!.status).toBe(201);
    const attachmentId = /Attachments\('([^']+)'\)$/.exec(last!.headers.location)![1];
    const meta = await graph.get<Attachment>(`/users/${SOC}/messages/${d.id}/attachments/${attachmentId}`, { query: { $select: 'name,size,contentType' } });
    expect(meta).toMatchObject({ name: 'capture.pcap', size: file.length });
    // The upload URL's credential never reaches the request log.
    const log = await (await fetch(`${emu.url}/_emulator/requests`, { dispatcher })).json() as { entries: Array<{ path: string }> };
    expect(log.entries.some((e) => e.path.includes('AttachmentSessions'))).toBe(true);
    expect(JSON.stringify(log)).not.toContain('authtoken');

    await graph.post(`/users/${SOC}/messages/${d.id}/send`);
    const inbox = await graph.get<{ value: Message[] }>(`/users/${CAROL}/mailFolders/inbox/messages`, { query: { $filter: "subject eq 'Twenty megabytes'", $select: 'id' } });
    const received = await graph.get<{ value: Attachment[] }>(`/users/${CAROL}/messages/${inbox.value[0].id}/attachments`, { query: { $select: 'id,name,size' } });
    expect(received.value).toHaveLength(1);
    const bytes = await graph.get<Uint8Array>(`/users/${CAROL}/messages/${inbox.value[0].id}/attachments/${received.value[0].id}/$value`, { responseType: 'buffer' });
    expect(bytes.length).toBe(file.length);
    expect(sha(bytes)).toBe(sha(file));
  });

  it("Microsoft's SDK creates the session; the upload URL refuses its bearer token (401 InvalidAudienceForResource) and takes the bytes without it", async () => {
    const d = await draft('SDK session');
    const s = (await sdk.api(`/users/${SOC}/messages/${d.id}/attachments/createUploadSession`).post({ AttachmentItem: { attachmentType: 'file', name: 'memo.docx', size: 3 * MB } })) as UploadSession;
    expect(s.nextExpectedRanges).toEqual(['0-']);
    const file = fileOf(3 * MB);
    // The SDK sends its token to every host it knows: the emulator's, so the upload URL's too.
    const withToken = await sdk.api(s.uploadUrl).headers({ 'Content-Range': `bytes 0-${file.length - 1}/${file.length}`, 'Content-Type': 'application/octet-stream' }).put(file).then(() => undefined, (e: { statusCode: number; code: string }) => e);
    expect(withToken).toMatchObject({ statusCode: 401, code: 'InvalidAudienceForResource' });
    const done = await put(s.uploadUrl, file, `bytes 0-${file.length - 1}/${file.length}`);
    expect(done.status).toBe(201);
    const list = (await sdk.api(`/users/${SOC}/messages/${d.id}/attachments`).select('name,size').get()) as { value: Attachment[] };
    expect(list.value).toEqual([expect.objectContaining({ name: 'memo.docx', size: file.length })]);
  });

  it('sizes: under 3 MB and over 150 MB are refused; only file attachments', async () => {
    const d = await draft('Sizes');
    expect(await fail(session(d.id!, 3 * MB - 1))).toMatchObject({ status: 400, code: 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize' });
    expect(await fail(session(d.id!, 150 * MB + 1))).toMatchObject({ status: 400, code: 'ErrorMessageSizeExceeded' });
    expect(await fail(graph.post(`/users/${SOC}/messages/${d.id}/attachments/createUploadSession`, { AttachmentItem: { attachmentType: 'item', name: 'x', size: 4 * MB } }))).toMatchObject({ status: 400 });
    expect(await fail(graph.post(`/users/${SOC}/messages/${d.id}/attachments/createUploadSession`, {}))).toMatchObject({ status: 400 });
  });

  it('ranges: malformed, wrong total, overlapping, out of order, over 4 MB; a chunk accepted leaves the next range', async () => {
    const d = await draft('Ranges');
    const size = 9 * MB;
    const file = fileOf(size);
    const s = await session(d.id!, size);
    expect((await put(s.uploadUrl, file.subarray(0, 10), 'bytes=0-9')).status).toBe(400);
    expect(await put(s.uploadUrl, file.subarray(0, 10), `bytes 0-9/${size + 1}`)).toMatchObject({ status: 416, body: { error: expect.objectContaining({ code: 'invalidRange' }) } });
    expect((await put(s.uploadUrl, file.subarray(0, 10), `bytes 0-10/${size}`)).status).toBe(400);
    expect(await put(s.uploadUrl, file.subarray(0, 5 * MB), `bytes 0-${5 * MB - 1}/${size}`)).toMatchObject({ status: 413 });
    expect(await put(s.uploadUrl, file.subarray(0, MB), `bytes 0-${MB - 1}/${size}`)).toMatchObject({ status: 200, body: { nextExpectedRanges: [String(MB)] } });
    expect(await put(s.uploadUrl, file.subarray(0, MB), `bytes 0-${MB - 1}/${size}`)).toMatchObject({ status: 416, body: { error: { code: 'invalidRange', message: 'Uploaded fragment overlaps with existing data.' } } });
    expect(await put(s.uploadUrl, file.subarray(2 * MB, 3 * MB), `bytes ${2 * MB}-${3 * MB - 1}/${size}`)).toMatchObject({ status: 416, body: { error: { code: 'invalidRange', message: 'Uploaded fragment is out of order.' } } });
    // Resume from nextExpectedRanges after the refusals.
    expect(await put(s.uploadUrl, file.subarray(MB, 4 * MB), `bytes ${MB}-${4 * MB - 1}/${size}`)).toMatchObject({ status: 200, body: { nextExpectedRanges: [String(4 * MB)] } });
    const badToken = s.uploadUrl.replace(/authtoken=[^&]+/, 'authtoken=forged');
    expect((await put(badToken, file.subarray(4 * MB, 5 * MB), `bytes ${4 * MB}-${5 * MB - 1}/${size}`)).status).toBe(401);
  });

  it('cancel (DELETE, 204) and expiry end a session: 404 uploadSessionNotFound', async () => {
    const d = await draft('Cancel and expiry');
    const s1 = await session(d.id!, 3 * MB);
    const cancelled = await fetch(s1.uploadUrl, { method: 'DELETE', dispatcher });
    expect(cancelled.status).toBe(204);
    expect(await put(s1.uploadUrl, fileOf(MB), `bytes 0-${MB - 1}/${3 * MB}`)).toMatchObject({ status: 404, body: { error: expect.objectContaining({ code: 'uploadSessionNotFound' }) } });

    const s2 = await session(d.id!, 3 * MB);
    const lifetime = Math.ceil((Date.parse(s2.expirationDateTime) - Date.now()) / 1000) + 60;
    await fetch(`${emu.url}/_emulator/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clockOffsetSeconds: lifetime, tokenLifetimeSeconds: 10 * lifetime }), dispatcher });
    try {
      expect(await put(s2.uploadUrl, fileOf(MB), `bytes 0-${MB - 1}/${3 * MB}`)).toMatchObject({ status: 404, body: { error: expect.objectContaining({ code: 'uploadSessionNotFound' }) } });
    } finally {
      await fetch(`${emu.url}/_emulator/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clockOffsetSeconds: 0 }), dispatcher });
    }
  });

  it('a message over 35 MB is refused at send (ErrorMessageSizeExceeded) and stays a draft', async () => {
    const d = await draft('Too big to send');
    const res = await fetch(`${emu.url}/_emulator/users/${SOC}/messages/${encodeURIComponent(d.id!)}/attachments?name=huge.bin`, { method: 'POST', body: Buffer.alloc(27 * MB, 1), dispatcher });
    expect(res.status).toBe(201);
    expect(await fail(graph.post(`/users/${SOC}/messages/${d.id}/send`))).toMatchObject({ status: 400, code: 'ErrorMessageSizeExceeded' });
    const still = await graph.get<Message>(`/users/${SOC}/messages/${d.id}`, { query: { $select: 'isDraft' } });
    expect(still.isDraft).toBe(true);
  });
});
