/**
 * Header text of a MIME message the way RFC 2047 (encoded-words) and RFC 2231 (parameter value
 * character sets, languages and continuations) define it. Our own code rather than postal-mime's
 * helpers: those collapse runs of whitespace inside quoted parameters (`filename="a  b.pdf"`
 * became `a b.pdf`) and decode over-padded base64 words into trailing NUL characters.
 *
 * Everything here keeps the text it does not understand as it stood: an encoded-word in an
 * unknown charset stays encoded, whitespace outside encoded-words is never touched.
 */
import iconv from 'iconv-lite';

/** The bytes in `charset`, or undefined when neither TextDecoder nor iconv-lite knows it. */
export function decodeCharset(bytes: Uint8Array, charset: string): string | undefined {
  const label = charset.trim().toLowerCase() || 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // Labels WHATWG does not list (utf-7, some cp* names) are often still known to iconv-lite.
  }
  if (iconv.encodingExists(label)) return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), label);
  return undefined;
}

/**
 * Base64 as mail software writes it, forgivingly: characters outside the alphabet are skipped,
 * and padding ends a group rather than adding bytes, so `SGVsbG8===` is "Hello" (no NULs) and two
 * padded groups run together (`SGk=IQ==`) are both read. A lone trailing character carries fewer
 * than 8 bits and is dropped.
 */
export function decodeBase64Loose(text: string): Buffer {
  const chunks: Buffer[] = [];
  for (const run of text.replace(/[^A-Za-z0-9+/=]/g, '').split(/=+/)) {
    const usable = run.length % 4 === 1 ? run.slice(0, -1) : run;
    if (usable !== '') chunks.push(Buffer.from(usable, 'base64'));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** RFC 2047 "Q": `_` is a space, `=XX` a byte, anything else stands for itself. */
function decodeQ(text: string): Buffer {
  return escapedBytes(text, '=', true);
}

/**
 * Bytes of text where `marker` + two hex digits is one byte (Q words, RFC 2231 values) and every
 * other character stands for its UTF-8 bytes; `underscoreIsSpace` for RFC 2047 "Q".
 */
function escapedBytes(text: string, marker: string, underscoreIsSpace: boolean): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === marker && HEX.test(text.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (underscoreIsSpace && ch === '_') out.push(0x20);
    else out.push(...Buffer.from(ch, 'utf8'));
    i += ch.length;
  }
  return Buffer.from(out);
}

// Lenient on purpose: some senders put spaces inside Q words; `[^?]` still stops at the word's end.
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?]*)\?=/g;

interface Word {
  start: number;
  end: number;
  charset: string;
  bytes: Buffer;
}

/** RFC 2231 §5 lets a word name a language after its charset (`utf-8*en`); only the charset matters. */
function charsetOf(spec: string): string {
  const star = spec.indexOf('*');
  return (star < 0 ? spec : spec.slice(0, star)).toLowerCase();
}

/**
 * Decodes RFC 2047 encoded-words. Whitespace between two adjacent encoded-words is dropped
 * (RFC 2047 §6.2); adjacent words in the same charset are decoded as one byte string, because
 * senders split multi-byte characters across words.
 */
export function decodeEncodedWords(value: string): string {
  const words: Word[] = [];
  for (const m of value.matchAll(ENCODED_WORD)) {
    const bytes = m[2].toUpperCase() === 'B' ? decodeBase64Loose(m[3]) : decodeQ(m[3]);
    words.push({ start: m.index, end: m.index + m[0].length, charset: charsetOf(m[1]), bytes });
  }
  if (words.length === 0) return value;
  let out = '';
  let at = 0;
  for (let i = 0; i < words.length; ) {
    let j = i + 1;
    const run = [words[i]];
    while (j < words.length && /^[ \t\r\n]*$/.test(value.slice(words[j - 1].end, words[j].start)) && words[j].charset === words[i].charset) {
      run.push(words[j]);
      j++;
    }
    const decoded = decodeCharset(Buffer.concat(run.map((w) => w.bytes)), words[i].charset);
    const last = run[run.length - 1];
    out += value.slice(at, words[i].start) + (decoded ?? value.slice(words[i].start, last.end));
    at = last.end;
    // Whitespace between this run and a following word (in another charset) is not shown either.
    if (j < words.length && /^[ \t\r\n]*$/.test(value.slice(at, words[j].start))) at = words[j].start;
    i = j;
  }
  return out + value.slice(at);
}

