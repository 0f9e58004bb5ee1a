/**
 * Query options and paging shared by the list routes. A nextLink carries the whole query state
 * in `$skiptoken`, so following it needs no other option (and clients cannot skew it).
 */
import { graphErrors } from './errors.ts';
import type { EmulatorState, GraphRequest } from './state.ts';

export type Options = Record<string, string>;

interface SavedState {
  o: Options;
  s: number;
  /** The empty page in front of offset `s` was served already (emptyPageRate). */
  e?: 1;
}

/** The request's query options, with a `$skiptoken`'s saved state restored. */
export function effectiveOptions(req: GraphRequest): { options: Options; skip: number; emptyServed: boolean } {
  const options: Options = {};
  for (const [k, v] of req.query) options[k] = v;
  const token = options.$skiptoken;
  if (token === undefined) {
    return { options, skip: parseSkip(options.$skip), emptyServed: false };
  }
  let saved: SavedState;
  try {
    saved = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as SavedState;
    if (typeof saved.s !== 'number' || typeof saved.o !== 'object' || saved.o === null) throw new Error('shape');
  } catch {
    throw graphErrors.badRequest(`The value '${token.slice(0, 40)}' of the query option '$skiptoken' is not valid.`);
  }
  return { options: { ...saved.o }, skip: saved.s, emptyServed: saved.e === 1 };
}

function parseSkip(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value)) throw graphErrors.badRequest(`Invalid value '${value}' for query option '$skip'.`);
  return Number(value);
}

export function parseTop(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw graphErrors.badRequest(`Invalid value '${value}' for query option '$top'.`);
  const top = Number(value);
  if (top < 1 || top > max) {
    throw graphErrors.invalidRequest(`The value of the '$top' query option must be between 1 and ${max}.`);
  }
  return top;
}

export function parseBool(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  throw graphErrors.badRequest(`Invalid value '${value}' for query option '${name}'.`);
}

export interface Page<T> {
  items: T[];
  nextLink?: string;
  count: number;
}

/** Whether and when a list answers empty pages (the `emptyPageRate` setting). */
export interface EmptyPages {
  /** This request follows the empty page served in front of its offset. */
  served: boolean;
  /** One draw: serve an empty page now. */
  strike(): boolean;
}

export function emptyPagesOf(state: EmulatorState, served: boolean): EmptyPages {
  const rate = state.settings.emptyPageRate ?? 0;
  return { served, strike: () => rate > 0 && state.random() < rate };
}

/**
 * Slices one page; `url` is the absolute URL of the collection (without query). With empty
 * pages on, a page may come back with no items and a nextLink to the same offset (marked so the
 * next answer is the real page), and a last page may link to a trailing empty page, as Graph's
 * server-side paging does: "a page of results may contain zero or more results" (paging.md).
 */
export function paginate<T>(all: T[], options: Options, skip: number, top: number, url: string, empty?: EmptyPages): Page<T> {
  const saved: Options = { ...options };
  delete saved.$skiptoken;
  delete saved.$skip;
  const link = (state: SavedState) => `${url}?$skiptoken=${Buffer.from(JSON.stringify(state)).toString('base64url')}`;
  if (empty && !empty.served && empty.strike()) return { items: [], count: all.length, nextLink: link({ o: saved, s: skip, e: 1 }) };
  const items = all.slice(skip, skip + top);
  const next = skip + top;
  if (next < all.length) return { items, count: all.length, nextLink: link({ o: saved, s: next }) };
  if (empty && items.length > 0 && empty.strike()) return { items, count: all.length, nextLink: link({ o: saved, s: Math.min(next, all.length) }) };
  return { items, count: all.length };
}

/** `$select=a,b`: keeps id (and the etag) as Graph does. */
export function selectFields(resource: Record<string, unknown>, select: string | undefined, known: string[]): Record<string, unknown> {
  if (select === undefined) return resource;
  const wanted = select.split(',').map((s) => s.trim()).filter(Boolean);
  const out: Record<string, unknown> = {};
  if ('@odata.etag' in resource) out['@odata.etag'] = resource['@odata.etag'];
  out.id = resource.id;
  for (const w of wanted) {
    const prop = known.find((k) => k.toLowerCase() === w.toLowerCase());
    if (!prop) throw graphErrors.badRequest(`Could not find a property named '${w}' on type 'microsoft.graph.${typeName(resource)}'.`);
    out[prop] = resource[prop];
  }
  return out;
}

function typeName(resource: Record<string, unknown>): string {
  if ('userPrincipalName' in resource) return 'user';
  return 'groupTypes' in resource ? 'group' : 'mailFolder';
}
