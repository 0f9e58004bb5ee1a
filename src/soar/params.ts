/**
 * Parameter schema (as documented in spec/contract.json) and parsing of the string values a
 * SOAR platform or the CLI passes to an action.
 */
import { REDACTED } from '../graph/redact.ts';
import { InputError, UsageError } from './errors.ts';
import { findByName, suggestionText } from './suggest.ts';

/** Documented widget type: `list` is the SOAR drop-down (DDL). */
export type ParamType = 'string' | 'boolean' | 'password' | 'list';

/**
 * How a documented string value is read. The docs type numbers and comma lists as `string`,
 * so the schema says what the action really expects:
 * - `text`: trimmed string, empty -> null
 * - `integer`: whole number within `min`/`max` (each action declares both: its documented range)
 * - `list`: comma list, trimmed, empties dropped, exact duplicates dropped (Graph ids are case-sensitive)
 * - `addresses`: comma list of mailboxes / email addresses, duplicates dropped case-insensitively
 */
export type ParamFormat = 'text' | 'integer' | 'list' | 'addresses';

export interface ParamSchema {
  name: string;
  required: boolean;
  default: string | null;
  type: ParamType;
  options: string[] | null;
  description: string;
  format?: ParamFormat;
  min?: number;
  max?: number;
  /** `options` documents examples, not a closed set (e.g. "Dynamically generated list of available templates"). */
  openOptions?: boolean;
  /**
   * Required in the docs but described as falling back to the integration's Default Mailbox
   * (DECISIONS.md "Required but optional"): empty, absent or the literal "Default Mailbox"
   * all mean the Default Mailbox.
   */
  defaultsToDefaultMailbox?: boolean;
  /**
   * Required in the docs but with no default, where the action gives an empty value a meaning
   * of its own (Mark Email as Not Junk's `Folder Name`): empty reaches the action as null.
   */
  emptyMeansActionDefault?: boolean;
  /**
   * Not in the documentation: a parameter this integration adds (optional, with a default that
   * keeps the documented behaviour). The contract test lists every such addition explicitly.
   */
  beyondDocs?: boolean;
}

export type ParamValue = string | boolean | number | string[] | null;

export interface ParseContext {
  /** The integration's Default Mailbox, for `defaultsToDefaultMailbox` parameters. */
  defaultMailbox?: string;
}

/** Parsed values with typed getters; asking for an undeclared name is a programming error. */
export class Params {
  constructor(
    private readonly schema: readonly ParamSchema[],
    private readonly values: ReadonlyMap<string, ParamValue>,
  ) {}

  private value(name: string): ParamValue {
    const p = findByName(this.schema, name);
    if (!p) throw new Error(`Parameter "${name}" is not declared by this action.`);
    return this.values.get(p.name) ?? null;
  }

  string(name: string): string | null {
    const v = this.value(name);
    if (v === null) return null;
    if (Array.isArray(v)) return v.join(', ');
    return String(v);
  }

  /** A value that is known to be present (required, defaulted or Default Mailbox fallback). */
  requiredString(name: string): string {
    const v = this.string(name);
    if (v === null) throw new InputError(`Missing required parameter "${name}".`, name);
    return v;
  }

  boolean(name: string): boolean {
    const v = this.value(name);
    return v === true;
  }

  integer(name: string): number | null {
    const v = this.value(name);
    return typeof v === 'number' ? v : null;
  }

  list(name: string): string[] {
    const v = this.value(name);
    if (v === null) return [];
    if (Array.isArray(v)) return v;
    return [String(v)];
  }

  /** Parameter name -> parsed value, for logs and tests (secrets masked). */
  toJSON(): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    for (const p of this.schema) {
      const v = this.values.get(p.name) ?? null;
      out[p.name] = p.type === 'password' && v !== null ? REDACTED : v;
    }
    return out;
  }
}

/**
 * Check raw `name -> value` pairs against the schema. Unknown names are a UsageError (they are
 * a typo in the command, not a value problem); bad values are an InputError naming the parameter.
 */
