/** The action result document of CONTRACT.md §3 and builders for its case wall. */

export type ExecutionState = 'COMPLETED' | 'IN_PROGRESS' | 'FAILED' | 'TIMEDOUT';

export interface CaseWallTable {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface CaseWallAttachment {
  title: string;
  filename: string;
  content_base64: string;
}

export interface CaseWallLink {
  title: string;
  url: string;
}

export interface CaseWall {
  tables: CaseWallTable[];
  attachments: CaseWallAttachment[];
  links: CaseWallLink[];
}

/** `J`: the action's JSON result; null when the action gave none (any failure the runtime reports itself, e.g. a bad parameter). */
export interface ResultDocument<J = unknown> {
  action: string;
  is_success: boolean;
  execution_state: ExecutionState;
  output_message: string;
  json_result: J | null;
  case_wall: CaseWall;
  /** Non-null only with IN_PROGRESS: what to pass back to continue the run. */
  state: unknown;
}

export function emptyCaseWall(): CaseWall {
  return { tables: [], attachments: [], links: [] };
}

/**
 * A case-wall table. Rows are given as objects keyed by column (missing -> ""), so actions can
 * map Graph objects without keeping column order in two places.
 */
export function table(title: string, columns: string[], rows: Array<Record<string, unknown> | unknown[]>): CaseWallTable {
  return {
    title,
    columns: [...columns],
    rows: rows.map((r) => (Array.isArray(r) ? columns.map((_, i) => cell(r[i])) : columns.map((c) => cell(r[c])))),
  };
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(cell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function attachment(title: string, filename: string, content: Uint8Array | string): CaseWallAttachment {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return { title, filename, content_base64: buf.toString('base64') };
}

export function link(title: string, url: string): CaseWallLink {
  return { title, url };
}
