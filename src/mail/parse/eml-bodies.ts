/**
 * Large MIME bodies decoded here, everything else left to postal-mime, without touching any of
 * postal-mime's objects: postal-mime joins every decoded line of a part through a Blob and decodes
 * base64 in JavaScript, which is most of the parse time of mail with attachments. So before
 * postal-mime sees a message, each large leaf (found by mime-scan.ts, which splits a message the
 * way postal-mime does) is decoded with transfer-decode.ts, and postal-mime is handed a copy of the
 * message in which
 * - an attachment's body is one placeholder line, in the part's own transfer encoding, that
 *   decodes to a random token; once postal-mime has placed every token as the content of an
 *   attachment, the decoded body takes its place (a token found elsewhere, or not at all, means
 *   the two readings of the message differ, and the caller parses the original instead);
 * - any other body (text, which postal-mime turns into text and html itself, or a placeholder that
 *   would not survive the part's charset) is the decoded bytes re-encoded as long base64 lines, with
 *   "Content-Transfer-Encoding: base64" put first in its header block when it had another encoding
 *   (only inside a multipart: the root's headers are part of the result).
 */
import { randomBytes } from 'node:crypto';
import type { Email } from 'postal-mime';
import { MimeScanner, type MimeLeaf, type ScanLimits } from './mime-scan.ts';
import { decodeBase64Body, decodePassThrough, decodeQuotedPrintableBody, keepsAscii } from './transfer-decode.ts';

/** Below these sizes postal-mime's own decoding costs less than scanning the message first. */
const MIN_MESSAGE = 4 * 1024;
const MIN_BODY = 512;

/**
 * Placeholders carry a random prefix drawn once per process (a message cannot guess it, so none can
 * forge one) and a message counter: 12 bytes, which with the 4-byte index give a token whose base64
 * form has no padding.
 */
const PROCESS_NONCE = randomBytes(8).toString('hex');
let messages = 0;

const BASE64_HEADER = Buffer.from('Content-Transfer-Encoding: base64\r\n');
const NEWLINE = Buffer.from('\n');

export interface LiftedBody {
  /** The bytes postal-mime decodes the placeholder line to. */
  placeholder: Uint8Array;
  content: Uint8Array;
}

export interface PreparedMessage {
  /** What postal-mime parses instead of the original. */
  input: Uint8Array;
  lifted: LiftedBody[];
}

function decodeLeaf(bytes: Uint8Array, leaf: MimeLeaf): Uint8Array {
  const body = bytes.subarray(leaf.bodyStart, leaf.bodyEnd);
  switch (leaf.encoding) {
    case 'base64':
      return decodeBase64Body(body);
    case 'quoted-printable':
      return decodeQuotedPrintableBody(body, leaf.charset);
    case 'pass-through':
      return decodePassThrough(body);
  }
}

/** postal-mime's own rule for a leaf whose bytes become attachment content untouched. */
function isRawAttachment(leaf: MimeLeaf): boolean {
  if (leaf.contentType === 'text/calendar' || leaf.contentType === 'application/ics') return false;
  return leaf.disposition === 'attachment' || (leaf.contentType !== 'text/plain' && leaf.contentType !== 'text/html');
}

/**
 * A line that decodes to a token under the leaf's encoding and to something else under any other.
 * Every token has a 0xFF byte, which no charset round trip (text/calendar parts) leaves alone.
 */
function placeholderFor(leaf: MimeLeaf, nonce: string, index: number): { line: Buffer; decoded: Uint8Array } {
  const tag = `${nonce}${index.toString(16).padStart(8, '0')}`;
  switch (leaf.encoding) {
    case 'base64': {
      const token = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from(tag, 'hex')]);
      return { line: Buffer.from(token.toString('base64')), decoded: token };
    }
    case 'quoted-printable':
      return { line: Buffer.from(`=FF${tag}`), decoded: Buffer.from(`\xff${tag}\n`, 'latin1') };
    case 'pass-through': {
      const line = Buffer.from(`\xff${tag}`, 'latin1');
      return { line, decoded: Buffer.concat([line, Buffer.from('\n')]) };
    }
  }
}

/**
 * Bytes per base64 line handed to postal-mime: it keeps up to 100 KiB of base64 text before
 * decoding, plus one line; below 128 KiB V8 keeps those strings out of its (slow) large-object space.
 */
const BASE64_LINE_BYTES = 12 * 1024;

function base64Lines(content: Uint8Array): Buffer {
  const data = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const lines: Buffer[] = [];
  for (let i = 0; i < data.length; i += BASE64_LINE_BYTES) {
    lines.push(Buffer.from(data.toString('base64', i, Math.min(i + BASE64_LINE_BYTES, data.length)), 'latin1'), NEWLINE);
  }
  if (lines.length === 0) lines.push(NEWLINE);
  return Buffer.concat(lines);
}

/** The message with its large bodies lifted out, or null when nothing is worth lifting (or the scan gave up). */
export function liftLargeBodies(bytes: Uint8Array, limits: ScanLimits): PreparedMessage | null {
  if (bytes.length < MIN_MESSAGE) return null;
  const leaves = MimeScanner.leaves(bytes, limits);
  if (!leaves) return null;
  const nonce = `${PROCESS_NONCE}${(messages = (messages + 1) >>> 0).toString(16).padStart(8, '0')}`;
  const pieces: Uint8Array[] = [];
  const lifted: LiftedBody[] = [];
  let copied = 0;
  for (const leaf of leaves) {
    if (leaf.bodyEnd - leaf.bodyStart < MIN_BODY || leaf.headerStart < copied) continue;
    if (isRawAttachment(leaf) && (leaf.encoding !== 'quoted-printable' || keepsAscii(leaf.charset))) {
      const { line, decoded } = placeholderFor(leaf, nonce, lifted.length);
      lifted.push({ placeholder: decoded, content: decodeLeaf(bytes, leaf) });
      pieces.push(bytes.subarray(copied, leaf.bodyStart), line, NEWLINE);
    } else {
      const needsHeader = leaf.encoding !== 'base64';
      if (needsHeader && (leaf.isRoot || leaf.firstLineFolded || leaf.headerSize + BASE64_HEADER.length > limits.maxHeadersSize)) continue;
      if (needsHeader) pieces.push(bytes.subarray(copied, leaf.headerStart), BASE64_HEADER, bytes.subarray(leaf.headerStart, leaf.bodyStart));
      else pieces.push(bytes.subarray(copied, leaf.bodyStart));
      pieces.push(base64Lines(decodeLeaf(bytes, leaf)));
    }
    copied = leaf.bodyEnd;
  }
  if (copied === 0) return null;
  pieces.push(bytes.subarray(copied));
  return { input: Buffer.concat(pieces), lifted };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

function contentBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array | null {
  if (typeof content === 'string') return null;
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * Puts the lifted bodies back as the content of the attachments that carry their placeholders.
 * False (and `email` untouched) unless every placeholder is the whole content of exactly one attachment.
 */
export function restoreLiftedBodies(email: Email, lifted: readonly LiftedBody[]): boolean {
  const owners: number[] = [];
  for (const body of lifted) {
    let owner = -1;
    for (let i = 0; i < email.attachments.length; i++) {
      const bytes = contentBytes(email.attachments[i]!.content);
      if (bytes && sameBytes(bytes, body.placeholder)) {
        if (owner >= 0) return false;
        owner = i;
      }
    }
    if (owner < 0 || owners.includes(owner)) return false;
    owners.push(owner);
  }
  owners.forEach((owner, i) => {
    email.attachments[owner]!.content = lifted[i]!.content;
  });
  return true;
}
