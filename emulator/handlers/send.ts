/** sendMail, reply, replyAll and forward: 202 Accepted, mail flows through mail-flow.ts. */
import { randomBytes } from 'node:crypto';
import { EmulatorError, graphErrors } from '../errors.ts';
import { submit } from '../mail-flow.ts';
import { buildMail, type MailAttachment } from '../rfc822.ts';
import type { EmulatorState, GraphResponse } from '../state.ts';
import type { MessageRecord, UserRecord } from '../store.ts';
import { mailboxOf, readJson, type Handler, type HandlerContext } from './common.ts';

interface Recipient {
  name?: string;
  address: string;
}

const accepted = (): GraphResponse => ({ status: 202, headers: {} });

function recipients(value: unknown, field: string): Recipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.badRequest(`Property '${field}' must be a collection of recipients.`);
  return value.map((r) => {
    const email = (r as { emailAddress?: { name?: unknown; address?: unknown } })?.emailAddress;
    if (!email || typeof email.address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email.address)) {
      throw new EmulatorError(400, 'ErrorInvalidRecipients', `At least one recipient is not valid., Recipient '${String(email?.address ?? '')}' is not resolved. All recipients must be resolved before a message can be submitted.`);
    }
    return { address: email.address, name: typeof email.name === 'string' ? email.name : undefined };
  });
}

const fmt = (r: Recipient) => (r.name ? `"${r.name.replace(/"/g, "'")}" <${r.address}>` : r.address);

function htmlToText(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function fileAttachments(value: unknown): MailAttachment[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.badRequest("Property 'attachments' must be a collection.");
  return value.map((a) => {
    const x = a as Record<string, unknown>;
    if (x['@odata.type'] !== '#microsoft.graph.fileAttachment') {
      throw graphErrors.badRequest('Only #microsoft.graph.fileAttachment attachments are supported by the emulator on send.');
    }
    if (typeof x.name !== 'string' || typeof x.contentBytes !== 'string') {
      throw graphErrors.badRequest('A file attachment needs name and contentBytes.');
    }
    return { filename: x.name, contentType: typeof x.contentType === 'string' ? x.contentType : 'application/octet-stream', content: Buffer.from(x.contentBytes, 'base64') };
  });
}

function customHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw graphErrors.badRequest("Property 'internetMessageHeaders' must be a collection.");
  for (const h of value as { name?: unknown; value?: unknown }[]) {
    const name = String(h?.name ?? '');
    if (!/^x-/i.test(name)) {
      throw new EmulatorError(400, 'InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
    }
    out[name] = String(h?.value ?? '');
  }
  return out;
}

function bodyParts(body: unknown): { text: string; html?: string } {
  const b = (body ?? {}) as { contentType?: unknown; content?: unknown };
  const content = typeof b.content === 'string' ? b.content : '';
  return String(b.contentType ?? 'text').toLowerCase() === 'html' ? { text: htmlToText(content), html: content } : { text: content };
}

interface Outgoing {
  subject: string;
  text: string;
  html?: string;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  attachments: MailAttachment[];
  headers: Record<string, string>;
  inReplyTo?: string;
}

async function send(state: EmulatorState, sender: UserRecord, out: Outgoing, saveToSentItems: boolean): Promise<void> {
  const all = [...out.to, ...out.cc, ...out.bcc];
  if (all.length === 0) {
    throw new EmulatorError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., Recipient is not resolved. All recipients must be resolved before a message can be submitted.');
  }
  const raw = buildMail({
    from: fmt({ name: sender.displayName, address: sender.userPrincipalName }),
    to: out.to.map(fmt),
    cc: out.cc.map(fmt),
    subject: out.subject,
    date: new Date(state.now()),
    messageId: `<${randomBytes(12).toString('hex')}@${sender.userPrincipalName.split('@')[1]}>`,
    text: out.text,
    html: out.html,
    inReplyTo: out.inReplyTo,
    headers: out.headers,
    attachments: out.attachments,
  });
  await submit(state.store, sender, raw, all.map((r) => r.address), { saveToSentItems });
}

export const sendMail: Handler = async (ctx) => {
  const sender = mailboxOf(ctx);
  const contentType = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('text/plain')) {
    const text = (ctx.req.body ?? Buffer.alloc(0)).toString('utf8').replace(/\s+/g, '');
    if (!text || !/^[A-Za-z0-9+/]+=*$/.test(text)) {
      throw new EmulatorError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
    }
    const raw = Buffer.from(text, 'base64');
    const header = raw.toString('utf8').split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
    const addresses = [...header.matchAll(/^(?:to|cc|bcc):(.*)$/gim)].flatMap((m) => m[1].match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []);
    if (addresses.length === 0) throw new EmulatorError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    await submit(ctx.state.store, sender, raw, addresses, { saveToSentItems: true });
    return accepted();
  }
  const body = readJson(ctx.req);
  const message = body.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object') throw graphErrors.badRequest("The request is missing the required parameter 'message'.");
  await send(
    ctx.state,
    sender,
    {
      subject: typeof message.subject === 'string' ? message.subject : '',
      ...bodyParts(message.body),
      to: recipients(message.toRecipients, 'toRecipients'),
      cc: recipients(message.ccRecipients, 'ccRecipients'),
      bcc: recipients(message.bccRecipients, 'bccRecipients'),
      attachments: fileAttachments(message.attachments),
      headers: customHeaders(message.internetMessageHeaders),
    },
    body.saveToSentItems !== false && body.saveToSentItems !== 'false',
  );
  return accepted();
};