/**
 * The same header value with every base64 encoded-word rewritten in canonical base64, so a
 * decoder that counts padding naively (postal-mime's address parser) reads what we read.
 */
export function canonicalEncodedWords(value: string): string {
  return value.replace(ENCODED_WORD, (whole, charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B' ? `=?${charset}?B?${decodeBase64Loose(text).toString('base64')}?=` : whole,
  );
}

export interface StructuredHeader {
  /** The value before the first `;`, lower-cased, comments removed (`multipart/mixed`). */
  value: string;
  /** Parameters by lower-cased name, decoded (RFC 2231 joined, RFC 2047 words decoded). */
  params: Map<string, string>;
}

/** Splits at `;` outside quoted strings; a quoted-string's backslash escapes stay for unquote(). */
function splitParams(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quoted && c === '\\' && i + 1 < raw.length) {
      current += c + raw[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

/** A parameter value: a quoted-string's content exactly (escapes resolved), else the token trimmed. */
function unquote(raw: string): string {
  const v = raw.trim();
  if (!v.startsWith('"')) return v;
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && i + 1 < v.length) out += v[++i];
    else if (c === '"') break;
    else out += c;
  }
  return out;
}

function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (const c of value) {
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/** `%XX` escapes of an RFC 2231 extended value, as bytes; other characters as their UTF-8. */
function percentBytes(text: string): Buffer {
  return escapedBytes(text, '%', false);
}

interface Section {
  index: number;
  encoded: boolean;
  text: string;
}

/** RFC 2231: `name*=cs'lang'v`, `name*0=a; name*1=b`, `name*0*=cs''v; name*1*=v`, in any order. */
function joinExtended(sections: Section[]): string {
  sections.sort((a, b) => a.index - b.index);
  let charset = '';
  const bytes: Buffer[] = [];
  let anyEncoded = false;
  for (const s of sections) {
    let text = s.text;
    if (s.encoded) {
      anyEncoded = true;
      // Only the first section carries charset'language'.
      if (s.index === sections[0].index) {
        const m = /^([^']*)'[^']*'([\s\S]*)$/.exec(text);
        if (m) {
          charset = m[1];
          text = m[2];
        }
      }
      bytes.push(percentBytes(text));
    } else {
      bytes.push(Buffer.from(text, 'utf8'));
    }
  }
  const all = Buffer.concat(bytes);
  if (!anyEncoded) return decodeEncodedWords(all.toString('utf8'));
  return decodeCharset(all, charset || 'utf-8') ?? all.toString('latin1');
}

/** A structured header (`Content-Type`, `Content-Disposition`) with its parameters decoded. */
export function parseStructuredHeader(raw: string): StructuredHeader {
  const [head, ...rest] = splitParams(raw);
  const plain = new Map<string, string>();
  const extended = new Map<string, Section[]>();
  for (const piece of rest) {
    const eq = piece.indexOf('=');
    const name = (eq < 0 ? piece : piece.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value = eq < 0 ? '' : unquote(piece.slice(eq + 1));
    const ext = /^([^*]+)\*(?:(\d+)(\*)?)?$/.exec(name);
    if (ext) {
      const [, base, index, star] = ext;
      const list = extended.get(base) ?? [];
      // `name*` alone is an encoded value; `name*N` a plain section, `name*N*` an encoded one.
      list.push({ index: index === undefined ? 0 : Number(index), encoded: index === undefined || star === '*', text: value });
      extended.set(base, list);
    } else if (!plain.has(name)) {
      plain.set(name, value);
    }
  }
  const params = new Map<string, string>();
  for (const [name, value] of plain) params.set(name, decodeEncodedWords(value));
  // The RFC 2231 form wins: senders add it next to a plain fallback for old readers.
  for (const [name, sections] of extended) params.set(name, joinExtended(sections));
  return { value: stripComments(head).trim().toLowerCase(), params };
}
