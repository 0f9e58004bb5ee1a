/** Byte fidelity of parts, attachment names and encoded-words in the emulator's MIME parsing. */
import { describe, expect, it } from 'vitest';
import { parseMime } from '../../emulator/mime.ts';
import { decodeQuotedPrintable, mimeLeaves } from '../../emulator/mime-parts.ts';
import { canonicalEncodedWords, decodeBase64Loose, decodeEncodedWords, parseStructuredHeader } from '../../emulator/mime-words.ts';

const LIMITS = { maxNestingDepth: 64, maxHeadersSize: 1024 * 1024 };

/** Joins lines with `eol` into bytes; Buffers stay bytes (8-bit content). */
function lines(eol: string, ...parts: Array<string | Buffer>): Buffer {
  const out: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(Buffer.from(eol, 'latin1'));
    out.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  });
  return Buffer.concat(out);
}

function outer(eol: string, inner: Buffer, extraHeaders: string[] = []): Buffer {
  return lines(
    eol,
    'From: a@x.example',
    'Subject: outer',
    'Content-Type: multipart/mixed; boundary="outer-b"',
    '',
    'preamble',
    '--outer-b',
    'Content-Type: text/plain',
    '',
    'see attached',
    '--outer-b',
    'Content-Type: message/rfc822',
    ...extraHeaders,
    '',
    inner,
    '--outer-b--',
    'epilogue',
  );
}

