/**
 * Graph JSON to the flat string events a SOAR maps (CONTRACT.md §4), by the conventions of the
 * original integration's `dict_to_flat`: nested keys joined with `_`, list items numbered from 1,
 * every value a string (`true` -> "True", null -> ""), empty lists and objects giving no key.
 */

export type FlatEvent = Record<string, string>;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Adds `value` under `key` (and below it, for objects and lists) to `out`. */
export function flattenInto(out: FlatEvent, key: string, value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flattenInto(out, `${key}_${i + 1}`, item));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) flattenInto(out, key === '' ? k : `${key}_${k}`, v);
    return;
  }
  out[key] = value instanceof Date ? value.toISOString() : scalar(value);
}

export function flatten(value: Record<string, unknown>): FlatEvent {
  const out: FlatEvent = {};
  flattenInto(out, '', value);
  return out;
}

interface Recipient {
  emailAddress?: { name?: string | null; address?: string | null } | null;
}

/**
 * A recipient list as the SOAR integration keys it: `toRecipients_emailAddress_address_1`,
 * `toRecipients_emailAddress_name_1`, ... (the number last, not after the list's name).
 */
export function flattenRecipients(out: FlatEvent, key: string, list: readonly Recipient[] | null | undefined): void {
  (list ?? []).forEach((r, i) => {
    out[`${key}_emailAddress_name_${i + 1}`] = scalar(r.emailAddress?.name);
    out[`${key}_emailAddress_address_${i + 1}`] = scalar(r.emailAddress?.address);
  });
}

/** Every key but the SOAR's own gets the prefix (`orig_subject`); an empty prefix changes nothing. */
export function withPrefix(event: FlatEvent, prefix: string, own: ReadonlySet<string>): FlatEvent {
  if (prefix === '') return { ...event };
  const out: FlatEvent = {};
  for (const [k, v] of Object.entries(event)) out[own.has(k) ? k : `${prefix}_${k}`] = v;
  return out;
}
