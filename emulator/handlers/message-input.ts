/**
 * A message as a request describes it (sendMail's `message`, a draft's JSON, a PATCH, the
 * `message` of reply/forward), read into one shape, and the MIME Exchange would build from it.
 */
import { randomBytes } from 'node:crypto';
import { EmulatorError, graphErrors } from '../errors.ts';
import { buildMail, type MailAttachment } from '../rfc822.ts';
import type { EmulatorState, GraphRequest } from '../state.ts';
import type { AttachmentRecord, UserRecord } from '../store.ts';
import { newThreadIndex } from '../threading.ts';
import type { Submission } from '../mail-flow.ts';
import { readJson } from './common.ts';

export interface Recipient {
  name?: string;
  address: string;
}

/**
 * Graph caps a request at 4 MB (user-post-messages.md: "HTTP 413 Request Entity Too Large";
 * concepts/errors.md: 413 "The request size exceeds the maximum limit."); larger files go
 * through an upload session (outlook-large-attachments.md).
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export function requestTooLarge(): EmulatorError {
  return new EmulatorError(413, 'RequestEntityTooLarge', 'The request size exceeds the maximum limit.');
}

export function checkRequestSize(req: GraphRequest): void {
  if ((req.body?.length ?? 0) > MAX_REQUEST_BYTES) throw requestTooLarge();
}

/** readJson under Graph's 4 MB request cap. */
export function readMailJson(req: GraphRequest): Record<string, unknown> {
  checkRequestSize(req);
  return readJson(req);
}

const ADDRESS = /^[^@\s<>,;"]+@[^@\s<>,;"]+$/;

export function invalidRecipient(address: string): EmulatorError {
  return new EmulatorError(
    400,
    'ErrorInvalidRecipients',
    `At least one recipient is not valid., Recipient '${address}' is not resolved. All recipients must be resolved before a message can be submitted.`,
  );
}

export function noRecipients(): EmulatorError {
  return new EmulatorError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., Recipient is not resolved. All recipients must be resolved before a message can be submitted.');
}

/**
 * A recipient collection. `strict` (sending): every address must be one; a draft takes any
 * string, as Exchange does, and fails at send.
 */
export function recipients(value: unknown, field: string, strict = true): Recipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.badRequest(`Property '${field}' must be a collection of recipients.`);
  return value.map((r) => {
    const email = (r as { emailAddress?: { name?: unknown; address?: unknown } } | null)?.emailAddress;
    if (!email || typeof email.address !== 'string') {
      if (strict) throw invalidRecipient(String(email?.address ?? ''));
      throw new EmulatorError(400, 'RequestBodyRead', `Property '${field}' must be a collection of recipients with emailAddress.address.`);
    }
    if (strict && !ADDRESS.test(email.address)) throw invalidRecipient(email.address);
    return { address: email.address, name: typeof email.name === 'string' ? email.name : undefined };
  });
}

export function checkAddresses(list: Recipient[]): void {
  for (const r of list) if (!ADDRESS.test(r.address)) throw invalidRecipient(r.address);
}

/** Graph's recipient shape; a tenant mailbox gets its display name (also when addressed by an alias), as Exchange resolves it. */
export function toGraphRecipients(state: EmulatorState, list: Recipient[]): unknown[] {
  const nameOf = (address: string) => (state.store.findByAddress(address) ?? state.store.findUser(address))?.displayName;
  return list.map((r) => ({ emailAddress: { name: r.name ?? nameOf(r.address) ?? r.address, address: r.address } }));
}

export function fromGraphRecipients(value: unknown): Recipient[] {
  return ((value as { emailAddress: Recipient }[] | null | undefined) ?? []).map((r) => ({ name: r.emailAddress?.name, address: r.emailAddress?.address }));
}

export const formatAddress = (r: Recipient) => (r.name ? `"${r.name.replace(/["\\\r\n]/g, "'")}" <${r.address}>` : r.address);

