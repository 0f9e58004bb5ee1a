import { createHash } from 'node:crypto';
import { claimedMailFileType, detectMailFileType } from './detect.ts';
import { MailParseError, shortReason } from './errors.ts';
import { resolveLimits, type ParseLimits } from './limits.ts';
import type { RawMail, RawPart } from './raw.ts';
import type { MailFileType, ParsedAttachment, ParsedMail } from './types.ts';

export interface ParseMailOptions {
  /** Used in errors and as `fileName` of the result. */
  fileName?: string;
  /** Skip detection (the caller knows, e.g. Graph said message/rfc822). */
  type?: MailFileType;
  limits?: Partial<ParseLimits>;
}

interface Budget {
  limits: ParseLimits;
  parts: number;
  totalBytes: number;
  rootName: string;
}

function digest(bytes: Uint8Array, algorithm: string): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

/** Size and hashes of a file, as every attachment of a parse result carries them. */
export function fileDigests(bytes: Uint8Array): Pick<ParsedAttachment, 'size' | 'md5' | 'sha1' | 'sha256'> {
  return { size: bytes.byteLength, md5: digest(bytes, 'md5'), sha1: digest(bytes, 'sha1'), sha256: digest(bytes, 'sha256') };
}

function toAttachment(part: RawPart, limits: ParseLimits): ParsedAttachment {
  const { bytes } = part;
  return {
    name: part.name,
    contentType: part.contentType,
    ...fileDigests(bytes),
    ...(bytes.byteLength <= limits.maxAttachmentSize ? { content: bytes } : {}),
    isInline: part.isInline,
    contentId: part.contentId,
  };
}

/**
 * Each reader (and its library: postal-mime, msgreader + RTF, ical.js) is loaded by the first file
 * of its type. The import is kept: a dynamic `import()` per file goes through the module loader
 * (and its hooks) every time, which cost a parse of the corpus 40 %.
 */
const readers: {
  eml?: Promise<typeof import('./eml.ts')>;
  msg?: Promise<typeof import('./msg.ts')>;
  ics?: Promise<typeof import('./ics.ts')>;
} = {};

async function readAny(bytes: Uint8Array, type: MailFileType, fileName: string, limits: ParseLimits): Promise<RawMail> {
  switch (type) {
    case 'eml':
      return (await (readers.eml ??= import('./eml.ts'))).readEml(bytes, fileName, limits);
    case 'msg':
      return (await (readers.msg ??= import('./msg.ts'))).readMsg(bytes, fileName, limits);
    case 'ics':
      return (await (readers.ics ??= import('./ics.ts'))).readIcs(bytes, fileName);
  }
}

/**
 * Which attached files are mail files to open: by the reader's knowledge, else by content, else by
 * what the name or type claims (a broken `x.eml` is an email that failed, not a file to pass over).
 */
function nestedTypeOf(part: RawPart): MailFileType | null {
  if (part.mailType) return part.mailType;
  return detectMailFileType(part.bytes, part.name, part.contentType) ?? claimedMailFileType(part.name, part.contentType);
}

async function parseNode(bytes: Uint8Array, type: MailFileType, fileName: string, depth: number, budget: Budget): Promise<ParsedMail> {
  const { limits } = budget;
  if (bytes.byteLength === 0) throw new MailParseError(fileName, 'EMPTY', 'the file is empty');
  budget.totalBytes += bytes.byteLength;
  if (budget.totalBytes > limits.maxTotalSize) {
    throw new MailParseError(budget.rootName, 'LIMIT_EXCEEDED', `nested content exceeds maxTotalSize (${limits.maxTotalSize} bytes)`);
  }
  const raw = await readAny(bytes, type, fileName, limits);
  const { parts, ...fields } = raw;
  budget.parts += parts.length;
  if (budget.parts > limits.maxParts) {
    throw new MailParseError(budget.rootName, 'LIMIT_EXCEEDED', `more than maxParts (${limits.maxParts}) attachments`);
  }
  const result: ParsedMail = { ...fields, fileName, attachments: [], nested: [], warnings: [...raw.warnings] };
  for (const part of parts) {
    const attachment = toAttachment(part, limits);
    result.attachments.push(attachment);
    const nestedType = nestedTypeOf(part);
    if (!nestedType) continue;
    if (depth + 1 >= limits.maxDepth) {
      attachment.depthExceeded = true;
      result.warnings.push(`"${part.name}" is a nested ${nestedType} file below maxDepth (${limits.maxDepth}); not parsed`);
      continue;
    }
    try {
      const child = await parseNode(part.bytes, nestedType, part.name, depth + 1, budget);
      attachment.nestedIndex = result.nested.length;
      result.nested.push(child);
    } catch (err) {
      if (err instanceof MailParseError && err.code === 'LIMIT_EXCEEDED') throw err;
      // A broken attachment must not hide the rest of the message: it stays an attachment, marked.
      const code = err instanceof MailParseError ? err.code : 'UNEXPECTED';
      const message = err instanceof MailParseError ? err.message : `Failed to parse "${part.name}": ${shortReason(err)}`;
      attachment.parseError = { type: nestedType, code, message };
      result.warnings.push(`attached file "${part.name}" could not be parsed: ${shortReason(err)}`);
    }
  }
  return result;
}

/**
 * Parses an .eml, .msg or .ics file into one normalised result, attached mail files included
 * (recursively, up to `maxDepth`). Throws MailParseError (naming the file) for unreadable input
 * and TypeError for bad options; never returns a half-parsed tree silently (see `warnings`).
 */
export async function parseMailFile(bytes: Uint8Array, options: ParseMailOptions = {}): Promise<ParsedMail> {
  const limits = resolveLimits(options.limits);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (options.type !== undefined && !['eml', 'msg', 'ics'].includes(options.type)) {
    throw new TypeError(`type must be "eml", "msg" or "ics", got ${JSON.stringify(options.type)}`);
  }
  const fileName = options.fileName ?? 'mail file';
  if (bytes.byteLength === 0) throw new MailParseError(fileName, 'EMPTY', 'the file is empty');
  if (bytes.byteLength > limits.maxInputSize) {
    throw new MailParseError(fileName, 'TOO_LARGE', `${bytes.byteLength} bytes is over maxInputSize (${limits.maxInputSize} bytes)`);
  }
  const type = options.type ?? detectMailFileType(bytes, fileName) ?? claimedMailFileType(fileName);
  if (!type) {
    throw new MailParseError(fileName, 'UNRECOGNISED', 'not an .eml, .msg or .ics file (judged by content and name)');
  }
  return parseNode(bytes, type, fileName, 0, { limits, parts: 0, totalBytes: 0, rootName: fileName });
}
