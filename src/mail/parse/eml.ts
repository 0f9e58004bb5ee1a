import PostalMime from 'postal-mime';
import type { Address, Email } from 'postal-mime';
import { liftLargeBodies, restoreLiftedBodies } from './eml-bodies.ts';
import { MailParseError, shortReason } from './errors.ts';
import type { ParseLimits } from './limits.ts';
import { fallbackPartName, toIso, type RawMail, type RawPart } from './raw.ts';
import type { MailAddress } from './types.ts';

function flattenAddresses(list: Address[] | Address | undefined): MailAddress[] {
  if (!list) return [];
  const out: MailAddress[] = [];
  for (const a of Array.isArray(list) ? list : [list]) {
    if (a.group) for (const m of a.group) out.push({ name: m.name ?? '', address: m.address ?? '' });
    else out.push({ name: a.name ?? '', address: a.address ?? '' });
  }
  return out;
}

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

/** Reads an RFC 5322 / MIME message. Attached messages stay attachments; the tree walker parses them. */
export async function readEml(bytes: Uint8Array, fileName: string, limits: ParseLimits): Promise<RawMail> {
  let email: Email;
  try {
    email = await parseMime(bytes, limits);
  } catch (err) {
    const reason = shortReason(err);
    const code = /Maximum .* exceeded/.test(reason) ? 'LIMIT_EXCEEDED' : 'MALFORMED';
    throw new MailParseError(fileName, code, reason, { cause: err });
  }

  const headers = email.headers.map((h) => ({ name: h.originalKey ?? h.key, value: h.value }));
  const rawDate = email.headers.find((h) => h.key === 'date')?.value.trim() ?? '';
  const from = flattenAddresses(email.from)[0] ?? null;

  const parts: RawPart[] = email.attachments.map((a, i) => {
    const contentType = (a.mimeType || 'application/octet-stream').toLowerCase();
    const isMessage = contentType === 'message/rfc822' || contentType === 'message/global';
    return {
      name: a.filename || fallbackPartName(i, contentType),
      contentType,
      bytes: toBytes(a.content),
      isInline: a.disposition === 'inline' || (a.related === true && Boolean(a.contentId)),
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      ...(isMessage ? { mailType: 'eml' as const } : {}),
    };
  });

  return {
    type: 'eml',
    subject: email.subject ?? '',
    from,
    to: flattenAddresses(email.to),
    cc: flattenAddresses(email.cc),
    bcc: flattenAddresses(email.bcc),
    date: rawDate,
    dateIso: toIso(rawDate) ?? toIso(email.date),
    text: email.text ?? '',
    html: email.html ?? '',
    headers,
    parts,
    warnings: [],
  };
}
