import type { MailAddress, ParsedEvent, ParsedMail } from './types.ts';

/** The fields of one entry of Extract Data From Attached EML's documented JSON result. */
export interface MailSummary {
  type: 'EML' | 'MSG' | 'ICS';
  subject: string;
  from: string;
  to: string;
  date: string;
  text: string;
  html: string;
}

function addressText(a: MailAddress): string {
  return a.address || a.name;
}

/** "user1@example.com,user2@example.com", as the documented JSON shows recipients. */
export function formatAddresses(list: readonly MailAddress[]): string {
  return list.map(addressText).filter(Boolean).join(',');
}

/** Every author with an address (From may name several), as `to` lists recipients; a name only when From has no address. */
function authors(parsed: ParsedMail): MailAddress[] {
  const withAddress = parsed.fromAll.filter((a) => a.address);
  if (withAddress.length > 0) return withAddress;
  return parsed.from ? [parsed.from] : [];
}

function fromEvent(ev: ParsedEvent): MailSummary {
  return {
    type: 'ICS',
    subject: ev.summary,
    from: ev.organizer ? addressText(ev.organizer) : '',
    to: formatAddresses(ev.attendees),
    date: ev.start ?? '',
    text: ev.description,
    html: ev.html,
  };
}

/** One summary per email; a calendar gives one per event (several events, several entries). */
export function mailSummaries(parsed: ParsedMail): MailSummary[] {
  if (parsed.type === 'ics' && parsed.events && parsed.events.length > 0) return parsed.events.map(fromEvent);
  return [
    {
      type: parsed.type.toUpperCase() as MailSummary['type'],
      subject: parsed.subject,
      from: formatAddresses(authors(parsed)),
      to: formatAddresses(parsed.to),
      date: parsed.date,
      text: parsed.text,
      html: parsed.html,
    },
  ];
}
