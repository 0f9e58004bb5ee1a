import * as msgreaderModule from '@kenjiuno/msgreader';
import type { FieldsData } from '@kenjiuno/msgreader';
import {
  ansiCodepageForInternetCodepage,
  ansiCodepageForLcid,
  decodeCodepage,
  encodingForCodepage,
} from './codepage.ts';
import { MailParseError, shortReason } from './errors.ts';
import { firstWithAddress, parseAddressList } from './addresses.ts';
import { headerValue, parseHeaderBlock } from './headers.ts';
import type { ParseLimits } from './limits.ts';
import { fallbackPartName, toIso, type RawMail, type RawPart } from './raw.ts';
import { bodyFromCompressedRtf } from './rtf.ts';
import type { MailAddress } from './types.ts';

type MsgReaderInstance = {
  parserConfig?: { ansiEncoding?: string; propertyObserver?: (fields: FieldsData, tag: number, raw: Uint8Array | null) => void };
  getFileData(): FieldsData & { error?: string };
  getAttachment(attach: FieldsData): { fileName: string; content: Uint8Array };
};
type MsgReaderClass = new (data: DataView) => MsgReaderInstance;

// The package is CommonJS with `exports.default`; under Node's ESM loader that lands on `.default.default`.
const MsgReader: MsgReaderClass = (() => {
  const mod = msgreaderModule as unknown as { default: unknown };
  const first = mod.default as { default?: unknown } | undefined;
  return (typeof first === 'function' ? first : first?.default) as MsgReaderClass;
})();

const PT_STRING8 = 0x001e;

function readFields(bytes: Uint8Array, ansiEncoding: string | undefined): { reader: MsgReaderInstance; fields: FieldsData; sawString8: boolean } {
  const reader = new MsgReader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  let sawString8 = false;
  reader.parserConfig = {
    ...(ansiEncoding ? { ansiEncoding } : {}),
    propertyObserver: (_fields, tag) => {
      if ((tag & 0xffff) === PT_STRING8) sawString8 = true;
    },
  };
  const fields = reader.getFileData();
  if (fields.error) throw new Error(fields.error);
  return { reader, fields, sawString8 };
}

/**
 * Non-Unicode stores keep PT_STRING8 text in the writer's ANSI code page, which the file only
 * implies: PR_MESSAGE_CODEPAGE when present, else the one behind PR_INTERNET_CPID, else the locale's.
 */
function ansiCodepage(fields: FieldsData): number {
  if (fields.messageCodepage) return fields.messageCodepage;
  const fromInternet = fields.internetCodepage ? ansiCodepageForInternetCodepage(fields.internetCodepage) : null;
  return fromInternet ?? ansiCodepageForLcid(fields.messageLocaleId ?? 0x0409);
}

function recipientAddress(r: FieldsData): MailAddress {
  const address = r.smtpAddress || (r.addressType?.toUpperCase() === 'SMTP' ? r.email : '') || r.email || '';
  return { name: r.name ?? '', address };
}

function senderOf(fields: FieldsData): MailAddress | null {
  const address =
    fields.senderSmtpAddress ||
    (fields.senderAddressType?.toUpperCase() === 'SMTP' ? fields.senderEmail : '') ||
    fields.sentRepresentingSmtpAddress ||
    fields.senderEmail ||
    '';
  if (!address && !fields.senderName) return null;
  return { name: fields.senderName ?? '', address };
}

function bodies(fields: FieldsData, limits: ParseLimits): { text: string; html: string; warnings: string[] } {
  const warnings: string[] = [];
  let text = fields.body ?? '';
  let html = fields.bodyHtml ?? '';
  if (!html && fields.html && fields.html.byteLength > 0) {
    html = decodeCodepage(fields.html, fields.internetCodepage ?? 65001);
  }
  if (!html && fields.compressedRtf && fields.compressedRtf.byteLength > 0) {
    const rtf = bodyFromCompressedRtf(fields.compressedRtf, limits.maxAttachmentSize);
    if (rtf) {
      html = rtf.html;
      if (!text) text = rtf.text;
    } else {
      warnings.push('the RTF body could not be decompressed');
    }
  }
  return { text, html, warnings };
}

function parts(reader: MsgReaderInstance, fields: FieldsData, warnings: string[]): RawPart[] {
  const out: RawPart[] = [];
  (fields.attachments ?? []).forEach((att, i) => {
    if (att.innerMsgContent) {
      const { content } = reader.getAttachment(att);
      out.push({
        name: `${att.name || `embedded-${i + 1}`}.msg`,
        contentType: 'application/vnd.ms-outlook',
        bytes: content,
        isInline: false,
        contentId: null,
        mailType: 'msg',
      });
      return;
    }
    if (typeof att.dataId !== 'number') {
      warnings.push(`attachment ${i + 1} (${att.fileName || att.name || 'unnamed'}) has no data stream (OLE object or link) and was skipped`);
      return;
    }
    const { content } = reader.getAttachment(att);
    const contentType = (att.attachMimeTag || 'application/octet-stream').toLowerCase();
    out.push({
      name: att.fileName || att.fileNameShort || att.name || fallbackPartName(i, contentType),
      contentType,
      bytes: content,
      isInline: att.attachmentHidden === true || Boolean(att.pidContentId),
      contentId: att.pidContentId ? att.pidContentId.replace(/^<|>$/g, '') : null,
    });
  });
  return out;
}

/** Reads an Outlook item (.msg, CFB). Embedded items become `.msg` parts for the tree walker. */
export function readMsg(bytes: Uint8Array, fileName: string, limits: ParseLimits): RawMail {
  try {
    let { reader, fields, sawString8 } = readFields(bytes, undefined);
    if (sawString8) {
      const encoding = encodingForCodepage(ansiCodepage(fields));
      if (encoding && encoding !== 'ascii') ({ reader, fields } = readFields(bytes, encoding));
    }
    const headers = fields.headers ? parseHeaderBlock(fields.headers) : [];
    // Sender and Reply-To have no field of their own in msgreader: the transport headers carry them.
    const rawHeaders = fields.headers ? parseHeaderBlock(fields.headers, undefined, false) : [];
    const addressHeader = (name: string): MailAddress[] => parseAddressList(headerValue(rawHeaders, name) ?? '');
    const from = senderOf(fields);
    const recipients = fields.recipients ?? [];
    const byType = (t: 'to' | 'cc' | 'bcc'): MailAddress[] =>
      recipients.filter((r) => (r.recipType ?? 'to') === t).map(recipientAddress);
    const body = bodies(fields, limits);
    const warnings = [...body.warnings];
    const headerDate = headerValue(headers, 'date');
    const date = headerDate ?? fields.clientSubmitTime ?? fields.messageDeliveryTime ?? fields.creationTime ?? '';
    return {
      type: 'msg',
      subject: fields.subject ?? '',
      from,
      fromAll: from ? [from] : [],
      sender: firstWithAddress(addressHeader('sender')),
      replyTo: addressHeader('reply-to'),
      to: byType('to'),
      cc: byType('cc'),
      bcc: byType('bcc'),
      date,
      dateIso: toIso(date),
      text: body.text,
      html: body.html,
      headers,
      parts: parts(reader, fields, warnings),
      warnings,
    };
  } catch (err) {
    if (err instanceof MailParseError) throw err;
    throw new MailParseError(fileName, 'MALFORMED', `not a readable Outlook item (${shortReason(err)})`, { cause: err });
  }
}
