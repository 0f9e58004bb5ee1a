/** `--format table`: the result document for a human at a terminal. */
import type { CaseWallTable, ResultDocument } from '../soar/result.ts';

const MAX_CELL = 60;
const MIN_CELL = 6;

function clean(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\t/g, ' ');
}

function fit(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s + ' '.repeat(width - chars.length);
  return chars.slice(0, width - 1).join('') + '…';
}

/** An id column ("Mail ID") is copied into the next command: it is never cut. */
const isIdColumn = (name: string) => /\bID$/i.test(name.trim());

/** Column widths that fit `maxWidth`: natural widths, then the widest other column shrinks first. */
export function columnWidths(t: CaseWallTable, maxWidth: number): number[] {
  const keep = t.columns.map(isIdColumn);
  const widths = t.columns.map((c, i) => {
    const natural = Math.max([...clean(c)].length, ...t.rows.map((r) => [...clean(r[i] ?? '')].length), 1);
    return keep[i] ? natural : Math.min(MAX_CELL, natural);
  });
  const total = () => widths.reduce((a, b) => a + b, 0) + 3 * widths.length + 1;
  while (total() > maxWidth) {
    const shrinkable = widths.map((w, i) => (keep[i] ? -1 : w));
    const widest = shrinkable.indexOf(Math.max(...shrinkable));
    if (widest < 0 || widths[widest] <= MIN_CELL) break;
    widths[widest] -= 1;
  }
  return widths;
}

export function renderTable(t: CaseWallTable, maxWidth = 120): string {
  const w = columnWidths(t, maxWidth);
  const line = (l: string, m: string, r: string) => l + w.map((n) => '─'.repeat(n + 2)).join(m) + r;
  const row = (cells: string[]) => '│' + w.map((n, i) => ` ${fit(clean(cells[i] ?? ''), n)} `).join('│') + '│';
  const out = [t.title, line('┌', '┬', '┐'), row(t.columns), line('├', '┼', '┤')];
  for (const r of t.rows) out.push(row(r));
  if (t.rows.length === 0) out.push('│' + fit(' (no rows)', w.reduce((a, b) => a + b + 3, -1)) + '│');
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}

export function renderResultAsText(doc: ResultDocument, opts: { width?: number; stateFile?: string } = {}): string {
  const width = opts.width ?? 120;
  const status = doc.execution_state === 'IN_PROGRESS' ? 'in progress' : doc.is_success ? 'success' : 'failed';
  const parts: string[] = [`${doc.action}: ${doc.execution_state} (${status})`, doc.output_message];
  for (const t of doc.case_wall.tables) parts.push(renderTable(t, width));
  if (doc.case_wall.attachments.length > 0) {
    parts.push(
      'Attachments:\n' +
        doc.case_wall.attachments
          .map((a) => `  ${a.title} (${a.filename}, ${Buffer.from(a.content_base64, 'base64').length} bytes)`)
          .join('\n'),
    );
  }
  if (doc.case_wall.links.length > 0) parts.push('Links:\n' + doc.case_wall.links.map((l) => `  ${l.title}: ${l.url}`).join('\n'));
  if (doc.json_result !== null && doc.json_result !== undefined) parts.push('JSON result available (see it with --format json).');
  if (doc.execution_state === 'IN_PROGRESS') {
    parts.push(opts.stateFile ? `Run again with --state ${opts.stateFile} to continue.` : 'Use --state FILE (or --wait) to continue this run.');
  }
  return parts.join('\n\n') + '\n';
}
