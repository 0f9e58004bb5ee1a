/** `multipart/related` bodies of GCS multipart uploads: part one JSON metadata, part two the bytes. */
import { GcsError } from './store.ts';

export interface RelatedPart {
  headers: Record<string, string>;
  body: Buffer;
}

export function boundaryOf(contentType: string | undefined): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!/^multipart\/related\b/i.test(contentType ?? '') || !boundary) {
    throw new GcsError(400, 'invalid', 'A multipart upload needs Content-Type: multipart/related; boundary=...');
  }
  return boundary;
}

export function parseRelated(body: Buffer, boundary: string): RelatedPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: RelatedPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new GcsError(400, 'invalid', 'The multipart body has no boundary line.');
  for (;;) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--boundary--"
    if (body[start] === 0x0d) start += 1;
    if (body[start] === 0x0a) start += 1;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new GcsError(400, 'invalid', 'The multipart body is not closed.');
    let end = next;
    if (body[end - 1] === 0x0a) end -= 1;
    if (body[end - 1] === 0x0d) end -= 1;
    const part = body.subarray(start, end);
    let split = part.indexOf('\r\n\r\n');
    let gap = 4;
    if (split < 0) {
      split = part.indexOf('\n\n');
      gap = 2;
    }
    if (split < 0) throw new GcsError(400, 'invalid', 'A multipart part has no header block.');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: part.subarray(split + gap) });
    at = next;
  }
  return parts;
}
