/** `--format table`: widths that fit the terminal, display columns, neutralised text, the Mailbox column. */
import { describe, expect, it } from 'vitest';
import { columnWidths, DEFAULT_TABLE_WIDTH, renderResultAsText, renderTable, tableView, tableWidth } from '../../src/cli/format.ts';
import { cutEnd, cutMiddle, displayWidth, neutraliseLine, neutraliseLines, padEnd } from '../../src/cli/terminal-text.ts';
import type { CaseWallTable, ResultDocument } from '../../src/soar/result.ts';

/** A Graph message id as long as the real ones (152 characters), ending in `tail`. */
const graphId = (mailbox: number, tail: string) => `AAMkAD${String(mailbox).repeat(8)}${'q'.repeat(126)}${tail}`.slice(0, 145) + tail;
const DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const COLUMNS = ['Mail ID', 'Subject', 'Sender', 'Receivers', 'Received Date'];

function emails(): Array<{ mailbox: string; row: string[] }> {
  return [
    { mailbox: 'soc@contoso.example', row: [graphId(1, 'AABhVdI'), 'Action required: verify your mailbox password today', 'it-support@login-contoso.example', 'alice.martin@contoso.example', '2026-12-01T20:53:38Z'] },
    { mailbox: 'soc@contoso.example', row: [graphId(1, 'AABhVdG'), 'Daily SOC summary', 'alerts@siem.contoso.example', 'soc@contoso.example', '2026-12-01T13:53:38Z'] },
    { mailbox: 'phishing-reports@contoso.example', row: [graphId(2, 'AAB1R1G'), 'Report: suspicious email', 'alice.martin@contoso.example', 'phishing-reports@contoso.example', '2026-12-01T21:53:38Z'] },
    { mailbox: 'alice.martin@contoso.example', row: [graphId(3, 'AAByKbB'), '請求書の確認をお願いします 📎', 'bob.keller@contoso.example', 'alice.martin@contoso.example, carol.diaz@contoso.example', '2026-11-30T17:53:38Z'] },
  ];
}

function searchDoc(): ResultDocument {
  const list = emails();
  const boxes = [...new Set(list.map((e) => e.mailbox))];
  return {
    action: 'Search Emails',
    is_success: true,
    execution_state: 'COMPLETED',
    output_message: 'Successfully found emails in the following mailboxes: ...',
    json_result: { found_total: list.length, mailboxes: boxes.map((mailbox) => ({ mailbox, emails: list.filter((e) => e.mailbox === mailbox).map((e) => ({ id: e.row[0] })) })) },
    case_wall: { tables: [{ title: 'Matching Mails', columns: COLUMNS, rows: list.map((e) => e.row) }], attachments: [], links: [] },
    state: null,
  };
}

/** The lines of the rendered table (title first), without the note under it. */
const tableLines = (text: string) => text.split('\n').filter((l) => /^[│┌├└]/.test(l));
const cells = (line: string) => line.slice(1, -1).split('│').map((c) => c.trim());

describe('tableWidth', () => {
  it('is the terminal width on a TTY, else COLUMNS, else 120', () => {
    expect(tableWidth({ isTTY: true, columns: 100 }, { COLUMNS: '80' })).toBe(100);
    expect(tableWidth({ isTTY: false, columns: 100 }, { COLUMNS: '80' })).toBe(80);
    expect(tableWidth({}, { COLUMNS: ' 132 ' })).toBe(132);
    expect(tableWidth({}, {})).toBe(DEFAULT_TABLE_WIDTH);
    expect(DEFAULT_TABLE_WIDTH).toBe(120);
    for (const bad of ['', 'wide', '0', '-5', '80.5']) expect(tableWidth({}, { COLUMNS: bad })).toBe(120);
    expect(tableWidth({ isTTY: true, columns: 0 }, { COLUMNS: '90' })).toBe(90);
  });
});

