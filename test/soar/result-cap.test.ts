/** The bounds on a result document: json_result cut structurally to its cap, the message capped, a line saying what was cut. */
import { describe, expect, it } from 'vitest';
import { defineAction, failed, succeeded } from '../../src/soar/action.ts';
import { boundResult, capJson, jsonCutLine, RESULT_LIMITS } from '../../src/soar/result-cap.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { runAction } from '../../src/soar/runtime.ts';
import { baseConfig, fakeGraph } from './fake-graph.ts';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** What Extract Data From Attached EML returns for many broad patterns: per file, its fields and huge match lists. */
function extractLike(files: number, matches: number) {
  return Array.from({ length: files }, (_, i) => ({
    subject: `Attached phish ${i}`,
    from: 'billing@evil.example',
    to: 'alice.martin@contoso.example',
    name: `invoice-${i}.eml`,
    regex: { urls: Array.from({ length: matches }, (_, j) => `https://evil.example/${i}/${j}/${'x'.repeat(20)}`), words: Array.from({ length: matches }, (_, j) => `w${j}-請求書-😀`) },
    error: null,
  }));
}

const doc = (json_result: unknown, output_message = 'Done.'): ResultDocument => ({
  action: 'T',
  is_success: true,
  execution_state: 'COMPLETED',
  output_message,
  json_result,
  case_wall: { tables: [], attachments: [], links: [] },
  state: null,
});

describe('capJson', () => {
  it('leaves a result within the cap as it is (the same object)', () => {
    const v = { a: [1, 2, 3], b: 'x' };
    const c = capJson(v, 1000);
    expect(c.value).toBe(v);
    expect(c.cuts).toEqual([]);
    expect(boundResult(doc(v))).toEqual(doc(v));
  });

  it('keeps every file of an Extract Data result, each with its fields whole, and shortens the match lists alike', () => {
    const v = extractLike(40, 2000);
    expect(bytes(v)).toBeGreaterThan(5_000_000);
    const c = capJson(v, 1_000_000);
    const out = JSON.parse(JSON.stringify(c.value)) as ReturnType<typeof extractLike>;
    expect(bytes(out)).toBeLessThanOrEqual(1_000_000);
    expect(bytes(out)).toBeGreaterThan(900_000); // the room is used
    expect(out).toHaveLength(40);
    out.forEach((f, i) => {
      expect(f).toEqual({ ...v[i], regex: { urls: v[i].regex.urls.slice(0, f.regex.urls.length), words: v[i].regex.words.slice(0, f.regex.words.length) } });
      expect(f.regex.urls.length).toBeGreaterThan(100);
      expect(f.regex.words.length).toBeGreaterThan(100);
    });
    // Matches are whole (a cut match would be a false one): every kept item is an original one.
    const line = jsonCutLine(c, 1_000_000);
    expect(line).toMatch(/^The JSON result was cut to fit 1,000,000 bytes \(it was [\d,]+ bytes\): json_result\[\*\]\.regex\.\w+ kept .*; json_result\[\*\]\.regex\.\w+ kept .*\.$/);
    for (const key of ['urls', 'words']) expect(line).toMatch(new RegExp(`json_result\\[\\*\\]\\.regex\\.${key} kept [\\d,]+( to [\\d,]+)? of 2,000 items in 40 places`));
  });

  it('keeps the first records whole when not every record fits, and the small members of an object whole', () => {
    const emails = Array.from({ length: 5000 }, (_, i) => ({ id: `AAMk-${i}`, subject: `s${i}`, body: { content: 'b'.repeat(2000) } }));
    const v = { found_total: 5000, folder: 'Inbox', mailboxes: [{ mailbox: 'a@x', emails }], mailboxes_total: 1, failed_mailboxes: [] };
    const c = capJson(v, 200_000);
    const out = c.value as typeof v;
    expect(bytes(out)).toBeLessThanOrEqual(200_000);
    expect(Object.keys(out)).toEqual(Object.keys(v));
    expect(out).toMatchObject({ found_total: 5000, folder: 'Inbox', mailboxes_total: 1, failed_mailboxes: [] });
    const kept = out.mailboxes[0].emails;
    expect(kept.length).toBeGreaterThan(80);
    expect(kept.slice(0, -1)).toEqual(emails.slice(0, kept.length - 1));
    expect(jsonCutLine(c, 200_000)).toContain(`json_result.mailboxes[0].emails kept ${kept.length} of 5,000 items`);
  });

  it('cuts a long string at its start with an ellipsis, never inside a surrogate pair', () => {
    const c = capJson({ body: '😀'.repeat(10_000), id: 'keep' }, 1000);
    const out = c.value as { body: string; id: string };
    expect(out.id).toBe('keep');
    expect(out.body.endsWith('…')).toBe(true);
    expect(out.body.slice(0, -1)).toBe('😀'.repeat((out.body.length - 1) / 2));
    expect(bytes(out)).toBeLessThanOrEqual(1000);
    expect(c.cuts).toEqual([{ path: 'json_result.body', kept: out.body.length - 1, total: 20_000, unit: 'characters' }]);
  });

  it('keeps odd keys as keys and names them in the line', () => {
    const v = JSON.parse('{"__proto__": ["' + 'a'.repeat(500) + '"], "my ips": ["1.2.3.4", "' + 'b'.repeat(500) + '"]}');
    const c = capJson(v, 300);
    expect(Object.keys(c.value as object)).toEqual(['__proto__', 'my ips']);
    expect(Object.getPrototypeOf(c.value)).toBe(Object.prototype);
    expect(jsonCutLine(c, 300)).toContain('json_result["my ips"] kept 1 of 2 items');
  });

  it('stays within any cap for nested data, and valid JSON', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return rand() < 0.5 ? 'é😀x'.repeat(Math.floor(rand() * 50)) : Math.floor(rand() * 1e6);
      if (r < 0.65) return Array.from({ length: Math.floor(rand() * 12) }, () => gen(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 6) }, (_, i) => [`k${i}`, gen(depth + 1)]));
    };
    for (let n = 0; n < 200; n++) {
      const v = { data: gen(0), more: gen(0) };
      const cap = 20 + Math.floor(rand() * bytes(v));
      const c = capJson(v, cap);
      const text = JSON.stringify(c.value);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(cap);
      expect(() => JSON.parse(text)).not.toThrow();
      if (c.cuts.length === 0) expect(c.value).toBe(v);
    }
  });

  it('measures what JSON.stringify writes (a Date is its ISO string)', () => {
    const c = capJson({ when: new Date(0), list: Array.from({ length: 100 }, (_, i) => i) }, 60);
    expect(JSON.parse(JSON.stringify(c.value)).when).toBe('1970-01-01T00:00:00.000Z');
    expect(bytes(c.value)).toBeLessThanOrEqual(60);
  });
});

