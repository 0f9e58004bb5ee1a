/**
 * Address headers (From, Sender, Reply-To, To, Cc, Bcc) read the way a SOC needs them: every
 * address the header holds, even when the header is malformed, and display names decoded.
 *
 * Our own reader, not postal-mime's `addressParser` nor the `email-addresses` package: both are
 * sound on well-formed lists, but they lose exactly what a phish is made of. `email-addresses`
 * follows the RFC 5322 grammar and returns nothing at all for a list with one bad entry; postal-
 * mime splits `Doe, John <j@d.example>` and `Audien Atom - Hearing Aid ,_<a@b.example>` at the
 * comma and gives a name-only first entry, which became the whole `from` of a summary. What
 * Python's `email.utils.getaddresses` recovers, this does too (test/corpus/oracle.test.ts checks
 * the corpus against it); and beyond it:
 * - an unquoted display name cut by a comma (`Doe, John <j@d.example>`) is joined back onto the
 *   angle address that follows it, instead of becoming an address of its own;
 * - an address is kept as written inside its angle brackets (`<a@b@c.example>`, `<a@b,com>`);
 * - a nested `<Name <a@b.example>>` gives the inner address, the outer text joins the name;
 * - a whole mailbox sent as one encoded-word (`=?UTF-8?B?...?=` of `Name <a@b.example>`) is read.
 * Kept from postal-mime's hardening: text inside quotes is never taken for an address (RFC 5321
 * allows `"a@b"@c.example`), and the work is linear in the header's length whatever its content.
 */
import { decodeHeaderText } from './encoded-words.ts';
import type { MailAddress } from './types.ts';

interface Word {
  kind: 'word';
  text: string;
  quoted: boolean;
  /** Whitespace (or a comment) stood before it. */
  spaced: boolean;
}
interface Comment {
  kind: 'comment';
  text: string;
}
interface Angle {
  kind: 'angle';
  text: string;
}
interface Separator {
  kind: ',' | ';' | ':';
}
type Token = Word | Comment | Angle | Separator;

/** `indexOf` for queries whose start only grows: each character is searched past once. */
class Cursor {
  #at = -1;
  #found = -1;
  constructor(private readonly s: string, private readonly pattern: RegExp) {}
  /** The first match at or after `from`, or the string's length. */
  next(from: number): number {
    const known = this.#at >= 0 && from >= this.#at && (this.#found < 0 || this.#found >= from);
    if (!known) {
      this.pattern.lastIndex = from;
      this.#found = this.pattern.exec(this.s)?.index ?? -1;
      this.#at = from;
    }
    return this.#found < 0 ? this.s.length : this.#found;
  }
}

function tokenize(value: string): Token[] {
  const s = value.replace(/\r\n?|\n/g, ' ');
  const gt = new Cursor(s, />/g);
  const lt = new Cursor(s, /</g);
  const separator = new Cursor(s, /[,;]/g);
  const out: Token[] = [];
  let spaced = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '>') {
      // A stray ">" is no more than a space.
      spaced = true;
      i++;
    } else if (c === '"') {
      let text = '';
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        text += s[j];
        j++;
      }
      if (j >= s.length) {
        // Never closed, so no quoted-string: the quote mark is dropped and the rest read as written.
        spaced = true;
        i++;
        continue;
      }
      i = j + 1;
      out.push({ kind: 'word', text, quoted: true, spaced });
      spaced = false;
    } else if (c === '(') {
      let depth = 0;
      let text = '';
      for (; i < s.length; i++) {
        const ch = s[i]!;
        if (ch === '\\' && i + 1 < s.length) {
          text += s[++i];
          continue;
        }
        if (ch === '(' && depth++ === 0) continue;
        if (ch === ')' && --depth === 0) break;
        text += ch;
      }
      i++;
      out.push({ kind: 'comment', text });
      spaced = true;
    } else if (c === '<') {
      // Closed by the first ">"; one level of nesting (`<Name <a@b>>`) when no list separator
      // lies inside. Unclosed (or nested across a separator): up to the next "," or ";".
      const first = gt.next(i + 1);
      const nested = lt.next(i + 1) < first;
      const cut = separator.next(i + 1);
      let end = first;
      if (nested) end = cut < first ? s.length : gt.next(first + 1);
      if (end >= s.length || (nested && cut < end)) {
        out.push({ kind: 'angle', text: s.slice(i + 1, cut) });
        i = cut;
      } else {
        out.push({ kind: 'angle', text: s.slice(i + 1, end) });
        i = end + 1;
      }
      spaced = false;
    } else if (c === ',' || c === ';' || c === ':') {
      out.push({ kind: c });
      spaced = false;
      i++;
    } else {
      let j = i;
      while (j < s.length && !' \t"(<>,;:'.includes(s[j]!)) j++;
      out.push({ kind: 'word', text: s.slice(i, j), quoted: false, spaced });
      spaced = false;
      i = j;
    }
  }
  return out;
}

