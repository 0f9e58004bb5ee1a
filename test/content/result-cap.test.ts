/** The JSON result cap end to end: Extract Data From Attached EML with many broad patterns against the emulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDataFromAttachedEml } from '../../src/actions/extract-data-from-attached-eml.ts';
import { RESULT_LIMITS } from '../../src/soar/result-cap.ts';
import { ALICE, SOC, invoke, mailHarness, type MailHarness } from '../mail/helpers.ts';
import { mime } from './helpers.ts';

let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness();
});
afterAll(async () => h?.close());

describe('Extract Data From Attached EML with a Regex Map JSON of many broad patterns', () => {
  it('returns valid JSON within the documented cap, every attached file still there, and says what was cut', async () => {
    // 12,000 words: each broad pattern finds its 10,000 matches in the text and in the "HTML" (the same text).
    const words = Array.from({ length: 12_000 }, (_, i) => `w${i}x${'y'.repeat(i % 7)}`).join(' ');
    const attached = (n: number) => mime({ from: `Phisher <p${n}@evil.example>`, to: ALICE, subject: `Attached phish ${n}`, text: words });
    const report = await h.deliver(SOC, 'Inbox', mime({
      from: `Alice <${ALICE}>`,
      subject: 'Report: phishing',
      parts: [1, 2, 3].map((n) => ({ name: `phish-${n}.eml`, rfc822: true, content: attached(n) })),
    }));
    const patterns = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`broad${i}`, `\\S+`]));
    const doc = await invoke(h, extractDataFromAttachedEml, { 'Search In Mailbox': SOC, 'Mail IDs': report.id, 'Regex Map JSON': JSON.stringify(patterns) });

    expect(doc.is_success).toBe(true);
    const text = JSON.stringify(doc.json_result);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(RESULT_LIMITS.jsonResultBytes);
    const entries = JSON.parse(text) as Array<{ subject: string; regex: Record<string, string[]>; regex_from_text_part: Record<string, string[]> }>;
    expect(entries.map((e) => e.subject)).toEqual(['Attached phish 1', 'Attached phish 2', 'Attached phish 3']);
    const known = new Set(words.split(' '));
    for (const e of entries) {
      expect(Object.keys(e.regex)).toEqual(Object.keys(patterns));
      for (const list of [...Object.values(e.regex), ...Object.values(e.regex_from_text_part)]) {
        expect(list.length).toBeGreaterThan(0);
        expect(list.length, JSON.stringify(entries.map((x) => [Object.values(x.regex).map((l) => l.length), Object.values(x.regex_from_text_part).map((l) => l.length)]))).toBeLessThan(10_000);
        expect(list.filter((m) => !known.has(m))).toEqual([]); // whole matches only
      }
    }
    const lines = doc.output_message.split('\n');
    expect(lines[0]).toMatch(/^Extracted data from 3 attached email files\. Files: /);
    expect(lines.at(-1)).toMatch(/^The JSON result was cut to fit 4,194,304 bytes \(it was [\d,]+ bytes\): json_result\[\*\]\.regex(_from_text_part)?\.broad\d+ kept [\d,]+( to [\d,]+)? of 10,000 items in 3 places; /);
  }, 120_000);
});