function original(ctx: HandlerContext): { sender: UserRecord; m: MessageRecord; resource: Record<string, unknown> } {
  const sender = mailboxOf(ctx);
  const m = ctx.state.store.message(sender, ctx.params.message);
  return { sender, m, resource: ctx.state.store.messageResource(m) };
}

function quoted(resource: Record<string, unknown>, comment: string): string {
  const from = (resource.from as { emailAddress?: { name?: string; address?: string } } | null)?.emailAddress;
  const b = resource.body as { contentType?: string; content?: string };
  const text = b?.contentType === 'html' ? htmlToText(b.content ?? '') : (b?.content ?? '');
  return `${comment}\n\n-----Original Message-----\nFrom: ${from?.name ?? ''} <${from?.address ?? ''}>\nSent: ${String(resource.sentDateTime)}\nSubject: ${String(resource.subject ?? '')}\n\n${text}`;
}

function asRecipients(value: unknown): Recipient[] {
  return ((value as { emailAddress: Recipient }[] | null) ?? []).map((r) => ({ name: r.emailAddress.name, address: r.emailAddress.address }));
}

function replyTargets(resource: Record<string, unknown>): Recipient[] {
  const replyTo = asRecipients(resource.replyTo);
  return replyTo.length > 0 ? replyTo : asRecipients(resource.from ? [resource.from] : []);
}

const prefixed = (prefix: string, subject: unknown) => {
  const s = String(subject ?? '');
  return s.toLowerCase().startsWith(prefix.toLowerCase()) ? s : `${prefix} ${s}`;
};

function replyHandler(all: boolean): Handler {
  return async (ctx) => {
    const { sender, resource } = original(ctx);
    const body = ctx.req.body && ctx.req.body.length > 0 ? readJson(ctx.req) : {};
    const comment = typeof body.comment === 'string' ? body.comment : '';
    const self = sender.userPrincipalName.toLowerCase();
    const to = replyTargets(resource);
    const cc = all
      ? [...asRecipients(resource.toRecipients), ...asRecipients(resource.ccRecipients)].filter(
          (r) => r.address.toLowerCase() !== self && !to.some((t) => t.address.toLowerCase() === r.address.toLowerCase()),
        )
      : [];
    await send(
      ctx.state,
      sender,
      {
        subject: prefixed('RE:', resource.subject),
        text: quoted(resource, comment),
        to,
        cc,
        bcc: [],
        attachments: [],
        headers: {},
        inReplyTo: typeof resource.internetMessageId === 'string' ? resource.internetMessageId : undefined,
      },
      true,
    );
    return accepted();
  };
}

export const reply = replyHandler(false);
export const replyAll = replyHandler(true);

export const forward: Handler = async (ctx) => {
  const { sender, m, resource } = original(ctx);
  const body = readJson(ctx.req);
  const comment = typeof body.comment === 'string' ? body.comment : '';
  const to = recipients(body.toRecipients ?? (body.message as Record<string, unknown> | undefined)?.toRecipients, 'toRecipients');
  await send(
    ctx.state,
    sender,
    {
      subject: prefixed('FW:', resource.subject),
      text: quoted(resource, comment),
      to,
      cc: [],
      bcc: [],
      attachments: m.attachments.map((a) =>
        a.kind === 'item'
          ? { filename: a.name.endsWith('.eml') ? a.name : `${a.name}.eml`, contentType: 'message/rfc822', content: a.content, embeddedMessage: true }
          : { filename: a.name, contentType: a.contentType, content: a.content },
      ),
      headers: {},
    },
    true,
  );
  return accepted();
};
