/** Raw MIME built by hand for the email-content actions: attached emails, calendars, broken and hostile files. */
import { DOMAIN } from '../mail/helpers.ts';

export interface Part {
  name: string;
  contentType?: string;
  content: string | Buffer;
  /** An attached email as `message/rfc822` (Graph makes it an item attachment). */
  rfc822?: boolean;
  inline?: boolean;
}

export interface MailSpec {
  from?: string;
  to?: string;
  subject: string;
  messageId?: string;
  text?: string;
  html?: string;
  parts?: Part[];
}

let n = 0;

function b64(content: string | Buffer): string {
  const s = (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString('base64');
  return s.replace(/.{1,76}/g, '$&\r\n').trimEnd();
}

/** RFC 822 text. With parts: multipart/mixed (an alternative text + html body first). */
export function mime(o: MailSpec): string {
  const id = o.messageId ?? `<c${++n}.${Date.now().toString(36)}@content.${DOMAIN}>`;
  const head = [
    `From: ${o.from ?? `Sender <sender@${DOMAIN}>`}`,
    `To: ${o.to ?? `soc@${DOMAIN}`}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${id}`,
    'Date: Thu, 4 Jul 2024 12:11:29 +0530',
    'MIME-Version: 1.0',
  ];
  const text = o.text ?? 'body';
  const body = o.html
    ? [
        'Content-Type: multipart/alternative; boundary="alt-b"',
        '',
        '--alt-b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(text),
        '--alt-b',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        b64(o.html),
        '--alt-b--',
      ]
    : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(text)];
  if (!o.parts || o.parts.length === 0) return [...head, ...body, ''].join('\r\n');
  const boundary = `mix-${n}-b`;
  const lines = [...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', `--${boundary}`, ...body];
  for (const part of o.parts) {
    // A quoted-string escapes `\` and `"` (RFC 5322 quoted-pair): the parser gives the name back as written.
    const p = { ...part, name: part.name.replace(/[\\"]/g, '\\$&') };
    lines.push(`--${boundary}`);
    if (p.rfc822) {
      lines.push(`Content-Type: message/rfc822; name="${p.name}"`, `Content-Disposition: attachment; filename="${p.name}"`, '', String(p.content).replace(/\r?\n/g, '\r\n').trimEnd());
    } else {
      lines.push(
        `Content-Type: ${p.contentType ?? 'application/octet-stream'}; name="${p.name}"`,
        `Content-Disposition: ${p.inline ? 'inline' : 'attachment'}; filename="${p.name}"`,
        ...(p.inline ? [`Content-ID: <${p.name}@content>`] : []),
        'Content-Transfer-Encoding: base64',
        '',
        b64(p.content),
      );
    }
  }
  lines.push(`--${boundary}--`, '');
  return lines.join('\r\n');
}

/** A calendar with two events (organizer, attendees, an HTML description on the first). */
export const TWO_EVENTS_ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//test//content//EN',
  'BEGIN:VEVENT',
  'UID:ev-1@test.example',
  'DTSTAMP:20240704T064129Z',
  'DTSTART:20240710T090000Z',
  'DTEND:20240710T100000Z',
  'SUMMARY:Payroll update - action needed',
  'DESCRIPTION:Join at http://payroll-update.example/join from 10.1.2.3',
  'X-ALT-DESC;FMTTYPE=text/html:<p>Join at <a href="http://payroll-update.example/join">payroll</a></p>',
  'ORGANIZER;CN=HR:mailto:hr@payroll-update.example',
  'ATTENDEE;CN=Alice:mailto:alice.martin@contoso.example',
  'ATTENDEE;CN=Bob:mailto:bob.keller@contoso.example',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:ev-2@test.example',
  'DTSTAMP:20240704T064129Z',
  'DTSTART:20240711T090000Z',
  'DTEND:20240711T100000Z',
  'SUMMARY:Second reminder',
  'DESCRIPTION:Still waiting',
  'ORGANIZER:mailto:hr@payroll-update.example',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/** A compound file that is no Outlook item (a .doc, say) named .msg: a parse error, never a crash. */
export const BROKEN_MSG = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600, 0x41)]);

export const u = encodeURIComponent;
