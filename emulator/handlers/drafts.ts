/**
 * Drafts and what is sent from them: `POST /users/{id}/messages` (user-post-messages.md),
 * `createReply` / `createReplyAll` / `createForward` (201 with the draft), `POST .../attachments`
 * (message-post-attachments.md) and `POST .../send` (message-send.md: 202, the draft goes to
 * Sent Items). reply/replyAll/forward (send.ts) are a reply draft sent at once.
 */
import { EmulatorError, graphErrors } from '../errors.ts';
import { AUTO_REPLY_HEADER, deliver, mailFlowOf, type Delivered } from '../mail-flow.ts';
import { json, noContent, type EmulatorState, type GraphResponse } from '../state.ts';
import type { FolderRecord, MessageRecord, UserRecord } from '../store.ts';
import { childThreadIndex, messageIdsOf, referencesFor } from '../threading.ts';
import { attachmentResource } from './attachments.ts';
import { contextUrl, folderOf, idTypeOf, mailboxOf, quoteKey, type Handler, type HandlerContext } from './common.ts';
import {
  attachmentInput,
  checkAddresses,
  checkRequestSize,
  compose,
  customHeaders,
  escapeHtml,
  extendedProperties,
  fromGraphRecipients,
  htmlToText,
  itemBody,
  mailAttachmentOf,
  noRecipients,
  readMailJson,
  recipients,
  toGraphRecipients,
  type Composition,
  type ItemBody,
  type Recipient,
} from './message-input.ts';

/**
 * Exchange Online's default maximum message size (attachment-createuploadsession.md: "By
 * default, this message size limit is 35 MB"), applied to the MIME that goes out.
 */
export const MAX_MESSAGE_BYTES = 35 * 1024 * 1024;

