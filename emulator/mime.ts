/**
 * Turns raw RFC 822 bytes into the fields of a Graph `message` resource, the way Exchange
 * does when a message is delivered: headers are kept verbatim (unfolded) for
 * `internetMessageHeaders`, the addressing fields come from the same headers, the body and
 * the attachments come from postal-mime.
 *
 * Headers are split here rather than taken from postal-mime so that a message whose body
 * breaks the MIME parser still gets its subject, addresses and dates (Exchange accepts such
 * messages too; it just shows an empty body). Attachments come from our own part walker
 * (mime-parts.ts), which keeps each part's bytes and headers exactly as delivered: postal-mime
 * gives attached emails back with LF line ends and part headers with whitespace collapsed.
 */
import { createHash } from 'node:crypto';
import PostalMime, { addressParser } from 'postal-mime';
import type { Email } from 'postal-mime';
import { decodedBody, findHeader, mimeLeaves, parseHeaderBlock, type MimeLeaf, type RawHeader } from './mime-parts.ts';
import { canonicalEncodedWords, decodeEncodedWords } from './mime-words.ts';

export { parseHeaderBlock, type RawHeader };

export interface ParsedAttachment {
  kind: 'file' | 'item';
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  /** File bytes, or the raw RFC 822 bytes of an attached email. */
  content: Buffer;
}

export interface ParsedMessage {
  /** Graph message resource fields, without id / parentFolderId / changeKey. */
  message: Record<string, unknown>;
  /** Root Message-ID of the thread: first of References, else In-Reply-To, else its own. */
  conversationKey: string;
  attachments: ParsedAttachment[];
}

interface GraphRecipient {
  emailAddress: { name: string; address: string };
}

const BODY_PREVIEW_LENGTH = 255;

// Guards against hostile input; values well above anything a real mailbox accepts.
const PARSER_LIMITS = { maxNestingDepth: 64, maxHeadersSize: 1024 * 1024 } as const;

export async function parseMime(raw: Buffer): Promise<ParsedMessage> {
  const headers = parseHeaderBlock(raw);
  const header = (name: string): string | undefined => findHeader(headers, name);

  let email: Email | undefined;
  try {
    email = await PostalMime.parse(raw, {
      // An attached email must stay an attachment (Graph itemAttachment), never be merged
      // into the body of the outer message.
      forceRfc822Attachments: true,
      attachmentEncoding: 'arraybuffer',
      ...PARSER_LIMITS,
    });
  } catch {
    email = undefined;
  }

  const attachments = attachmentsOf(raw);

  const internetMessageId = firstMessageId(header('message-id')) ?? syntheticMessageId(raw);
  const references = allMessageIds(header('references'));
  const inReplyTo = firstMessageId(header('in-reply-to'));
  const conversationKey = references[0] ?? inReplyTo ?? internetMessageId;

  const sentDate = parseDate(header('date'));
  const receivedDate = receivedDateOf(headers) ?? sentDate ?? new Date();

  const from = parseAddresses(header('from'))[0] ?? null;
  const sender = parseAddresses(header('sender'))[0] ?? from;

  const html = email?.html;
  const text = email?.text;
  const body =
    html !== undefined && html !== ''
      ? { contentType: 'html', content: html }
      : { contentType: 'text', content: text ?? '' };
  const previewSource = text !== undefined && text !== '' ? text : htmlToText(html ?? '');

  const message: Record<string, unknown> = {
    subject: decodeHeaderWords(header('subject') ?? ''),
    from,
    sender,
    toRecipients: parseAddresses(header('to')),
    ccRecipients: parseAddresses(header('cc')),
    bccRecipients: parseAddresses(header('bcc')),
    replyTo: parseAddresses(header('reply-to')),
    sentDateTime: graphDateTime(sentDate ?? receivedDate),
    receivedDateTime: graphDateTime(receivedDate),
    body,
    bodyPreview: preview(previewSource),
    internetMessageId,
    internetMessageHeaders: headers.map((h) => ({ name: h.name, value: h.value })),
    hasAttachments: attachments.some((a) => !a.isInline),
    importance: importanceOf(headers),
    isRead: false,
    isDraft: false,
    isReadReceiptRequested: header('disposition-notification-to') !== undefined,
    isDeliveryReceiptRequested: header('return-receipt-to') !== undefined,
    inferenceClassification: 'focused',
    categories: [],
    flag: { flagStatus: 'notFlagged' },
  };
  const threadIndex = header('thread-index');
  if (threadIndex !== undefined && /^[A-Za-z0-9+/=\s]+$/.test(threadIndex)) {
    message.conversationIndex = threadIndex.replace(/\s+/g, '');
  }

  return { message, conversationKey, attachments };
}

function decodeHeaderWords(value: string): string {
  return decodeEncodedWords(value);
}

function parseAddresses(value: string | undefined): GraphRecipient[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: ReturnType<typeof addressParser>;
  try {
    // The parser decodes display-name words itself, counting base64 padding naively.
    parsed = addressParser(canonicalEncodedWords(value), { flatten: true });
  } catch {
    return [];
  }
  const out: GraphRecipient[] = [];
  for (const entry of parsed) {
    const address = (entry.address ?? '').trim();
    if (address === '') continue;
    const name = decodeHeaderWords(entry.name ?? '').trim();
    // Exchange shows the address as the display name when the header has none.
    out.push({ emailAddress: { name: name === '' ? address : name, address } });
  }
  return out;
}

function allMessageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}

function firstMessageId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = allMessageIds(value)[0];
  if (bracketed !== undefined) return bracketed;
  const bare = value.trim().split(/\s+/)[0];
  return bare !== undefined && bare !== '' ? `<${bare}>` : undefined;
}

// Exchange assigns a Message-ID to messages that arrive without one; a content hash keeps
// re-imports of the same bytes stable.
function syntheticMessageId(raw: Buffer): string {
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 32);
  return `<${hash}@emulator.local>`;
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return undefined;
  const d = new Date(cleaned);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Received headers are prepended hop by hop, so the topmost one is the delivery into the
 * mailbox: the moment Graph reports as receivedDateTime.
 */
function receivedDateOf(headers: RawHeader[]): Date | undefined {
  for (const h of headers) {
    if (h.name.toLowerCase() !== 'received') continue;
    const semi = h.value.lastIndexOf(';');
    if (semi < 0) continue;
    const d = parseDate(h.value.slice(semi + 1));
    if (d !== undefined) return d;
  }
  return undefined;
}

/** ISO 8601 in UTC without milliseconds, the shape Graph uses for message timestamps. */
export function graphDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function importanceOf(headers: RawHeader[]): 'low' | 'normal' | 'high' {
  const importance = findHeader(headers, 'importance')?.toLowerCase().trim();
  if (importance === 'high' || importance === 'low' || importance === 'normal') return importance;
  const priority = findHeader(headers, 'x-priority')?.trim();
  if (priority !== undefined) {
    const level = Number.parseInt(priority, 10);
    if (level === 1 || level === 2) return 'high';
    if (level === 4 || level === 5) return 'low';
    if (level === 3) return 'normal';
  }
  const msPriority = findHeader(headers, 'x-msmail-priority')?.toLowerCase().trim();
  if (msPriority === 'high') return 'high';
  if (msPriority === 'low') return 'low';
  const rfcPriority = findHeader(headers, 'priority')?.toLowerCase().trim();
  if (rfcPriority === 'urgent') return 'high';
  if (rfcPriority === 'non-urgent') return 'low';
  return 'normal';
}

function preview(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, BODY_PREVIEW_LENGTH);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity.startsWith('#x') || entity.startsWith('#X')) return safeCodePoint(Number.parseInt(entity.slice(2), 16), whole);
      if (entity.startsWith('#')) return safeCodePoint(Number.parseInt(entity.slice(1), 10), whole);
      return ENTITIES[entity.toLowerCase()] ?? whole;
    });
}

function safeCodePoint(cp: number, fallback: string): string {
  return Number.isInteger(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : fallback;
}

const EXTENSIONS: Record<string, string> = {
  'text/plain': 'txt',
  'text/html': 'htm',
  'text/calendar': 'ics',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
};

/**
 * The parts Graph lists as attachments, in document order, as postal-mime classifies them with
 * forceRfc822Attachments: every message/rfc822 part is an item, every part that is not inline
 * text/plain or text/html a file. A message too deep or too big to walk has none, as before.
 */
function attachmentsOf(raw: Buffer): ParsedAttachment[] {
  let leaves: MimeLeaf[];
  try {
    leaves = mimeLeaves(raw, PARSER_LIMITS);
  } catch {
    return [];
  }
  const out: ParsedAttachment[] = [];
  for (const leaf of leaves) {
    const type = leaf.contentType.value;
    const disposition = leaf.disposition?.value ?? '';
    if (type !== 'message/rfc822' && disposition !== 'attachment' && (type === 'text/plain' || type === 'text/html')) continue;
    out.push(toAttachment(leaf, out.length));
  }
  return out;
}

function toAttachment(leaf: MimeLeaf, index: number): ParsedAttachment {
  // An attached email is kept as the bytes of its part, only its transfer encoding undone.
  const content = decodedBody(leaf);
  const contentType = leaf.contentType.value || 'application/octet-stream';
  const kind = contentType === 'message/rfc822' ? 'item' : 'file';
  const contentId = findHeader(leaf.headers, 'content-id')?.replace(/^<|>$/g, '').trim() || undefined;
  const disposition = leaf.disposition?.value;
  const isInline = kind === 'file' && contentId !== undefined && (leaf.related || disposition === 'inline');
  const given = leaf.disposition?.params.get('filename') || leaf.contentType.params.get('name');
  const name = given ? given : defaultName(kind, contentType, content, index);
  const out: ParsedAttachment = { kind, name, contentType, size: content.length, isInline, content };
  if (contentId !== undefined) out.contentId = contentId;
  return out;
}

function defaultName(kind: 'file' | 'item', contentType: string, content: Buffer, index: number): string {
  if (kind === 'item') {
    // Outlook names an attached email after its subject.
    const subject = findHeader(parseHeaderBlock(content), 'subject');
    const decoded = subject === undefined ? '' : decodeHeaderWords(subject).trim();
    return decoded === '' ? 'Untitled Message' : decoded;
  }
  // Exchange's names for nameless parts: ATT00001.ext, ATT00002.ext, ...
  const ext = EXTENSIONS[contentType] ?? 'bin';
  return `ATT${String(index + 1).padStart(5, '0')}.${ext}`;
}
