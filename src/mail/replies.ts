/**
 * Reading a reply the way a person meant it (issue 12's waiting actions): is it an automatic
 * reply (out of office, auto-responders), what did the person write above the quoted original,
 * and which vote, if any, does it carry. A vote is read without ambiguity, in this order:
 * Outlook's voting response (PidLidVerbResponse), the subject of an answer link (`Approve:
 * Purge?`), then the first line the person wrote when it starts with an option. A reply that
 * names no option, or several on that first line, carries no vote.
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

/**
 * Where a client's HTML quote of the original begins: Apple Mail's and Thunderbird's
 * `<blockquote>`, Gmail's `gmail_quote` block, Outlook on the web's `appendonsend` marker and
 * `divRplyFwdMsg` header block, and a rule (`<hr>`) above a quoted header. Cut before the text is
 * read, so an option named only in the quote is never the reply's.
 */
const HTML_QUOTE_STARTS = [/<blockquote\b/i, /<[a-z][^>]*\bclass\s*=\s*["']?[^"'>]*\bgmail_quote/i, /<[a-z][^>]*\bid\s*=\s*["']?(appendonsend|divRplyFwdMsg)\b/i, /<hr\b/i];

/** The HTML above the client's quote of the original. */
export function htmlAboveQuote(html: string): string {
  const cut = Math.min(...HTML_QUOTE_STARTS.map((re) => re.exec(html)?.index ?? html.length));
  return html.slice(0, cut);
}

/** HTML as the text a reader sees: tags out, blocks as line breaks, references decoded. */
export function htmlToText(html: string): string {
  const cleaned = html.replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '').replace(/<!--[\s\S]*?-->/g, '');
  // Line breaks in the source are only wrapping (Outlook desktop wraps its HTML), except inside
  // <pre> or a white-space:pre element, and in "HTML" with no block or break at all.
  const hasBlocks = /<(br|p|div|tr|li|h[1-6]|table|pre|blockquote)\b/i.test(cleaned);
  const kept = hasBlocks
    ? cleaned
        .replace(/<pre\b[^>]*>[\s\S]*?<\/pre\s*>/gi, (block) => block.replace(/\r?\n/g, '<br>'))
        .replace(/<([a-z][a-z0-9]*)\b[^>]*white-space\s*:\s*pre[^>]*>[\s\S]*?<\/\1\s*>/gi, (block) => block.replace(/\r?\n/g, '<br>'))
    : cleaned.replace(/\r?\n/g, '<br>');
  const withBreaks = kept
    .replace(/\s+/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|tr|li|ul|ol|h[1-6]|blockquote|table|pre|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/?(td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeHtmlReferences(withBreaks)
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n');
}

/** Lines that start what a client quotes of the original, in the common clients' words. */
const QUOTE_STARTS = [
  /^-{2,}\s*original message\s*-{2,}/i,
  /^_{5,}\s*$/, // Outlook's rule above "From: ... Sent: ..."
  /^(from|von|de|da|van|från|fra)\s?:\s.+/i, // the header block Outlook writes above the original (French: "De :")
  /^on .+ wrote:\s*$/i,
  /^le .+ a écrit\s*:\s*$/i,
  /^am .+ schrieb .+:\s*$/i,
  /^-{2,}\s*forwarded message\s*-{2,}/i,
];

/** What the person wrote above the quoted original (quote markers and signature separators end it). */
export function writtenPart(body: string, isHtml: boolean): string {
  const text = (isHtml ? htmlToText(htmlAboveQuote(body)) : body).replace(/\r\n?/g, '\n');
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

const firstLineOf = (text: string) => text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';

/** The first non-empty line the person wrote, or "". */
export function firstWrittenLine(body: string, isHtml: boolean): string {
  return firstLineOf(writtenPart(body, isHtml));
}

export interface VoteSource {
  /** PidLidVerbResponse of the reply, when Outlook's buttons were used. */
  verbResponse?: string | null;
  subject?: string | null;
  body?: string | null;
  isHtml?: boolean;
  /** What the person wrote above the quote, when already read (it wins over `body`). */
  written?: string;
}

export type VoteReading = { vote: string; by: 'voting button' | 'subject' | 'first line' } | { vote: null };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const word = (o: string) => `(^|[^\\p{L}\\p{N}])${escapeRe(o)}($|[^\\p{L}\\p{N}])`;

const PREFIXES = /^\s*((re|aw|sv|antw|fw|fwd|wg|tr|rv|vs)\s*(\[\d+\])?\s*:\s*)+/i;
/** Whether a subject starts with a reply or forward prefix. */
export const hasReplyPrefix = (subject: string) => PREFIXES.test(subject);

/** A subject without the `RE:` / `FW:` prefixes clients add (in several languages), spaces collapsed, lower-case. */
export function bareSubject(subject: string): string {
  return subject
    .replace(PREFIXES, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The subject an answer link of Send Vote Email gives (`Approve: <question>`), as bareSubject compares it. */
export function answerSubjects(options: readonly string[], sentSubject: string): Map<string, string> {
  return new Map(options.map((o) => [bareSubject(`${o}: ${sentSubject}`), o]));
}

/**
 * The vote a reply to the question `sentSubject` carries, or `{ vote: null }`. The subject counts
 * only when it is exactly an answer link's (`Approve: <question>`, after `RE:`-style prefixes),
 * so a question that itself starts with an option does not vote for everyone who answers it.
 * The first line counts when it starts with an option (as the vote block asks) and names no
 * other: "Do not approve" or "Approve or Reject?" is no vote.
 */
export function readVote(reply: VoteSource, options: readonly string[], sentSubject: string): VoteReading {
  const button = (reply.verbResponse ?? '').trim();
  const byButton = options.find((o) => o.toLowerCase() === button.toLowerCase());
  if (byButton) return { vote: byButton, by: 'voting button' };
  // Only the answer link's own message: a reply to it ("RE: Approve: ...") says what its first line says.
  const bySubject = hasReplyPrefix(reply.subject ?? '') ? undefined : answerSubjects(options, sentSubject).get(bareSubject(reply.subject ?? ''));
  if (bySubject) return { vote: bySubject, by: 'subject' };
  const line = reply.written !== undefined ? firstLineOf(reply.written) : firstWrittenLine(reply.body ?? '', reply.isHtml ?? false);
  const named = options.filter((o) => new RegExp(word(o), 'iu').test(line));
  const first = named.length === 1 && new RegExp(`^[^\\p{L}\\p{N}]*${escapeRe(named[0])}($|[^\\p{L}\\p{N}])`, 'iu').test(line) ? named[0] : null;
  if (first) return { vote: first, by: 'first line' };
  return { vote: null };
}
