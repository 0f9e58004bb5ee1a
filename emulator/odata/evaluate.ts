/**
 * OData stage 4, evaluation of $filter: runs a checked expression tree against one stored
 * object (case-insensitive strings as Exchange matches them, dates against ISO strings, nulls
 * like SQL). compileFilter ties lexer, parser, type check and this together. Separate so the
 * runtime semantics sit apart from what is merely well-formed.
 */
import { parseFilter, type CompareOp, type Expr } from './parser.ts';
import type { EntitySchema } from './schema.ts';
import { check, requireBoolean, type CheckContext } from './typecheck.ts';

type Env = Map<string, unknown>;

export function getPath(obj: unknown, segments: string[]): unknown {
  let current = obj;
  for (const seg of segments) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[seg];
  }
  return current === undefined ? null : current;
}

function evaluate(expr: Expr, obj: Record<string, unknown>, env: Env): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'path':
      return getPath(expr.root !== undefined ? env.get(expr.root) : obj, expr.segments);
    case 'and':
      return evaluate(expr.left, obj, env) === true && evaluate(expr.right, obj, env) === true;
    case 'or':
      return evaluate(expr.left, obj, env) === true || evaluate(expr.right, obj, env) === true;
    case 'not':
      return evaluate(expr.operand, obj, env) !== true;
    case 'compare':
      return compareValues(evaluate(expr.left, obj, env), evaluate(expr.right, obj, env), expr.op);
    case 'call':
      return callFunction(expr.name, expr.args.map((a) => evaluate(a, obj, env)));
    case 'lambda': {
      const items = evaluate(expr.collection, obj, env);
      const list = Array.isArray(items) ? items : [];
      if (expr.predicate === undefined || expr.variable === undefined) return list.length > 0;
      const test = (item: unknown): boolean => evaluate(expr.predicate!, obj, new Map(env).set(expr.variable!, item)) === true;
      return expr.quantifier === 'any' ? list.some(test) : list.every(test);
    }
  }
}

function callFunction(name: string, args: unknown[]): unknown {
  const [a, b] = args.map((v) => (typeof v === 'string' ? v : null));
  switch (name) {
    case 'tolower':
      return a?.toLowerCase() ?? null;
    case 'toupper':
      return a?.toUpperCase() ?? null;
    case 'trim':
      return a?.trim() ?? null;
  }
  if (a == null || b == null) return false;
  // Exchange string matching ignores case.
  const hay = a.toLowerCase();
  const needle = b.toLowerCase();
  if (name === 'contains') return hay.includes(needle);
  if (name === 'startswith') return hay.startsWith(needle);
  return hay.endsWith(needle);
}

/** Normalises a runtime value to something `<` can order; undefined when incomparable. */
function comparable(v: unknown, asDate: boolean): string | number | boolean | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'datetime' in (v as object)) return (v as { datetime: number }).datetime;
  if (asDate && typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

function isDateLiteral(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'datetime' in v;
}

function compareValues(left: unknown, right: unknown, op: CompareOp): boolean {
  if (left === null || left === undefined || right === null || right === undefined) {
    const same = (left ?? null) === (right ?? null);
    // Like SQL, ordering against null is never true.
    return op === 'eq' ? same : op === 'ne' ? !same : false;
  }
  const asDate = isDateLiteral(left) || isDateLiteral(right);
  const l = comparable(left, asDate);
  const r = comparable(right, asDate);
  if (l === undefined || r === undefined) return false;
  if (op === 'eq') return l === r;
  if (op === 'ne') return l !== r;
  if (l === null || r === null || typeof l !== typeof r) return false;
  switch (op) {
    case 'gt':
      return l > r;
    case 'ge':
      return l >= r;
    case 'lt':
      return l < r;
    default:
      return l <= r;
  }
}

export interface CompiledFilter {
  predicate: (obj: Record<string, unknown>) => boolean;
  /** Top-level properties in order of first mention. */
  properties: string[];
}

export function compileFilterDetailed(filter: string, schema?: EntitySchema): CompiledFilter {
  const ast = parseFilter(filter);
  const ctx: CheckContext = { schema, scope: new Map(), mentioned: [] };
  requireBoolean(check(ast, ctx), ctx, 'filter');
  const properties = [...new Set(ctx.mentioned)];
  return { predicate: (obj) => evaluate(ast, obj, new Map()) === true, properties };
}

/**
 * A $filter predicate. With a schema, unknown properties and mistyped comparisons are
 * rejected the way Graph rejects them; without one, any property path is accepted and a
 * missing property reads as null.
 */
export function compileFilter(filter: string, schema?: EntitySchema): (obj: Record<string, unknown>) => boolean {
  return compileFilterDetailed(filter, schema).predicate;
}
