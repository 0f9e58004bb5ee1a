import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../../src/graph/index.ts';
import { statAttachments, type LocalAttachment } from '../../../src/mail/send/attachments-plan.ts';
import { SEND_ERROR_MESSAGES, SendError, explainSendError, sendWithId } from '../../../src/mail/send/draft.ts';
import { FakeClock, baseOptions, graphError, json, scripted, type Call } from '../../graph/helpers.ts';
import type { TransportResponse } from '../../../src/graph/types.ts';

const FROM = 'soc@contoso.example';
const ORIGINAL = 'AAMkORIGINAL=';
let dir: string;
let small: LocalAttachment;
let small2: LocalAttachment;
let large: LocalAttachment;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'draft-'));
  await writeFile(path.join(dir, 'ioc.txt'), 'evil.example\n');
  await writeFile(path.join(dir, 'notes.csv'), 'a,b\n1,2\n');
  await writeFile(path.join(dir, 'capture.pcap'), Buffer.alloc(5_000_000, 7));
  [small, small2, large] = await statAttachments([path.join(dir, 'ioc.txt'), path.join(dir, 'notes.csv'), path.join(dir, 'capture.pcap')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Script {
  /** Sent Items reads answered 404, then as a draft, before the sent copy. */
  notYet?: number;
  stillDraft?: number;
  never?: boolean;
  fail?: (call: Call, route: string) => TransportResponse | undefined;
}

/** A Graph that answers as the docs say: drafts 201, send 202, createUploadSession 201, ranges 200 / 201. */
function graphScript(script: Script = {}) {
  let reads = 0;
  const handler = (call: Call): TransportResponse => {
    const url = new URL(call.url);
    const p = decodeURIComponent(url.pathname);
    const route = `${call.method} ${p.replace(/^\/v1\.0\/users\/[^/]+/, '/users/{from}')}`;
    const failed = script.fail?.(call, route);
    if (failed) return failed;
    if (p.startsWith('/upload/')) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(call.headers['Content-Range'] ?? '')!;
      return Number(m[2]) + 1 === Number(m[3])
        ? { status: 201, headers: { Location: "https://graph.test/api/v2.0/Users('u')/Messages('m')/Attachments('ATT1')" }, body: new Uint8Array() }
        : json(200, { nextExpectedRanges: [String(Number(m[2]) + 1)] });
    }
    switch (route) {
      case 'POST /users/{from}/messages':
        return json(201, { id: 'IMM-NEW', isDraft: true });
      case `POST /users/{from}/messages/${ORIGINAL}/createReply`:
      case `POST /users/{from}/messages/${ORIGINAL}/createReplyAll`:
      case `POST /users/{from}/messages/${ORIGINAL}/createForward`:
        return json(201, { id: 'IMM-DRAFT', isDraft: true });
      case 'PATCH /users/{from}/messages/IMM-DRAFT':
        return json(200, { id: 'IMM-DRAFT', isDraft: true });
      case 'POST /users/{from}/messages/IMM-NEW/attachments':
      case 'POST /users/{from}/messages/IMM-DRAFT/attachments':
        return json(201, { id: 'A1' });
      case 'POST /users/{from}/messages/IMM-NEW/attachments/createUploadSession':
      case 'POST /users/{from}/messages/IMM-DRAFT/attachments/createUploadSession':
        return json(201, { uploadUrl: 'https://graph.test/upload/S1?authtoken=tok-secret-part', expirationDateTime: '2099-01-01T00:00:00Z', nextExpectedRanges: ['0-'] });
      case 'POST /users/{from}/messages/IMM-NEW/send':
      case 'POST /users/{from}/messages/IMM-DRAFT/send':
        return { status: 202, headers: {}, body: new Uint8Array() };
      case 'DELETE /users/{from}/messages/IMM-NEW':
      case 'DELETE /users/{from}/messages/IMM-DRAFT':
        return { status: 204, headers: {}, body: new Uint8Array() };
      case 'GET /users/{from}/messages/IMM-NEW':
      case 'GET /users/{from}/messages/IMM-DRAFT': {
        reads++;
        if (script.never || reads <= (script.notYet ?? 0)) return graphError(404, 'ErrorItemNotFound');
        if (reads <= (script.notYet ?? 0) + (script.stillDraft ?? 0)) return json(200, { id: p.split('/').pop(), isDraft: true });
        return json(200, { id: p.split('/').pop(), isDraft: false, subject: 'sent', parentFolderId: 'SENTITEMS' });
      }
    }
    return graphError(404, 'ResourceNotFound');
  };
  const t = scripted(handler);
  const clock = new FakeClock();
  const graph = createGraphClient(baseOptions({ transport: t.transport, clock }));
  const routes = () => t.calls.map((c) => `${c.method} ${decodeURIComponent(new URL(c.url).pathname).replace(/^\/v1\.0\/users\/[^/]+/, '/users/{from}')}`);
  return { graph, clock, calls: t.calls, routes };
}

const MESSAGE = {
  subject: 'Phishing warning',
  body: { contentType: 'html' as const, content: '<p>Do not open it.</p>' },
  toRecipients: [{ emailAddress: { address: 'alice@contoso.example' } }],
  ccRecipients: [],
};

describe('sending with an id', () => {
  it('new mail: the draft with its small attachments inside, send, then the Sent Items copy by the same id', async () => {
    const g = graphScript({ notYet: 2, stillDraft: 1 });
    const sent = await sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE, attachments: [small, small2] }, { clock: g.clock });
    expect(g.routes()).toEqual([
      'POST /users/{from}/messages',
      'POST /users/{from}/messages/IMM-NEW/send',
      'GET /users/{from}/messages/IMM-NEW',
      'GET /users/{from}/messages/IMM-NEW',
      'GET /users/{from}/messages/IMM-NEW',
      'GET /users/{from}/messages/IMM-NEW',
    ]);
    for (const call of g.calls) expect(call.headers.Prefer).toBe('IdType="ImmutableId"');
    expect(g.calls[0].url).toBe('https://graph.test/v1.0/users/soc@contoso.example/messages');
    expect(g.calls[0].parsedBody).toEqual({
      subject: 'Phishing warning',
      body: MESSAGE.body,
      toRecipients: MESSAGE.toRecipients,
      attachments: [
        { '@odata.type': '#microsoft.graph.fileAttachment', name: 'ioc.txt', contentBytes: Buffer.from('evil.example\n').toString('base64') },
        { '@odata.type': '#microsoft.graph.fileAttachment', name: 'notes.csv', contentBytes: Buffer.from('a,b\n1,2\n').toString('base64') },
      ],
    });
    expect(g.calls[1].body).toBeUndefined();
    expect(g.calls[1].headers['Content-Length']).toBe('0');
    expect(sent).toMatchObject({ id: 'IMM-NEW', message: { id: 'IMM-NEW', isDraft: false, parentFolderId: 'SENTITEMS' }, sentItemsReads: 4 });
    expect(sent.plan.attachments.map((a) => a.route)).toEqual(['draft', 'draft']);
    // Backoff between reads: 250 ms doubling.
    expect(g.clock.sleeps).toEqual([250, 500, 1000]);
  });

  it('waits a bounded time for the Sent Items copy, then returns the id without it', async () => {
    const g = graphScript({ never: true });
    const sent = await sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE }, { clock: g.clock, sentItemsWaitMs: 10_000 });
    expect(sent.id).toBe('IMM-NEW');
    expect(sent.message).toBeNull();
    expect(g.clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(g.clock.sleeps).toEqual([250, 500, 1000, 2000, 4000, 2250]);
    expect(sent.sentItemsReads).toBe(7);
  });

  it('a reply: createReply with the comment, PATCH, a large file through a session without the token, a small one posted', async () => {
    const g = graphScript();
    const sent = await sendWithId(
      g.graph,
      { from: FROM, source: { kind: 'reply', messageId: ORIGINAL }, comment: 'Thanks, we are on it.', message: { replyTo: [{ emailAddress: { address: 'soc-desk@contoso.example' } }] }, attachments: [large, small] },
      { clock: g.clock },
    );
    expect(g.routes()).toEqual([
      `POST /users/{from}/messages/${ORIGINAL}/createReply`,
      'PATCH /users/{from}/messages/IMM-DRAFT',
      'POST /users/{from}/messages/IMM-DRAFT/attachments/createUploadSession',
      'PUT /upload/S1',
      'PUT /upload/S1',
      'POST /users/{from}/messages/IMM-DRAFT/attachments',
      'POST /users/{from}/messages/IMM-DRAFT/send',
      'GET /users/{from}/messages/IMM-DRAFT',
    ]);
    expect(g.calls[0].parsedBody).toEqual({ comment: 'Thanks, we are on it.' });
    expect(g.calls[1].parsedBody).toEqual({ replyTo: [{ emailAddress: { address: 'soc-desk@contoso.example' } }] });
    expect(g.calls[2].parsedBody).toEqual({ AttachmentItem: { attachmentType: 'file', name: 'capture.pcap', size: 5_000_000 } });
    for (const put of g.calls.filter((c) => c.method === 'PUT')) {
      expect(Object.keys(put.headers).map((k) => k.toLowerCase())).not.toContain('authorization');
      expect(put.headers.Prefer).toBeUndefined();
    }
    expect(g.calls[3].headers['Content-Range']).toBe('bytes 0-3276799/5000000');
    expect(g.calls[4].headers['Content-Range']).toBe('bytes 3276800-4999999/5000000');
    expect(g.calls[5].parsedBody).toMatchObject({ name: 'ioc.txt', contentBytes: Buffer.from('evil.example\n').toString('base64') });
    expect(sent.plan.attachments.map((a) => a.route)).toEqual(['session', 'post']);
    expect(sent.message?.id).toBe('IMM-DRAFT');
  });

  it('reply all and forward use their own Graph actions; an empty PATCH is not sent', async () => {
    const all = graphScript();
    await sendWithId(all.graph, { from: FROM, source: { kind: 'replyAll', messageId: ORIGINAL }, message: { ccRecipients: [] } }, { clock: all.clock });
    expect(all.routes().slice(0, 2)).toEqual([`POST /users/{from}/messages/${ORIGINAL}/createReplyAll`, 'POST /users/{from}/messages/IMM-DRAFT/send']);
    expect(all.calls[0].body).toBeUndefined();
    const fwd = graphScript();
    await sendWithId(fwd.graph, { from: FROM, source: { kind: 'forward', messageId: ORIGINAL }, message: { toRecipients: MESSAGE.toRecipients, subject: 'FW: evidence' } }, { clock: fwd.clock });
    expect(fwd.routes().slice(0, 3)).toEqual([`POST /users/{from}/messages/${ORIGINAL}/createForward`, 'PATCH /users/{from}/messages/IMM-DRAFT', 'POST /users/{from}/messages/IMM-DRAFT/send']);
    // message-createforward.md: the To recipients go with createForward itself; the rest is PATCHed.
    expect(fwd.calls[0].parsedBody).toEqual({ toRecipients: MESSAGE.toRecipients });
    expect(fwd.calls[1].parsedBody).toEqual({ subject: 'FW: evidence' });
  });

  it('a file the service finds too small for a session is posted instead', async () => {
    const g = graphScript({ fail: (_c, route) => (route.endsWith('/createUploadSession') ? graphError(400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize') : undefined) });
    await sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE, attachments: [{ ...large, size: 3_100_000 }] }, { clock: g.clock }).catch(() => undefined);
    expect(g.routes().slice(0, 3)).toEqual(['POST /users/{from}/messages', 'POST /users/{from}/messages/IMM-NEW/attachments/createUploadSession', 'POST /users/{from}/messages/IMM-NEW/attachments']);
  });

  it('ErrorInvalidRecipients on send: words a SOC engineer can act on, the draft deleted', async () => {
    const g = graphScript({ fail: (_c, route) => (route.endsWith('/send') ? graphError(400, 'ErrorInvalidRecipients') : undefined) });
    const err = (await sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE }, { clock: g.clock }).catch((e: unknown) => e)) as SendError;
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ stage: 'send', code: 'ErrorInvalidRecipients' });
    expect(err.message).toMatch(/To, CC, BCC and Reply-To/);
    expect((err.cause as { code: string }).code).toBe('ErrorInvalidRecipients');
    expect(g.routes()).toEqual(['POST /users/{from}/messages', 'POST /users/{from}/messages/IMM-NEW/send', 'DELETE /users/{from}/messages/IMM-NEW']);
  });

  it('a send whose answer was lost keeps the draft (it may have gone)', async () => {
    const g = graphScript({ fail: (_c, route) => (route.endsWith('/send') ? graphError(500, 'InternalServerError') : undefined) });
    const err = await sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE }, { clock: g.clock }).catch((e: unknown) => e);
    expect(err).toMatchObject({ stage: 'send', code: 'InternalServerError' });
    expect(g.routes().filter((r) => r.startsWith('DELETE'))).toEqual([]);
  });

  it('413 and ErrorMessageSizeExceeded: the size words, naming the mailbox; no draft left behind', async () => {
    const big = graphScript({ fail: (_c, route) => (route === 'POST /users/{from}/messages' ? graphError(413, 'RequestEntityTooLarge') : undefined) });
    const e1 = (await sendWithId(big.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE }, { clock: big.clock }).catch((e: unknown) => e)) as SendError;
    expect(e1).toMatchObject({ stage: 'draft', code: 'RequestEntityTooLarge' });
    expect(e1.message).toMatch(/too large \(413\)/);
    expect(big.routes()).toEqual(['POST /users/{from}/messages']);

    const size = graphScript({ fail: (_c, route) => (route.endsWith('/IMM-DRAFT/attachments') ? graphError(400, 'ErrorMessageSizeExceeded') : undefined) });
    const e2 = (await sendWithId(size.graph, { from: FROM, source: { kind: 'forward', messageId: ORIGINAL }, message: {}, attachments: [small] }, { clock: size.clock }).catch((e: unknown) => e)) as SendError;
    expect(e2).toMatchObject({ stage: 'attachments', code: 'ErrorMessageSizeExceeded' });
    expect(e2.message).toContain(FROM);
    expect(size.routes().at(-1)).toBe('DELETE /users/{from}/messages/IMM-DRAFT');
  });

  it('a file over 150 MB is refused before any request', async () => {
    const g = graphScript();
    await expect(sendWithId(g.graph, { from: FROM, source: { kind: 'new' }, message: MESSAGE, attachments: [{ ...large, size: 150_000_001 }] }, { clock: g.clock })).rejects.toThrow(/capture\.pcap/);
    expect(g.calls).toHaveLength(0);
  });

  it('the error table: one row per code, statuses as the fallback', () => {
    const codes = SEND_ERROR_MESSAGES.filter((r) => r.code).map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(explainSendError(new Error('x'), FROM)).toBeUndefined();
  });
});
