/**
 * `--format table`: the result document for a human at a terminal. A view only: it reads the
 * document and changes nothing in it (`--format json` prints the same document whole).
 *
 * Tables fit the terminal's width: columns keep their natural width when there is room; else an
 * id column (`Mail ID`) stays whole if the other columns still get a readable width, and is cut
 * in the middle otherwise; date columns stay whole; the other columns share what is left,
 * widest first, down to a few columns each. Narrower than that, each row is shown as a record
 * (one `Column  value` line per cell).
 */
import type { CaseWallTable, ResultDocument } from '../soar/result.ts';
import { cutEnd, cutMiddle, displayWidth, neutraliseLine, neutraliseLines, padEnd } from './terminal-text.ts';
import { fairShares } from '../soar/fair-share.ts';

/** Width used when stdout is no terminal and `COLUMNS` says nothing. */
export const DEFAULT_TABLE_WIDTH = 120;

/** A text column never asks for more than this, so one long subject does not take the screen. */
const MAX_TEXT = 60;
/** What a text column keeps for an id column to stay whole. */
const READABLE_TEXT = 12;
const MIN_TEXT = 6;
/** Enough of an id, cut in the middle, to tell rows apart at a glance. */
const MIN_ID = 13;

type ColumnKind = 'id' | 'date' | 'text';

/** An id column is copied into the next command; a date cut at its end is another date. */
function kindOf(column: string): ColumnKind {
  if (/\bID$/i.test(column.trim())) return 'id';
  if (/\b(Date|Time)\b/i.test(column)) return 'date';
  return 'text';
}

/**
 * The width `--format table` fits: the terminal's when stdout is one, else `COLUMNS` (a positive
 * whole number), else {@link DEFAULT_TABLE_WIDTH}.
 */
