import { createRequire } from 'node:module';
import type * as Re2js from 're2js';

// re2js (one 260 KB module) is loaded by the first pattern compiled, not by every start of the
// CLI; compiling is synchronous, hence require (re2js ships a CommonJS build) over import().
const require = createRequire(import.meta.url);
let re2js: typeof Re2js | undefined;
const engine = (): typeof Re2js => (re2js ??= require('re2js') as typeof Re2js);

/**
 * User-supplied regular expressions, run on RE2 (linear time: no catastrophic backtracking on
 * hostile mail bodies). Lookaround and backreferences cannot be linear, so they are refused with
 * an error that names the parameter and the pattern.
 */

export class UserRegexError extends Error {
  override readonly name = 'UserRegexError';
  constructor(
    readonly parameter: string,
    readonly key: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface UserRegex {
  /** The map key ("ips"), or null for a lone pattern. */
  key: string | null;
  source: string;
  findAll(text: string, maxMatches?: number): string[];
  /** Whether the pattern matches anywhere, an empty match included (`^$` matches an empty text). */
  test(text: string): boolean;
}

export interface CompileOptions {
  parameter: string;
  key?: string | null;
  caseInsensitive?: boolean;
}

const DEFAULT_MAX_MATCHES = 10_000;

function where(parameter: string, key: string | null): string {
  return key === null ? `"${parameter}"` : `"${parameter}" (key "${key}")`;
}

/** Names the unsupported construct, so the user knows what to rewrite. */
function unsupportedConstruct(pattern: string): string | null {
  // Skip escaped characters and character classes, where these sequences are literal.
  const stripped = pattern.replace(/\\[^0-9kg]|\[(?:\\.|[^\]\\])*\]/g, '_');
  if (/\(\?<?[=!]/.test(stripped)) return 'lookaround ((?=...), (?!...), (?<=...), (?<!...))';
  if (/\\[1-9]|\\k<|\\g[<{\d-]|\(\?P=/.test(stripped)) return 'backreferences (\\1, \\k<name>)';
  if (/\(\?>|[*+?}][+]/.test(stripped)) return 'atomic groups or possessive quantifiers';
  return null;
}

export function compileUserRegex(pattern: string, options: CompileOptions): UserRegex {
  const key = options.key ?? null;
  if (typeof pattern !== 'string' || pattern === '') {
    throw new UserRegexError(options.parameter, key, `Invalid regular expression in ${where(options.parameter, key)}: the pattern is empty.`);
  }
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) {
    throw new UserRegexError(
      options.parameter,
      key,
      `Invalid regular expression in ${where(options.parameter, key)}: ${unsupported} are not supported (the regex engine is RE2, linear time). Pattern: ${pattern}`,
    );
  }
  const { RE2JS, RE2JSException } = engine();
  let re: Re2js.RE2JS;
  try {
    re = RE2JS.compile(pattern, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const reason = err instanceof RE2JSException ? err.message : String(err);
    throw new UserRegexError(options.parameter, key, `Invalid regular expression in ${where(options.parameter, key)}: ${reason}. Pattern: ${pattern}`);
  }
  return {
    key,
    source: pattern,
    findAll(text: string, maxMatches = DEFAULT_MAX_MATCHES): string[] {
      const out: string[] = [];
      if (!text) return out;
      const m = re.matcher(text);
      while (out.length < maxMatches && m.find()) {
        const found = m.group(0) ?? '';
        if (found !== '') out.push(found);
      }
      return out;
    },
    test(text: string): boolean {
      return re.matcher(text).find();
    },
  };
}

/**
 * The loose form from the docs: `{ips: \b\d{1,3}\.\d{1,3}\b, urls: https?://\S+}`. A new entry
 * starts at a comma followed by `name:` (a plain word, optionally quoted). Values may be quoted.
 * The docs' own example doubles and quadruples its backslashes, so in this form a run of
 * backslashes counts as one (use the JSON form for a literal backslash).
 */
function parseLooseMap(body: string): Array<[string, string]> | null {
  const entry = /(?:^|,)\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z_][\w-]*))\s*:/g;
  const starts: Array<{ key: string; at: number; valueAt: number }> = [];
  for (let m = entry.exec(body); m; m = entry.exec(body)) {
    const key = m[1] ?? m[2] ?? m[3] ?? '';
    starts.push({ key, at: m.index, valueAt: m.index + m[0].length });
  }
  if (starts.length === 0 || starts[0]!.at !== 0) return null;
  const out: Array<[string, string]> = [];
  for (const [i, s] of starts.entries()) {
    const end = i + 1 < starts.length ? starts[i + 1]!.at : body.length;
    let value = body.slice(s.valueAt, end).trim();
    const quoted = /^"([\s\S]*)"$/.exec(value) ?? /^'([\s\S]*)'$/.exec(value);
    if (quoted) value = quoted[1]!;
    value = value.replace(/\\{2,}/g, '\\');
    if (value === '') return null;
    out.push([s.key, value]);
  }
  return out;
}

/**
 * Reads `Regex Map JSON`: a JSON object `{"name": "regex", ...}`, or the loose documented form
 * when it reads unambiguously. Empty input gives an empty map.
 */
export function parseRegexMap(raw: string | null | undefined, parameter = 'Regex Map JSON'): UserRegex[] {
  const text = (raw ?? '').trim();
  if (text === '') return [];
  let entries: Array<[string, string]> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UserRegexError(parameter, null, `Invalid value for "${parameter}": expected a JSON object such as {"ips": "\\\\b\\\\d{1,3}(\\\\.\\\\d{1,3}){3}\\\\b"}.`);
    }
    entries = [];
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string') {
        throw new UserRegexError(parameter, k, `Invalid value for "${parameter}": the value of key "${k}" must be a regular expression string.`);
      }
      entries.push([k, v]);
    }
  } catch (err) {
    if (err instanceof UserRegexError) throw err;
    const inner = /^\{([\s\S]*)\}$/.exec(text);
    entries = inner ? parseLooseMap(inner[1]!.trim()) : null;
    if (!entries) {
      throw new UserRegexError(
        parameter,
        null,
        `Invalid value for "${parameter}": not a JSON object of name-to-regex pairs and not readable as {name: regex, ...}. Example: {"ips": "\\\\b\\\\d{1,3}(\\\\.\\\\d{1,3}){3}\\\\b"}.`,
      );
    }
  }
  const seen = new Set<string>();
  return entries.map(([key, pattern]) => {
    if (key.trim() === '') throw new UserRegexError(parameter, key, `Invalid value for "${parameter}": a key is empty.`);
    if (seen.has(key)) throw new UserRegexError(parameter, key, `Invalid value for "${parameter}": key "${key}" appears twice.`);
    seen.add(key);
    return compileUserRegex(pattern, { parameter, key });
  });
}

/** `{name: [matches...]}` for every regex of the map, in map order. */
export function applyRegexMap(regexes: readonly UserRegex[], text: string, maxMatches?: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of regexes) {
    // Defined, not assigned: a key named `__proto__` must stay a key, not replace the prototype.
    Object.defineProperty(out, r.key ?? r.source, { value: r.findAll(text, maxMatches), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