describe('attached emails keep the bytes of their part', () => {
  const innerLines = (eol: string) =>
    lines(eol, 'From: b@y.example', 'Subject: inner', 'Message-ID: <inner@y.example>', '', 'line one', '', 'line three  with  spaces ', '');

  it('CRLF input: the item is the exact bytes between the part headers and the delimiter line break', async () => {
    const inner = innerLines('\r\n');
    const { attachments } = await parseMime(outer('\r\n', inner));
    expect(attachments).toHaveLength(1);
    expect(attachments[0]!.kind).toBe('item');
    expect(attachments[0]!.content.equals(inner)).toBe(true);
    expect(attachments[0]!.size).toBe(inner.length);
  });

  it('bare LF input stays bare LF', async () => {
    const inner = innerLines('\n');
    const { attachments } = await parseMime(outer('\n', inner));
    expect(attachments[0]!.content.equals(inner)).toBe(true);
    expect(attachments[0]!.content.includes(0x0d)).toBe(false);
  });

  it('8-bit bytes (Latin-1 and UTF-8) are not re-encoded', async () => {
    const inner = lines('\r\n', 'Subject: caf\u00e9', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit', '', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x00, 0x80]), 'end');
    const { attachments } = await parseMime(outer('\r\n', inner, ['Content-Transfer-Encoding: 8bit']));
    expect(attachments[0]!.content.equals(inner)).toBe(true);
  });

  it('a nested message keeps its own nested message byte for byte', async () => {
    const innermost = lines('\r\n', 'Subject: innermost', '', 'deep body', '');
    const middle = lines(
      '\r\n',
      'Subject: middle',
      'Content-Type: multipart/mixed; boundary=mid',
      '',
      '--mid',
      'Content-Type: message/rfc822',
      '',
      innermost,
      '--mid--',
      '',
    );
    const top = await parseMime(outer('\r\n', middle));
    expect(top.attachments[0]!.content.equals(middle)).toBe(true);
    const mid = await parseMime(top.attachments[0]!.content);
    expect(mid.message.subject).toBe('middle');
    expect(mid.attachments[0]!.content.equals(innermost)).toBe(true);
  });

  it('a base64 or quoted-printable encoded message/rfc822 part is decoded', async () => {
    const inner = innerLines('\r\n');
    const b64 = inner.toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd();
    const viaBase64 = await parseMime(outer('\r\n', Buffer.from(b64), ['Content-Transfer-Encoding: base64']));
    expect(viaBase64.attachments[0]!.content.equals(inner)).toBe(true);
    const qp = Buffer.from('Subject: q=3Dp\r\n\r\ncaf=C3=A9 soft=\r\nbreak\r\n');
    const viaQp = await parseMime(outer('\r\n', qp, ['Content-Transfer-Encoding: quoted-printable']));
    expect(viaQp.attachments[0]!.content.toString('utf8')).toBe('Subject: q=p\r\n\r\ncaf\u00e9 softbreak\r\n');
  });

  it('file attachments written 7bit keep their line ends; empty parts are empty', async () => {
    const raw = lines(
      '\r\n',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/csv; name=a.csv',
      '',
      'x,y',
      '1,2',
      '--b',
      'Content-Type: application/pdf; name=empty.pdf',
      '',
      '--b--',
    );
    const { attachments } = await parseMime(raw);
    expect(attachments.map((a) => [a.name, a.content.toString('latin1')])).toEqual([
      ['a.csv', 'x,y\r\n1,2'],
      ['empty.pdf', ''],
    ]);
  });
});

describe('attachment names', () => {
  async function nameOf(disposition: string, contentType = 'application/pdf'): Promise<string> {
    const raw = lines('\r\n', 'Content-Type: multipart/mixed; boundary=b', '', '--b', `Content-Type: ${contentType}`, disposition, 'Content-Transfer-Encoding: base64', '', 'JVBERg==', '--b--', '');
    const { attachments } = await parseMime(raw);
    expect(attachments).toHaveLength(1);
    return attachments[0]!.name;
  }

  it('keeps a quoted name exactly, runs of spaces and a folded line included', async () => {
    expect(await nameOf('Content-Disposition: attachment; filename="a  b.pdf"')).toBe('a  b.pdf');
    expect(await nameOf('Content-Disposition: attachment; filename=" lead  and\ttab.pdf"')).toBe(' lead  and\ttab.pdf');
    expect(await nameOf('Content-Disposition: attachment;\r\n filename="folded\r\n  name.pdf"')).toBe('folded  name.pdf');
    expect(await nameOf('Content-Disposition: attachment; filename="say \\"hi\\"; ok.pdf"')).toBe('say "hi"; ok.pdf');
  });

  it('falls back to the Content-Type name parameter', async () => {
    expect(await nameOf('Content-Disposition: attachment', 'application/pdf; name="from  type.pdf"')).toBe('from  type.pdf');
  });

  it('decodes RFC 2231 values and continuations, which win over a plain fallback', async () => {
    expect(await nameOf("Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates%20%20Q3.pdf")).toBe('\u20ac rates  Q3.pdf');
    expect(await nameOf("Content-Disposition: attachment; filename*=iso-8859-1'fr'r%E9sum%E9.pdf")).toBe('r\u00e9sum\u00e9.pdf');
    expect(
      await nameOf("Content-Disposition: attachment;\r\n filename*1*=%C3%A9.pdf;\r\n filename*0*=UTF-8''%C3%A9t"),
    ).toBe('\u00e9t\u00e9.pdf');
    expect(await nameOf('Content-Disposition: attachment; filename*0="very long "; filename*1="name.pdf"')).toBe('very long name.pdf');
    expect(await nameOf("Content-Disposition: attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%F0%9F%93%84.pdf")).toBe('\u{1f4c4}.pdf');
  });

  it('decodes RFC 2047 encoded-words in a name, keeping the text around them', async () => {
    expect(await nameOf('Content-Disposition: attachment; filename="=?UTF-8?B?w6l0w6kucGRm?="')).toBe('\u00e9t\u00e9.pdf');
    expect(await nameOf('Content-Disposition: attachment; filename="=?iso-8859-1?Q?r=E9sum=E9_final?=.pdf"')).toBe('r\u00e9sum\u00e9 final.pdf');
    expect(await nameOf('Content-Disposition: attachment; filename="=?utf-8?B?SGVsbG8===?=.pdf"')).toBe('Hello.pdf');
  });
});

describe('encoded-words', () => {
  it('over-padded base64 decodes without NUL characters', async () => {
    for (const subject of ['=?utf-8?B?SGVsbG8===?=', '=?utf-8?B?SGVsbG8=====?=', '=?UTF-8?b?SGVsbG8?=', '=?utf-8?B?SGVs bG8=?=']) {
      const { message } = await parseMime(Buffer.from(`Subject: ${subject}\r\n\r\nx`));
      expect(message.subject, subject).toBe('Hello');
    }
    expect(decodeBase64Loose('SGk=IQ==').toString()).toBe('Hi!');
    expect(decodeBase64Loose('SGVsbG8===').includes(0)).toBe(false);
  });

  it('joins words that split a multi-byte character and drops only the whitespace between words', () => {
    // "é" (C3 A9) split across two words.
    expect(decodeEncodedWords('=?utf-8?B?w6k=?= =?utf-8?Q?=C3?=\r\n =?utf-8?Q?=A9?=')).toBe('\u00e9\u00e9');
    expect(decodeEncodedWords('a  =?utf-8?Q?b?=  c')).toBe('a  b  c');
    expect(decodeEncodedWords('=?iso-8859-1?Q?caf=E9?= =?utf-8?B?4oKs?=')).toBe('caf\u00e9\u20ac');
    expect(decodeEncodedWords('=?utf-8*en?Q?lang?=')).toBe('lang');
  });

  it('keeps a word in an unknown charset as it was written', () => {
    expect(decodeEncodedWords('x =?no-such-charset?Q?abc?= y')).toBe('x =?no-such-charset?Q?abc?= y');
  });

  it('display names with over-padded words decode cleanly too', async () => {
    expect(canonicalEncodedWords('=?utf-8?B?SGVsbG8===?= <a@x>')).toBe('=?utf-8?B?SGVsbG8=?= <a@x>');
    const { message } = await parseMime(Buffer.from('From: =?utf-8?B?SGVsbG8===?= <a@x.example>\r\nSubject: s\r\n\r\nx'));
    expect(message.from).toEqual({ emailAddress: { name: 'Hello', address: 'a@x.example' } });
  });
});

describe('structured headers', () => {
  it('lower-cases the value, strips comments from it, and keeps parameter case and spacing', () => {
    const h = parseStructuredHeader('Multipart/Mixed (a comment); BOUNDARY="A  b;c"; charset=UTF-8');
    expect(h.value).toBe('multipart/mixed');
    expect(h.params.get('boundary')).toBe('A  b;c');
    expect(h.params.get('charset')).toBe('UTF-8');
  });
});

describe('part walker', () => {
  it('accepts delimiter lines with trailing whitespace and ignores look-alike boundaries', () => {
    const raw = lines('\r\n', 'Content-Type: multipart/mixed; boundary=b', '', '--b \t', 'Content-Type: text/x-a', '', 'one', '--b1', 'still one', '--b--  ', '');
    const leaves = mimeLeaves(raw, LIMITS);
    expect(leaves).toHaveLength(1);
    expect(leaves[0]!.body.toString()).toBe('one\r\n--b1\r\nstill one');
  });

  it('an outer delimiter closes an unterminated inner multipart', () => {
    const raw = lines(
      '\n',
      'Content-Type: multipart/mixed; boundary=o',
      '',
      '--o',
      'Content-Type: multipart/alternative; boundary=i',
      '',
      '--i',
      'Content-Type: text/x-1',
      '',
      'inner',
      '--o',
      'Content-Type: text/x-2',
      '',
      'second',
      '--o--',
    );
    expect(mimeLeaves(raw, LIMITS).map((l) => [l.contentType.value, l.body.toString()])).toEqual([
      ['text/x-1', 'inner'],
      ['text/x-2', 'second'],
    ]);
  });

  it('refuses nesting beyond the limit', () => {
    const parts = ['Content-Type: multipart/mixed; boundary=d0', ''];
    for (let i = 1; i < 5; i++) parts.push(`--d${i - 1}`, `Content-Type: multipart/mixed; boundary=d${i}`, '');
    expect(() => mimeLeaves(lines('\r\n', ...parts), { ...LIMITS, maxNestingDepth: 3 })).toThrow(/nesting/);
  });
});

describe('quoted-printable', () => {
  it('undoes soft breaks and =XX, drops transport-added trailing spaces but not an encoded one, keeps line ends', () => {
    const qp = Buffer.from('a=3Db =\r\nc  \r\nd=20\r\ne\t\nlast=');
    expect(decodeQuotedPrintable(qp).toString('latin1')).toBe('a=b c\r\nd \r\ne\nlast');
    expect(decodeQuotedPrintable(Buffer.from('=FF=00=zz')).equals(Buffer.from([0xff, 0x00, 0x3d, 0x7a, 0x7a]))).toBe(true);
  });
});