export function parseParams(
  schema: readonly ParamSchema[],
  raw: Record<string, string | boolean | number | null | undefined>,
  ctx: ParseContext = {},
): Params {
  const given = new Map<string, string | boolean | number | null | undefined>();
  for (const [key, value] of Object.entries(raw)) {
    const p = findByName(schema, key);
    if (!p) {
      const valid = schema.map((s) => s.name);
      throw new UsageError(
        valid.length === 0
          ? `Unknown parameter "${key}": this action takes no parameters.`
          : `Unknown parameter "${key}". ${suggestionText(key, valid)}`,
      );
    }
    if (given.has(p.name)) throw new UsageError(`Parameter "${p.name}" is given more than once.`);
    given.set(p.name, value);
  }
  const values = new Map<string, ParamValue>();
  for (const p of schema) values.set(p.name, parseParam(p, given.get(p.name), ctx));
  return new Params(schema, values);
}

export function parseParam(
  p: ParamSchema,
  input: string | boolean | number | null | undefined,
  ctx: ParseContext = {},
): ParamValue {
  let text = input === undefined || input === null ? '' : String(input).trim();
  if (p.defaultsToDefaultMailbox && (text === '' || text.toLowerCase() === 'default mailbox')) {
    if (!ctx.defaultMailbox) throw new InputError(`Parameter "${p.name}" is empty and no Default Mailbox is configured.`, p.name);
    text = ctx.defaultMailbox;
  }
  if (text === '' && p.default !== null) text = p.default;
  if (text === '') {
    if (p.required && !p.emptyMeansActionDefault) throw new InputError(`Missing required parameter "${p.name}".`, p.name);
    return p.type === 'boolean' ? false : p.format === 'list' || p.format === 'addresses' ? [] : null;
  }
  const shown = p.type === 'password' ? '' : `, got "${text}"`;
  switch (p.type) {
    case 'boolean':
      return parseBoolean(p.name, text, shown);
    case 'list':
      return parseOption(p, text, shown);
    default:
      break;
  }
  switch (p.format ?? 'text') {
    case 'integer':
      return parseInteger(p, text, shown);
    case 'list':
      return splitList(text, false);
    case 'addresses':
      return splitList(text, true);
    default:
      return text;
  }
}

function parseBoolean(name: string, text: string, shown: string): boolean {
  // Only true/false: SOAR checkboxes send exactly these, and accepting "1"/"yes" would let a
  // typo such as "ture" pass for false in other spellings. Case is irrelevant.
  const t = text.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw new InputError(`Invalid value for parameter "${name}": expected true or false${shown}.`, name);
}

function parseOption(p: ParamSchema, text: string, shown: string): string {
  const options = p.options ?? [];
  const match = options.find((o) => o.toLowerCase() === text.toLowerCase());
  if (match) return match;
  if (p.openOptions) return text;
  throw new InputError(
    `Invalid value for parameter "${p.name}": expected one of ${options.map((o) => `"${o}"`).join(', ')}${shown}.`,
    p.name,
  );
}

function parseInteger(p: ParamSchema, text: string, shown: string): number {
  // Without a declared bound, the bound is what a JavaScript number holds exactly: a bigger
  // value would be silently rounded, so it is refused with the range said.
  const min = p.min ?? Number.MIN_SAFE_INTEGER;
  const max = p.max ?? Number.MAX_SAFE_INTEGER;
  const fail = () => new InputError(`Invalid value for parameter "${p.name}": expected a whole number between ${min} and ${max}${shown}.`, p.name);
  if (!/^[+-]?\d+$/.test(text)) throw fail();
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw fail();
  return n;
}

/** Comma list: items trimmed, empties dropped, duplicates dropped keeping the first spelling. */
export function splitList(text: string, caseInsensitive: boolean): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const key = caseInsensitive ? item.toLowerCase() : item;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}
