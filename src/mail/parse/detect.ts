import type { MailFileType } from './types.ts';

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** UTF-16LE "__substg1.0_": the stream names every Outlook item has. */
const MSG_STREAM_MARK = Buffer.from('__substg1.0_', 'utf16le');

/** Header names that open real-world messages (exports, Graph `$value`, mbox slices). */
const MAIL_HEADER = /^(?:from|to|cc|subject|date|received|return-path|message-id|mime-version|content-type|delivered-to|reply-to|sender|x-[a-z0-9-]+|dkim-signature|arc-[a-z-]+|authentication-results|thread-topic|thread-index|envelope-to|references|in-reply-to|importance|priority)$/i;

const SNIFF_BYTES = 4096;

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

function isCfb(bytes: Uint8Array): boolean {
  return startsWith(bytes, CFB_MAGIC);
}

function looksLikeOutlookItem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(MSG_STREAM_MARK);
}

function sniffText(bytes: Uint8Array): string {
  let start = 0;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) start = 3;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.min(bytes.byteLength - start, SNIFF_BYTES)).toString('latin1');
}

function looksLikeCalendar(text: string): boolean {
  return /^\s*BEGIN:VCALENDAR\b/i.test(text);
}

/** Two or more header lines in a row, at least one of them a well-known mail header. */
function looksLikeMime(text: string): boolean {
  const lines = text.replace(/^\s+/, '').split(/\r?\n/, 40);
  let headers = 0;
  let known = 0;
  for (const line of lines) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) continue;
    const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
    if (!m) {
      if (/^From /.test(line) && headers === 0) continue; // mbox separator line
      return false;
    }
    headers++;
    if (MAIL_HEADER.test(m[1]!)) known++;
  }
  return known >= 1 && headers >= 2;
}

/** What the name or MIME type claims, without looking at content. */
export function claimedMailFileType(name: string | undefined, contentType?: string): MailFileType | null {
  const ct = (contentType ?? '').toLowerCase().split(';', 1)[0]!.trim();
  if (ct === 'message/rfc822' || ct === 'message/global') return 'eml';
  if (ct === 'application/vnd.ms-outlook') return 'msg';
  if (ct === 'text/calendar' || ct === 'application/ics') return 'ics';
  const ext = /\.([a-z0-9]+)\s*$/i.exec(name ?? '')?.[1]?.toLowerCase();
  if (ext === 'eml') return 'eml';
  if (ext === 'msg') return 'msg';
  if (ext === 'ics' || ext === 'ical' || ext === 'ifb' || ext === 'vcs') return 'ics';
  return null;
}

/**
 * Which kind of mail file the bytes are, judged by content first and by name / content type
 * only when the content is not conclusive. A CFB file that is no Outlook item (a .doc) is not a
 * mail file even when named .msg. Returns null for anything else.
 */
export function detectMailFileType(bytes: Uint8Array, name?: string, contentType?: string): MailFileType | null {
  if (isCfb(bytes)) return looksLikeOutlookItem(bytes) ? 'msg' : null;
  const claimed = claimedMailFileType(name, contentType);
  if (bytes.byteLength === 0) return null;
  const text = sniffText(bytes);
  if (looksLikeCalendar(text)) return 'ics';
  if (looksLikeMime(text)) return 'eml';
  // A named .eml / message/rfc822 part whose headers are odd (no known header) is still an email.
  if (claimed === 'eml' && /^[!-9;-~]+[ \t]*:/.test(text.replace(/^\s+/, ''))) return 'eml';
  if (claimed === 'ics' && /BEGIN:VCALENDAR/i.test(text)) return 'ics';
  return null;
}
