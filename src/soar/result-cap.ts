/**
 * Bounds on a result document, applied to every document in one place (`runAction`): a playbook,
 * a SOAR case wall and a terminal all choke on a result of tens of megabytes (a `Regex Map JSON`
 * of broad patterns once made 62 MB).
 *
 * - `json_result`: at most {@link RESULT_LIMITS}.jsonResultBytes as compact JSON (UTF-8). A
 *   larger one is cut structurally, so it stays valid JSON of the same shape: arrays keep their
 *   first items, long strings their start (ending in "…"), and every key is kept (small members
 *   whole; the large ones share what is left). A line of the output message says what was cut.
 * - `output_message`: at most {@link RESULT_LIMITS}.outputMessageChars characters before that line;
 *   a longer message keeps its start and says how much was cut.
 */
import type { ResultDocument } from './result.ts';
import { fairShares } from './fair-share.ts';

export interface ResultLimits {
  /** Largest `json_result`, in bytes of compact UTF-8 JSON. */
  jsonResultBytes: number;
  /** Largest `output_message`, in characters (UTF-16 code units), without the line about a cut JSON result. */
  outputMessageChars: number;
}

export const RESULT_LIMITS: Readonly<ResultLimits> = Object.freeze({ jsonResultBytes: 4 * 1024 * 1024, outputMessageChars: 32 * 1024 });

/** One place where the JSON result was made smaller. */
export interface JsonCut {
  /** Where, e.g. `json_result.mailboxes[0].emails`. */
  path: string;
  kept: number;
  total: number;
  /** `member`: a key left out (no room even for an empty value). */
  unit: 'items' | 'characters' | 'member';
  /** Items: the last one kept is itself cut. */
  partial?: boolean;
}

export interface CappedJson {
  value: unknown;
  /** Size before the cut (bytes of compact JSON). */
  bytes: number;
  cuts: JsonCut[];
}

/** How many cuts the output message names (the rest are counted). */
const CUTS_NAMED = 5;

