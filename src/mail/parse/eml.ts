import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';
import { firstWithAddress, parseAddressList } from './addresses.ts';
import { parseMailDate } from './date.ts';
import { liftLargeBodies, restoreLiftedBodies } from './eml-bodies.ts';
import { decodeHeaderText } from './encoded-words.ts';
import { MailParseError, shortReason } from './errors.ts';
import type { ParseLimits } from './limits.ts';
import { fallbackPartName, type RawMail, type RawPart } from './raw.ts';
import type { MailAddress, MailHeader } from './types.ts';

/** Headers RFC 5322 allows once; when a message has several that differ, the first counts and a warning says so. */
const SINGLE = ['from', 'sender', 'reply-to', 'subject', 'date'];

interface Header {
  key: string;
  value: string;
}

function valuesOf(headers: readonly Header[], key: string): string[] {
  return headers.filter((h) => h.key === key).map((h) => h.value);
}

/**
 * The address headers read from the raw values in document order (postal-mime's own reading
 * takes the last From and splits names at unquoted commas: see addresses.ts).
 */
function addressFields(headers: readonly Header[]) {
  const list = (key: string): MailAddress[] => valuesOf(headers, key).flatMap(parseAddressList);
  const first = (key: string): MailAddress[] => parseAddressList(valuesOf(headers, key)[0] ?? '');
  const fromAll = first('from');
  return {
    from: firstWithAddress(fromAll),
    fromAll,
    sender: firstWithAddress(first('sender')),
    replyTo: list('reply-to'),
    to: list('to'),
    cc: list('cc'),
    bcc: list('bcc'),
  };
}

function duplicateWarnings(headers: readonly Header[]): string[] {
  const out: string[] = [];
  for (const key of SINGLE) {
    const values = valuesOf(headers, key);
    if (new Set(values.map((v) => v.trim())).size > 1) out.push(`${values.length} different ${key} headers; the first is used`);
  }
  return out;
}

/** A NUL cannot be part of a file name; broken encoded-words leave them in decoded names. */
const withoutNul = (name: string): string => name.replaceAll('\u0000', '');

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * postal-mime, with the large bodies decoded by eml-bodies.ts. Its decoders (a Blob per part, base64
 * in JavaScript) are most of the parse time and it has no option for them; 3.0.0 and 4.0.0 still
 * join through Blobs and change the results of 75 of the 111 corpus messages (header whitespace,
 * duplicate headers, address order, base64 padding). So 2.7.6 stays pinned, and none of its objects
 * is touched: the emulator, in the same process, parses with postal-mime as published. The result is
 * postal-mime's for the original bytes; on any doubt the original is parsed as it is.
 */
async function parseMime(bytes: Uint8Array, limits: ParseLimits): Promise<Email> {
  const options = {
    attachmentEncoding: 'arraybuffer',
    forceRfc822Attachments: true,
    maxNestingDepth: limits.maxMimeDepth,
    maxHeadersSize: limits.maxHeaderSize,
  } as const;
  const prepared = liftLargeBodies(bytes, { maxNestingDepth: limits.maxMimeDepth, maxHeadersSize: limits.maxHeaderSize });
  if (prepared) {
    try {
      const email = await PostalMime.parse(prepared.input, options);
      if (restoreLiftedBodies(email, prepared.lifted)) return email;
    } catch {
      // the original decides what is wrong with it
    }
  }
  return PostalMime.parse(bytes, options);
}

/** Blank lines before the first header (some clients write one after a message/rfc822 part's own headers). */
function leadingLineEnds(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  return i;
}

/** A `name:` line start: field-name characters (RFC 5322 ftext), optional blanks, a colon. */
function isFieldLine(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i]! >= 0x21 && bytes[i]! <= 0x7e && bytes[i] !== 0x3a) i++;
  if (i === start) return false;
  while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
  return i < end && bytes[i] === 0x3a;
}

/**
 * Whether the header block (up to the first empty line) holds at least one `name: value` field.
 * postal-mime takes any line for a header; text with none (a body pasted into an .eml, a
 * truncated download) is no email, and says so instead of giving an entry with every field empty.
 */
function hasHeaderField(bytes: Uint8Array, maxHeaderSize: number): boolean {
  const limit = Math.min(bytes.length, maxHeaderSize);
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < limit) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0 || end > limit) end = limit;
    let text = end;
    while (text > start && bytes[text - 1] === 0x0d) text--;
    if (text === start) return false;
    if (isFieldLine(bytes, start, text)) return true;
    start = end + 1;
  }
  return false;
}

/** Reads an RFC 5322 / MIME message. Attached messages stay attachments; the tree walker parses them. */
export async function readEml(input: Uint8Array, fileName: string, limits: ParseLimits): Promise<RawMail> {
  const bytes = input.subarray(leadingLineEnds(input));
  if (bytes.byteLength === 0) throw new MailParseError(fileName, 'EMPTY', 'the file holds only blank lines');
  if (!hasHeaderField(bytes, limits.maxHeaderSize)) {
    throw new MailParseError(fileName, 'MALFORMED', 'no header field before the body: not an email');
  }
  let email: Email;
  try {
    email = await parseMime(bytes, limits);
  } catch (err) {
    const reason = shortReason(err);
    const code = /Maximum .* exceeded/.test(reason) ? 'LIMIT_EXCEEDED' : 'MALFORMED';
    throw new MailParseError(fileName, code, reason, { cause: err });
  }

  const headers: MailHeader[] = email.headers.map((h) => ({ name: h.originalKey ?? h.key, value: h.value }));
  const rawDate = valuesOf(email.headers, 'date')[0]?.trim() ?? '';
  const subject = valuesOf(email.headers, 'subject')[0];

  const parts: RawPart[] = email.attachments.map((a, i) => {
    const contentType = (a.mimeType || 'application/octet-stream').toLowerCase();
    const isMessage = contentType === 'message/rfc822' || contentType === 'message/global';
    return {
      name: withoutNul(a.filename ?? '') || fallbackPartName(i, contentType),
      contentType,
      bytes: toBytes(a.content),
      isInline: a.disposition === 'inline' || (a.related === true && Boolean(a.contentId)),
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      ...(isMessage ? { mailType: 'eml' as const } : {}),
    };
  });

  return {
    type: 'eml',
    subject: subject === undefined ? '' : decodeHeaderText(subject),
    ...addressFields(email.headers),
    date: rawDate,
    dateIso: parseMailDate(rawDate),
    text: email.text ?? '',
    html: email.html ?? '',
    headers,
    parts,
    warnings: duplicateWarnings(email.headers),
  };
}
