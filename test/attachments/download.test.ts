/** src/mail/attachments against the emulator: listing without bytes, streamed $value, caps, mail files. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentTooLargeError,
  downloadAttachment,
  streamFromBytes,
  listAttachments,
  mailFileTypeOf,
  openAttachmentStream,
  readAttachmentBytes,
  sniffStream,
} from '../../src/mail/attachments.ts';
import { createLocalDestination, type AttachmentDestination } from '../../src/mail/destinations/index.ts';
import { parseMailFile } from '../../src/mail/parse/index.ts';
import { mailHarness, rawMail, SOC, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogSnapshot } from '../helpers/emulator-admin.ts';

const PHISH = rawMail({ subject: 'Your mailbox is full', from: 'IT Support <it@evil.example>', text: 'click https://evil.example/login' });

function withAttachments(subject: string): string {
  const b = 'BOUNDARY-1';
  return [
    'From: Reporter <reporter@contoso.example>',
    `To: ${SOC}`,
    `Subject: ${subject}`,
    `Message-ID: <${Date.now()}.${Math.random()}@contoso.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain',
    '',
    'Reporting this one.',
    `--${b}`,
    'Content-Type: message/rfc822',
    'Content-Disposition: attachment; filename="phish.eml"',
    '',
    PHISH,
    `--${b}`,
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="forwarded.eml"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(PHISH).toString('base64'),
    `--${b}`,
    'Content-Type: text/plain',
    'Content-Disposition: attachment; filename="notes.txt"',
    '',
    'just notes, not an email',
    `--${b}--`,
    '',
  ].join('\r\n');
}

async function consume(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

let h: MailHarness;
let dir: string;
beforeAll(async () => {
  h = await mailHarness({ seed: 'empty' });
  dir = await mkdtemp(path.join(tmpdir(), 'att-dl-'));
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

async function attachBytes(messageId: string, name: string, bytes: Buffer, contentType = 'application/octet-stream'): Promise<{ id: string; size: number }> {
  const q = new URLSearchParams({ name, contentType });
  const res = await fetch(`${h.emu.url}/_emulator/users/${encodeURIComponent(SOC)}/messages/${encodeURIComponent(messageId)}/attachments?${q}`, { method: 'POST', body: bytes });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; size: number };
}

describe('listAttachments', () => {
  it('lists kind, name, size and type without any bytes', async () => {
    const m = await h.deliver(SOC, 'Inbox', withAttachments('report 1'));
    const g = h.client();
    const list = await listAttachments(g, SOC, m.id);
    expect(list.map((a) => [a.name, a.kind])).toEqual([
      ['phish.eml', 'item'],
      ['forwarded.eml', 'file'],
      ['notes.txt', 'file'],
    ]);
    for (const a of list) {
      expect(a.id).toMatch(/^AAMk/);
      expect(a.size).toBeGreaterThan(0);
      expect(a).not.toHaveProperty('contentBytes');
    }
    // The request itself selected base properties only: Graph refuses contentBytes there.
    const bad = await g.get(`/users/${encodeURIComponent(SOC)}/messages/${encodeURIComponent(m.id)}/attachments`, { query: { $select: 'contentBytes' } }).catch((e: unknown) => e);
    expect((bad as { status: number }).status).toBe(400);
  });
});

describe('streamed download', () => {
  it('a ~20 MB attachment streams to disk with matching bytes and sha256', async () => {
    const m = await h.deliver(SOC, 'Inbox', rawMail({ subject: 'big one' }));
    const bytes = randomBytes(20 * 1024 * 1024 + 123);
    await attachBytes(m.id, 'dump.bin', bytes);
    const g = h.client();
    const [info] = await listAttachments(g, SOC, m.id);
    expect(info).toMatchObject({ name: 'dump.bin', size: bytes.length, kind: 'file' });
    const saved = await createLocalDestination(dir).save(info.name, await openAttachmentStream(g, SOC, m.id, info), { unique: true, size: info.size });
    expect(saved.bytes).toBe(bytes.length);
    const onDisk = await readFile(saved.path);
    expect(createHash('sha256').update(onDisk).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a failed save frees the mailbox slot at once (body cancelled, not left to the idle timeout)', async () => {
    const m = await h.deliver(SOC, 'Inbox', rawMail({ subject: 'slot' }));
    await attachBytes(m.id, 'x.bin', randomBytes(3 * 1024 * 1024));
    // One slot per mailbox and an idle timeout longer than the test: a leaked slot would hang.
    const g = h.client({ mailboxConcurrency: 1, streamIdleMs: 120_000 });
    const [info] = await listAttachments(g, SOC, m.id);
    const failing: AttachmentDestination = {
      kind: 'local',
      root: '/nowhere',
      async save(_name, body) {
        const reader = body.getReader();
        await reader.read();
        await reader.cancel(new Error('disk full'));
        throw new Error('disk full');
      },
    };
    await expect(failing.save(info.name, await openAttachmentStream(g, SOC, m.id, info), { unique: false })).rejects.toThrow('disk full');
    expect(await listAttachments(g, SOC, m.id)).toHaveLength(1);
    // The same with the real local destination, failing before it reads a byte.
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'in the way');
    const blocked = createLocalDestination(path.join(blocker, 'sub'));
    await expect(blocked.save(info.name, await openAttachmentStream(g, SOC, m.id, info), { unique: false })).rejects.toThrow(/Download Path/);
    expect(await listAttachments(g, SOC, m.id)).toHaveLength(1);
  });

  it('readAttachmentBytes refuses beyond its cap, before downloading a file it knows is too big', async () => {
    const m = await h.deliver(SOC, 'Inbox', rawMail({ subject: 'cap' }));
    await attachBytes(m.id, 'small.bin', Buffer.from('0123456789'));
    const g = h.client();
    const [info] = await listAttachments(g, SOC, m.id);
    expect((await readAttachmentBytes(g, SOC, m.id, info, { maxBytes: 10 })).toString()).toBe('0123456789');
    await h.admin('DELETE', '/requests');
    await expect(readAttachmentBytes(g, SOC, m.id, info, { maxBytes: 9 })).rejects.toBeInstanceOf(AttachmentTooLargeError);
    expect((await h.admin<RequestLogSnapshot>('GET', '/requests')).total).toBe(0);
    // When the size is not trusted (item attachments), the stream is counted and cut.
    await expect(readAttachmentBytes(g, SOC, m.id, { ...info, kind: 'item' }, { maxBytes: 4 })).rejects.toThrow(/larger than 4 bytes/);
    await expect(readAttachmentBytes(g, SOC, m.id, info, { maxBytes: 0 })).rejects.toBeInstanceOf(TypeError);
    // Cut streams free their slot too.
    expect(await listAttachments(g, SOC, m.id)).toHaveLength(1);
  });
});

describe('downloadAttachment', () => {
  it('saves each attachment, item attachments as their MIME, and in-memory parts via streamFromBytes', async () => {
    const m = await h.deliver(SOC, 'Inbox', withAttachments('report 4'));
    const g = h.client();
    const dest = createLocalDestination(path.join(dir, 'report-4'));
    const saved = [];
    for (const a of await listAttachments(g, SOC, m.id)) saved.push(await downloadAttachment(g, SOC, m.id, a, dest, { unique: true, subfolder: m.id }));
    expect(saved.map((s) => path.basename(s.path))).toEqual(['phish.eml', 'forwarded.eml', 'notes.txt']);
    expect(new Set(saved.map((s) => path.dirname(s.path))).size).toBe(1);
    const phish = await parseMailFile(await readFile(saved[0].path));
    expect(phish.subject).toBe('Your mailbox is full');
    expect((await readFile(saved[2].path, 'utf8')).trim()).toBe('just notes, not an email');
    const bytes = randomBytes(600 * 1024);
    const fromMemory = await dest.save('inner.bin', streamFromBytes(bytes), { unique: false });
    expect((await readFile(fromMemory.path)).equals(bytes)).toBe(true);
  });
});

describe('mail files among attachments', () => {
  it('an item attachment $value is the attached email as MIME, parsed like an .eml', async () => {
    const m = await h.deliver(SOC, 'Inbox', withAttachments('report 2'));
    const g = h.client();
    const item = (await listAttachments(g, SOC, m.id)).find((a) => a.kind === 'item')!;
    const mime = await readAttachmentBytes(g, SOC, m.id, item, { maxBytes: 1024 * 1024 });
    expect(mailFileTypeOf(item, mime)).toBe('eml');
    const parsed = await parseMailFile(mime, { fileName: item.name });
    expect(parsed.subject).toBe('Your mailbox is full');
    expect(parsed.from?.address).toBe('it@evil.example');
    expect(parsed.text).toContain('https://evil.example/login');
  });

  it('recognises file attachments that are emails by content, not by type alone', async () => {
    const m = await h.deliver(SOC, 'Inbox', withAttachments('report 3'));
    const g = h.client();
    const list = await listAttachments(g, SOC, m.id);
    const kinds: Record<string, string | null> = {};
    for (const a of list) {
      const { head, stream } = await sniffStream(await openAttachmentStream(g, SOC, m.id, a));
      kinds[a.name] = mailFileTypeOf(a, head);
      // The sniffed stream still delivers the whole body.
      const whole = await consume(stream);
      expect(whole.subarray(0, head.length).equals(Buffer.from(head))).toBe(true);
    }
    expect(kinds).toEqual({ 'phish.eml': 'eml', 'forwarded.eml': 'eml', 'notes.txt': null });
    // A .eml name on bytes that are no email is not an email.
    expect(mailFileTypeOf({ name: 'fake.eml', contentType: 'application/octet-stream', kind: 'file' }, Buffer.from('%PDF-1.7 binary'))).toBeNull();
    expect(mailFileTypeOf({ name: 'link', contentType: null, kind: 'reference' }, Buffer.from('From: a\r\nTo: b\r\n'))).toBeNull();
  });

  it('a .msg attachment is recognised as msg by content', async () => {
    const m = await h.deliver(SOC, 'Inbox', rawMail({ subject: 'msg inside' }));
    // What detection looks at: the compound-file magic and Outlook's stream names.
    const msg = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024), Buffer.from('__substg1.0_0037001F', 'utf16le')]);
    await attachBytes(m.id, 'outlook item', msg, 'application/octet-stream');
    const g = h.client();
    const [info] = await listAttachments(g, SOC, m.id);
    const { head, stream } = await sniffStream(await openAttachmentStream(g, SOC, m.id, info));
    await stream.cancel();
    expect(mailFileTypeOf(info, head)).toBe('msg');
    // A compound file that is no Outlook item (a .doc) is not a mail file, whatever its name.
    expect(mailFileTypeOf({ ...info, name: 'report.doc' }, msg.subarray(0, 512))).toBeNull();
    expect(mailFileTypeOf({ ...info, name: 'big.msg' }, msg.subarray(0, 512))).toBe('msg');
  });
});
