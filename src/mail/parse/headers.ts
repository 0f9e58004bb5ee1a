import { decodeWords } from 'postal-mime';
import type { MailHeader } from './types.ts';

/** Splits a raw RFC 5322 header block (e.g. PR_TRANSPORT_MESSAGE_HEADERS) into unfolded, decoded headers. */
export function parseHeaderBlock(block: string, maxHeaders = 2000): MailHeader[] {
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
  for (const h of out) {
    try {
      h.value = decodeWords(h.value);
    } catch {
      // keep the raw value: a broken encoded-word is still evidence
    }
  }
  return out;
}

export function headerValue(headers: readonly MailHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}