describe('boundResult', () => {
  it('adds a line naming the cut to the message, names five places at most, counts the rest', () => {
    const v = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`pattern${i}`, Array.from({ length: 500 }, (_, j) => `m${j}`)]));
    const out = boundResult(doc(v, 'Extracted data from 1 attached email files.'), { jsonResultBytes: 2000, outputMessageChars: 10_000 });
    const [first, line] = out.output_message.split('\n');
    expect(first).toBe('Extracted data from 1 attached email files.');
    expect(line).toMatch(/^The JSON result was cut to fit 2,000 bytes \(it was [\d,]+ bytes\): (json_result\.pattern\d kept \d+ of 500 items; ){4}json_result\.pattern\d kept \d+ of 500 items; and 3 more\.$/);
    expect(bytes(out.json_result)).toBeLessThanOrEqual(2000);
  });

  it('caps a long output message at its start, saying how much is not shown, the cut line after it', () => {
    const message = Array.from({ length: 5000 }, (_, i) => `Files: /tmp/out/attachment-${i}.pdf`).join(', ');
    const out = boundResult(doc(null, message), { jsonResultBytes: 1000, outputMessageChars: 1000 });
    expect(out.output_message.length).toBeLessThanOrEqual(1000);
    expect(out.output_message.startsWith(message.slice(0, 800))).toBe(true);
    expect(out.output_message).toMatch(/\n… \(output message cut: [\d,]+ of [\d,]+ characters not shown\)$/);
    const both = boundResult(doc(['a'.repeat(2000)], message), { jsonResultBytes: 100, outputMessageChars: 1000 });
    expect(both.output_message.split('\n').at(-1)).toMatch(/^The JSON result was cut to fit 100 bytes/);
  });

  it('documents its defaults: 4 MiB of JSON, 32 KiB of message', () => {
    expect(RESULT_LIMITS).toEqual({ jsonResultBytes: 4_194_304, outputMessageChars: 32_768 });
  });
});

describe('runAction bounds every document', () => {
  const big = defineAction({
    name: 'Big Result Test',
    description: 'test',
    async: false,
    entities: 'none',
    betaApi: false,
    params: [{ name: 'Files', required: false, default: '40', type: 'string', options: null, description: '' }],
    messages: { success: 'Extracted data from {N} attached email files.', error: 'Failed to execute action, the error is: {ERROR_REASON}' },
    async run(ctx) {
      const files = Number(ctx.params.string('Files'));
      const json_result = extractLike(files, 2500);
      return files > 1 ? succeeded(ctx.message('success', { N: files }), { json_result }) : failed('Nothing.', { json_result });
    },
  });

  it('at the documented 4 MiB: a result of about 7 MB becomes valid JSON of at most 4 MiB, the message says so', async () => {
    const d = await runAction(big, { config: baseConfig }, { createGraph: () => fakeGraph({}) });
    expect(d.is_success).toBe(true);
    const text = JSON.stringify(d.json_result);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(JSON.parse(text)).toHaveLength(40);
    const [head, line] = d.output_message.split('\n');
    expect(head).toBe('Extracted data from 40 attached email files.');
    expect(line).toMatch(/^The JSON result was cut to fit 4,194,304 bytes \(it was [\d,]+ bytes\): /);
    expect(line).toMatch(/json_result\[\*\]\.regex\.urls kept [\d,]+( to [\d,]+)? of 2,500 items in 40 places/);
    expect(line).toMatch(/json_result\[\*\]\.regex\.words kept [\d,]+( to [\d,]+)? of 2,500 items in 40 places/);
  }, 60_000);

  it('with smaller limits given, on failed documents too', async () => {
    const d = await runAction(big, { config: baseConfig, params: { Files: '1' } }, { createGraph: () => fakeGraph({}), resultLimits: { jsonResultBytes: 5000 } });
    expect(d.is_success).toBe(false);
    expect(bytes(d.json_result)).toBeLessThanOrEqual(5000);
    expect(d.output_message.split('\n')[0]).toBe('Nothing.');
    expect(d.output_message.split('\n')[1]).toMatch(/^The JSON result was cut to fit 5,000 bytes/);
  });
});