const bytesOf = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? 'null', 'utf8');
const NOTHING = Symbol('does not fit');
type Fitted = unknown | typeof NOTHING;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const member = (path: string, key: string) => (IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

function fitString(s: string, budget: number, path: string, cuts: JsonCut[]): Fitted {
  if (budget < 2) return NOTHING;
  // The longest start that fits with the ellipsis (binary search on UTF-16 units, whole pairs only).
  let lo = 0;
  let hi = s.length;
  const fits = (n: number) => bytesOf(s.slice(0, n) + '…') <= budget;
  if (!fits(0)) return cutTo('', s, path, cuts);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  let n = lo;
  if (n > 0 && /[\ud800-\udbff]/.test(s[n - 1])) n -= 1;
  return cutTo(s.slice(0, n) + '…', s, path, cuts);
}

function cutTo(kept: string, whole: string, path: string, cuts: JsonCut[]): string {
  cuts.push({ path, kept: Math.max(0, kept.length - 1), total: whole.length, unit: 'characters' });
  return kept.length > 0 ? kept : '';
}

/** A string value that long still tells what it was; longer ones are cut to about this in a tight budget. */
const SKELETON_STRING = 64;

/** About the least an item can be cut to and still say what it is: its arrays empty, its strings short. */
function skeletonBytes(v: unknown): number {
  if (typeof v === 'string') return v.length <= SKELETON_STRING ? bytesOf(v) : bytesOf(v.slice(0, SKELETON_STRING) + '…');
  if (Array.isArray(v)) return 2;
  if (v !== null && typeof v === 'object') {
    let total = 2;
    let count = 0;
    for (const [k, x] of Object.entries(v)) total += (count++ > 0 ? 1 : 0) + bytesOf(k) + 1 + skeletonBytes(x);
    return total;
  }
  return bytesOf(v);
}

/** What JSON.stringify writes for a value with `toJSON` (a Date is its string). */
const jsonOf = (v: unknown): unknown => (typeof (v as { toJSON?: unknown } | null)?.toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v);

const isContainer = (v: unknown) => v !== null && typeof v === 'object';

/**
 * Records (objects, arrays) all stay when each can keep at least its skeleton: they share the
 * budget (the small ones whole). Otherwise, and for lists of strings or numbers (a cut match or
 * id would be a false one), the first items are kept whole, and the next one in part if it is a
 * record.
 */
function fitArray(items: unknown[], budget: number, path: string, cuts: JsonCut[]): Fitted {
  if (budget < 2) return NOTHING;
  const a = items.map(jsonOf);
  const sizes = a.map(bytesOf);
  const commas = Math.max(0, a.length - 1);
  if (a.length > 0 && a.every(isContainer)) {
    const floors = a.map(skeletonBytes).map((f, i) => Math.min(f, sizes[i]));
    const room = budget - 2 - commas;
    if (sum(floors) <= room) {
      const extra = fairShares(room - sum(floors), sizes.map((s, i) => s - floors[i]));
      const shared: JsonCut[] = [];
      const out = a.map((v, i) => fit(v, floors[i] + extra[i], `${path}[${i}]`, shared, sizes[i]));
      if (out.every((v) => v !== NOTHING)) {
        cuts.push(...shared);
        return out;
      }
    }
  }
  const out: unknown[] = [];
  let left = budget - 2;
  let partial = false;
  for (let i = 0; i < a.length; i++) {
    const comma = out.length > 0 ? 1 : 0;
    if (comma + sizes[i] <= left) {
      out.push(a[i]);
      left -= comma + sizes[i];
      continue;
    }
    const inner: JsonCut[] = [];
    const part = isContainer(a[i]) ? fit(a[i], left - comma, `${path}[${i}]`, inner, sizes[i]) : NOTHING;
    if (part !== NOTHING) {
      out.push(part);
      cuts.push(...inner);
      partial = true;
    }
    break;
  }
  cuts.push({ path, kept: out.length, total: a.length, unit: 'items', ...(partial ? { partial } : {}) });
  return out;
}

const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);


function fitObject(o: Record<string, unknown>, budget: number, path: string, cuts: JsonCut[]): Fitted {
  if (budget < 2) return NOTHING;
  const entries = Object.entries(o).map(([k, v]) => [k, jsonOf(v)] as const);
  const cost = entries.map(([k, v]) => ({ key: bytesOf(k) + 1, value: bytesOf(v) }));
  // Small members (numbers, ids, dates, short texts: their own skeleton) whole first, smallest
  // first; the large ones then share what is left, max-min fair (each whole if its share allows).
  const small = entries.map(([, v], i) => !isContainer(v) && cost[i].value <= skeletonBytes(v));
  const size = (i: number) => cost[i].key + cost[i].value;
  const order = entries.map((_, i) => i).sort((a, b) => Number(small[b]) - Number(small[a]) || size(a) - size(b));
  const large = order.filter((i) => !small[i]).length;
  const kept = new Map<number, unknown>();
  let left = budget - 2;
  let rank = 0;
  for (const i of order) {
    const comma = kept.size > 0 ? 1 : 0;
    const whole = comma + size(i);
    const fair = small[i] ? left : Math.floor(left / (large - rank++));
    if (whole <= fair) {
      kept.set(i, entries[i][1]);
      left -= whole;
      continue;
    }
    const part = fit(entries[i][1], fair - comma - cost[i].key, member(path, entries[i][0]), cuts, cost[i].value);
    if (part === NOTHING) {
      cuts.push({ path: member(path, entries[i][0]), kept: 0, total: 1, unit: 'member' });
      continue;
    }
    kept.set(i, part);
    left -= comma + cost[i].key + bytesOf(part);
  }
  // Original key order; fromEntries keeps a `__proto__` key as a key.
  return Object.fromEntries(entries.flatMap(([k], i) => (kept.has(i) ? [[k, kept.get(i)]] : [])));
}

