import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentTooLargeForGraphError,
  MAX_ATTACHMENT_BYTES,
  MissingAttachmentsError,
  REQUEST_LIMIT_BYTES,
  attachmentJsonBytes,
  base64Length,
  planAttachments,
  statAttachments,
  type LocalAttachment,
} from '../../../src/mail/send/attachments-plan.ts';

let dir: string;
const MB = 1_000_000;
const file = (name: string, size: number): LocalAttachment => ({ path: `/files/${name}`, name, size });
const DRAFT = { subject: 'Phishing warning', body: { contentType: 'text', content: 'Do not open the attachment.' }, toRecipients: [{ emailAddress: { address: 'a@x.example' } }] };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the attachments plan', () => {
  it('base64 grows a file by 4/3, rounded up to whole groups', () => {
    expect(base64Length(0)).toBe(0);
    expect(base64Length(1)).toBe(4);
    expect(base64Length(3)).toBe(4);
    expect(base64Length(2_900_000)).toBe(3_866_668);
    expect(attachmentJsonBytes(file('a.txt', 3))).toBe(Buffer.byteLength(JSON.stringify({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.txt', contentBytes: 'AAAA' })));
  });

  it('small files together under 4 MB go inside the draft request, whose size is computed exactly', () => {
    const files = [file('a.pdf', 1 * MB), file('b.png', 500_000)];
    const plan = planAttachments(DRAFT, files);
    expect(plan.attachments.map((a) => a.route)).toEqual(['draft', 'draft']);
    const real = JSON.stringify({
      ...DRAFT,
      attachments: files.map((f) => ({ '@odata.type': '#microsoft.graph.fileAttachment', name: f.name, contentBytes: 'A'.repeat(base64Length(f.size)) })),
    });
    expect(plan.draftRequestBytes).toBe(Buffer.byteLength(real));
  });

  it('several 2.9 MB files never travel as one 11 MB request: each goes on its own, under 4 MB', () => {
    const files = [file('one.zip', 2.9 * MB), file('two.zip', 2.9 * MB), file('three.zip', 2.9 * MB)];
    const plan = planAttachments(DRAFT, files);
    expect(plan.attachments.map((a) => a.route)).toEqual(['post', 'post', 'post']);
    expect(plan.draftRequestBytes).toBeLessThan(10_000);
    for (const f of files) expect(attachmentJsonBytes(f)).toBeLessThan(REQUEST_LIMIT_BYTES);
  });

  it('2.9 MiB files (over 3,000,000 bytes) go through upload sessions', () => {
    const size = Math.round(2.9 * 1024 * 1024);
    const plan = planAttachments(DRAFT, [file('a.bin', size), file('b.bin', size)]);
    expect(plan.attachments.map((a) => a.route)).toEqual(['session', 'session']);
  });

  it('a file of 3 MB or more goes through a session, the small ones beside it alone', () => {
    const plan = planAttachments(DRAFT, [file('big.iso', 20 * MB), file('note.txt', 2_000)]);
    expect(plan.attachments.map((a) => a.route)).toEqual(['session', 'post']);
  });

  it('a file just under 3 MB whose own request would pass 4 MB goes through a session', () => {
    const size = 2_999_990;
    expect(attachmentJsonBytes(file('edge.bin', size))).toBeGreaterThanOrEqual(REQUEST_LIMIT_BYTES);
    expect(planAttachments(DRAFT, [file('edge.bin', size), file('x.bin', 2 * MB)]).attachments[0].route).toBe('session');
  });

  it('a reply or forward draft (made by Graph) takes every file on its own', () => {
    const plan = planAttachments({}, [file('a.txt', 10)], { inDraftAllowed: false });
    expect(plan.attachments[0].route).toBe('post');
  });

  it('a file over 150 MB is refused by name before anything is planned', () => {
    expect(() => planAttachments(DRAFT, [file('ok.txt', 10), file('huge.vhd', MAX_ATTACHMENT_BYTES + 1)])).toThrow(AttachmentTooLargeForGraphError);
    try {
      planAttachments(DRAFT, [file('huge.vhd', 160 * MB)]);
    } catch (err) {
      expect((err as Error).message).toContain('/files/huge.vhd');
      expect((err as AttachmentTooLargeForGraphError).path).toBe('/files/huge.vhd');
    }
    expect(planAttachments(DRAFT, [file('max.vhd', MAX_ATTACHMENT_BYTES)]).attachments[0].route).toBe('session');
  });

  it('stat reads sizes without reading files, and names every missing file', async () => {
    const a = path.join(dir, 'a.txt');
    const big = path.join(dir, 'sparse.bin');
    await writeFile(a, 'hello');
    await writeFile(big, '');
    await truncate(big, 160 * MB);
    const got = await statAttachments([a, big]);
    expect(got).toEqual([
      { path: a, name: 'a.txt', size: 5 },
      { path: big, name: 'sparse.bin', size: 160 * MB },
    ]);
    expect(() => planAttachments(DRAFT, got)).toThrow(/sparse\.bin/);
    const missing = await statAttachments([a, path.join(dir, 'gone.pdf'), dir, path.join(dir, 'also-gone.txt')]).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MissingAttachmentsError);
    expect((missing as MissingAttachmentsError).paths).toEqual([path.join(dir, 'gone.pdf'), dir, path.join(dir, 'also-gone.txt')]);
    expect((missing as Error).message).toContain('gone.pdf');
  });
});
