/**
 * `POST .../messages/{id}/markAsJunk` and `.../markAsNotJunk` (message-markasjunk.md,
 * message-markasnotjunk.md; beta). Junk puts the sender on the mailbox's blocked-senders list
 * and, with moveToJunk, moves the message to Junk Email; Not Junk takes the sender off the list
 * and, with moveToInbox, moves it to Inbox. Both answer 202 with the message as it is now (a
 * moved message has a new id).
 *
 * v1.0 serves both actions too although only beta documents them, and its metadata spells the
 * parameter in PascalCase (`MoveToJunk`, `MoveToInbox`; microsoft-graph-docs-contrib issue #1):
 * a client that sends the beta spelling to v1.0 gets the 400 the real service gives.
 */
import { EmulatorError, graphErrors } from '../errors.ts';
import type { IdType } from '../ids.ts';
import { json, type GraphVersion } from '../state.ts';
import type { MessageRecord, Store, UserRecord } from '../store.ts';
import { contextUrl, folderOf, idTypeOf, mailboxOf, readJson, type Handler, type HandlerContext } from './common.ts';

interface JunkOperation {
  name: 'markAsJunk' | 'markAsNotJunk';
  parameter: Record<GraphVersion, string>;
  /** Well-known name of the folder the flag moves the message to. */
  destination: string;
  apply(user: UserRecord, sender: string): void;
}

/** The address Outlook files under: From, else Sender; lower-cased like the stored list. */
export function senderAddress(m: MessageRecord): string | undefined {
  for (const key of ['from', 'sender'] as const) {
    const address = (m.fields[key] as { emailAddress?: { address?: unknown } } | null | undefined)?.emailAddress?.address;
    if (typeof address === 'string' && address.trim() !== '') return address.trim().toLowerCase();
  }
  return undefined;
}

function readFlag(ctx: HandlerContext, op: JunkOperation): boolean {
  const body = readJson(ctx.req);
  const wanted = op.parameter[ctx.req.version];
  for (const key of Object.keys(body)) {
    if (key !== wanted) {
      throw new EmulatorError(400, 'RequestBodyRead', `The parameter '${key}' in the request payload is not a valid parameter for the operation '${op.name}'.`);
    }
  }
  const value = body[wanted];
  // An omitted or null Edm.Boolean action parameter means "do not move".
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${JSON.stringify(value)}' to the expected type 'Edm.Boolean'.`);
  }
  return value;
}

function messageInScope(ctx: HandlerContext, mailbox: UserRecord): MessageRecord {
  const folder = folderOf(ctx, mailbox);
  const m = ctx.state.store.message(mailbox, ctx.params.message);
  if (folder && m.folderId !== folder.id) throw graphErrors.itemNotFound();
  return m;
}

function withoutHeaders(store: Store, m: MessageRecord, idType: IdType): Record<string, unknown> {
  const { internetMessageHeaders: _h, ...rest } = store.messageResource(m, idType);
  return rest;
}

function junkHandler(op: JunkOperation): Handler {
  return (ctx) => {
    const store = ctx.state.store;
    const mailbox = mailboxOf(ctx);
    const m = messageInScope(ctx, mailbox);
    const move = readFlag(ctx, op);
    const sender = senderAddress(m);
    if (sender) op.apply(mailbox, sender);
    const destination = store.folder(mailbox, op.destination);
    const result = move && m.folderId !== destination.id ? store.moveMessage(m, destination) : m;
    return json(202, {
      '@odata.context': contextUrl(ctx, 'message'),
      '@odata.type': '#microsoft.graph.message',
      ...withoutHeaders(store, result, idTypeOf(ctx.req)),
    });
  };
}

export const markAsJunk = junkHandler({
  name: 'markAsJunk',
  parameter: { beta: 'moveToJunk', 'v1.0': 'MoveToJunk' },
  destination: 'junkemail',
  apply: (user, sender) => {
    user.blockedSenders.add(sender);
  },
});

export const markAsNotJunk = junkHandler({
  name: 'markAsNotJunk',
  parameter: { beta: 'moveToInbox', 'v1.0': 'MoveToInbox' },
  destination: 'inbox',
  // Only the address itself comes off the list: a blocked `@domain` entry is a separate
  // decision of the mailbox owner that one message does not undo.
  apply: (user, sender) => {
    user.blockedSenders.delete(sender);
  },
});
