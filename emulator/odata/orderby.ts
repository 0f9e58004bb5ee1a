/**
 * $orderby: parses the sort keys (checked against the schema: primitive, sortable properties
 * only) and compares two objects by them, nulls first, ISO dates as instants. Separate from
 * $filter because the two share only how a property path is resolved and read.
 */
import { parseUriError } from './errors.ts';
import { getPath } from './evaluate.ts';
import type { Expr } from './parser.ts';
import type { EntitySchema } from './schema.ts';
import { isStructured, resolvePath } from './typecheck.ts';

export interface OrderByKey {
  path: string[];
  descending: boolean;
}

export function parseOrderBy(orderby: string, schema?: EntitySchema): OrderByKey[] {
  const keys: OrderByKey[] = [];
  for (const raw of orderby.split(',')) {
    const part = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m) throw parseUriError(schema, `Syntax error at position ${Math.max(0, orderby.indexOf(part))} in '${orderby}'.`);
    const path = { type: 'path', segments: m[1]!.split('/'), pos: 0 } as Expr & { type: 'path' };
    const t = resolvePath(path, { schema, scope: new Map(), mentioned: [] });
    if (isStructured(t) || (schema?.unsortable ?? []).includes(path.segments[0]!)) {
      throw parseUriError(schema, `The $orderby expression must evaluate to a single value of primitive type.`);
    }
    keys.push({ path: path.segments, descending: (m[2] ?? 'asc').toLowerCase() === 'desc' });
  }
  return keys;
}

export function compileOrderBy(
  orderby: string,
  schema?: EntitySchema,
): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const keys = parseOrderBy(orderby, schema);
  return (a, b) => {
    for (const key of keys) {
      const c = compareForSort(getPath(a, key.path), getPath(b, key.path));
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  };
}

function compareForSort(a: unknown, b: unknown): number {
  // Nulls sort first ascending, as Exchange does.
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const da = isoDateMs(a);
    const db = isoDateMs(b);
    if (da !== undefined && db !== undefined) return da - db;
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function isoDateMs(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
