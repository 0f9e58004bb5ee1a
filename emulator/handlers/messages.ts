import { EmulatorError, graphErrors } from '../errors.ts';
import { compileMessageQuery } from '../odata/index.ts';
import { effectiveOptions, emptyPagesOf, paginate, parseBool, parseTop } from '../paging.ts';
import { bytes, json, noContent } from '../state.ts';
import type { AttachmentRecord, MessageRecord } from '../store.ts';
import { attachmentResource, parseAttachmentSelect, selectAttachment } from './attachments.ts';
import { collectionUrl, contextUrl, folderOf, idTypeOf, mailboxOf, quoteKey, readJson, type Handler, type HandlerContext } from './common.ts';
import { checkRequestSize, customHeaders, extendedProperties, itemBody, mergeExtended, recipients, toGraphRecipients } from './message-input.ts';

export const MESSAGE_PAGE_DEFAULT = 10;
export const MESSAGE_PAGE_MAX = 1000;

/** Graph returns internetMessageHeaders (and uniqueBody) only when $select names them. */
export function defaultView(resource: Record<string, unknown>): Record<string, unknown> {
  const { internetMessageHeaders: _headers, ...rest } = resource;
  return rest;
}

function view(ctx: HandlerContext, m: MessageRecord, select: string | undefined, project: (r: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  const full = ctx.state.store.messageResource(m, idTypeOf(ctx.req));
  return select === undefined || select.trim() === '' ? defaultView(full) : project(full);
}

function byReceivedDesc(a: { r: Record<string, unknown>; m: MessageRecord }, b: { r: Record<string, unknown>; m: MessageRecord }): number {
  const da = Date.parse(String(a.r.receivedDateTime));
  const db = Date.parse(String(b.r.receivedDateTime));
  return db - da || b.m.seq - a.m.seq;
}

export const listMessages: Handler = (ctx) => {
  const store = ctx.state.store;
  const mailbox = mailboxOf(ctx);
  const folder = folderOf(ctx, mailbox);
  const { options, skip, emptyServed } = effectiveOptions(ctx.req);
  const top = parseTop(options.$top, MESSAGE_PAGE_DEFAULT, MESSAGE_PAGE_MAX);
  const query = compileMessageQuery({ filter: options.$filter, orderby: options.$orderby, search: options.$search, select: options.$select });
  const rows = store
    .messagesOf(mailbox, folder)
    .map((m) => ({ m, r: store.messageResource(m, idTypeOf(ctx.req)) }))
    .filter((row) => query.matches(row.r));
  const compare = query.compare;
  rows.sort(compare ? (a, b) => compare(a.r, b.r) || b.m.seq - a.m.seq : byReceivedDesc);
  const page = paginate(rows, options, skip, top, collectionUrl(ctx), emptyPagesOf(ctx.state, emptyServed));
  const where = ctx.params.folder === undefined ? 'messages' : `mailFolders(${quoteKey(ctx.params.folder)})/messages`;
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/${where}`),
    ...(parseBool('$count', options.$count) ? { '@odata.count': page.count } : {}),
    value: page.items.map((row) => (options.$select ? query.project(row.r) : defaultView(row.r))),
    ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
  });
};

/** Ids in the form the request prefers (`Prefer: IdType="ImmutableId"`). */
function shownId(ctx: HandlerContext, m: MessageRecord): string {
  return ctx.state.store.messageIdOf(m, idTypeOf(ctx.req));
}

function shownAttachmentId(ctx: HandlerContext, m: MessageRecord, a: AttachmentRecord): string {
  return ctx.state.store.attachmentIdOf(m, a, idTypeOf(ctx.req));
}

/**
 * The message an item route names. Under `mailFolders/{folder}/messages/{id}` the folder must
 * exist, but the message is served from whichever folder holds it: the Graph docs never say the
 * folder segment scopes an id lookup (an Exchange item id names one item in the whole mailbox),
 * and a client that trusted the path to keep it inside a folder would act on mail elsewhere. The
 * unkind reading keeps the client honest: it checks `parentFolderId` itself (docs/deviations.md).
 */
function messageOf(ctx: HandlerContext): MessageRecord {
  const mailbox = mailboxOf(ctx);
  folderOf(ctx, mailbox);
  return ctx.state.store.message(mailbox, ctx.params.message);
}

/** `$expand` items, split at the commas outside parentheses. */
function splitExpand(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/**
 * `singleValueExtendedProperties($filter=id eq '{id}')` (singlevaluelegacyextendedproperty-get.md):
 * the id wanted. Without the `$filter` Graph answers a 400, as here.
 */
function extendedPropertyExpand(item: string): string | undefined {
  if (!/^singleValueExtendedProperties\b/i.test(item)) return undefined;
  const m = /^singleValueExtendedProperties\(\s*\$filter=id\s+eq\s+'((?:[^']|'')+)'\s*\)$/i.exec(item);
  if (!m) throw new EmulatorError(400, 'ErrorInvalidUrlQuery', "An extended property is expanded with $expand=singleValueExtendedProperties($filter=id eq '{id}').");
  return m[1].replace(/''/g, "'");
}

function parseExpand(value: string | undefined, allowed: string[]): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw graphErrors.badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${v}' to expand.`);
  return hit;
}

