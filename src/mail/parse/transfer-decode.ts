/**
 * Content-Transfer-Encoding decoders that give the bytes postal-mime 2.7.6 gives for a MIME leaf,
 * leniencies included, but on Node buffers (postal-mime joins every decoded line through a Blob and
 * decodes base64 in a JavaScript loop, which is most of its time on large parts). Each takes the
 * raw body of one leaf: the bytes from its first body line up to the start of the line that ends it.
 * Our own code for postal-mime's observable behaviour; test/parse/transfer-decode.test.ts compares
 * them with postal-mime itself.
 */

const LF = 0x0a;
const CR = 0x0d;
const EQ = 0x3d;

/** The lines postal-mime sees in `body`: split at LF, every trailing CR dropped. */
function* lines(body: Uint8Array): Generator<Uint8Array> {
  let pos = 0;
  while (pos < body.length) {
    const lf = body.indexOf(LF, pos);
    const next = lf < 0 ? body.length : lf + 1;
    let end = lf < 0 ? body.length : lf;
    while (end > pos && body[end - 1] === CR) end--;
    yield body.subarray(pos, end);
    pos = next;
  }
}

/** 7bit, 8bit, binary and unknown encodings: every line, trailing CRs dropped, ends with \n (the last too). */
export function decodePassThrough(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  let n = 0;
  for (const line of lines(body)) {
    out.set(line, n);
    n += line.length;
    out[n++] = LF;
  }
  return out.slice(0, n);
}

/** Base64 characters decoded per string (a multiple of 4). */
const BASE64_SLICE = 64 * 1024;

const B64_VALUE = new Int16Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64_VALUE[c.charCodeAt(0)] = i;

const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/**
 * Base64 as postal-mime reads it: every byte outside A-Z a-z 0-9 + / is dropped ("=" included, so
 * padding in mid-body is skipped over), the rest decoded as one stream. A dangling last character
 * still yields three bytes (its six bits shifted left, then two zero bytes), as postal-mime's
 * decoder writes them.
 */
export function decodeBase64Body(body: Uint8Array): Uint8Array {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Node's decoder skips every other byte too, but reads - and _ (base64url) and stops at "=".
  const eq = buf.indexOf(EQ);
  if (buf.indexOf(DASH) >= 0 || buf.indexOf(UNDERSCORE) >= 0 || (eq >= 0 && alphabetFrom(buf, eq) >= 0)) return decodeFiltered(body);
  const text = buf.toString('latin1', 0, eq < 0 ? buf.length : eq);
  const decoded = Buffer.from(text, 'base64');
  // Node drops a dangling character: only then does decoding all but the last character give as much.
  const last = decoded.length % 3 === 0 ? lastAlphabet(buf, text.length) : -1;
  const dangling = last >= 0 && Buffer.from(text.slice(0, last), 'base64').length === decoded.length;
  const out = new Uint8Array(decoded.length + (dangling ? 3 : 0));
  out.set(decoded);
  if (dangling) out[decoded.length] = (B64_VALUE[buf[last]!]! << 2) & 0xff;
  return out;
}

function alphabetFrom(buf: Uint8Array, start: number): number {
  for (let i = start; i < buf.length; i++) if (B64_VALUE[buf[i]!]! >= 0) return i;
  return -1;
}

function lastAlphabet(buf: Uint8Array, end: number): number {
  for (let i = end - 1; i >= 0; i--) if (B64_VALUE[buf[i]!]! >= 0) return i;
  return -1;
}

function decodeFiltered(body: Uint8Array): Uint8Array {
  const clean = Buffer.allocUnsafe(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (B64_VALUE[b]! >= 0) clean[n++] = b;
  }
  const dangling = n % 4 === 1;
  const whole = dangling ? n - 1 : n;
  const size = Math.floor(whole / 4) * 3 + [0, 0, 1, 2][whole % 4]! + (dangling ? 3 : 0);
  const out = Buffer.alloc(size);
  // In slices whose latin1 strings stay below V8's large-object size.
  let written = 0;
  for (let i = 0; i < whole; i += BASE64_SLICE) {
    written += out.write(clean.toString('latin1', i, Math.min(i + BASE64_SLICE, whole)), written, 'base64');
  }
  if (dangling) out[written] = (B64_VALUE[clean[n - 1]!]! << 2) & 0xff;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

// postal-mime's charset aliases for labels TextDecoder does not know by those names.
const CHARSET_ALIASES: ReadonlyMap<string, string> = new Map([
  ['iso-8859-8-i', 'iso-8859-8'],
  ['iso-8859-8-e', 'iso-8859-8'],
]);

/** The text decoder postal-mime picks for a charset parameter: UTF-8 when absent, windows-1252 when unknown. */
export function charsetDecoder(charset: string | undefined): InstanceType<typeof TextDecoder> {
  let label = (charset || 'utf8').trim().toLowerCase();
  label = CHARSET_ALIASES.get(label) ?? label;
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('windows-1252');
  }
}

