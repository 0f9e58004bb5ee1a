/**
 * The ONE place user text enters an OData expression. Everything that builds `$filter` or
 * `$search` goes through these helpers; nowhere else interpolates user input into a query.
 *
 * Control characters: Graph rejects or silently mis-parses C0 controls and DEL inside OData
 * literals, and no mail header field that we filter on can contain them after unfolding, so a
 * value with U+0000-U+001F (except TAB) or U+007F is refused with a TypeError rather than sent.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

function assertNoControl(value: string, what: string): void {
  const m = CONTROL.exec(value);
  if (m) {
    const cp = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new TypeError(`${what} contains a control character (U+${cp}), which Microsoft Graph cannot match; remove it.`);
  }
}

/** Property paths come from code, not users, but are checked so a path can never smuggle an expression. */
const PROPERTY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function assertPath(path: string): void {
  if (!PROPERTY_PATH.test(path)) throw new TypeError(`Not an OData property path: ${JSON.stringify(path)}`);
}

/** `'...'` with every `'` doubled (OData ABNF: SQUOTE-in-string = SQUOTE SQUOTE). */
export function odataString(value: string): string {
  if (typeof value !== 'string') throw new TypeError('odataString expects a string');
  assertNoControl(value, 'A filter value');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * DateTimeOffset literal: unquoted ISO 8601 in UTC; whole seconds when there are no milliseconds.
 * Only years 0001-9999: outside them `toISOString` writes `-016987-...` or `+275760-...`, which
 * the OData ABNF's `year` rule does not allow (no `+`, no leading zero beyond four digits), and
 * no email carries such a date anyway.
 */
export function odataDate(value: Date): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError('Not a valid date for an OData filter');
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new TypeError(`A filter date must lie in the years 0001 to 9999, got the year ${year}.`);
  return value.toISOString().replace('.000Z', 'Z');
}

export type ODataLiteral = string | number | boolean | Date | null;

function literal(value: ODataLiteral): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return odataString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('Not a finite number for an OData filter');
    return String(value);
  }
  return odataDate(value);
}

export function eq(path: string, value: ODataLiteral): string {
  assertPath(path);
  return `${path} eq ${literal(value)}`;
}

/** `path/any(x:x eq value)`: a collection of strings holds the value (e.g. a user's proxyAddresses). */
export function anyEq(path: string, value: ODataLiteral): string {
  assertPath(path);
  return `${path}/any(x:x eq ${literal(value)})`;
}

export function ne(path: string, value: ODataLiteral): string {
  assertPath(path);
  return `${path} ne ${literal(value)}`;
}

export function contains(path: string, value: string): string {
  assertPath(path);
  return `contains(${path},${odataString(value)})`;
}

export function startsWith(path: string, value: string): string {
  assertPath(path);
  return `startswith(${path},${odataString(value)})`;
}

export function ge(path: string, value: Date): string {
  assertPath(path);
  return `${path} ge ${odataDate(value)}`;
}

export function lt(path: string, value: Date): string {
  assertPath(path);
  return `${path} lt ${odataDate(value)}`;
}

/** True when `clause` has an ` or ` outside string literals and outside parentheses. */
function hasTopLevelOr(clause: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < clause.length; i++) {
    const c = clause[i];
    if (inString) {
      if (c === "'") {
        if (clause[i + 1] === "'") i++;
        else inString = false;
      }
      continue;
    }
    if (c === "'") inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && clause.startsWith(' or ', i)) return true;
  }
  return false;
}

type Clause = string | undefined | null | false;

/** Clauses joined by `and`; empty ones skipped; a clause with a top-level `or` is parenthesised so
 * precedence is what the caller meant. Atomic clauses stay bare (Exchange flags some needless
 * nesting as InefficientFilter). */
export function and(...clauses: Clause[]): string {
  const parts = clauses.filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (parts.length === 1) return parts[0];
  return parts.map((c) => (hasTopLevelOr(c) ? `(${c})` : c)).join(' and ');
}

/** Clauses joined by `or`, parenthesised as a whole when there are several. */
export function or(...clauses: Clause[]): string {
  const parts = clauses.filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (parts.length <= 1) return parts[0] ?? '';
  return `(${parts.join(' or ')})`;
}

/**
 * A `$search` value: the whole text as one KQL phrase in double quotes, with `\` and `"` escaped by
 * a backslash (Graph's docs are silent on embedded quotes; Exchange KQL accepts backslash escapes),
 * so user text cannot add KQL operators or property restrictions.
 */
export function escapeSearch(value: string): string {
  if (typeof value !== 'string') throw new TypeError('escapeSearch expects a string');
  assertNoControl(value, 'A search value');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
