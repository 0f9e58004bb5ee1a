import ICAL from 'ical.js';
import { MailParseError, shortReason } from './errors.ts';
import { readIcsLeniently } from './ics-lenient.ts';
import { fallbackPartName, toIso, type RawMail, type RawPart } from './raw.ts';
import type { MailAddress, MailHeader, ParsedEvent } from './types.ts';

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;

const EVENT_KINDS = ['vevent', 'vtodo'];

function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

function param(prop: Property, name: string): string {
  const v = prop.getParameter(name);
  return Array.isArray(v) ? v.join(',') : str(v);
}

function calAddress(prop: Property | null): MailAddress | null {
  if (!prop) return null;
  const raw = str(prop.getFirstValue());
  return { name: param(prop, 'cn'), address: raw.replace(/^mailto:/i, '') };
}

function timeString(value: unknown): string | null {
  if (!value) return null;
  const t = value as Time;
  if (typeof t.toString !== 'function') return null;
  const s = t.toString();
  return s || null;
}

/** DESCRIPTION;ALTREP="data:text/html,..." is how some clients ship the HTML body. */
function dataUrlHtml(url: string): string {
  const m = /^data:text\/html(;[^,]*)?,(.*)$/is.exec(url);
  if (!m) return '';
  const isBase64 = /;base64/i.test(m[1] ?? '');
  try {
    return isBase64 ? Buffer.from(m[2]!, 'base64').toString('utf8') : decodeURIComponent(m[2]!);
  } catch {
    return m[2]!;
  }
}

function eventHtml(comp: Component): string {
  for (const p of comp.getAllProperties('x-alt-desc')) {
    if (/text\/html/i.test(param(p, 'fmttype'))) return str(p.getFirstValue());
  }
  const desc = comp.getFirstProperty('description');
  const altrep = desc ? param(desc, 'altrep') : '';
  return altrep ? dataUrlHtml(altrep) : '';
}

function eventEnd(comp: Component): string | null {
  const end = comp.getFirstPropertyValue('dtend') ?? comp.getFirstPropertyValue('due');
  if (end) return timeString(end);
  const start = comp.getFirstPropertyValue('dtstart') as Time | null;
  const duration = comp.getFirstPropertyValue('duration');
  if (start && duration && typeof start.clone === 'function') {
    try {
      const t = start.clone();
      t.addDuration(duration as InstanceType<typeof ICAL.Duration>);
      return timeString(t);
    } catch {
      return null;
    }
  }
  return null;
}

function toEvent(comp: Component): ParsedEvent {
  return {
    uid: str(comp.getFirstPropertyValue('uid')) || null,
    summary: str(comp.getFirstPropertyValue('summary')),
    description: str(comp.getFirstPropertyValue('description')),
    html: eventHtml(comp),
    location: str(comp.getFirstPropertyValue('location')),
    organizer: calAddress(comp.getFirstProperty('organizer')),
    attendees: comp.getAllProperties('attendee').map((p) => calAddress(p)!),
    start: timeString(comp.getFirstPropertyValue('dtstart')),
    end: eventEnd(comp),
    status: str(comp.getFirstPropertyValue('status')) || null,
    url: str(comp.getFirstPropertyValue('url')) || null,
  };
}

/** Inline ATTACH;ENCODING=BASE64;VALUE=BINARY values are real attachments; URI attachments are not. */
function attachments(comps: Component[]): RawPart[] {
  const out: RawPart[] = [];
  for (const comp of comps) {
    for (const p of comp.getAllProperties('attach')) {
      if (!/base64/i.test(param(p, 'encoding')) && p.type !== 'binary') continue;
      const value = p.getFirstValue() as unknown;
      const b64 = typeof value === 'string' ? value : str((value as { value?: string } | null)?.value);
      const contentType = (param(p, 'fmttype') || 'application/octet-stream').toLowerCase();
      out.push({
        name: param(p, 'x-filename') || param(p, 'filename') || param(p, 'x-apple-filename') || fallbackPartName(out.length, contentType),
        contentType,
        bytes: Buffer.from(b64, 'base64'),
        isInline: false,
        contentId: null,
      });
    }
  }
  return out;
}

function walk(comp: Component, into: Component[]): void {
  for (const sub of comp.getAllSubcomponents()) {
    if (EVENT_KINDS.includes(sub.name)) into.push(sub);
    else if (sub.name !== 'vtimezone') walk(sub, into);
  }
}

function strictRead(text: string): { headers: MailHeader[]; events: ParsedEvent[]; parts: RawPart[]; warnings: string[] } {
  const jcal = ICAL.parse(text) as unknown[];
  const list = Array.isArray(jcal[0]) ? (jcal as unknown[][]) : [jcal];
  const roots = list.map((j) => new ICAL.Component(j as never));
  const comps: Component[] = [];
  const headers: MailHeader[] = [];
  for (const root of roots) {
    if (EVENT_KINDS.includes(root.name)) comps.push(root);
    walk(root, comps);
    for (const p of root.getAllProperties()) headers.push({ name: p.name.toUpperCase(), value: str(p.getFirstValue()) });
  }
  const events: ParsedEvent[] = [];
  const warnings: string[] = [];
  for (const [i, c] of comps.entries()) {
    try {
      events.push(toEvent(c));
    } catch (err) {
      warnings.push(`event ${i + 1} could not be read: ${shortReason(err)}`);
    }
  }
  return { headers, events, parts: attachments(comps), warnings };
}

function lenientRead(text: string, fileName: string, strictError: unknown): ReturnType<typeof strictRead> {
  if (!/^BEGIN:VCALENDAR/im.test(text)) {
    throw new MailParseError(fileName, 'MALFORMED', `not a readable iCalendar file (${shortReason(strictError)})`, { cause: strictError });
  }
  const cal = readIcsLeniently(text);
  return {
    headers: cal.headers,
    events: cal.events,
    parts: cal.attachments.map((a, i) => ({
      name: a.name || fallbackPartName(i, a.contentType),
      contentType: a.contentType,
      bytes: Buffer.from(a.base64, 'base64'),
      isInline: false,
      contentId: null,
    })),
    warnings: [`not valid iCalendar (${shortReason(strictError)}); read leniently`],
  };
}

/** Reads an iCalendar file: one ParsedEvent per VEVENT/VTODO; the first event fills the mail-like fields. */
export function readIcs(bytes: Uint8Array, fileName: string): RawMail {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '');
  let cal: ReturnType<typeof strictRead>;
  try {
    cal = strictRead(text);
  } catch (err) {
    cal = lenientRead(text, fileName, err);
  }
  const { headers, events, parts, warnings } = cal;
  const first = events[0];
  const calName = headers.find((h) => h.name === 'X-WR-CALNAME')?.value ?? '';
  return {
    type: 'ics',
    subject: first?.summary || calName,
    from: first?.organizer ?? null,
    fromAll: first?.organizer ? [first.organizer] : [],
    sender: null,
    replyTo: [],
    to: first?.attendees ?? [],
    cc: [],
    bcc: [],
    date: first?.start ?? '',
    dateIso: toIso(first?.start ?? null),
    text: first?.description ?? '',
    html: first?.html ?? '',
    headers,
    parts,
    events,
    warnings,
  };
}
