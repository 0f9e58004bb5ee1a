/**
 * Reading a reply the way a person meant it (issue 12's waiting actions): is it an automatic
 * reply (out of office, auto-responders), what did the person write above the quoted original,
 * and which vote, if any, does it carry. A vote is read without ambiguity, in this order:
 * Outlook's voting response (PidLidVerbResponse), the option as the subject's prefix
 * (`Approve: Purge?`, what the answer links send), then the first line the person wrote. A reply
 * that names no option, or names several on that first line, carries no vote.
 */
import { decodeHtmlReferences } from './html-references.ts';

export interface ReplyHeader {
  name: string;
  value: string;
}

/**
 * An automatic reply: RFC 3834 `Auto-Submitted` (anything but "no"), `X-Autoreply` /
 * `X-Autorespond` (auto-responders), `Precedence: auto_reply|bulk|junk|list`, Exchange's
 * `X-MS-Exchange-Inbox-Rules-Loop` and `X-MS-Exchange-Generated-Message-Source`, an OOF
 * content class, or an "Automatic reply:" subject. (`X-Auto-Response-Suppress` marks nothing:
 * clients send it on ordinary mail.)
 */
export function isAutomaticReply(headers: readonly ReplyHeader[], subject = ''): boolean {
  const get = (n: string) => headers.filter((h) => h.name.toLowerCase() === n).map((h) => h.value.trim().toLowerCase());
  if (get('auto-submitted').some((v) => v !== '' && v !== 'no')) return true;
  if (get('x-autoreply').length > 0 || get('x-autorespond').length > 0) return true;
  if (get('precedence').some((v) => v === 'auto_reply' || v === 'bulk' || v === 'junk' || v === 'list')) return true;
  if (get('x-ms-exchange-inbox-rules-loop').length > 0) return true;
  if (get('x-ms-exchange-generated-message-source').length > 0) return true;
  if (get('content-class').some((v) => v.includes('oof'))) return true;
  // Outlook and Exchange title out-of-office answers so; localized titles are left to the headers above.
  return /^\s*(automatic reply|auto(?:matic)?[- ]?reply|out of (the )?office)\s*:/i.test(subject);
}

/** HTML as the text a reader sees: tags out, block ends as line breaks, references decoded. */
export function htmlToText(html: string): string {
  const withBreaks = html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|blockquote|table)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeHtmlReferences(withBreaks).replace(/\u00a0/g, ' ');
}

/** Lines that start what a client quotes of the original, in the common clients' words. */
const QUOTE_STARTS = [
  /^-{2,}\s*original message\s*-{2,}/i,
  /^_{5,}\s*$/, // Outlook's rule above "From: ... Sent: ..."
  /^(from|von|de|da|van):\s.+/i, // the header block Outlook writes above the original
  /^on .+ wrote:\s*$/i,
  /^le .+ a écrit\s*:\s*$/i,
  /^am .+ schrieb .+:\s*$/i,
  /^-{2,}\s*forwarded message\s*-{2,}/i,
];

/** What the person wrote above the quoted original (quote markers and signature separators end it). */
export function writtenPart(body: string, isHtml: boolean): string {
  const text = (isHtml ? htmlToText(body) : body).replace(/\r\n?/g, '\n');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('>')) break;
    if (QUOTE_STARTS.some((re) => re.test(t))) break;
    if (t === '--' || t === '-- ') break;
    out.push(line);
  }
  return out.join('\n').trim();
}

/** The first non-empty line the person wrote, or "". */
export function firstWrittenLine(body: string, isHtml: boolean): string {
  return writtenPart(body, isHtml).split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

export interface VoteSource {
  /** PidLidVerbResponse of the reply, when Outlook's buttons were used. */
  verbResponse?: string | null;
  subject?: string | null;
  body?: string | null;
  isHtml?: boolean;
}

export type VoteReading = { vote: string; by: 'voting button' | 'subject' | 'first line' } | { vote: null };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The one option a text names as a whole word, or null (none, or several). */
function onlyOption(text: string, options: readonly string[]): string | null {
  const named = options.filter((o) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(o)}($|[^\\p{L}\\p{N}])`, 'iu').test(text));
  return named.length === 1 ? named[0] : null;
}

/** The vote a reply carries, or `{ vote: null }`. */
export function readVote(reply: VoteSource, options: readonly string[]): VoteReading {
  const button = (reply.verbResponse ?? '').trim();
  const byButton = options.find((o) => o.toLowerCase() === button.toLowerCase());
  if (byButton) return { vote: byButton, by: 'voting button' };
  // "Approve: Purge?" or "RE: Approve: Purge?" (a client may add its own prefix in front).
  const subject = (reply.subject ?? '').replace(/^\s*((re|aw|sv|antw|fw|fwd|wg)\s*:\s*)+/i, '');
  const bySubject = options.find((o) => new RegExp(`^\\s*${escapeRe(o)}\\s*:`, 'i').test(subject));
  if (bySubject) return { vote: bySubject, by: 'subject' };
  const line = firstWrittenLine(reply.body ?? '', reply.isHtml ?? false);
  const byLine = onlyOption(line, options);
  if (byLine) return { vote: byLine, by: 'first line' };
  return { vote: null };
}