describe('renderTable fits the width', () => {
  const table = tableView(searchDoc().case_wall.tables[0], searchDoc().json_result);

  it.each([80, 100, 120, 160, 200, 400])('at %i columns: every line fits, every line the same width, dates whole', (width) => {
    const text = renderTable(table, width);
    const lines = tableLines(text);
    const widths = new Set(lines.map(displayWidth));
    expect(widths.size).toBe(1);
    expect([...widths][0]).toBeLessThanOrEqual(width);
    expect(displayWidth(text.split('\n')[0])).toBeLessThanOrEqual(width);
    const rows = lines.slice(3, -1).map(cells);
    for (const r of rows) expect(r[5]).toMatch(DATE);
    // The Mailbox column tells the rows apart (cut at the end, when cut).
    for (const [i, r] of rows.entries()) expect(emails()[i].mailbox.startsWith(r[0].replace(/…$/, ''))).toBe(true);
  });

  it.each([30, 40, 60])('at %i columns, too narrow for 6 columns: one record per row, every line fits', (width) => {
    const text = renderTable(table, width);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Matching Mails');
    expect(lines.filter((l) => l.startsWith('── '))).toHaveLength(emails().length);
    for (const l of lines.filter((x) => !x.includes('cut in the middle'))) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    const boxes = lines.filter((l) => l.startsWith('Mailbox ')).map((l) => l.replace(/^Mailbox\s+/, '').replace(/…$/, ''));
    expect(boxes.map((b, i) => emails()[i].mailbox.startsWith(b))).toEqual(emails().map(() => true));
    if (width >= 40) for (const l of lines.filter((x) => x.startsWith('Received Date'))) expect(l.replace(/^Received Date\s+/, '')).toMatch(DATE);
  });

  it('at 80 columns (it was 108 wide, ids never shrinking): ids cut in the middle, a note says so', () => {
    const text = renderTable(table, 80);
    const lines = tableLines(text);
    expect(displayWidth(lines[0])).toBe(80);
    const rows = lines.slice(3, -1).map(cells);
    for (const [i, r] of rows.entries()) {
      const id = emails()[i].row[0];
      const [head, tail] = r[1].split('…');
      expect(id.startsWith(head)).toBe(true);
      expect(id.endsWith(tail)).toBe(true);
      expect(tail.length).toBeGreaterThanOrEqual(7); // Graph ids of one folder differ at the end
    }
    expect(new Set(rows.map((r) => r[1])).size).toBe(rows.length);
    expect(text.split('\n').at(-1)).toBe('Mail ID cut in the middle (…) to fit 80 columns; --format json has them whole.');
  });

  it('keeps ids whole when the other columns can still be read', () => {
    const text = renderTable(table, 400);
    for (const e of emails()) expect(text).toContain(e.row[0]);
    expect(text).not.toContain('cut in the middle');
    const narrow = renderTable({ title: 'Matching Mails', columns: ['Mail ID', 'Subject'], rows: [['AAMk' + 'q'.repeat(60), 'y'.repeat(100)]] }, 100);
    expect(narrow).toContain('AAMk' + 'q'.repeat(60));
    expect(narrow).toContain('…'); // the subject gave way instead
  });

  it('gives a table that fits its natural widths', () => {
    const t: CaseWallTable = { title: 'T', columns: ['Mail ID', 'Subject'], rows: [['1', 'short']] };
    expect(columnWidths(t, 80)).toEqual([7, 7]);
    expect(renderTable(t, 80).split('\n')).toEqual(['T', '┌─────────┬─────────┐', '│ Mail ID │ Subject │', '├─────────┼─────────┤', '│ 1       │ short   │', '└─────────┴─────────┘']);
  });

  it('shows an empty table as such', () => {
    const text = renderTable({ title: 'Matching Mails', columns: ['Mail ID', 'Subject'], rows: [] }, 80);
    expect(text.split('\n')[4]).toBe('│ (no rows)         │');
  });
});