function fit(value: unknown, budget: number, path: string, cuts: JsonCut[], size = bytesOf(value)): Fitted {
  if (size <= budget) return value;
  const v = jsonOf(value);
  if (typeof v === 'string') return fitString(v, budget, path, cuts);
  if (Array.isArray(v)) return fitArray(v, budget, path, cuts);
  if (v !== null && typeof v === 'object') return fitObject(v as Record<string, unknown>, budget, path, cuts);
  return NOTHING;
}

/** `value` as JSON of at most `maxBytes` bytes (compact), and what was cut to get there. */
export function capJson(value: unknown, maxBytes: number): CappedJson {
  const text = JSON.stringify(value) ?? 'null';
  // A UTF-16 unit is at most 3 bytes of UTF-8: most results are sized without counting bytes.
  const bytes = text.length * 3 <= maxBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return { value, bytes, cuts: [] };
  const cuts: JsonCut[] = [];
  const fitted = fit(value, maxBytes, 'json_result', cuts, bytes);
  return { value: fitted === NOTHING ? null : fitted, bytes, cuts };
}

const n = (x: number) => x.toLocaleString('en-US');

/** The output-message line naming what was cut: outermost first, cuts at the same place of sibling items together. */
export function jsonCutLine(capped: CappedJson, maxBytes: number): string {
  const groups = new Map<string, JsonCut[]>();
  for (const c of capped.cuts) {
    const where = c.path.replace(/\[\d+\]/g, '[*]');
    groups.set(where, [...(groups.get(where) ?? []), c]);
  }
  const depth = (p: string) => (p.match(/[.[]/g) ?? []).length;
  const ordered = [...groups].sort(([a], [b]) => depth(a) - depth(b));
  const range = (xs: number[]) => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? n(lo) : `${n(lo)} to ${n(hi)}`;
  };
  const named = ordered.slice(0, CUTS_NAMED).map(([where, cs]) => {
    const c = cs[0];
    const path = cs.length === 1 ? c.path : where;
    const places = cs.length === 1 ? '' : ` in ${n(cs.length)} places`;
    if (c.unit === 'member') return `${path} left out${places}`;
    const partly = cs.length === 1 && c.partial ? ' (the last one in part)' : '';
    return `${path} kept ${range(cs.map((x) => x.kept))} of ${range(cs.map((x) => x.total))} ${c.unit}${partly}${places}`;
  });
  const more = ordered.length > CUTS_NAMED ? `; and ${n(ordered.length - CUTS_NAMED)} more` : '';
  return `The JSON result was cut to fit ${n(maxBytes)} bytes (it was ${n(capped.bytes)} bytes): ${named.join('; ')}${more}.`;
}

function capMessage(message: string, maxChars: number): string {
  if (message.length <= maxChars) return message;
  const note = (shown: number) => `\n… (output message cut: ${n(message.length - shown)} of ${n(message.length)} characters not shown)`;
  let keep = Math.max(0, maxChars - note(maxChars).length);
  if (keep > 0 && /[\ud800-\udbff]/.test(message[keep - 1])) keep -= 1;
  return message.slice(0, keep) + note(keep);
}

/** The document within the limits (the same object when nothing had to be cut). */
export function boundResult<J>(doc: ResultDocument<J>, limits: ResultLimits = RESULT_LIMITS): ResultDocument<J> {
  const capped = capJson(doc.json_result, limits.jsonResultBytes);
  const message = capMessage(doc.output_message, limits.outputMessageChars);
  if (capped.cuts.length === 0 && message === doc.output_message) return doc;
  const line = capped.cuts.length > 0 ? jsonCutLine(capped, limits.jsonResultBytes) : '';
  return {
    ...doc,
    output_message: line ? (message ? `${message}\n${line}` : line) : message,
    // Cut structurally: the same keys, shorter lists and strings; the type still describes it.
    json_result: capped.value as J | null,
  };
}
