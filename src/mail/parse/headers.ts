import { decodeHeaderText } from './encoded-words.ts';
import type { MailHeader } from './types.ts';

/**
 * Splits a raw RFC 5322 header block (e.g. PR_TRANSPORT_MESSAGE_HEADERS) into unfolded headers,
 * encoded-words decoded unless `decode` is false (address headers are parsed from raw values).
 */
export function parseHeaderBlock(block: string, maxHeaders = 2000, decode = true): MailHeader[] {
  const out: MailHeader[] = [];
  let current: MailHeader | null = null;
  for (const line of block.split(/\r?\n/)) {
    if (line === '') {
      if (current) break;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (current) current.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (out.length >= maxHeaders) break;
    current = { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    out.push(current);
  }
  if (decode) for (const h of out) h.value = decodeHeaderText(h.value);
  return out;
}

export function headerValue(headers: readonly MailHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}
