/**
 * On every .eml of ../shared/corpus/{eml,malformed} and every message attached to one: what our
 * parser takes from postal-mime (large bodies decoded by us, src/mail/parse/eml-bodies.ts) is
 * exactly what postal-mime gives for the original bytes, unpatched. Skips when the corpus is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { liftLargeBodies, restoreLiftedBodies } from '../../src/mail/parse/eml-bodies.ts';
import { DEFAULT_LIMITS } from '../../src/mail/parse/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = resolve(process.env.MSGRAPH_MAIL_CORPUS ?? join(here, '..', '..', '..', 'shared', 'corpus'));
const present = existsSync(CORPUS);

const LIMITS = { maxNestingDepth: DEFAULT_LIMITS.maxMimeDepth, maxHeadersSize: DEFAULT_LIMITS.maxHeaderSize };
const OPTIONS = { attachmentEncoding: 'arraybuffer', forceRfc822Attachments: true, ...LIMITS } as const;

const bytesOf = (content: Email['attachments'][number]['content']): Buffer =>
  typeof content === 'string' ? Buffer.from(content) : Buffer.from(content instanceof Uint8Array ? content : new Uint8Array(content));

function comparable(email: Email): unknown {
  return { ...email, attachments: email.attachments.map((a) => ({ ...a, content: bytesOf(a.content).toString('hex') })) };
}

function emls(): Array<{ name: string; bytes: Uint8Array }> {
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const sub of ['eml', 'malformed']) {
    const dir = join(CORPUS, sub);
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir).filter((f) => /\.eml$/i.test(f)).sort()) out.push({ name: `${sub}/${n}`, bytes: new Uint8Array(readFileSync(join(dir, n))) });
  }
  return out;
}

describe.skipIf(!present)('corpus: large bodies decoded by us give postal-mime result', () => {
  it('on every message and every attached message', async () => {
    let lifted = 0;
    let messages = 0;
    const check = async (name: string, bytes: Uint8Array, depth: number): Promise<void> => {
      messages++;
      let expected: Email;
      try {
        expected = await PostalMime.parse(bytes, OPTIONS);
      } catch {
        expect(liftLargeBodies(bytes, LIMITS), `${name}: postal-mime refuses it, so no lifting`).toBeNull();
        return;
      }
      const prepared = liftLargeBodies(bytes, LIMITS);
      if (prepared) {
        const email = await PostalMime.parse(prepared.input, OPTIONS);
        expect(restoreLiftedBodies(email, prepared.lifted), `${name}: every placeholder found`).toBe(true);
        expect(comparable(email), name).toEqual(comparable(expected));
        lifted++;
      }
      if (depth < 4) {
        for (const [i, a] of expected.attachments.entries()) {
          if (a.mimeType === 'message/rfc822') await check(`${name}#${i}`, bytesOf(a.content), depth + 1);
        }
      }
    };
    for (const { name, bytes } of emls()) await check(name, bytes, 0);
    // The fast path must really be taken, or this test would compare postal-mime with itself.
    expect(messages).toBeGreaterThan(100);
    expect(lifted).toBeGreaterThan(40);
  });
});

describe.runIf(!present)('corpus: absent', () => {
  it.skip(`../shared/corpus not found at ${CORPUS}: skipped`, () => {});
});
