import PostalMime from 'postal-mime';
import './postal-mime-decoders.ts';
import type { Address, Email } from 'postal-mime';
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

/** Reads an RFC 5322 / MIME message. Attached messages stay attachments; the tree walker parses them. */
export async function readEml(bytes: Uint8Array, fileName: string, limits: ParseLimits): Promise<RawMail> {
  let email: Email;
  try {
    email = await PostalMime.parse(bytes, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
      maxNestingDepth: limits.maxMimeDepth,
      maxHeadersSize: limits.maxHeaderSize,
    });
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
