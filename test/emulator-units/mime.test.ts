import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHeaderBlock, parseMime } from '../../emulator/mime.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

const PHISH = crlf([
  'Received: from mx.example.net by mail.contoso.com; Tue, 2 Jan 2024 10:00:05 +0000',
  'Received: from relay.example.net by mx.example.net; Tue, 2 Jan 2024 09:59:00 +0000',
  'From: "IT Support" <support@evil.example>',
  'Sender: bulk@evil.example',
  'To: Alice <alice@contoso.com>, bob@contoso.com',
  'Cc: =?utf-8?q?Caf=C3=A9_Team?= <cafe@contoso.com>',
  'Reply-To: reply@evil.example',
  'Subject: =?utf-8?b?UGFzc3dvcmQgZXhwaXJ5IOKAkyBhY3Rpb24gcmVxdWlyZWQ=?=',
  'Date: Tue, 2 Jan 2024 09:58:00 +0000',
  'Message-ID: <phish-1@evil.example>',
  'References: <root@evil.example> <mid@evil.example>',
  'In-Reply-To: <mid@evil.example>',
  'X-Priority: 1',
  'X-Long-Header: first part',
  '\tcontinued part',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: multipart/related; boundary="b2"',
  '',
  '--b2',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<html><head><style>p{color:red}</style></head><body><p>Your   password&nbsp;expires <b>today</b>.</p><img src="cid:logo@x"></body></html>',
  '--b2',
  'Content-Type: image/png',
  'Content-ID: <logo@x>',
  'Content-Disposition: inline',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgo=',
  '--b2--',
  '--b1',
  'Content-Type: application/pdf; name="invoice.pdf"',
  'Content-Disposition: attachment; filename="invoice.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQK',
  '--b1',
  'Content-Type: message/rfc822',
  'Content-Disposition: attachment',
  '',
  'From: inner@example.org',
  'Subject: Inner message',
  'Message-ID: <inner@example.org>',
  '',
  'inner body',
  '--b1--',
  '',
]);

