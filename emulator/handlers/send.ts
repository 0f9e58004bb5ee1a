/**
 * sendMail (user-sendmail.md), reply, replyAll and forward (message-reply.md, -replyall.md,
 * -forward.md): 202 Accepted, no body. All of them go out through mail-flow.ts; reply, replyAll
 * and forward are the draft of createReply / createReplyAll / createForward sent at once, so they
 * thread exactly as a draft would.
 */
import { EmulatorError, graphErrors } from '../errors.ts';
import { deliver, saveSentCopy } from '../mail-flow.ts';
import type { GraphResponse } from '../state.ts';
import { mailboxOf, type Handler } from './common.ts';
import { answerAutomatically, MAX_MESSAGE_BYTES, messageTooLarge, replyDraft, sendDraftRecord, type ReplyKind } from './drafts.ts';
import {
  attachmentInput,
  checkRequestSize,
  compose,
  customHeaders,
  extendedProperties,
  itemBody,
  mailAttachmentOf,
  noRecipients,
  readMailJson,
  recipients,
  toGraphRecipients,
} from './message-input.ts';

const accepted = (): GraphResponse => ({ status: 202, headers: {} });

export const sendMail: Handler = async (ctx) => {
  const sender = mailboxOf(ctx);
  checkRequestSize(ctx.req);
  const contentType = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('text/plain')) {
    const text = (ctx.req.body ?? Buffer.alloc(0)).toString('utf8').replace(/\s+/g, '');
    if (!text || !/^[A-Za-z0-9+/]+=*$/.test(text)) {
      throw new EmulatorError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
    }
    const raw = Buffer.from(text, 'base64');
    const header = raw.toString('utf8').split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
    const field = (name: string) => [...header.matchAll(new RegExp(`^${name}:(.*)$`, 'gim'))].flatMap((m) => m[1].match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []);
    const to = field('to');
    const cc = field('cc');
    const bcc = field('bcc');
    if (to.length + cc.length + bcc.length === 0) throw new EmulatorError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    const subject = /^subject:(.*)$/im.exec(header)?.[1].trim() ?? '';
    const internetMessageId = /^message-id:\s*(<[^>]+>)/im.exec(header)?.[1] ?? '';
    const submission = { raw, subject, internetMessageId, to, cc, bcc };
    await saveSentCopy(ctx.state, sender, submission, []);
    await answerAutomatically(ctx.state, await deliver(ctx.state, sender, submission));
    return accepted();
  }
  const body = readMailJson(ctx.req);
  const message = body.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object') throw graphErrors.badRequest("The request is missing the required parameter 'message'.");
  const to = recipients(message.toRecipients, 'toRecipients');
  const cc = recipients(message.ccRecipients, 'ccRecipients');
  const bcc = recipients(message.bccRecipients, 'bccRecipients');
  if (to.length + cc.length + bcc.length === 0) throw noRecipients();
  if (message.attachments !== undefined && message.attachments !== null && !Array.isArray(message.attachments)) {
    throw graphErrors.badRequest("Property 'attachments' must be a collection.");
  }
  const importance = typeof message.importance === 'string' ? message.importance.toLowerCase() : undefined;
  const submission = compose(ctx.state, sender, {
    subject: typeof message.subject === 'string' ? message.subject : '',
    body: itemBody(message.body),
    to,
    cc,
    bcc,
    replyTo: recipients(message.replyTo, 'replyTo'),
    attachments: ((message.attachments as unknown[] | undefined) ?? []).map((a) => mailAttachmentOf(attachmentInput(a, sender, ctx.state.now()))),
    headers: customHeaders(message.internetMessageHeaders),
    importance: importance === 'low' || importance === 'high' ? importance : undefined,
    singleValueExtendedProperties: extendedProperties(message.singleValueExtendedProperties),
  });
  if (submission.raw.length > MAX_MESSAGE_BYTES) throw messageTooLarge();
  if (body.saveToSentItems !== false && body.saveToSentItems !== 'false') await saveSentCopy(ctx.state, sender, submission, toGraphRecipients(ctx.state, bcc));
  await answerAutomatically(ctx.state, await deliver(ctx.state, sender, submission));
  return accepted();
};

function sendsAtOnce(kind: ReplyKind): Handler {
  return async (ctx) => {
    const draft = await replyDraft(ctx, kind);
    try {
      await sendDraftRecord(ctx.state, mailboxOf(ctx), draft);
    } catch (err) {
      // A refused reply leaves nothing behind, as Graph's single-call reply does.
      ctx.state.store.permanentDelete(mailboxOf(ctx), draft);
      throw err;
    }
    return accepted();
  };
}

export const reply = sendsAtOnce('reply');
export const replyAll = sendsAtOnce('replyAll');
export const forward = sendsAtOnce('forward');
