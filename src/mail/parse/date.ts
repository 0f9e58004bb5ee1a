/**
 * The instant an RFC 5322 Date header names, read leniently the way Python's `email.utils`
 * reads it (day name optional, day and month in either order, two-digit years, the time before
 * the year as asctime writes it, named US zones), and never by guesswork: JavaScript's `Date`
 * parser takes `04-11-2023` for April 11th at local midnight, a zone the header never stated.
 * A zone that is missing, "-0000" or a name we do not know is UTC (RFC 5322 section 4.3).
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
/** Offsets as +hhmm numbers (RFC 5322 section 4.3, and UTC). */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  AST: -400, ADT: -300, EST: -500, EDT: -400, CST: -600, CDT: -500, MST: -700, MDT: -600, PST: -800, PDT: -700,
};

function monthOf(token: string): number | null {
  const t = token.toLowerCase();
  const short = MONTHS.indexOf(t);
  if (short >= 0) return short + 1;
  const long = LONG_MONTHS.indexOf(t);
  return long >= 0 ? long + 1 : null;
}

const int = (s: string): number | null => (/^\d+$/.test(s) ? Number(s) : null);

function offsetMinutes(zone: string): number {
  const z = zone.toUpperCase();
  const hhmm = Object.hasOwn(ZONES, z) ? ZONES[z]! : /^[+-]?\d{1,4}$/.test(z) ? Number(z) : 0;
  const sign = hhmm < 0 ? -1 : 1;
  const abs = Math.abs(hhmm);
  return sign * (Math.floor(abs / 100) * 60 + (abs % 100));
}

function fromParts(year: number, month: number, day: number, h: number, m: number, s: number, offset: number): string | null {
  if (month < 1 || month > 12 || day < 1 || h > 23 || m > 59 || s > 60) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const utc = Date.UTC(year, month - 1, day, h, m, s) - offset * 60_000;
  const d = new Date(utc);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function rfc5322(value: string): string | null {
  let data = value.replace(/\([^()]*\)/g, ' ').split(/\s+/).filter(Boolean);
  if (data.length === 0) return null;
  const first = data[0]!;
  if (first.endsWith(',') || DAYS.has(first.toLowerCase())) data.shift();
  else if (first.includes(',')) data[0] = first.slice(first.lastIndexOf(',') + 1);
  // "dd-mon-yy" (RFC 850)
  if (data.length === 3 && data[0]!.split('-').length === 3) data = [...data[0]!.split('-'), ...data.slice(1)];
  if (data.length === 4) {
    const last = data[3]!;
    let sign = last.indexOf('+');
    if (sign < 0) sign = last.indexOf('-');
    if (sign > 0) data.splice(3, 1, last.slice(0, sign), last.slice(sign));
    else data.push('');
  }
  if (data.length < 5) return null;
  let [dd, mm, yy, tm, tz] = data.slice(0, 5) as [string, string, string, string, string];
  let month = monthOf(mm);
  if (month === null) {
    [dd, mm] = [mm, dd];
    month = monthOf(mm);
    if (month === null) return null;
  }
  dd = dd.replace(/,$/, '');
  if (yy.indexOf(':') > 0) [yy, tm] = [tm, yy];
  yy = yy.replace(/,$/, '');
  if (!/^\d/.test(yy)) [yy, tz] = [tz, yy];
  tm = tm.replace(/,$/, '');
  let clock = tm.split(':');
  if (clock.length === 1 && tm.includes('.')) clock = tm.split('.');
  if (clock.length === 2) clock.push('0');
  if (clock.length !== 3) return null;
  const [year0, day, h, m, s] = [int(yy), int(dd), int(clock[0]!), int(clock[1]!), int(clock[2]!)];
  if (year0 === null || day === null || h === null || m === null || s === null) return null;
  const year = year0 < 100 ? year0 + (year0 > 68 ? 1900 : 2000) : year0;
  return fromParts(year, month, day, h, m, s, offsetMinutes(tz));
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The Date header's instant in ISO 8601 (UTC), or null when the header names none for sure. */
export function parseMailDate(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  if (!v) return null;
  const read = rfc5322(v);
  if (read) return read;
  // Not RFC 5322, but unambiguous: an ISO 8601 date-time that states its zone.
  if (ISO_WITH_ZONE.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}
