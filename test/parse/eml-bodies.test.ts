/**
 * Large bodies decoded by us, the rest by postal-mime: the result must be exactly postal-mime's
 * result for the original message (postal-mime unpatched, public API), on random messages with
 * messy structure, and on hand-made edge cases.
 */
import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { liftLargeBodies, restoreLiftedBodies } from '../../src/mail/parse/eml-bodies.ts';
import { MimeScanner } from '../../src/mail/parse/mime-scan.ts';
import { randomMessage, rng } from './mime-gen.ts';

const LIMITS = { maxNestingDepth: 64, maxHeadersSize: 1024 * 1024 };
const OPTIONS = { attachmentEncoding: 'arraybuffer', forceRfc822Attachments: true, ...LIMITS } as const;

/** The email with attachment contents as hex, for deep comparison. */
function comparable(email: Email): unknown {
  return {
    ...email,
    attachments: email.attachments.map((a) => ({
      ...a,
      content: typeof a.content === 'string' ? a.content : Buffer.from(a.content instanceof Uint8Array ? a.content : new Uint8Array(a.content)).toString('hex'),
    })),
  };
}

/** Parses `bytes` both ways; true when the lifting path was taken (it must then give postal-mime's result). */
async function sameAsPostalMime(bytes: Uint8Array, limits = LIMITS): Promise<boolean> {
  const options = { ...OPTIONS, ...limits };
  const expected = await PostalMime.parse(bytes, options).then(comparable, (err: unknown) => ({ threw: String(err) }));
  const prepared = liftLargeBodies(bytes, limits);
  if (!prepared) return false;
  const email = await PostalMime.parse(prepared.input, options);
  expect(restoreLiftedBodies(email, prepared.lifted), 'every placeholder found').toBe(true);
  expect(comparable(email)).toEqual(expected);
  return true;
}

function message(lines: Array<string | Buffer>): Buffer {
  return Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(`${l}\r\n`, 'latin1') : l)));
}

const blob = (n: number, seed = 1): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));
const b64 = (data: Buffer): string => data.toString('base64').replace(/.{76}/g, '$&\r\n');