interface Element {
  tokens: Token[];
  /** 0 outside any group; groups are numbered from 1. */
  group: number;
}

const hasAddressWord = (tokens: readonly Token[]): boolean => tokens.some((t) => t.kind === 'word' && !t.quoted && t.text.includes('@'));

/** The list split at "," and ";" (";" also ends a group). A group's name is dropped, its members kept. */
function elements(tokens: readonly Token[]): Element[] {
  const out: Element[] = [];
  let current: Token[] = [];
  let group = 0;
  let groups = 0;
  const flush = (): void => {
    if (current.length) out.push({ tokens: current, group });
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === ',') flush();
    else if (t.kind === ';') {
      flush();
      group = 0;
    } else if (t.kind === ':') {
      // `Name: a@b, c@d;` opens a group; a colon after an address has begun is just text.
      if (group === 0 && !current.some((x) => x.kind === 'angle') && !hasAddressWord(current)) {
        current = [];
        group = ++groups;
      }
    } else current.push(t);
  }
  flush();
  return out;
}

interface Reading extends MailAddress {
  /** The address came from angle brackets: a display name written before it belongs to it. */
  angle: boolean;
  /** No address: display-name text only. */
  fragment: boolean;
  /** A fragment that is one unquoted word: an address without a domain (`To: postmaster`). */
  bareWord: boolean;
  group: number;
}

function joinWords(words: readonly Word[]): string {
  let out = '';
  words.forEach((w, k) => {
    out += (k > 0 && w.spaced ? ' ' : '') + w.text;
  });
  return out;
}

/**
 * A display name as written: its words, and its comments in place as "(text)" (`Sales (EMEA)
 * <a@b>`); with no words, the comments' text is the name (`a@b (Barry Warsaw)`).
 */
function displayName(tokens: readonly Token[]): string {
  const words = tokens.filter((t): t is Word => t.kind === 'word');
  const comments = tokens.filter((t): t is Comment => t.kind === 'comment');
  if (words.length === 0) return comments.length ? decoded(comments.map((c) => c.text).join(' ')) : '';
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'word') out += (out && t.spaced ? ' ' : '') + t.text;
    else if (t.kind === 'comment') out += ` (${t.text})`;
  }
  return decoded(out);
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const decoded = (s: string): string => squash(decodeHeaderText(s));

/** The address inside angle brackets: a nested `<...>` wins (its outer text is name), route and spaces dropped. */
function angleAddress(text: string): { address: string; extraName: string } {
  let address = text;
  let extraName = '';
  const inner = address.lastIndexOf('<');
  if (inner >= 0) {
    extraName = address.slice(0, inner).replace(/[<>]/g, ' ');
    address = address.slice(inner + 1);
  }
  address = address.replace(/>[^]*$/, '').trim().replace(/^@[^:@]*:/, '');
  if (!address.includes('"')) address = address.replace(/\s+/g, '');
  return { address, extraName: squash(extraName) };
}

