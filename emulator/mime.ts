/**
 * Turns raw RFC 822 bytes into the fields of a Graph `message` resource, the way Exchange
 * does when a message is delivered: headers are kept verbatim (unfolded) for
 * `internetMessageHeaders`, the addressing fields come from the same headers, the body and
 * the attachments come from postal-mime.
 *
 * Headers are split here rather than taken from postal-mime so that a message whose body
 * breaks the MIME parser still gets its subject, addresses and dates (Exchange accepts such
 * messages too; it just shows an empty body).
 */
import { createHash } from 'node:crypto';
import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import type { Attachment as PostalAttachment, Email } from 'postal-mime';

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

export interface RawHeader {
  name: string;
  value: string;
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

  const attachments = (email?.attachments ?? []).map((a, i) => toAttachment(a, i));

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

/**
 * The top-level header block, unfolded, in message order. Works on bytes up to the first
 * empty line, so it never depends on the body being valid MIME.
 */
export function parseHeaderBlock(raw: Buffer): RawHeader[] {
  const end = headerBlockEnd(raw);
  const block = new TextDecoder('utf-8').decode(raw.subarray(0, end));
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  const headers: RawHeader[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    // mbox "From " separator lines and garbage have no usable name; skip them as Exchange does.
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || /\s/.test(name)) continue;
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function headerBlockEnd(raw: Buffer): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    // A line break followed by another line break (optionally CRLF) ends the headers.
    if (raw[i + 1] === 0x0a) return i;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i;
  }
  return raw.length;
}

function findHeader(headers: RawHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

function decodeHeaderWords(value: string): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

function parseAddresses(value: string | undefined): GraphRecipient[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: ReturnType<typeof addressParser>;
  try {
    parsed = addressParser(value, { flatten: true });
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

function toAttachment(a: PostalAttachment, index: number): ParsedAttachment {
  const content = toBuffer(a.content);
  const contentType = (a.mimeType || 'application/octet-stream').toLowerCase();
  const kind = contentType === 'message/rfc822' ? 'item' : 'file';
  const contentId = a.contentId?.replace(/^<|>$/g, '') || undefined;
  const isInline = kind === 'file' && (a.related === true || (a.disposition === 'inline' && contentId !== undefined));
  const name = a.filename ?? defaultName(kind, contentType, content, index);
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

function toBuffer(content: ArrayBuffer | Uint8Array | string): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return Buffer.from(content);
}