describe('lifting large bodies out of postal-mime', () => {
  it('gives postal-mime result on random messages (and takes the fast path on most)', async () => {
    const random = rng(0xb0d1e5);
    let lifted = 0;
    const runs = 400;
    for (let i = 0; i < runs; i++) {
      const bytes = randomMessage(random, random() < 0.2 ? 40_000 : 6000);
      if (await sameAsPostalMime(bytes)) lifted++;
    }
    expect(lifted).toBeGreaterThan(runs / 3);
  });

  it('lifts attachments, text in every encoding, and the root part', async () => {
    const pdf = blob(50_000);
    const bytes = message([
      'From: a@example.com',
      'Subject: mixed',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=windows-1256',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `${'=C7=E1 \xe3 text =\r\n'.repeat(400)}-- `,
      'signature',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '<p>caf\xc3\xa9</p>\r\n'.repeat(300),
      '--inner--',
      '--outer',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Disposition: attachment; filename="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(pdf),
      '--outer',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'plain attachment line\r\n'.repeat(100),
      '--outer--',
    ]);
    const prepared = liftLargeBodies(bytes, LIMITS)!;
    expect(prepared.lifted).toHaveLength(2);
    expect(prepared.input.length).toBeLessThan(bytes.length / 2);
    expect(await sameAsPostalMime(bytes)).toBe(true);

    const single = message(['Subject: just a file', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', b64(pdf)]);
    expect(await sameAsPostalMime(single)).toBe(true);
  });

  it('re-encodes text in parts without headers, in the root when already base64, and at the header limit', async () => {
    const text = 'a line of text, caf\xc3\xa9 =3D\r\n'.repeat(200);
    const noHeaders = message(['Content-Type: multipart/mixed; boundary=b', '', '--b', '', text, '--b--']);
    expect(await sameAsPostalMime(noHeaders)).toBe(true);
    const root = message(['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(Buffer.from(text.repeat(5), 'latin1'))]);
    expect(liftLargeBodies(root, LIMITS)?.input.length).toBeLessThan(root.length);
    expect(await sameAsPostalMime(root)).toBe(true);
    // A part header just under the limit: putting a Content-Transfer-Encoding line in would pass it.
    const header = `Content-Type: text/plain; name="${'n'.repeat(1000)}"`;
    const tight = message(['Content-Type: multipart/mixed; boundary=b', '', '--b', header, 'Content-Transfer-Encoding: quoted-printable', '', text, '--b--']);
    const limits = { maxNestingDepth: 64, maxHeadersSize: header.length + 'Content-Transfer-Encoding: quoted-printable'.length + 10 };
    expect(liftLargeBodies(tight, limits)).toBeNull();
    expect(await sameAsPostalMime(tight, limits)).toBe(false);
    expect(liftLargeBodies(tight, LIMITS)).not.toBeNull();
    expect(await sameAsPostalMime(tight)).toBe(true);
  });

  it('leaves the root text alone when it would need a header of its own', async () => {
    const bytes = message(['Subject: qp root', 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable', '', 'line =3D\r\n'.repeat(2000)]);
    expect(liftLargeBodies(bytes, LIMITS)).toBeNull();
  });

  it('does not count a "--" line that is no boundary as the end of a body', async () => {
    const bytes = message([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: application/octet-stream',
      '',
      ...Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? `--b${i} not a boundary` : i % 11 === 0 ? '--' : `data line ${i}`)),
      '--b   ',
      'Content-Type: application/octet-stream',
      '',
      'x'.repeat(5000),
      '--b--',
    ]);
    expect(await sameAsPostalMime(bytes)).toBe(true);
  });

  it('follows nested boundaries that are prefixes of each other and parts that never close', async () => {
    const bytes = message([
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: multipart/related; boundary="b1"',
      '',
      '--b1',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      '',
      b64(blob(9000, 2)),
      '--b',
      'Content-Type: application/zip',
      'Content-Transfer-Encoding: base64',
      '',
      b64(blob(9000, 3)),
      '--b1',
      'Content-Type: text/plain',
      '',
      'after a closed boundary\r\n'.repeat(200),
    ]);
    expect(await sameAsPostalMime(bytes)).toBe(true);
  });

  it('reads the boundary of a folded, commented, duplicated Content-Type as postal-mime does', async () => {
    const bytes = message([
      'Content-Type: text/plain',
      'Content-Type: multipart/mixed; (comment; boundary=wrong)',
      '\tboundary="real \\"one\\""',
      '',
      '--real "one"',
      ' folded first line',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: BASE64 (ignored)',
      'Content-Transfer-Encoding: 7bit',
      '',
      b64(blob(20_000)),
      '--real "one"--',
    ]);
    expect(await sameAsPostalMime(bytes)).toBe(true);
  });

  it('uses message/rfc822 as the default type inside multipart/digest', async () => {
    const inner = message(['Subject: inner', 'Content-Type: text/plain', '', 'inner body line\r\n'.repeat(300)]);
    const bytes = message(['Content-Type: multipart/digest; boundary=d', '', '--d', '', inner, '--d', '', inner, '--d--']);
    expect(liftLargeBodies(bytes, LIMITS)?.lifted).toHaveLength(2);
    expect(await sameAsPostalMime(bytes)).toBe(true);
  });

  it('gives up, leaving postal-mime to refuse, where a limit is exceeded', async () => {
    const deep = message([
      ...Array.from({ length: 10 }, (_, i) => [`Content-Type: multipart/mixed; boundary=n${i}`, '', `--n${i}`]).flat(),
      'Content-Type: application/octet-stream',
      '',
      'x'.repeat(20_000),
    ]);
    expect(MimeScanner.leaves(deep, { maxNestingDepth: 5, maxHeadersSize: 1024 })).toBeNull();
    expect(MimeScanner.leaves(deep, { maxNestingDepth: 64, maxHeadersSize: 30 })).toBeNull();
    expect(MimeScanner.leaves(deep, LIMITS)).not.toBeNull();
    await expect(PostalMime.parse(deep, { ...OPTIONS, maxNestingDepth: 5 })).rejects.toThrow(/nesting depth/);
  });

  it('gives up on RFC 2231 continuations of the boundary or charset', () => {
    const bytes = message(['Content-Type: multipart/mixed; boundary*0=a; boundary*1=b', '', '--ab', '', 'x'.repeat(20_000), '--ab--']);
    expect(MimeScanner.leaves(bytes, LIMITS)).toBeNull();
    const name = message(['Content-Type: multipart/mixed; boundary=ab; name*=utf-8\'\'x', '', '--ab', '', 'x'.repeat(20_000), '--ab--']);
    expect(MimeScanner.leaves(name, LIMITS)).not.toBeNull();
  });

  it('falls back when a placeholder does not come back as one attachment', async () => {
    const bytes = message(['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', '', b64(blob(20_000))]);
    const prepared = liftLargeBodies(bytes, LIMITS)!;
    const email = await PostalMime.parse(prepared.input, OPTIONS);
    const twice = { ...email, attachments: [...email.attachments, ...email.attachments] };
    expect(restoreLiftedBodies(twice, prepared.lifted)).toBe(false);
    expect(restoreLiftedBodies({ ...email, attachments: [] }, prepared.lifted)).toBe(false);
    expect(restoreLiftedBodies(email, prepared.lifted)).toBe(true);
  });
});