/** postal-mime decodes quoted-printable text in pieces of at least this many UTF-16 units, at line ends. */
const QP_PIECE = 100 * 1024;
const FIRST_ESCAPE = /=[0-9a-f]{2}/i;
const SOFT_BREAK = /=\r?\n/g;

const HEX_VALUE = new Int8Array(256).fill(-1);
for (const [i, c] of [...'0123456789abcdef'].entries()) {
  HEX_VALUE[c.charCodeAt(0)] = i;
  HEX_VALUE[c.toUpperCase().charCodeAt(0)] = i;
}

function decodeQpPiece(text: string, out: Buffer[]): void {
  let s = text.replace(SOFT_BREAK, '');
  // A piece that opens with "=" and not with an escape loses everything before its first escape
  // when that escape is one or two characters in; with no escape at all, a piece shorter than three
  // characters that opens with "=" is lost whole.
  if (s.charCodeAt(0) === EQ) {
    const first = FIRST_ESCAPE.exec(s);
    const lead = first ? first.index : s.length;
    if (lead > 0 && lead < 3) s = s.slice(lead);
  }
  // Literal text is UTF-8 encoded; "=" and hex digits are ASCII, so escapes can be found in the bytes.
  const bytes = Buffer.from(s, 'utf8');
  // Decoded in place: from one "=" to the next, the text between is moved down as it is.
  let eq = bytes.indexOf(EQ);
  let n = eq < 0 ? bytes.length : eq;
  while (eq >= 0) {
    const hi = eq + 2 < bytes.length ? HEX_VALUE[bytes[eq + 1]!]! : -1;
    const lo = eq + 2 < bytes.length ? HEX_VALUE[bytes[eq + 2]!]! : -1;
    const escape = hi >= 0 && lo >= 0;
    bytes[n++] = escape ? (hi << 4) | lo : EQ;
    const from = eq + (escape ? 3 : 1);
    eq = bytes.indexOf(EQ, from);
    const to = eq < 0 ? bytes.length : eq;
    if (to > from) bytes.copyWithin(n, from, to);
    n += Math.max(0, to - from);
  }
  out.push(bytes.subarray(0, n));
}

/** Charsets whose decoding is byte by byte, ASCII-compatible and stateless (TextDecoder's names). */
const SINGLE_BYTE = /^(?:ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-\d+|x-mac-cyrillic|x-user-defined)$/;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether ASCII text comes out of this charset's decoder as it went in (a quoted-printable placeholder survives it). */
export function keepsAscii(charset: string | undefined): boolean {
  const { encoding } = charsetDecoder(charset);
  return encoding === 'utf-8' || SINGLE_BYTE.test(encoding);
}

/**
 * Quoted-printable as postal-mime reads it: each line is first decoded as text in the part's
 * charset (so literal 8-bit bytes come out UTF-8 encoded) and ended with \n, trailing CRs dropped;
 * then "=XX" escapes become bytes, soft line breaks are removed, anything malformed stays literal.
 */
export function decodeQuotedPrintableBody(body: Uint8Array, charset: string | undefined): Uint8Array {
  const decoder = charsetDecoder(charset);
  const out: Buffer[] = [];
  // For UTF-8 without byte order marks (each line would lose a leading one) and for single-byte
  // charsets, decoding line by line is decoding the whole body at once.
  const whole = SINGLE_BYTE.test(decoder.encoding) || (decoder.encoding === 'utf-8' && Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(BOM) < 0);
  if (whole) {
    let text = decoder.decode(body).replace(/\r+\n/g, '\n');
    if (body[body.length - 1] !== LF) text = text.replace(/\r+$/, '') + '\n';
    let start = 0;
    while (start < text.length) {
      // A piece ends at the first line end that makes it QP_PIECE units long.
      const lf = text.indexOf('\n', start + QP_PIECE - 1);
      const end = lf < 0 ? text.length : lf + 1;
      decodeQpPiece(text.slice(start, end), out);
      start = end;
    }
  } else {
    let pending = '';
    for (const line of lines(body)) {
      pending += decoder.decode(line) + '\n';
      if (pending.length >= QP_PIECE) {
        decodeQpPiece(pending, out);
        pending = '';
      }
    }
    if (pending.length) decodeQpPiece(pending, out);
  }
  return new Uint8Array(Buffer.concat(out));
}