export function tableWidth(stdout: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number {
  if (stdout.isTTY && Number.isInteger(stdout.columns) && stdout.columns! > 0) return stdout.columns!;
  const cols = Number(env.COLUMNS?.trim() || NaN);
  return Number.isInteger(cols) && cols > 0 ? cols : DEFAULT_TABLE_WIDTH;
}


const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Column widths (display columns, without the padding and borders) for a table at most `maxWidth`
 * wide; null when not even ids cut short and text columns of a few characters fit.
 */
export function columnWidths(t: CaseWallTable, maxWidth: number): number[] | null {
  const kinds = t.columns.map(kindOf);
  const natural = t.columns.map((c, i) => {
    const w = Math.max(displayWidth(neutraliseLine(c)), ...t.rows.map((r) => displayWidth(neutraliseLine(r[i] ?? ''))), 1);
    return kinds[i] === 'text' ? Math.min(MAX_TEXT, w) : w;
  });
  const room = maxWidth - (3 * t.columns.length + 1);
  if (sum(natural) <= room) return natural;
  const text = (w: number) => kinds.map((k, i) => (k === 'text' ? Math.min(natural[i], w) : 0));
  const fill = (floor: number[], demandOf: (i: number) => number) => {
    const extra = fairShares(Math.max(0, room - sum(floor)), floor.map((f, i) => Math.max(0, demandOf(i) - f)));
    return floor.map((f, i) => f + extra[i]);
  };

  // Ids whole, dates whole, text columns readable: the text columns share the rest.
  const idsWhole = kinds.map((k, i) => (k === 'text' ? text(READABLE_TEXT)[i] : natural[i]));
  if (sum(idsWhole) <= room) return fill(idsWhole, (i) => (kinds[i] === 'text' ? natural[i] : idsWhole[i]));

  // Ids cut: text columns get the room first (a cut id is for the eye, its JSON has it whole), then ids.
  const floor = kinds.map((k, i) => (k === 'id' ? Math.min(natural[i], MIN_ID) : k === 'date' ? natural[i] : text(MIN_TEXT)[i]));
  if (sum(floor) <= room) {
    const withText = fill(floor, (i) => (kinds[i] === 'text' ? natural[i] : floor[i]));
    return fill(withText, (i) => natural[i]);
  }
  // Narrower still: no table fits; the caller shows each row as a record instead.
  return null;
}

/**
 * The Mailbox of each row of a table of emails, when the run covered several mailboxes: the JSON
 * result of the sweeps lists `mailboxes: [{ mailbox, emails: [{ id }] }]` and the rows carry the
 * `Mail ID`. Undefined when the document has no such list or covers one mailbox.
 */
export function rowMailboxes(t: CaseWallTable, jsonResult: unknown): string[] | undefined {
  const idColumn = t.columns.indexOf('Mail ID');
  if (idColumn < 0 || t.columns.includes('Mailbox')) return undefined;
  const boxes = (jsonResult as { mailboxes?: unknown } | null)?.mailboxes;
  if (!Array.isArray(boxes) || boxes.length < 2) return undefined;
  const owners = new Map<string, string[]>();
  for (const b of boxes as Array<{ mailbox?: unknown; emails?: unknown }>) {
    if (typeof b?.mailbox !== 'string' || !Array.isArray(b.emails)) continue;
    for (const e of b.emails as Array<{ id?: unknown }>) {
      if (typeof e?.id !== 'string') continue;
      const list = owners.get(e.id) ?? [];
      list.push(b.mailbox);
      owners.set(e.id, list);
    }
  }
  // In row order, so the same id in two mailboxes (a copy) is named once for each.
  return t.rows.map((r) => owners.get(r[idColumn] ?? '')?.shift() ?? '');
}

/** The table as shown: with a Mailbox column first when its rows come from several mailboxes. */
export function tableView(t: CaseWallTable, jsonResult: unknown): CaseWallTable {
  const boxes = rowMailboxes(t, jsonResult);
  if (!boxes) return t;
  return { title: t.title, columns: ['Mailbox', ...t.columns], rows: t.rows.map((r, i) => [boxes[i], ...r]) };
}

/** What the reader is told when ids were cut (not cut to the width: a terminal wraps it). */
const cutNote = (columns: Set<string>, width: number) => `${[...columns].join(', ')} cut in the middle (…) to fit ${width} columns; --format json has them whole.`;

export function renderTable(t: CaseWallTable, maxWidth = DEFAULT_TABLE_WIDTH): string {
  const w = columnWidths(t, maxWidth);
  if (!w) return renderRecords(t, maxWidth);
  const kinds = t.columns.map(kindOf);
  const cutIds = new Set<string>();
  const line = (l: string, m: string, r: string) => l + w.map((n) => '─'.repeat(n + 2)).join(m) + r;
  const cell = (text: string, i: number, header: boolean) => {
    const clean = neutraliseLine(text);
    if (header || kinds[i] !== 'id') return padEnd(cutEnd(clean, w[i]), w[i]);
    const shown = cutMiddle(clean, w[i]);
    if (shown !== clean) cutIds.add(t.columns[i]);
    return padEnd(shown, w[i]);
  };
  const row = (cells: string[], header = false) => '│' + w.map((_, i) => ` ${cell(cells[i] ?? '', i, header)} `).join('│') + '│';
  const inner = sum(w) + 3 * w.length - 1;
  const out = [cutEnd(neutraliseLine(t.title), maxWidth), line('┌', '┬', '┐'), row(t.columns, true), line('├', '┼', '┤')];
  for (const r of t.rows) out.push(row(r));
  if (t.rows.length === 0) out.push('│' + padEnd(cutEnd(' (no rows)', inner), inner) + '│');
  out.push(line('└', '┴', '┘'));
  if (cutIds.size > 0) out.push(cutNote(cutIds, maxWidth));
  return out.join('\n');
}

/** A table too wide for any column layout: each row as lines of `Column  value`, under a rule. */
export function renderRecords(t: CaseWallTable, maxWidth: number): string {
  const kinds = t.columns.map(kindOf);
  const names = t.columns.map((c) => neutraliseLine(c));
  const label = Math.min(Math.max(...names.map(displayWidth), 1), Math.max(4, Math.floor(maxWidth / 3)));
  const room = Math.max(1, maxWidth - label - 2);
  const cutIds = new Set<string>();
  const out = [cutEnd(neutraliseLine(t.title), maxWidth)];
  t.rows.forEach((r, n) => {
    const rule = `── ${n + 1} of ${t.rows.length} `;
    out.push(rule + '─'.repeat(Math.max(0, maxWidth - displayWidth(rule))));
    t.columns.forEach((_, i) => {
      const clean = neutraliseLine(r[i] ?? '');
      const shown = kinds[i] === 'id' ? cutMiddle(clean, room) : cutEnd(clean, room);
      if (kinds[i] === 'id' && shown !== clean) cutIds.add(t.columns[i]);
      out.push(`${padEnd(cutEnd(names[i], label), label)}  ${shown}`.trimEnd());
    });
  });
  if (t.rows.length === 0) out.push('(no rows)');
  if (cutIds.size > 0) out.push(cutNote(cutIds, maxWidth));
  return out.join('\n');
}

export function renderResultAsText(doc: ResultDocument, opts: { width?: number; stateFile?: string } = {}): string {
  const width = opts.width ?? DEFAULT_TABLE_WIDTH;
  const status = doc.execution_state === 'IN_PROGRESS' ? 'in progress' : doc.is_success ? 'success' : 'failed';
  const parts: string[] = [neutraliseLine(`${doc.action}: ${doc.execution_state} (${status})`), neutraliseLines(doc.output_message)];
  for (const t of doc.case_wall.tables) parts.push(renderTable(tableView(t, doc.json_result), width));
  if (doc.case_wall.attachments.length > 0) {
    parts.push(
      'Attachments:\n' +
        doc.case_wall.attachments
          .map((a) => `  ${neutraliseLine(a.title)} (${neutraliseLine(a.filename)}, ${Buffer.from(a.content_base64, 'base64').length} bytes)`)
          .join('\n'),
    );
  }
  if (doc.case_wall.links.length > 0) parts.push('Links:\n' + doc.case_wall.links.map((l) => `  ${neutraliseLine(l.title)}: ${neutraliseLine(l.url)}`).join('\n'));
  if (doc.json_result !== null && doc.json_result !== undefined) parts.push('JSON result available (see it with --format json).');
  if (doc.execution_state === 'IN_PROGRESS') {
    parts.push(opts.stateFile ? `Run again with --state ${neutraliseLine(opts.stateFile)} to continue.` : 'Use --state FILE (or --wait) to continue this run.');
  }
  return parts.join('\n\n') + '\n';
}
