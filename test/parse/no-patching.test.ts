/**
 * Loading and using our parser leaves every object of postal-mime (its exports and the internal
 * classes it builds messages with) and the globals it relies on exactly as they were, so the
 * emulator and anything else in the process parse with postal-mime as published.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import PostalMime, * as postalExports from 'postal-mime';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const srcDir = join(dirname(require.resolve('postal-mime')), '..', 'src');
const internal = async (file: string): Promise<{ prototype: object }> =>
  ((await import(pathToFileURL(join(srcDir, file)).href)) as { default: { prototype: object } }).default;

type Snapshot = Map<string, unknown>;

/** Every own property (value, getter, setter) of each object, by a name that says where it is. */
function snapshot(objects: Record<string, object>): Snapshot {
  const out: Snapshot = new Map();
  for (const [name, obj] of Object.entries(objects)) {
    for (const key of Reflect.ownKeys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      out.set(`${name}.${String(key)}`, d.get || d.set ? [d.get, d.set] : d.value);
    }
  }
  return out;
}

function changes(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => {
    const a = before.get(k);
    const b = after.get(k);
    return Array.isArray(a) && Array.isArray(b) ? a[0] !== b[0] || a[1] !== b[1] : a !== b || before.has(k) !== after.has(k);
  });
}

async function watched(): Promise<Record<string, object>> {
  const classes: Record<string, { prototype: object }> = {
    PostalMime,
    MimeNode: await internal('mime-node.js'),
    Base64Decoder: await internal('base64-decoder.js'),
    QPDecoder: await internal('qp-decoder.js'),
    PassThroughDecoder: await internal('pass-through-decoder.js'),
    Blob,
    TextDecoder,
    TextEncoder,
  };
  const objects: Record<string, object> = { exports: { ...postalExports } };
  for (const [name, cls] of Object.entries(classes)) {
    objects[name] = cls;
    objects[`${name}.prototype`] = cls.prototype;
  }
  return objects;
}

describe('no dependency is patched', () => {
  it('watches the classes postal-mime really uses', async () => {
    const MimeNode = (await internal('mime-node.js')) as unknown as abstract new () => object;
    expect((new PostalMime() as unknown as { root: object }).root).toBeInstanceOf(MimeNode);
    const before = snapshot({ probe: { a: 1, f() {} } });
    expect(changes(before, snapshot({ probe: { a: 1, f: before.get('probe.f') as object } }))).toEqual([]);
    expect(changes(before, snapshot({ probe: { a: 1, f() {} } }))).toEqual(['probe.f']);
  });

  it('leaves postal-mime and the globals it uses as they were after loading and using the parser', async () => {
    const objects = await watched();
    const before = snapshot(objects);
    const { parseMailFile } = await import('../../src/mail/parse/index.ts');
    // A message large enough for every path: lifted base64, pass-through and quoted-printable bodies.
    const big = (ch: string): string => `${ch.repeat(70)}\r\n`.repeat(400);
    const mail = Buffer.from(
      [
        'Subject: all paths',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        big('=41'),
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Transfer-Encoding: base64',
        '',
        big('QUJD'),
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Transfer-Encoding: 8bit',
        '',
        big('x'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseMailFile(new Uint8Array(mail), { fileName: 'paths.eml' });
    // (each body ends with an empty line: the \r\n of the join)
    expect(parsed.attachments.map((a) => a.size)).toEqual([400 * 70 * 3, 400 * 71 + 1]);
    expect(parsed.text).toBe(`${"A".repeat(70)}\n`.repeat(400) + "\n");
    expect(changes(before, snapshot(objects))).toEqual([]);
  });
});