describe('parseMime', () => {
  it('maps headers, addresses and dates the way Graph shows them', async () => {
    const { message, conversationKey } = await parseMime(PHISH);
    expect(message.subject).toBe('Password expiry – action required');
    expect(message.from).toEqual({ emailAddress: { name: 'IT Support', address: 'support@evil.example' } });
    expect(message.sender).toEqual({ emailAddress: { name: 'bulk@evil.example', address: 'bulk@evil.example' } });
    expect(message.toRecipients).toEqual([
      { emailAddress: { name: 'Alice', address: 'alice@contoso.com' } },
      { emailAddress: { name: 'bob@contoso.com', address: 'bob@contoso.com' } },
    ]);
    expect(message.ccRecipients).toEqual([{ emailAddress: { name: 'Café Team', address: 'cafe@contoso.com' } }]);
    expect(message.bccRecipients).toEqual([]);
    expect(message.replyTo).toEqual([{ emailAddress: { name: 'reply@evil.example', address: 'reply@evil.example' } }]);
    // Topmost Received header = delivery into the mailbox.
    expect(message.receivedDateTime).toBe('2024-01-02T10:00:05Z');
    expect(message.sentDateTime).toBe('2024-01-02T09:58:00Z');
    expect(message.internetMessageId).toBe('<phish-1@evil.example>');
    expect(conversationKey).toBe('<root@evil.example>');
    expect(message.importance).toBe('high');
    expect(message.isRead).toBe(false);
    expect(message.isDraft).toBe(false);
    expect(message.inferenceClassification).toBe('focused');
    expect(message.categories).toEqual([]);
    expect(message.flag).toEqual({ flagStatus: 'notFlagged' });
  });

  it('keeps every top-level header, unfolded and raw', async () => {
    const { message } = await parseMime(PHISH);
    const headers = message.internetMessageHeaders as { name: string; value: string }[];
    expect(headers.filter((h) => h.name === 'Received')).toHaveLength(2);
    expect(headers.find((h) => h.name === 'X-Long-Header')?.value).toBe('first part\tcontinued part');
    expect(headers.find((h) => h.name === 'Subject')?.value).toMatch(/^=\?utf-8\?b\?/);
    // Part headers are not message headers.
    expect(headers.some((h) => h.name === 'Content-ID')).toBe(false);
  });

  it('returns the html body and a collapsed text preview', async () => {
    const { message } = await parseMime(PHISH);
    const body = message.body as { contentType: string; content: string };
    expect(body.contentType).toBe('html');
    expect(body.content).toContain('<b>today</b>');
    expect(message.bodyPreview).toBe('Your password expires today .');
  });

  it('keeps attached emails as item attachments and separates inline images', async () => {
    const { message, attachments } = await parseMime(PHISH);
    expect(attachments.map((a) => [a.kind, a.name, a.isInline])).toEqual([
      ['file', 'ATT00001.png', true],
      ['file', 'invoice.pdf', false],
      ['item', 'Inner message', false],
    ]);
    const logo = attachments[0]!;
    expect(logo.contentId).toBe('logo@x');
    expect(logo.content.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect(attachments[1]!.content.toString('latin1')).toBe('%PDF-1.4\n');
    expect(attachments[1]!.size).toBe(9);
    const inner = attachments[2]!;
    expect(inner.contentType).toBe('message/rfc822');
    expect(inner.content.toString('utf8')).toContain('Message-ID: <inner@example.org>');
    // The inner message must not leak into the outer body.
    expect((message.body as { content: string }).content).not.toContain('inner body');
    expect(message.hasAttachments).toBe(true);
  });

  it('reports hasAttachments false when only inline parts exist', async () => {
    const raw = crlf([
      'From: a@b.c',
      'Subject: inline only',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html',
      '',
      '<img src="cid:i1">',
      '--r',
      'Content-Type: image/gif',
      'Content-ID: <i1>',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAAAAACw=',
      '--r--',
    ]);
    const parsed = await parseMime(raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.isInline).toBe(true);
    expect(parsed.message.hasAttachments).toBe(false);
  });

  it('handles plain text mail with no Message-ID, Date or Received', async () => {
    const raw = Buffer.from('From: x@y.z\nSubject: hi\nImportance: Low\n\nHello\n\n  world\n');
    const a = await parseMime(raw);
    const b = await parseMime(raw);
    expect(a.message.body).toEqual({ contentType: 'text', content: 'Hello\n\n  world\n' });
    expect(a.message.bodyPreview).toBe('Hello world');
    expect(a.message.importance).toBe('low');
    expect(a.message.internetMessageId).toMatch(/^<[0-9a-f]{32}@emulator\.local>$/);
    // Stable across imports of the same bytes, and the thread root is the message itself.
    expect(b.message.internetMessageId).toBe(a.message.internetMessageId);
    expect(a.conversationKey).toBe(a.message.internetMessageId);
    expect(a.message.receivedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('uses In-Reply-To as thread root when References is missing', async () => {
    const raw = Buffer.from('Message-ID: <c@x>\r\nIn-Reply-To: <p@x>\r\nSubject: re\r\n\r\nbody');
    expect((await parseMime(raw)).conversationKey).toBe('<p@x>');
  });

  it('truncates the preview to 255 characters', async () => {
    const raw = Buffer.from(`Subject: long\r\n\r\n${'word '.repeat(200)}`);
    const { message } = await parseMime(raw);
    expect((message.bodyPreview as string).length).toBe(255);
  });

  it('does not crash on garbage and still recovers the subject', async () => {
    const broken = Buffer.concat([
      Buffer.from('Subject: still here\r\nContent-Type: multipart/mixed; boundary=\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]),
      Buffer.from('\r\n--\r\n--\r\n'),
    ]);
    const { message } = await parseMime(broken);
    expect(message.subject).toBe('still here');
    expect(message.body).toHaveProperty('contentType');
    await expect(parseMime(Buffer.alloc(0))).resolves.toHaveProperty('message.subject', '');
  });

  it('falls back to an empty body when the MIME parser gives up', async () => {
    // Nesting far beyond the parser limit makes postal-mime throw.
    const depth = 100;
    const lines = ['Subject: deep', 'Content-Type: multipart/mixed; boundary="d0"', ''];
    for (let i = 1; i < depth; i++) lines.push(`--d${i - 1}`, `Content-Type: multipart/mixed; boundary="d${i}"`, '');
    lines.push(`--d${depth - 1}`, 'Content-Type: text/plain', '', 'deep text', `--d${depth - 1}--`);
    const { message, attachments } = await parseMime(crlf(lines));
    expect(message.subject).toBe('deep');
    expect(message.body).toEqual({ contentType: 'text', content: '' });
    expect(attachments).toEqual([]);
  });

  it('maps X-Priority and Importance values', async () => {
    const imp = async (h: string) => (await parseMime(Buffer.from(`${h}\r\n\r\nx`))).message.importance;
    expect(await imp('X-Priority: 5 (Lowest)')).toBe('low');
    expect(await imp('X-Priority: 3')).toBe('normal');
    expect(await imp('Importance: high')).toBe('high');
    expect(await imp('Priority: urgent')).toBe('high');
    expect(await imp('X-Other: 1')).toBe('normal');
  });
});

describe('parseHeaderBlock', () => {
  it('stops at the first empty line (LF or CRLF) and skips mbox separators', () => {
    const headers = parseHeaderBlock(Buffer.from('From someone Mon Jan 1\nA: 1\nB:  two\n  lines\n\nC: body'));
    expect(headers).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two  lines' },
    ]);
  });
});

// Real-world fixtures live outside the repo; use them only when present.
const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
describe.skipIf(!existsSync(corpus))('parseMime over the shared corpus', () => {
  const files = existsSync(corpus)
    ? ['eml', 'malformed'].flatMap((dir) =>
        readdirSync(path.join(corpus, dir))
          .filter((f) => f.endsWith('.eml'))
          .map((f) => path.join(corpus, dir, f)),
      )
    : [];

  it('parses every .eml without throwing and yields well-formed fields', async () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const { message, attachments, conversationKey } = await parseMime(readFileSync(file));
      expect(typeof message.subject, file).toBe('string');
      expect(message.receivedDateTime, file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(message.internetMessageId, file).toMatch(/^<.+>$/);
      expect(conversationKey, file).toMatch(/^<.+>$/);
      expect((message.bodyPreview as string).length, file).toBeLessThanOrEqual(255);
      expect(message.hasAttachments, file).toBe(attachments.some((a) => !a.isInline));
      for (const a of attachments) expect(a.size, file).toBe(a.content.length);
    }
  });

  it('keeps the forwarded email of the MIME torture test as item attachments', async () => {
    const torture = path.join(corpus, 'eml', 'postalmime-mimetorture.eml');
    if (!existsSync(torture)) return;
    const { attachments } = await parseMime(readFileSync(torture));
    expect(attachments.filter((a) => a.kind === 'item').length).toBeGreaterThan(0);
  });
});
