import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MailParseError, mailSummaries, parseMailFile } from '../../src/mail/parse/index.ts';
import { eml, nestedChain, reportWithAttachedPhish, TWO_EVENTS_ICS } from './fixtures.ts';

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

describe('parseMailFile: .eml', () => {
  it('keeps an attached message/rfc822 as an attachment and parses it into nested', async () => {
    const r = await parseMailFile(reportWithAttachedPhish(), { fileName: 'report.eml' });
    expect(r.type).toBe('eml');
    expect(r.fileName).toBe('report.eml');
    expect(r.subject).toBe('FW: suspicious');
    expect(r.from).toEqual({ name: 'Alice', address: 'alice@contoso.example' });
    expect(r.to.map((a) => a.address)).toEqual(['soc@contoso.example', 'bob@contoso.example']);
    expect(r.cc.map((a) => a.address)).toEqual(['carol@contoso.example']);
    expect(r.html).toContain('Please check');
    expect(r.attachments).toHaveLength(1);
    const att = r.attachments[0]!;
    expect(att.name).toBe('phish.eml');
    expect(att.contentType).toBe('message/rfc822');
    expect(att.nestedIndex).toBe(0);
    expect(att.sha256).toBe(sha256(att.content!));
    expect(att.size).toBe(att.content!.byteLength);

    const inner = r.nested[0]!;
    expect(inner.type).toBe('eml');
    expect(inner.fileName).toBe('phish.eml');
    expect(inner.subject).toBe('Inner phish');
    expect(inner.date).toBe('Thu, 4 Jul 2024 12:11:29 +0530');
    expect(inner.dateIso).toBe('2024-07-04T06:41:29.000Z');
    expect(inner.text).toContain('https://evil.example/login');
    const payload = inner.attachments[0]!;
    expect(payload.name).toBe('payload.bin');
    expect(Buffer.from(payload.content!).toString()).toBe('MZ fake payload');
    expect(payload.md5).toBe(createHash('md5').update('MZ fake payload').digest('hex'));
    expect(payload.sha1).toBe(createHash('sha1').update('MZ fake payload').digest('hex'));
    expect(payload.sha256).toBe(sha256('MZ fake payload'));
  });

  it('summarises as the documented Extract Data JSON fields', async () => {
    const r = await parseMailFile(reportWithAttachedPhish(), { fileName: 'report.eml' });
    expect(mailSummaries(r.nested[0]!)).toEqual([
      {
        type: 'EML',
        subject: 'Inner phish',
        from: 'payroll@evil.example',
        to: 'victim@contoso.example',
        date: 'Thu, 4 Jul 2024 12:11:29 +0530',
        text: expect.stringContaining('Login at'),
        html: '',
      },
    ]);
  });

  it('reads a body in an unknown charset and a broken base64 part without throwing', async () => {
    const r = await parseMailFile(
      eml([
        'From: x@y.example',
        'Subject: odd',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="z"',
        '',
        '--z',
        'Content-Type: text/plain; charset="x-no-such-charset"',
        '',
        'caf\xe9 plain',
        '--z',
        'Content-Type: application/pdf; name="a.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBE!!Ri0x*LjQK',
        '@@@ not base64 at all ===',
        '--z--',
        '',
      ]),
      { fileName: 'odd.eml' },
    );
    expect(r.text).toContain('plain');
    expect(r.attachments[0]!.name).toBe('a.pdf');
    expect(Buffer.from(r.attachments[0]!.content!).subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  });

  it('stops at maxDepth on a deep chain of attached messages and says so', async () => {
    const r = await parseMailFile(nestedChain(40), { fileName: 'bomb.eml', limits: { maxDepth: 5 } });
    let node = r;
    let depth = 1;
    while (node.nested[0]) {
      node = node.nested[0];
      depth++;
    }
    expect(depth).toBe(5);
    expect(node.attachments[0]!.depthExceeded).toBe(true);
    expect(node.warnings.join(' ')).toMatch(/maxDepth/);
  });

  it('drops content over maxAttachmentSize but keeps exact size and hashes', async () => {
    const r = await parseMailFile(reportWithAttachedPhish(), { fileName: 'r.eml', limits: { maxAttachmentSize: 0 } });
    const payload = r.nested[0]!.attachments[0]!;
    expect(payload.content).toBeUndefined();
    expect(payload.size).toBe(15);
    expect(payload.sha256).toBe(sha256('MZ fake payload'));
  });
});

describe('parseMailFile: .eml headers a SOC acts on', () => {
  const headed = (head: string[]): Uint8Array => eml([...head, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'body', '']);

  it('recovers the sender address from a malformed From (a stray ",_" before the angle address)', async () => {
    const r = await parseMailFile(headed(['From: Audien Atom - Hearing Aid  ,_<avag@4mw0n1x20iiup50kpahu.example>', 'To: phishing@pot.example', 'Subject: hi']), { fileName: 'x.eml' });
    expect(r.from).toEqual({ name: 'Audien Atom - Hearing Aid', address: 'avag@4mw0n1x20iiup50kpahu.example' });
    expect(r.fromAll).toEqual([r.from]);
    expect(mailSummaries(r)[0]!.from).toBe('avag@4mw0n1x20iiup50kpahu.example');
  });

  it('reads Sender, Reply-To and every From mailbox; the summary lists every author with an address', async () => {
    const r = await parseMailFile(
      headed([
        'From: "=?UTF-8?B?UGF5UGFs?=" <service@paypa1.example>, Second <second@paypa1.example>',
        'Sender: Bulk Relay <relay@bulk.example>',
        'Reply-To: Doe, John <collector@gmail.example>',
        'Reply-To: other@gmail.example',
        'To: =?UTF-8?B?VmljdGlt===?= <victim@contoso.example>',
        'Subject: x',
      ]),
      { fileName: 'x.eml' },
    );
    expect(r.fromAll).toEqual([
      { name: 'PayPal', address: 'service@paypa1.example' },
      { name: 'Second', address: 'second@paypa1.example' },
    ]);
    expect(r.from).toEqual({ name: 'PayPal', address: 'service@paypa1.example' });
    expect(r.sender).toEqual({ name: 'Bulk Relay', address: 'relay@bulk.example' });
    expect(r.replyTo).toEqual([
      { name: 'Doe, John', address: 'collector@gmail.example' },
      { name: '', address: 'other@gmail.example' },
    ]);
    expect(r.to).toEqual([{ name: 'Victim', address: 'victim@contoso.example' }]);
    expect(mailSummaries(r)[0]!.from).toBe('service@paypa1.example,second@paypa1.example');
  });

  it('shows a From with no address by its name, and never a name fragment when an address is there', async () => {
    const nameOnly = await parseMailFile(headed(['From: Security Team', 'Subject: x']), { fileName: 'x.eml' });
    expect(mailSummaries(nameOnly)[0]!.from).toBe('Security Team');
    const mixed = await parseMailFile(headed(['From: Security Team x, <a@b.example>junk', 'Subject: x']), { fileName: 'x.eml' });
    expect(mixed.from?.address).toBe('a@b.example');
  });

  it('decodes an over-padded base64 subject without NUL characters', async () => {
    const r = await parseMailFile(headed(['From: a@b.example', 'Subject: =?UTF-8?B?WW91ciBBY2NvdW50IEJpbGxpbmcgTm90aWNl==?=']), { fileName: 'x.eml' });
    expect(r.subject).toBe('Your Account Billing Notice');
  });

  it('takes the first of duplicate From / Subject headers, as Python does, and warns about them', async () => {
    const r = await parseMailFile(headed(['From: ceo@contoso.example', 'From: attacker@evil.example', 'Subject: one', 'Subject: two', 'Date: Thu, 4 Jul 2024 12:11:29 +0530']), { fileName: 'x.eml' });
    expect([r.from?.address, r.subject]).toEqual(['ceo@contoso.example', 'one']);
    expect(r.warnings).toEqual(['2 different from headers; the first is used', '2 different subject headers; the first is used']);
    expect(r.dateIso).toBe('2024-07-04T06:41:29.000Z');
  });

  it('gives no instant for a date without a zone or month name (never the machine\'s local time)', async () => {
    const r = await parseMailFile(headed(['From: a@b.example', 'Subject: x', 'Date: 04-11-2023']), { fileName: 'x.eml' });
    expect([r.date, r.dateIso]).toEqual(['04-11-2023', null]);
  });

  it('keeps NUL characters out of attachment names decoded from over-padded words', async () => {
    const r = await parseMailFile(
      eml([
        'From: a@b.example',
        'Subject: x',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'hi',
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment; filename="=?UTF-8?B?aW52b2ljZS5wZGY===?="',
        '',
        'data',
        '--b--',
        '',
      ]),
      { fileName: 'x.eml' },
    );
    expect(r.attachments.map((a) => a.name)).toEqual(['invoice.pdf']);
  });
});

describe('parseMailFile: .ics', () => {
  it('gives one event per VEVENT and one summary per event', async () => {
    const r = await parseMailFile(Buffer.from(TWO_EVENTS_ICS), { fileName: 'invite.ics' });
    expect(r.type).toBe('ics');
    expect(r.events).toHaveLength(2);
    expect(r.events![0]).toMatchObject({
      summary: 'Pay invoice',
      description: 'Open https://evil.example/pay\nthanks',
      organizer: { name: 'Walmart', address: 'boss@evil.example' },
      start: '2024-07-04T10:00:00Z',
      end: '2024-07-04T11:00:00Z',
    });
    expect(r.events![1]!.start).toBe('2024-07-05');
    const summaries = mailSummaries(r);
    expect(summaries.map((s) => [s.type, s.subject, s.to])).toEqual([
      ['ICS', 'Pay invoice', 'victim@contoso.example,other@contoso.example'],
      ['ICS', 'Second', ''],
    ]);
  });

  it('reads a calendar that strict parsing rejects, leniently, with a warning', async () => {
    const broken = TWO_EVENTS_ICS.replace('ORGANIZER;CN=Walmart:mailto:boss@evil.example', 'ORGANIZER;CN="Walmart"X').replace('END:VCALENDAR\r\n', '');
    const r = await parseMailFile(Buffer.from(broken), { fileName: 'lure.ics' });
    expect(r.events!.map((e) => e.summary)).toEqual(['Pay invoice', 'Second']);
    expect(r.warnings.join(' ')).toMatch(/leniently/);
  });
});

describe('parseMailFile: errors and limits', () => {
  it('names the file in every MailParseError', async () => {
    await expect(parseMailFile(new Uint8Array(), { fileName: 'empty.eml' })).rejects.toMatchObject({
      name: 'MailParseError',
      code: 'EMPTY',
      fileName: 'empty.eml',
      message: expect.stringContaining('"empty.eml"'),
    });
    await expect(parseMailFile(Buffer.from('\x00\x01 binary junk'), { fileName: 'x.bin' })).rejects.toMatchObject({ code: 'UNRECOGNISED' });
    await expect(parseMailFile(reportWithAttachedPhish(), { fileName: 'big.eml', limits: { maxInputSize: 100 } })).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    await expect(parseMailFile(Buffer.from('BEGIN:VCALENDAR\r\n'), { fileName: 'a.ics', type: 'msg' })).rejects.toBeInstanceOf(MailParseError);
  });

  it('refuses text with no header field as an email, and reads one after leading blank lines', async () => {
    await expect(parseMailFile(Buffer.from('just a pasted body\r\nno headers here\r\n'), { fileName: 'body.eml', type: 'eml' })).rejects.toMatchObject({
      code: 'MALFORMED',
      message: 'Failed to parse "body.eml": no header field before the body: not an email',
    });
    const r = await parseMailFile(Buffer.from('\r\n\r\nFrom: a@b.example\r\nSubject: late start\r\n\r\nbody\r\n'), { fileName: 'late.eml', type: 'eml' });
    expect([r.subject, r.from?.address, r.text]).toEqual(['late start', 'a@b.example', 'body\n']);
  });

  it('marks every attached mail file it cannot parse (empty, no header, broken by name) and keeps it as an attachment', async () => {
    const r = await parseMailFile(
      eml([
        'From: reporter@contoso.example',
        'Subject: three broken attachments',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'see attached',
        '--b',
        'Content-Type: message/rfc822; name="empty.eml"',
        'Content-Disposition: attachment; filename="empty.eml"',
        '',
        '--b',
        'Content-Type: message/rfc822; name="headless.eml"',
        'Content-Disposition: attachment; filename="headless.eml"',
        '',
        'only a body, no header at all',
        '--b',
        'Content-Type: application/octet-stream; name="broken.msg"',
        'Content-Disposition: attachment; filename="broken.msg"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('not a compound file').toString('base64'),
        '--b--',
        '',
      ]),
      { fileName: 'report.eml' },
    );
    expect(r.nested).toEqual([]);
    expect(r.attachments.map((a) => [a.name, a.size, a.parseError?.type, a.parseError?.code])).toEqual([
      ['empty.eml', 0, 'eml', 'EMPTY'],
      ['headless.eml', 30, 'eml', 'MALFORMED'],
      ['broken.msg', 19, 'msg', 'MALFORMED'],
    ]);
    expect(r.attachments[0]!.sha256).toBe(sha256(''));
    expect(r.attachments[1]!.parseError!.message).toBe('Failed to parse "headless.eml": no header field before the body: not an email');
    expect(r.warnings).toHaveLength(3);
  });

  it('refuses more parts than maxParts across the whole tree', async () => {
    await expect(parseMailFile(reportWithAttachedPhish(), { fileName: 'r.eml', limits: { maxParts: 1 } })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      fileName: 'r.eml',
    });
  });

  it('rejects a bad limit with a TypeError that names it', async () => {
    await expect(parseMailFile(reportWithAttachedPhish(), { limits: { maxDepth: 0 } })).rejects.toThrow(/maxDepth/);
    await expect(parseMailFile(reportWithAttachedPhish(), { limits: { maxParts: -1 } })).rejects.toBeInstanceOf(TypeError);
    await expect(parseMailFile(reportWithAttachedPhish(), { limits: { maxInputSize: 1.5 } })).rejects.toThrow(/maxInputSize/);
    await expect(parseMailFile(reportWithAttachedPhish(), { limits: { maxDeepness: 3 } as never })).rejects.toThrow(/maxDeepness/);
  });
});

describe('transfer encodings', () => {
  it('keep quoted-printable and 8bit text intact', async () => {
    const raw = Buffer.from(
      'Subject: qp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nsoft line\r\n' +
        '--b\r\nContent-Type: text/csv; name=a.csv\r\nContent-Disposition: attachment; filename=a.csv\r\nContent-Transfer-Encoding: 8bit\r\n\r\nx,y\r\n1,2\r\n' +
        '--b--\r\n',
    );
    const r = await parseMailFile(new Uint8Array(raw), { fileName: 'qp.eml' });
    expect(r.text.trim()).toBe('café soft line');
    // postal-mime ends every pass-through line with \n, the last one included.
    expect(Buffer.from(r.attachments[0].content!).toString()).toBe('x,y\n1,2\n');
  });
});
