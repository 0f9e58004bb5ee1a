/**
 * Mail IDs and sender addresses as people paste them from headers: `<id@host>`, `<a@b.example>`,
 * `Name <a@b.example>`, `"Last, First" <a@b.example>`. Graph matches the bare value (an address)
 * or the value in one pair of brackets (an internetMessageId), so both come here to be unwrapped.
 */

/** `<x>`, `<<x>>` or a lone `<x` / `x>` -> `x`, trimmed. */
export function withoutAngleBrackets(text: string): string {
  return text.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
}

/**
 * The angle-bracketed parts of `text`, found outside quoted strings and comments (RFC 5322
 * `display-name` may be a quoted string holding `<`, `,` or `@`; a `(comment)` may too).
 */
function angleParts(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let comment = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (quoted || comment > 0)) {
      i++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
    } else if (comment > 0) {
      if (c === '(') comment++;
      else if (c === ')') comment--;
    } else if (c === '"') {
      quoted = true;
    } else if (c === '(') {
      comment = 1;
    } else if (c === '<') {
      const end = text.indexOf('>', i + 1);
      // An unclosed `<`: the rest is the address, as withoutAngleBrackets reads `<x`.
      parts.push(text.slice(i, end < 0 ? text.length : end + 1));
      if (end < 0) break;
      i = end;
    }
  }
  return parts;
}

/** `a@b.example (Name)`: the address with its trailing RFC 5322 comment dropped. */
function withoutTrailingComment(text: string): string {
  const m = /^([^"()]*@[^"()]*?)\s*\([^"]*\)\s*$/.exec(text);
  return m ? m[1].trim() : text;
}

/**
 * The one address in a sender value: `Name <a@b.example>` -> `a@b.example`; a bare address is
 * returned as given (trimmed). Throws a TypeError saying what is wrong when the value holds
 * several angle-bracketed addresses or an empty `<>`.
 */
export function senderAddress(text: string): string {
  const value = text.trim();
  const parts = angleParts(value);
  if (parts.length === 0) return withoutTrailingComment(value);
  if (parts.length > 1) {
    throw new TypeError(`expected one sender address, got ${parts.length} (${parts.map(withoutAngleBrackets).join(', ')}).`);
  }
  const address = withoutAngleBrackets(parts[0]);
  if (address === '') throw new TypeError(`expected an email address, got "${value}" (nothing between < and >).`);
  return address;
}