export function htmlToText(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface ItemBody {
  contentType: 'text' | 'html';
  content: string;
}

export function itemBody(value: unknown): ItemBody {
  if (value === undefined || value === null) return { contentType: 'text', content: '' };
  const b = value as { contentType?: unknown; content?: unknown };
  if (typeof b !== 'object') throw new EmulatorError(400, 'RequestBodyRead', "Property 'body' must be an itemBody.");
  const type = String(b.contentType ?? 'text').toLowerCase();
  if (type !== 'text' && type !== 'html') throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${String(b.contentType)}' to the expected type 'microsoft.graph.bodyType'.`);
  return { contentType: type, content: typeof b.content === 'string' ? b.content : '' };
}

/** A file attachment in a request (`#microsoft.graph.fileAttachment` with contentBytes). */
export interface FileInput {
  kind: 'file' | 'item';
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
}

/** sendMail/send-time and `POST .../attachments`: a fileAttachment (contentBytes) or an itemAttachment (item). */
export function attachmentInput(value: unknown, sender?: UserRecord, now = Date.now()): FileInput {
  const x = (value ?? {}) as Record<string, unknown>;
  const type = String(x['@odata.type'] ?? '');
  if (type === '#microsoft.graph.fileAttachment') {
    if (typeof x.name !== 'string' || x.name === '') throw graphErrors.badRequest("The attachment property 'name' is required.");
    if (typeof x.contentBytes !== 'string') throw graphErrors.badRequest("The file attachment property 'contentBytes' is required.");
    return {
      kind: 'file',
      name: x.name,
      contentType: typeof x.contentType === 'string' && x.contentType !== '' ? x.contentType : 'application/octet-stream',
      content: Buffer.from(x.contentBytes, 'base64'),
      isInline: x.isInline === true,
      contentId: typeof x.contentId === 'string' ? x.contentId : undefined,
    };
  }
  if (type === '#microsoft.graph.itemAttachment') {
    const item = x.item as Record<string, unknown> | undefined;
    if (!item || typeof item !== 'object') throw graphErrors.badRequest("The item attachment property 'item' is required.");
    const name = typeof x.name === 'string' && x.name !== '' ? x.name : String(item.subject ?? 'Untitled');
    const body = itemBody(item.body);
    const raw = buildMail({
      from: formatAddress(fromGraphRecipients(item.from ? [item.from] : [])[0] ?? { address: sender?.userPrincipalName ?? 'unknown@invalid' }),
      to: fromGraphRecipients(item.toRecipients).map(formatAddress),
      subject: String(item.subject ?? ''),
      date: new Date(now),
      messageId: `<${randomBytes(12).toString('hex')}@emulator.invalid>`,
      text: body.contentType === 'html' ? htmlToText(body.content) : body.content,
      html: body.contentType === 'html' ? body.content : undefined,
    });
    return { kind: 'item', name, contentType: 'message/rfc822', content: raw, isInline: false };
  }
  throw graphErrors.badRequest(`The attachment type '${type}' is not supported here; use #microsoft.graph.fileAttachment or #microsoft.graph.itemAttachment.`);
}

export function customHeaders(value: unknown): Array<{ name: string; value: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.badRequest("Property 'internetMessageHeaders' must be a collection.");
  return (value as Array<{ name?: unknown; value?: unknown }>).map((h) => {
    const name = String(h?.name ?? '');
    // message.md, internetMessageHeaders: only custom headers (x-) may be set on a message being sent.
    if (!/^x-[!-9;-~]+$/i.test(name)) {
      throw new EmulatorError(400, 'InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
    }
    return { name, value: String(h?.value ?? '').replace(/[\r\n]+/g, ' ') };
  });
}

/** singleValueLegacyExtendedProperty: `{id, value}` with both strings. */
export function extendedProperties(value: unknown): Array<{ id: string; value: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.badRequest("Property 'singleValueExtendedProperties' must be a collection.");
  return (value as Array<{ id?: unknown; value?: unknown }>).map((p) => {
    if (typeof p?.id !== 'string' || typeof p.value !== 'string' || !/^(\S+) (\{[0-9a-f-]{36}\}) (Name|Id) (.+)$/i.test(p.id)) {
      throw new EmulatorError(400, 'ErrorInvalidProperty', `The extended property id '${String(p?.id)}' is not valid: expected '{type} {guid} Name {name}' or '{type} {guid} Id {0x...}'.`);
    }
    return { id: p.id, value: p.value };
  });
}

/** Properties merged by id (a PATCH sets or replaces each named one). */
export function mergeExtended(existing: unknown, patch: Array<{ id: string; value: string }>): Array<{ id: string; value: string }> {
  const out = [...((existing as Array<{ id: string; value: string }> | undefined) ?? [])];
  for (const p of patch) {
    const i = out.findIndex((e) => e.id.toLowerCase() === p.id.toLowerCase());
    if (i >= 0) out[i] = p;
    else out.push(p);
  }
  return out;
}

/** Everything the MIME of a sent message is built from. */
export interface Composition {
  subject: string;
  body: ItemBody;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  replyTo: Recipient[];
  attachments: MailAttachment[];
  headers: Array<{ name: string; value: string }>;
  importance?: 'low' | 'normal' | 'high';
  internetMessageId?: string;
  inReplyTo?: string;
  references?: string[];
  threadIndex?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

export function mailAttachmentOf(a: Pick<AttachmentRecord, 'kind' | 'name' | 'contentType' | 'content' | 'isInline' | 'contentId'>): MailAttachment {
  if (a.kind === 'item') return { filename: a.name.toLowerCase().endsWith('.eml') ? a.name : `${a.name}.eml`, contentType: 'message/rfc822', content: a.content, embeddedMessage: true };
  return { filename: a.name, contentType: a.contentType || 'application/octet-stream', content: a.content, inline: a.isInline, contentId: a.contentId };
}

export function newInternetMessageId(sender: UserRecord): string {
  return `<${randomBytes(12).toString('hex').toUpperCase()}@${sender.userPrincipalName.split('@')[1].toUpperCase()}.PROD.OUTLOOK.COM>`;
}

export const stripSubjectPrefixes = (subject: string) => subject.replace(/^\s*((re|fw|fwd|aw|wg)\s*:\s*)+/i, '');

/** The MIME Exchange submits: From the mailbox, no Bcc header, threading headers. */
export function compose(state: EmulatorState, sender: UserRecord, c: Composition): Submission {
  const internetMessageId = c.internetMessageId ?? newInternetMessageId(sender);
  const headers: Record<string, string> = {};
  for (const h of c.headers) headers[h.name] = h.value;
  const raw = buildMail({
    from: formatAddress({ name: sender.displayName, address: sender.userPrincipalName }),
    to: c.to.map(formatAddress),
    cc: c.cc.map(formatAddress),
    replyTo: c.replyTo.map(formatAddress),
    subject: c.subject,
    date: new Date(state.now()),
    messageId: internetMessageId,
    text: c.body.contentType === 'html' ? htmlToText(c.body.content) : c.body.content,
    html: c.body.contentType === 'html' ? c.body.content : undefined,
    inReplyTo: c.inReplyTo,
    references: c.references,
    threadTopic: stripSubjectPrefixes(c.subject),
    threadIndex: c.threadIndex ?? newThreadIndex(state.now()),
    importance: c.importance,
    headers,
    attachments: c.attachments,
  });
  return {
    raw,
    subject: c.subject,
    internetMessageId,
    to: c.to.map((r) => r.address),
    cc: c.cc.map((r) => r.address),
    bcc: c.bcc.map((r) => r.address),
    singleValueExtendedProperties: c.singleValueExtendedProperties,
  };
}
