/**
 * Our transfer decoders against postal-mime's own: each body is parsed by postal-mime (public API,
 * nothing patched) as the single attachment of a message, and must decode to the same bytes.
 */
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { decodeBase64Body, decodePassThrough, decodeQuotedPrintableBody } from '../../src/mail/parse/transfer-decode.ts';
import { randomBody, rng } from './mime-gen.ts';

type Encoding = 'base64' | 'quoted-printable' | '8bit';

async function postalDecode(encoding: Encoding, body: Uint8Array, charset?: string): Promise<Buffer> {
  const head = `Content-Type: application/octet-stream${charset ? `; charset="${charset}"` : ''}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
  const email = await PostalMime.parse(Buffer.concat([Buffer.from(head), body]), { attachmentEncoding: 'arraybuffer' });
  expect(email.attachments).toHaveLength(1);
  return Buffer.from(email.attachments[0]!.content as ArrayBuffer);
}

function ours(encoding: Encoding, body: Uint8Array, charset?: string): Buffer {
  const out = encoding === 'base64' ? decodeBase64Body(body) : encoding === 'quoted-printable' ? decodeQuotedPrintableBody(body, charset) : decodePassThrough(body);
  return Buffer.from(out);
}

async function same(encoding: Encoding, body: Uint8Array | string, charset?: string): Promise<Buffer> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const expected = await postalDecode(encoding, bytes, charset);
  expect(ours(encoding, bytes, charset).toString('hex')).toBe(expected.toString('hex'));
  return expected;
}

describe('base64 bodies decode as postal-mime decodes them', () => {
  it('skips line ends, spaces, junk and padding in mid-body', async () => {
    expect((await same('base64', 'SGVs bG8s\r\nIHdv!cmxk\r\nIQ==\r\n')).toString()).toBe('Hello, world!');
    await same('base64', 'SGVsbA==\r\nbyB3b3JsZA==\r\n');
    await same('base64', '\r\n\r\n  QUJD\tREVG  \r\n\r\n');
    // base64url characters are junk to postal-mime
    await same('base64', 'QUJD-REVG_\r\nQUJD\r\n');
    await same('base64', 'QUJD_REVG\r\n');
  });

  it('keeps every tail length, a dangling last character included', async () => {
    for (const tail of ['', 'Q', 'QU', 'QUI', 'QUJ', '/', '+/', 'zz9']) {
      await same('base64', `QUJDREVG${tail}\r\n`);
      await same('base64', `QUJD\r\nREVG${tail}`);
    }
  });

  it("decodes large bodies (past postal-mime's 100 KiB steps and our string slices)", async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    const wrapped = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    expect((await same('base64', wrapped)).equals(data)).toBe(true);
    await same('base64', data.toString('base64') + 'x');
  });
});

describe('quoted-printable bodies decode as postal-mime decodes them', () => {
  it('unescapes, removes soft breaks and keeps malformed escapes literal', async () => {
    expect((await same('quoted-printable', 'caf=C3=A9 =\r\nsoft line\r\n')).toString()).toBe('café soft line\n');
    await same('quoted-printable', 'a=3d=3Db =G1 =4 =\r\n=\r\nend=');
    await same('quoted-printable', 'trailing =\r\n');
    await same('quoted-printable', '==41 at the start\r\n=x=41\r\n');
    await same('quoted-printable', '=\r\n');
    await same('quoted-printable', '=ZZ first\r\n');
  });

  it('decodes literal 8-bit text in the declared charset (and re-encodes it as UTF-8)', async () => {
    const arabic = Buffer.from([0xc7, 0xe1, 0xd3, 0xe1, 0xc7, 0xe3, 0x20, 0x3d, 0x43, 0x37, 0x0d, 0x0a]);
    for (const charset of ['windows-1256', 'iso-8859-8-i', 'koi8-r', 'x-no-such-charset', undefined, 'utf-8', 'utf-16le', 'iso-2022-jp', 'gbk']) {
      await same('quoted-printable', arabic, charset);
    }
  });

  it('drops a byte order mark at the start of every line, as decoding line by line does', async () => {
    const bom = '\xef\xbb\xbf';
    await same('quoted-printable', `${bom}one\r\n${bom}two=\r\n${bom}three\r\n`, 'utf-8');
  });

  it("follows postal-mime across its 100 KiB decoding pieces", async () => {
    // 1024 lines of 99 characters + \n end the first piece exactly; the next line starts a piece.
    const line = 'a'.repeat(99);
    for (const next of ['==41 b', '=G=41 b', '=4', '=', '==']) {
      const body = `${`${line}\r\n`.repeat(1024)}${next}\r\n${line}\r\n`;
      await same('quoted-printable', body, 'utf-8');
      await same('quoted-printable', body, 'windows-1252');
      await same('quoted-printable', `\xef\xbb\xbf${body}`, 'utf-8');
    }
  });
});

describe('pass-through bodies decode as postal-mime decodes them', () => {
  it('drops trailing CRs of every line and ends every line with \\n', async () => {
    expect((await same('8bit', 'x,y\r\n1,2\r\n')).toString()).toBe('x,y\n1,2\n');
    await same('8bit', 'no final line end');
    await same('8bit', 'cr runs\r\r\r\n\r\r\nmid\rline\r\n\r');
    await same('8bit', '\n\n\n');
  });
});

describe('random bodies decode as postal-mime decodes them', () => {
  const random = rng(0x5eed);
  const charsets = [undefined, 'utf-8', 'windows-1252', 'iso-8859-8-i', 'utf-16le', 'x-unknown', 'iso-2022-jp', 'koi8-r', 'gb18030'];
  for (const encoding of ['base64', 'quoted-printable', '8bit'] as const) {
    it(`${encoding}`, async () => {
      for (let i = 0; i < 150; i++) {
        const size = random() < 0.05 ? 110_000 + Math.floor(random() * 100_000) : Math.floor(random() * 3000);
        const charset = charsets[Math.floor(random() * charsets.length)];
        await same(encoding, randomBody(random, size, encoding), charset);
      }
    });
  }
});