export function messageTooLarge(): EmulatorError {
  return new EmulatorError(400, 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.');
}

/** Threading of a reply or forward draft, kept until it is sent (In-Reply-To and References). */
interface DraftThreading {
  inReplyTo?: string;
  references?: string[];
}

const accepted = (): GraphResponse => ({ status: 202, headers: {} });

function messageView(ctx: HandlerContext, m: MessageRecord, status: number): GraphResponse {
  const { internetMessageHeaders: _h, ...resource } = ctx.state.store.messageResource(m, idTypeOf(ctx.req));
  return json(status, { '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages/$entity`), ...resource });
}

/** A message given as JSON (a new draft, `message` of a reply) read leniently, as a draft takes it. */
function compositionOf(message: Record<string, unknown>, sender: UserRecord, now: number): Composition {
  const importance = message.importance === undefined ? undefined : String(message.importance).toLowerCase();
  if (importance !== undefined && !['low', 'normal', 'high'].includes(importance)) {
    throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${String(message.importance)}' to the expected type 'microsoft.graph.importance'.`);
  }
  const attachments = message.attachments;
  if (attachments !== undefined && attachments !== null && !Array.isArray(attachments)) throw graphErrors.badRequest("Property 'attachments' must be a collection.");
  return {
    subject: typeof message.subject === 'string' ? message.subject : '',
    body: itemBody(message.body),
    to: recipients(message.toRecipients, 'toRecipients', false),
    cc: recipients(message.ccRecipients, 'ccRecipients', false),
    bcc: recipients(message.bccRecipients, 'bccRecipients', false),
    replyTo: recipients(message.replyTo, 'replyTo', false),
    attachments: ((attachments as unknown[] | undefined) ?? []).map((a) => mailAttachmentOf(attachmentInput(a, sender, now))),
    headers: customHeaders(message.internetMessageHeaders),
    importance: importance as Composition['importance'],
    singleValueExtendedProperties: extendedProperties(message.singleValueExtendedProperties),
  };
}

/**
 * A draft in `folder`: its MIME (no Bcc), then the fields as the request gave them (a draft
 * keeps recipients that are not addresses yet; `send` refuses them).
 */
async function storeDraft(state: EmulatorState, sender: UserRecord, folder: FolderRecord, c: Composition, threading: DraftThreading): Promise<MessageRecord> {
  const store = state.store;
  const mail = compose(state, sender, { ...c, to: c.to.filter(isAddress), cc: c.cc.filter(isAddress), bcc: [], replyTo: c.replyTo.filter(isAddress), ...threading });
  const m = await store.addMessage(sender, folder, mail.raw, { isRead: true });
  return store.updateMessage(m, {
    isDraft: true,
    body: c.body,
    toRecipients: toGraphRecipients(state, c.to),
    ccRecipients: toGraphRecipients(state, c.cc),
    bccRecipients: toGraphRecipients(state, c.bcc),
    replyTo: toGraphRecipients(state, c.replyTo),
    internetMessageHeaders: c.headers,
    singleValueExtendedProperties: c.singleValueExtendedProperties ?? [],
    draftThreading: threading,
  });
}

const isAddress = (r: Recipient) => /^[^@\s<>,;"]+@[^@\s<>,;"]+$/.test(r.address);

/** `POST /users/{id}/messages` and `.../mailFolders/{id}/messages`: 201 with the draft (Drafts by default). */
export const createDraft: Handler = async (ctx) => {
  const sender = mailboxOf(ctx);
  const folder = folderOf(ctx, sender) ?? ctx.state.store.folder(sender, 'drafts');
  if ((ctx.req.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain')) {
    checkRequestSize(ctx.req);
    const m = await ctx.state.store.addMessage(sender, folder, mimeOf(ctx.req.body), { isRead: true });
    return messageView(ctx, ctx.state.store.updateMessage(m, { isDraft: true, draftMime: true }), 201);
  }
  const message = readMailJson(ctx.req);
  const draft = await storeDraft(ctx.state, sender, folder, compositionOf(message, sender, ctx.state.now()), {});
  return messageView(ctx, draft, 201);
};

/** The MIME of a `text/plain` request: base64 (user-post-messages.md, "Invalid base64 string for MIME content"). */
export function mimeOf(body: Buffer | undefined): Buffer {
  const text = (body ?? Buffer.alloc(0)).toString('utf8').replace(/\s+/g, '');
  if (!text || !/^[A-Za-z0-9+/]+=*$/.test(text)) throw new EmulatorError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  return Buffer.from(text, 'base64');
}

/** A MIME draft goes out as it was given (S/MIME included), less its Bcc header. */
function withoutBcc(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  if (end < 0) return raw;
  const head = raw.subarray(0, end).toString('utf8').replace(/^bcc:.*(?:\r?\n[ \t].*)*(?:\r?\n|$)/gim, '');
  return Buffer.concat([Buffer.from(head.replace(/\r?\n$/, '')), raw.subarray(end)]);
}

function headerOf(m: MessageRecord, name: string): string | undefined {
  const headers = (m.fields.internetMessageHeaders as Array<{ name: string; value: string }> | undefined) ?? [];
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function quotedBody(original: Record<string, unknown>, comment: string): ItemBody {
  const from = (original.from as { emailAddress?: { name?: string; address?: string } } | null)?.emailAddress;
  const to = fromGraphRecipients(original.toRecipients).map((r) => r.name ?? r.address).join('; ');
  const b = original.body as ItemBody | undefined;
  const header = [`From: ${from?.name ?? ''} <${from?.address ?? ''}>`, `Sent: ${String(original.sentDateTime)}`, `To: ${to}`, `Subject: ${String(original.subject ?? '')}`];
  if (b?.contentType === 'html') {
    return {
      contentType: 'html',
      content: `<html><body><div>${escapeHtml(comment)}</div><hr><div id="divRplyFwdMsg">${header.map((l) => escapeHtml(l)).join('<br>')}</div>${b.content}</body></html>`,
    };
  }
  return { contentType: 'text', content: `${comment}\r\n\r\n________________________________\r\n${header.join('\r\n')}\r\n\r\n${b?.content ?? htmlToText('')}` };
}

const prefixed = (prefix: string, subject: unknown) => {
  const s = String(subject ?? '');
  return s.toLowerCase().startsWith(prefix.toLowerCase()) ? s : `${prefix} ${s}`;
};

export type ReplyKind = 'reply' | 'replyAll' | 'forward';

const sameAddress = (a: Recipient, b: Recipient) => a.address.toLowerCase() === b.address.toLowerCase();

function unique(list: Recipient[], except: Recipient[]): Recipient[] {
  const out: Recipient[] = [];
  for (const r of list) if (!except.some((e) => sameAddress(e, r)) && !out.some((o) => sameAddress(o, r))) out.push(r);
  return out;
}

/**
 * The draft of a reply, reply-all or forward (message-createreply.md, -createreplyall.md,
 * -createforward.md): subject `RE:` / `FW:`; a reply goes to the original's replyTo, else its
 * sender; reply-all adds its To (less the mailbox itself) and keeps its Cc; a forward goes to
 * `toRecipients` or `message.toRecipients` (exactly one of them). `comment` and `message.body`
 * exclude each other. The draft threads under the original: In-Reply-To its Message-ID,
 * References its chain, Thread-Index one child block more.
 */
export async function replyDraft(ctx: HandlerContext, kind: ReplyKind): Promise<MessageRecord> {
  const sender = mailboxOf(ctx);
  folderOf(ctx, sender);
  const original = ctx.state.store.message(sender, ctx.params.message);
  checkRequestSize(ctx.req);
  const body = ctx.req.body && ctx.req.body.length > 0 ? readMailJson(ctx.req) : {};
  return replyDraftOf(ctx.state, sender, original, kind, body);
}

async function replyDraftOf(state: EmulatorState, sender: UserRecord, original: MessageRecord, kind: ReplyKind, body: Record<string, unknown>): Promise<MessageRecord> {
  const store = state.store;
  const resource = store.messageResource(original);
  const message = (body.message ?? {}) as Record<string, unknown>;
  if (typeof message !== 'object' || Array.isArray(message)) throw graphErrors.badRequest("Property 'message' must be a message.");
  if (body.comment !== undefined && message.body !== undefined) {
    throw new EmulatorError(400, 'ErrorInvalidRequest', "Specify either 'comment' or the 'body' property of 'message', not both.");
  }
  const comment = typeof body.comment === 'string' ? body.comment : '';
  const given = compositionOf(message, sender, state.now());
  // Reply-all leaves out every address of the replying mailbox (its aliases too), as Exchange does.
  const self: Recipient[] = [sender.userPrincipalName, ...sender.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5))].map((address) => ({ address }));
  let to: Recipient[];
  let cc: Recipient[] = [];
  if (kind === 'forward') {
    const top = body.toRecipients;
    if ((top === undefined) === (message.toRecipients === undefined)) {
      throw new EmulatorError(400, 'ErrorInvalidRequest', "Specify either the 'toRecipients' parameter or the 'toRecipients' property of 'message', not both and not neither.");
    }
    to = top !== undefined ? recipients(top, 'toRecipients', false) : given.to;
    cc = given.cc;
  } else {
    const replyTo = fromGraphRecipients(resource.replyTo);
    const targets = replyTo.length > 0 ? replyTo : fromGraphRecipients(resource.from ? [resource.from] : []);
    if (kind === 'reply') {
      to = targets;
    } else {
      to = unique([...targets, ...unique(fromGraphRecipients(resource.toRecipients), self)], []);
      cc = unique(fromGraphRecipients(resource.ccRecipients), [...self, ...to]);
    }
    if (message.toRecipients !== undefined) to = given.to;
    if (message.ccRecipients !== undefined) cc = given.cc;
  }
  const originalId = typeof resource.internetMessageId === 'string' ? resource.internetMessageId : undefined;
  const threading: DraftThreading = {
    inReplyTo: originalId && messageIdsOf(originalId)[0],
    references: referencesFor(headerOf(original, 'references'), originalId && messageIdsOf(originalId)[0]),
  };
  const inherited = kind === 'forward' ? original.attachments.filter((a) => a.kind !== 'reference').map(mailAttachmentOf) : [];
  const composition: Composition = {
    ...given,
    subject: typeof message.subject === 'string' ? message.subject : prefixed(kind === 'forward' ? 'FW:' : 'RE:', resource.subject),
    body: message.body !== undefined ? given.body : quotedBody(resource, comment),
    to,
    cc,
    attachments: [...inherited, ...given.attachments],
    threadIndex: childThreadIndex(resource.conversationIndex as string | null, state.now()),
  };
  return storeDraft(state, sender, store.folder(sender, 'drafts'), composition, threading);
}

export const createReply: Handler = async (ctx) => messageView(ctx, await replyDraft(ctx, 'reply'), 201);
export const createReplyAll: Handler = async (ctx) => messageView(ctx, await replyDraft(ctx, 'replyAll'), 201);
export const createForward: Handler = async (ctx) => messageView(ctx, await replyDraft(ctx, 'forward'), 201);

function compositionOfDraft(m: MessageRecord): Composition {
  const f = m.fields;
  const threading = (f.draftThreading as DraftThreading | undefined) ?? {};
  return {
    subject: typeof f.subject === 'string' ? f.subject : '',
    body: (f.body as ItemBody | undefined) ?? { contentType: 'text', content: '' },
    to: fromGraphRecipients(f.toRecipients),
    cc: fromGraphRecipients(f.ccRecipients),
    bcc: fromGraphRecipients(f.bccRecipients),
    replyTo: fromGraphRecipients(f.replyTo),
    attachments: m.attachments.filter((a) => a.kind !== 'reference').map(mailAttachmentOf),
    headers: ((f.internetMessageHeaders as Array<{ name: string; value: string }> | undefined) ?? []).filter((h) => /^x-/i.test(h.name)),
    importance: (f.importance as Composition['importance']) ?? undefined,
    internetMessageId: typeof f.internetMessageId === 'string' ? f.internetMessageId : undefined,
    inReplyTo: threading.inReplyTo,
    references: threading.references,
    threadIndex: typeof f.conversationIndex === 'string' ? f.conversationIndex : undefined,
    singleValueExtendedProperties: (f.singleValueExtendedProperties as Composition['singleValueExtendedProperties']) ?? [],
  };
}

/**
 * Sends a draft: the MIME is built from what the draft holds now, the draft becomes the Sent
 * Items copy (same immutable id), and the mail flows (mail-flow.ts).
 */
export async function sendDraftRecord(state: EmulatorState, sender: UserRecord, m: MessageRecord): Promise<MessageRecord> {
  if (m.fields.isDraft !== true) throw new EmulatorError(400, 'ErrorInvalidRequest', 'Only a draft message can be sent.');
  const c = compositionOfDraft(m);
  const all = [...c.to, ...c.cc, ...c.bcc];
  if (all.length === 0) throw noRecipients();
  checkAddresses(all);
  const mail = state.store;
  const submission =
    m.fields.draftMime === true
      ? { raw: withoutBcc(m.raw), subject: c.subject, internetMessageId: c.internetMessageId ?? '', to: c.to.map((r) => r.address), cc: c.cc.map((r) => r.address), bcc: c.bcc.map((r) => r.address) }
      : compose(state, sender, c);
  if (submission.raw.length > MAX_MESSAGE_BYTES) throw messageTooLarge();
  const sent = await mail.sendDraft(m, mail.folder(sender, 'sentitems'), submission.raw, {
    isRead: true,
    isDraft: false,
    categories: m.fields.categories ?? [],
    flag: m.fields.flag ?? { flagStatus: 'notFlagged' },
    bccRecipients: m.fields.bccRecipients ?? [],
    singleValueExtendedProperties: c.singleValueExtendedProperties ?? [],
  });
  await answerAutomatically(state, await deliver(state, sender, submission));
  return sent;
}

/**
 * Mailboxes with an auto-reply (admin API) answer each new Inbox message with a reply carrying
 * their body, as a person approving a vote would; never an auto-reply, an NDR or their own mail.
 * With a delay the answer comes later (the request does not wait for it).
 */
export async function answerAutomatically(state: EmulatorState, delivered: Delivered[]): Promise<void> {
  const flow = mailFlowOf(state);
  for (const d of delivered) {
    const rule = flow.autoReplies.get(d.user.id);
    if (!rule || !d.inbox || d.fromSelf) continue;
    const headers = (d.message.fields.internetMessageHeaders as Array<{ name: string }> | undefined) ?? [];
    if (headers.some((h) => /^(x-emulator-auto-reply|x-ms-exchange-message-is-ndr|auto-submitted)$/i.test(h.name))) continue;
    const answer = async () => {
      const draft = await replyDraftOf(state, d.user, state.store.message(d.user, d.message.immutableId), 'reply', { comment: rule.body });
      state.store.updateMessage(draft, { internetMessageHeaders: [{ name: AUTO_REPLY_HEADER, value: 'true' }] });
      await sendDraftRecord(state, d.user, draft);
    };
    if (rule.delaySeconds > 0) {
      void state.sleep(rule.delaySeconds * 1000).then(answer).catch(() => undefined);
    } else {
      await answer();
    }
  }
}

/** `POST .../messages/{id}/send`: 202, no body. */
export const sendDraft: Handler = async (ctx) => {
  checkRequestSize(ctx.req);
  const sender = mailboxOf(ctx);
  folderOf(ctx, sender);
  await sendDraftRecord(ctx.state, sender, ctx.state.store.message(sender, ctx.params.message));
  return accepted();
};

/** `POST .../messages/{id}/attachments`: 201 with the attachment; the whole request stays under 4 MB. */
export const postAttachment: Handler = async (ctx) => {
  const store = ctx.state.store;
  const sender = mailboxOf(ctx);
  folderOf(ctx, sender);
  const m = store.message(sender, ctx.params.message);
  const input = attachmentInput(readMailJson(ctx.req), sender, ctx.state.now());
  const a = await store.addAttachment(m, input);
  const id = store.attachmentIdOf(m, a, idTypeOf(ctx.req));
  return json(201, {
    '@odata.context': contextUrl(ctx, `users(${quoteKey(ctx.params.user)})/messages(${quoteKey(store.messageIdOf(m, idTypeOf(ctx.req)))})/attachments/$entity`),
    ...attachmentResource(store, a, false, ctx.req.version === 'beta', id),
  });
};

/** `DELETE .../messages/{id}/attachments/{id}` (attachment-delete.md): 204. */
export const deleteAttachment: Handler = (ctx) => {
  const store = ctx.state.store;
  const sender = mailboxOf(ctx);
  folderOf(ctx, sender);
  const m = store.message(sender, ctx.params.message);
  store.removeAttachment(m, store.attachment(m, ctx.params.attachment));
  return noContent();
};