const STRICT_ADDRESS = /^[^@\s]+@[^@\s]+$/;
const LOOSE_ADDRESS = /^[^@\s]+@\S*[^@\s]$/;
const ONLY_ENCODED_WORDS = /^(?:\s*=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)+\s*$/;
const ANGLE_ADDRESS = /<[^<>]+@[^<>]+>/;

function read(el: Element, depth: number): Reading[] {
  const words = el.tokens.filter((t): t is Word => t.kind === 'word');
  const angles = el.tokens.filter((t): t is Angle => t.kind === 'angle' && t.text.trim() !== '');
  const reading = (name: string, address: string, angle: boolean): Reading => ({ name, address, angle, fragment: false, bareWord: false, group: el.group });

  if (angles.length > 0) {
    const main = angles.find((a) => a.text.includes('@')) ?? angles[0]!;
    const { address, extraName } = angleAddress(main.text);
    const name = [displayName(el.tokens), extraName].filter(Boolean).join(' ');
    // Two angle addresses with no comma between them are two addresses.
    const others = angles.filter((a) => a !== main && a.text.includes('@')).map((a) => reading('', angleAddress(a.text).address, true));
    return [reading(name, address, true), ...others];
  }

  const unquoted = words.filter((w) => !w.quoted);
  const found = unquoted.findLast((w) => STRICT_ADDRESS.test(w.text)) ?? unquoted.findLast((w) => LOOSE_ADDRESS.test(w.text));
  if (found) return [reading(displayName(el.tokens.filter((t) => t !== found)), found.text, false)];

  const raw = joinWords(words);
  if (depth === 0 && ONLY_ENCODED_WORDS.test(raw)) {
    // A whole mailbox sent as encoded-words: read what they decode to, once.
    const text = decodeHeaderText(raw);
    if (ANGLE_ADDRESS.test(text)) {
      const inner = readList(text, depth + 1);
      for (const r of inner) r.group = el.group;
      return inner;
    }
  }
  const fragment = reading(displayName(el.tokens), '', false);
  fragment.fragment = true;
  // Only as written: a lone word that decodes to something else (an encoded address) stays a name.
  fragment.bareWord = words.length === 1 && !words[0]!.quoted && words.length === el.tokens.length && fragment.name === raw && !/\s/.test(raw);
  return [fragment];
}

const MEANINGFUL = /[\p{L}\p{N}]/u;

/** At most this many comma-cut pieces make one display name; longer runs are no name. */
const MAX_NAME_PIECES = 8;

function readList(value: string, depth: number): Reading[] {
  const readings: Reading[] = [];
  for (const el of elements(tokenize(value))) readings.push(...read(el, depth));
  // A display name cut by unquoted commas: the fragments right before an angle address join it
  // (`Doe, John, Jr. <a@b>` is one mailbox). Junk like "_" left in front of the angle bracket
  // gives way to them.
  const out: Reading[] = [];
  let run = 0;
  for (const r of readings) {
    const joinable = r.angle && r.address && run > 0 && out[out.length - 1]!.group === r.group;
    if (joinable) {
      const pieces = out.splice(out.length - Math.min(run, MAX_NAME_PIECES)).map((f) => f.name);
      if (MEANINGFUL.test(r.name)) pieces.push(r.name);
      r.name = pieces.join(', ');
    }
    run = r.fragment && r.name && (run === 0 || out[out.length - 1]!.group === r.group) ? run + 1 : 0;
    out.push(r);
  }
  return out;
}

/**
 * Every mailbox of an address header value (a raw value: encoded-words not yet decoded), group
 * members included, in order. An entry has an address unless the header holds only a name there.
 */
export function parseAddressList(value: string): MailAddress[] {
  const out: MailAddress[] = [];
  for (const r of readList(value, 0)) {
    const entry = r.bareWord ? { name: '', address: r.name } : { name: r.name, address: r.address };
    if (entry.name || entry.address) out.push(entry);
  }
  return out;
}

/** The author to show for a list: the first entry with an address, never a name-only fragment when one exists. */
export function firstWithAddress(list: readonly MailAddress[]): MailAddress | null {
  return list.find((a) => a.address) ?? list[0] ?? null;
}
