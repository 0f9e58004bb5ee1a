import type { MailAddress, MailHeader, ParsedEvent } from './types.ts';

/**
 * A forgiving iCalendar reader for files that strict parsers reject: real calendar lures carry
 * unquoted parameters, emoji after parameters, missing END lines. It reads content lines one by
 * one (linear time), skips what it cannot read and keeps the rest.
 */

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}

interface Comp {
  name: string;
  props: Prop[];
}

function unfold(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').replace(/\n[ \t]/g, '').split('\n');
}

function unescapeText(v: string): string {
  return v.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** NAME;P1=V1;P2="V;2":VALUE — the first colon outside quotes ends the parameters. */
function parseLine(line: string): Prop | null {
  let inQuotes = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ':' && !inQuotes) {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return null;
  const head = line.slice(0, colon);
  const [rawName, ...rawParams] = head.split(';');
  const name = (rawName ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) return null;
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toUpperCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { name, params, value: line.slice(colon + 1) };
}

function first(c: Comp, name: string): Prop | undefined {
  return c.props.find((p) => p.name === name);
}

function address(p: Prop | undefined): MailAddress | null {
  if (!p) return null;
  return { name: p.params.CN ?? '', address: p.value.replace(/^mailto:/i, '').trim() };
}

function dateValue(p: Prop | undefined): string | null {
  if (!p) return null;
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(p.value.trim());
  if (!m) return p.value.trim() || null;
  return m[4] ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

function toEvent(c: Comp): ParsedEvent {
  const text = (n: string): string => unescapeText(first(c, n)?.value ?? '');
  const altDesc = c.props.find((p) => p.name === 'X-ALT-DESC' && /text\/html/i.test(p.params.FMTTYPE ?? ''));
  return {
    uid: text('UID') || null,
    summary: text('SUMMARY'),
    description: text('DESCRIPTION'),
    html: altDesc ? unescapeText(altDesc.value) : '',
    location: text('LOCATION'),
    organizer: address(first(c, 'ORGANIZER')),
    attendees: c.props.filter((p) => p.name === 'ATTENDEE').map((p) => address(p)!),
    start: dateValue(first(c, 'DTSTART')),
    end: dateValue(first(c, 'DTEND') ?? first(c, 'DUE')),
    status: text('STATUS') || null,
    url: text('URL') || null,
  };
}

export interface LenientCalendar {
  headers: MailHeader[];
  events: ParsedEvent[];
  attachments: Array<{ name: string; contentType: string; base64: string }>;
}

export function readIcsLeniently(text: string): LenientCalendar {
  const stack: Comp[] = [];
  const events: Comp[] = [];
  const headers: MailHeader[] = [];
  for (const line of unfold(text)) {
    const prop = parseLine(line);
    if (!prop) continue;
    if (prop.name === 'BEGIN') {
      const comp: Comp = { name: prop.value.trim().toUpperCase(), props: [] };
      stack.push(comp);
      if (comp.name === 'VEVENT' || comp.name === 'VTODO') events.push(comp);
      continue;
    }
    if (prop.name === 'END') {
      const want = prop.value.trim().toUpperCase();
      const at = stack.map((c) => c.name).lastIndexOf(want);
      if (at >= 0) stack.length = at;
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) continue;
    if (top.name === 'VCALENDAR') headers.push({ name: prop.name, value: unescapeText(prop.value) });
    top.props.push(prop);
  }
  const attachments = events.flatMap((c) =>
    c.props
      .filter((p) => p.name === 'ATTACH' && /base64/i.test(p.params.ENCODING ?? ''))
      .map((p) => ({
        name: p.params['X-FILENAME'] ?? p.params.FILENAME ?? '',
        contentType: (p.params.FMTTYPE ?? 'application/octet-stream').toLowerCase(),
        base64: p.value,
      })),
  );
  return { headers, events: events.map(toEvent), attachments };
}
