/** Repeated failures told once per cause, with a count: the grouping and the sweeps' failure lines. */
import { describe, expect, it } from 'vitest';
import { causeOf } from '../../src/mail/verdict.ts';
import { causeTexts, groupByCause, sampleOf } from '../../src/soar/causes.ts';
import type { SweepState } from '../../src/sweep/engine.ts';
import { failedLine, failedReasons, skippedLine } from '../../src/sweep/report.ts';

const stateWith = (failed: SweepState<unknown>['failed'], skipped: string[] = []): SweepState<unknown> => ({
  format: 'mailbox-sweep@1',
  mailboxes: [...failed.map((f) => f.mailbox), ...skipped],
  cursor: 0,
  results: {},
  missing: [],
  folderNotFound: {},
  failed,
  skipped,
});

describe('groupByCause / sampleOf / causeTexts', () => {
  it('groups in the order causes first appear', () => {
    const groups = groupByCause(['a1', 'b1', 'a2', 'c1', 'b2'], (s) => s[0]);
    expect(groups).toEqual([
      { cause: 'a', items: ['a1', 'a2'] },
      { cause: 'b', items: ['b1', 'b2'] },
      { cause: 'c', items: ['c1'] },
    ]);
  });

  it('names at most a few items and counts the rest', () => {
    expect(sampleOf(['a', 'b'], 3)).toBe('a, b');
    expect(sampleOf(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c and 2 more');
    expect(sampleOf(Array.from({ length: 1234 }, (_, i) => `m${i}`), 2)).toBe('m0, m1 and 1,232 more');
  });

  it('one text per cause: the single item as before, several with a count; past ten causes a count of the rest', () => {
    const items = [
      ...Array.from({ length: 40 }, (_, i) => ({ name: `f${i}.txt`, reason: 'Cannot write to the Download Path "/x" (creating the folder): a file is in the way of a folder.' })),
      { name: 'link.docx', reason: 'Attachment "link.docx" is a link to a cloud file.' },
    ];
    type Item = { name: string; reason: string };
    const opts = { causeOf: (x: Item) => x.reason, reasonOf: (x: Item) => x.reason, nameOf: (x: Item) => x.name, noun: ['attachment', 'attachments'] as const };
    expect(causeTexts(items, opts)).toEqual([
      '40 attachments (f0.txt, f1.txt, f2.txt and 37 more): Cannot write to the Download Path "/x" (creating the folder): a file is in the way of a folder.',
      'link.docx: Attachment "link.docx" is a link to a cloud file.',
    ]);
    const many = Array.from({ length: 15 }, (_, i) => ({ name: `g${i}`, reason: `reason ${i % 12}` }));
    const texts = causeTexts(many, opts);
    expect(texts).toHaveLength(11);
    expect(texts[0]).toBe('2 attachments (g0, g12): reason 0');
    expect(texts[10]).toBe('2 more attachments, for 2 other reasons');
  });

  it('causeOf leaves out the request id reasonOf appends, and nothing else', () => {
    expect(causeOf('Service is temporarily unavailable. (request-id 1a2b-3c)')).toBe('Service is temporarily unavailable.');
    expect(causeOf('A (request-id x) in the middle stays')).toBe('A (request-id x) in the middle stays');
    expect(causeOf('plain')).toBe('plain');
  });
});

describe('the sweeps\' failure lines', () => {
  const denied = (m: string, id: string) => ({
    mailbox: m,
    code: 'ErrorAccessDenied',
    reason: `Exchange refused this mailbox. Microsoft Graph returned 403 ErrorAccessDenied (GET /users/${m}/messages). (request-id ${id})`,
  });

  it('a single failed mailbox keeps its line', () => {
    const state = stateWith([{ mailbox: 'a@x', code: 'ServiceUnavailable', reason: 'Service is temporarily unavailable. (request-id req-1)' }]);
    expect(failedLine(state, 'delete emails')).toEqual(['Failed to delete emails in the following mailboxes: a@x (Service is temporarily unavailable. (request-id req-1))']);
    expect(failedReasons(state)).toBe('a@x: Service is temporarily unavailable. (request-id req-1)');
  });

  it('1,000 mailboxes an access policy denies: one line naming ten of them and the count (it was one part per mailbox)', () => {
    const boxes = Array.from({ length: 1000 }, (_, i) => `user${i}@contoso.example`);
    const state = stateWith([...boxes.map((m, i) => denied(m, `r${i}`)), { mailbox: 'z@contoso.example', code: 'ServiceUnavailable', reason: 'Service is temporarily unavailable. (request-id q)' }]);
    const lines = failedLine(state, 'delete emails');
    expect(lines).toEqual([
      `Failed to delete emails in the following mailboxes: ${boxes.slice(0, 10).join(', ')} and 990 more (1,000 mailboxes; for user0@contoso.example: ${denied(boxes[0], 'r0').reason})`,
      'Failed to delete emails in the following mailboxes: z@contoso.example (Service is temporarily unavailable. (request-id q))',
    ]);
    expect(lines.join('\n').length).toBeLessThan(1_000);
    expect(failedReasons(state).split('\n')).toEqual([
      `${boxes.slice(0, 10).join(', ')} and 990 more (1,000 mailboxes; for user0@contoso.example: ${denied(boxes[0], 'r0').reason})`,
      'z@contoso.example: Service is temporarily unavailable. (request-id q)',
    ]);
  });

  it('keeps apart causes of one code that say different things', () => {
    const state = stateWith([
      { mailbox: 'a@x', code: 'ErrorAccessDenied', reason: 'policy' },
      { mailbox: 'b@x', code: 'ErrorAccessDenied', reason: 'missing permission' },
      { mailbox: 'c@x', code: 'Other', reason: 'policy' },
    ]);
    expect(failedLine(state, 'move emails')).toHaveLength(3);
  });

  it('names at most ten skipped mailboxes', () => {
    const skipped = Array.from({ length: 25 }, (_, i) => `s${i}@x`);
    expect(skippedLine(stateWith([], skipped))).toEqual([`Not processed because of the error above: ${skipped.slice(0, 10).join(', ')} and 15 more`]);
  });
});