export const getMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  const select = ctx.req.query.get('$select') ?? undefined;
  const expands = splitExpand(ctx.req.query.get('$expand') ?? undefined);
  const extended = expands.map(extendedPropertyExpand).find((x) => x !== undefined);
  const expand = parseExpand(expands.find((e) => extendedPropertyExpand(e) === undefined), ['attachments']);
  const query = compileMessageQuery({ select });
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages/$entity`),
    ...view(ctx, m, select, query.project),
  };
  if (extended !== undefined) {
    const wanted = extended.toLowerCase();
    const found = ((m.fields.singleValueExtendedProperties as Array<{ id: string; value: string }> | undefined) ?? []).filter((x) => x.id.toLowerCase() === wanted);
    // singlevaluelegacyextendedproperty-get.md: the property comes back only when the message has it.
    if (found.length > 0) body.singleValueExtendedProperties = found;
  }
  if (expand) {
    body['attachments@odata.context'] = contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages(${quoteKey(shownId(ctx, m))})/attachments`);
    body.attachments = m.attachments.map((a) => attachmentResource(ctx.state.store, a, false, ctx.req.version === 'beta', shownAttachmentId(ctx, m, a)));
  }
  return json(200, body);
};

/** `$value`: the MIME as received. Graph labels it text/plain (see message-get.md). */
export const getMessageMime: Handler = (ctx) => bytes(200, messageOf(ctx).raw, 'text/plain');

const FLAG_STATUSES = ['notFlagged', 'flagged', 'complete'];
const PATCHABLE: Record<string, (v: unknown) => boolean> = {
  isRead: (v) => typeof v === 'boolean',
  categories: (v) => Array.isArray(v) && v.every((c) => typeof c === 'string'),
  flag: (v) => typeof v === 'object' && v !== null && FLAG_STATUSES.includes(String((v as Record<string, unknown>).flagStatus)),
  importance: (v) => v === 'low' || v === 'normal' || v === 'high',
  inferenceClassification: (v) => v === 'focused' || v === 'other',
  subject: (v) => typeof v === 'string',
  isDeliveryReceiptRequested: (v) => typeof v === 'boolean',
  isReadReceiptRequested: (v) => typeof v === 'boolean',
};

export const patchMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  const patch = readJson(ctx.req);
  const draftPatch = draftFields(ctx, m, patch);
  for (const [key, value] of Object.entries(patch)) {
    if (key in draftPatch) continue;
    const check = PATCHABLE[key];
    if (!check) {
      throw new EmulatorError(400, 'RequestBodyRead', `The property '${key}' does not exist on type 'microsoft.graph.message' or cannot be updated.`);
    }
    if (!check(value)) {
      throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${JSON.stringify(value)}' to the expected type of property '${key}'.`);
    }
  }
  const updated = ctx.state.store.updateMessage(m, { ...patch, ...draftPatch });
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages/$entity`),
    ...defaultView(ctx.state.store.messageResource(updated, idTypeOf(ctx.req))),
  });
};

/** message-update.md: updatable only while the message is a draft. */
const DRAFT_ONLY = new Set(['body', 'replyTo', 'internetMessageId', 'internetMessageHeaders']);

/**
 * The recipients, body, headers and extended properties of a PATCH, read and checked as the
 * draft routes read them (message-update.md). On a message that is not a draft, the draft-only
 * properties are refused as Exchange refuses them.
 */
function draftFields(ctx: HandlerContext, m: MessageRecord, patch: Record<string, unknown>): Record<string, unknown> {
  checkRequestSize(ctx.req);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    if (DRAFT_ONLY.has(key) && m.fields.isDraft !== true) {
      throw new EmulatorError(400, 'ErrorInvalidPropertyUpdateSentMessage', 'Update operation is invalid for property of a sent message.');
    }
  }
  for (const key of ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const) {
    if (key in patch) out[key] = toGraphRecipients(ctx.state, recipients(patch[key], key, false));
  }
  if ('body' in patch) out.body = itemBody(patch.body);
  // message-update.md lists the values as `Low`, `Normal`, `High`: the enum is matched in any case.
  if (typeof patch.importance === 'string' && ['low', 'normal', 'high'].includes(patch.importance.toLowerCase())) out.importance = patch.importance.toLowerCase();
  if ('internetMessageHeaders' in patch) out.internetMessageHeaders = customHeaders(patch.internetMessageHeaders);
  if ('internetMessageId' in patch) {
    if (typeof patch.internetMessageId !== 'string' || !/^<[^<>\s]+@[^<>\s]+>$/.test(patch.internetMessageId)) {
      throw new EmulatorError(400, 'RequestBodyRead', "Property 'internetMessageId' must be a message id such as '<id@domain>'.");
    }
    out.internetMessageId = patch.internetMessageId;
  }
  if ('singleValueExtendedProperties' in patch) out.singleValueExtendedProperties = mergeExtended(m.fields.singleValueExtendedProperties, extendedProperties(patch.singleValueExtendedProperties));
  if ('from' in patch) {
    const from = recipients([patch.from], 'from', false)[0];
    if (!from || from.address.toLowerCase() !== mailboxOf(ctx).userPrincipalName.toLowerCase()) {
      throw new EmulatorError(400, 'ErrorInvalidRequest', "Property 'from' must be the mailbox the message is in.");
    }
    out.from = toGraphRecipients(ctx.state, [from])[0];
  }
  return out;
}

/** 204; where the message goes depends on where it is (Store.deleteMessage). */
export const deleteMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  ctx.state.store.deleteMessage(mailboxOf(ctx), m);
  return noContent();
};

/** `POST .../permanentDelete` (message-permanentdelete.md): 204, no body either way; the message is purged. */
export const permanentDeleteMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  ctx.state.store.permanentDelete(mailboxOf(ctx), m);
  return noContent();
};

function destinationOf(ctx: HandlerContext) {
  const body = readJson(ctx.req);
  const destinationId = body.destinationId;
  if (typeof destinationId !== 'string' || destinationId === '') {
    throw graphErrors.invalidRequest("The request is missing the required parameter 'destinationId'.");
  }
  return ctx.state.store.folder(mailboxOf(ctx), destinationId);
}

/** 201 with the message under its NEW id (Graph re-ids an item moved to another folder). */
export const moveMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  const destination = destinationOf(ctx);
  const moved = destination.id === m.folderId ? m : ctx.state.store.moveMessage(m, destination);
  return json(201, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages/$entity`),
    ...defaultView(ctx.state.store.messageResource(moved, idTypeOf(ctx.req))),
  });
};