describe('display width', () => {
  it('aligns CJK, emoji, flags and combining marks by the columns they take', () => {
    const t: CaseWallTable = {
      title: 'Matching Mails',
      columns: ['Mail ID', 'Subject'],
      rows: [['1', '日本語の件名'], ['2', '👨‍👩‍👧 family'], ['3', 'e\u0301te\u0301'], ['4', '🇫🇷 ok'], ['5', 'plain']],
    };
    expect(renderTable(t, 80).split('\n').slice(1)).toEqual([
      '┌─────────┬──────────────┐',
      '│ Mail ID │ Subject      │',
      '├─────────┼──────────────┤',
      '│ 1       │ 日本語の件名 │',
      '│ 2       │ 👨‍👩‍👧 family    │',
      '│ 3       │ e\u0301te\u0301          │',
      '│ 4       │ 🇫🇷 ok        │',
      '│ 5       │ plain        │',
      '└─────────┴──────────────┘',
    ]);
  });

  it('cuts between graphemes, never inside a wide character or an emoji sequence', () => {
    expect(cutEnd('日本語の件名', 6)).toBe('日本…');
    expect(padEnd(cutEnd('日本語の件名', 6), 6)).toBe('日本… ');
    expect(cutEnd('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 4)).toBe('👨‍👩‍👧…');
    expect(cutMiddle('🇫🇷🇩🇪🇮🇹🇪🇸', 5)).toBe('…🇮🇹🇪🇸');
    expect(cutMiddle('AAMkADabcdefghijklmnopqrstuvwxyz0123456789', 13)).toBe('AAMk…23456789'); // start 4, end 8
    expect(cutMiddle('short', 13)).toBe('short');
    expect(cutEnd('anything', 0)).toBe('');
    expect(cutMiddle('anything', 1)).toBe('…');
  });

  it('is 0 for what a terminal does not show and 2 for wide characters', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('👍🏽')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});

describe('hostile text is shown, never obeyed', () => {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not be printed
  const HIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const hostile = [
    'invoice\u202Efdp.exe',
    '\u001b[31mred\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
    'a\u200Eb\u200Fc\u2066d\u2067e\u2068f\u2069g\u061Ch',
    'c1 \u0085 \u009b31m csi',
    'nul\u0000 bell\u0007 del\u007f',
    'lone \ud800 surrogate',
    'line\u2028sep\u2029para',
    'multi\r\nline\rsubject\ttab',
  ];

  it('escapes controls, bidi and separators in every cell as \\uXXXX; line breaks and tabs become spaces', () => {
    const t: CaseWallTable = { title: 'Matching \u202Etitle', columns: ['Mail ID', 'Subject \u001b[1m'], rows: hostile.map((s, i) => [`id-${i}\u202E`, s]) };
    const text = renderTable(t, 200);
    expect(text).not.toMatch(HIDDEN);
    expect(text).toContain('invoice\\u202Efdp.exe');
    expect(text).toContain('\\u001B[31mred\\u001B[0m');
    expect(text).toContain('a\\u200Eb\\u200Fc\\u2066d\\u2067e\\u2068f\\u2069g\\u061Ch');
    expect(text).toContain('c1 \\u0085 \\u009B31m csi');
    expect(text).toContain('nul\\u0000 bell\\u0007 del\\u007F');
    expect(text).toContain('lone \ufffd surrogate');
    expect(text).toContain('line\\u2028sep\\u2029para');
    expect(text).toContain('multi line subject tab');
    expect(text).toContain('Matching \\u202Etitle');
    expect(text).toContain('id-0\\u202E');
    // Still aligned: the escapes are plain ASCII.
    expect(new Set(tableLines(text).map(displayWidth)).size).toBe(1);
  });

  it('neutralises the output message, attachment names and links too, keeping the message lines', () => {
    const doc: ResultDocument = {
      ...searchDoc(),
      output_message: 'Downloaded 1 attachments. Files: /tmp/invoice\u202Efdp.exe.\rSecond line\u001b[2J',
      case_wall: {
        tables: [],
        attachments: [{ title: 'Email \u202Egnp', filename: 'x\u200F.eml', content_base64: Buffer.from('abc').toString('base64') }],
        links: [{ title: 'link\u2066', url: 'https://example.test/\u0007' }],
      },
    };
    const text = renderResultAsText(doc, { width: 80 });
    expect(text).not.toMatch(HIDDEN);
    expect(text).toContain('Downloaded 1 attachments. Files: /tmp/invoice\\u202Efdp.exe.\nSecond line\\u001B[2J');
    expect(text).toContain('  Email \\u202Egnp (x\\u200F.eml, 3 bytes)');
    expect(text).toContain('  link\\u2066: https://example.test/\\u0007');
    expect(neutraliseLines('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(neutraliseLine('a \r\n  b')).toBe('a b');
  });
});

describe('the Mailbox column', () => {
  it('comes first when the rows come from several mailboxes, named from the JSON result; the document is unchanged', () => {
    const doc = searchDoc();
    const before = JSON.stringify(doc);
    const text = renderResultAsText(doc, { width: 200 });
    expect(JSON.stringify(doc)).toBe(before);
    const lines = tableLines(text);
    expect(cells(lines[1])).toEqual(['Mailbox', ...COLUMNS]);
    expect(lines.slice(3, -1).map((l) => cells(l)[0])).toEqual(emails().map((e) => e.mailbox));
  });

  it('is left out for one mailbox, and names a copy of one id in two mailboxes once for each', () => {
    const one = searchDoc();
    one.json_result = { mailboxes: [{ mailbox: 'soc@contoso.example', emails: [] }] };
    expect(tableView(one.case_wall.tables[0], one.json_result).columns).toEqual(COLUMNS);
    expect(tableView(one.case_wall.tables[0], null).columns).toEqual(COLUMNS);
    const t: CaseWallTable = { title: 'Matching Mails', columns: COLUMNS, rows: [['same', 'a'], ['same', 'b'], ['other', 'c']] };
    const view = tableView(t, { mailboxes: [{ mailbox: 'a@x', emails: [{ id: 'same' }] }, { mailbox: 'b@x', emails: [{ id: 'same' }] }] });
    expect(view.rows.map((r) => r[0])).toEqual(['a@x', 'b@x', '']);
  });
});