export const copyMessage: Handler = (ctx) => {
  const m = messageOf(ctx);
  const destination = destinationOf(ctx);
  const copy = ctx.state.store.copyMessage(m, destination);
  return json(201, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages/$entity`),
    ...defaultView(ctx.state.store.messageResource(copy, idTypeOf(ctx.req))),
  });
};

export const listAttachments: Handler = (ctx) => {
  const m = messageOf(ctx);
  const expand = parseExpand(ctx.req.query.get('$expand') ?? undefined, ['microsoft.graph.itemattachment/item']);
  const select = parseAttachmentSelect(ctx.req.query.get('$select') ?? undefined);
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages(${quoteKey(shownId(ctx, m))})/attachments`),
    value: m.attachments.map((a) => attachmentView(ctx, m, a, expand !== undefined, select)),
  });
};

export const getAttachment: Handler = (ctx) => {
  const m = messageOf(ctx);
  const a = ctx.state.store.attachment(m, ctx.params.attachment);
  const expand = parseExpand(ctx.req.query.get('$expand') ?? undefined, ['microsoft.graph.itemattachment/item']);
  const select = parseAttachmentSelect(ctx.req.query.get('$select') ?? undefined);
  return json(200, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages(${quoteKey(shownId(ctx, m))})/attachments/$entity`),
    ...attachmentView(ctx, m, a, expand !== undefined, select),
  });
};

/** With `$select`, only the named properties: a big file's bytes are never base64-encoded for nothing. */
function attachmentView(ctx: HandlerContext, m: MessageRecord, a: AttachmentRecord, expand: boolean, select: string[] | undefined): Record<string, unknown> {
  const beta = ctx.req.version === 'beta';
  const id = shownAttachmentId(ctx, m, a);
  if (!select) return attachmentResource(ctx.state.store, a, expand, beta, id);
  const { contentBytes: _bytes, ...light } = attachmentResource(ctx.state.store, { ...a, content: Buffer.alloc(0) }, expand, beta, id);
  const picked = selectAttachment({ ...light, size: a.size }, select);
  return expand && 'item' in light ? { ...picked, item: light.item } : picked;
}

/**
 * Raw bytes of a file attachment; the MIME of an item attachment, labelled as attachment-get.md
 * shows it (message/rfc822 for an email, text/calendar for an event, text/vcard for a contact).
 * A reference attachment has no bytes: 405, as attachment-get.md says.
 */
export const getAttachmentValue: Handler = (ctx) => {
  const m = messageOf(ctx);
  const a = ctx.state.store.attachment(m, ctx.params.attachment);
  if (a.kind === 'reference') {
    throw new EmulatorError(405, 'ErrorInvalidRequest', 'The $value of a reference attachment cannot be read: it is a link to a file stored elsewhere.');
  }
  return bytes(200, a.content, a.kind === 'item' ? itemMimeType(a) : a.contentType || 'application/octet-stream');
};

function itemMimeType(a: AttachmentRecord): string {
  const t = a.contentType.toLowerCase();
  if (t.startsWith('text/calendar')) return 'text/calendar';
  if (t.startsWith('text/vcard') || t.startsWith('text/x-vcard')) return 'text/vcard';
  return 'message/rfc822';
}
