/**
 * The "act" stage of a sweep: delete or move every found message of every mailbox of a batch in
 * one `graph.batch` call (the client packs 20 per round trip, at most 4 per mailbox, and retries
 * each throttled item alone).
 */
import type { GraphError } from '../graph/errors.ts';
import type { ApiVersion, BatchItem, GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { classifyResult, mailboxPath } from './mailboxes.ts';
import type { GraphMessage } from './mail-ids.ts';

/**
 * Graph's DELETE moves the message to Deleted Items, as Outlook's Delete does; from Deleted
 * Items (or a folder under it) Exchange moves it on to Recoverable Items.
 */
export function deleteItem(mailbox: string, messageId: string): BatchItem {
  return { method: 'DELETE', url: `${mailboxPath(mailbox)}/messages/${segment(messageId)}`, mailbox };
}

/**
 * Soft delete, out of the user's reach: a move to Recoverable Items\Deletions. message-move.md
 * takes any well-known folder name of the mailFolder resource as `destinationId`, and
 * `recoverableitemsdeletions` is one, so this is one request (two DELETEs would need a lookup
 * between them: a DELETE answers no new id).
 */
export function softDeleteItem(mailbox: string, messageId: string): BatchItem {
  return moveItem(mailbox, messageId, 'recoverableitemsdeletions');
}

/** message-permanentdelete.md: the message goes to the Purges folder of the dumpster (204, no body). */
export function permanentDeleteItem(mailbox: string, messageId: string): BatchItem {
  return { method: 'POST', url: `${mailboxPath(mailbox)}/messages/${segment(messageId)}/permanentDelete`, mailbox };
}

/** `destinationId` may be a folder id or a well-known name. Answers 201 with the message under its new id. */
export function moveItem(mailbox: string, messageId: string, destinationId: string): BatchItem {
  return { method: 'POST', url: `${mailboxPath(mailbox)}/messages/${segment(messageId)}/move`, body: { destinationId }, mailbox };
}

/** `G`: the message as the finder read it. */
export interface MessageOp<G = GraphMessage> {
  mailbox: string;
  message: G;
  item: BatchItem;
}

/** `B`: what Graph answers a successful operation with (a moved message; nothing for a DELETE). */
export type OpOutcome<G = GraphMessage, B = unknown> =
  | { kind: 'done'; op: MessageOp<G>; body: B | undefined }
  /** The message was gone by the time we acted (someone else moved or deleted it). */
  | { kind: 'gone'; op: MessageOp<G>; error: GraphError }
  | { kind: 'missing'; op: MessageOp<G>; error: GraphError }
  | { kind: 'failed'; op: MessageOp<G>; error: GraphError };

export async function runOps<G, B = unknown>(graph: GraphClient, ops: readonly MessageOp<G>[], opts: { version?: ApiVersion } = {}): Promise<OpOutcome<G, B>[]> {
  if (ops.length === 0) return [];
  const results = await graph.batch<B>(ops.map((o) => o.item), opts);
  return ops.map((op, i) => {
    const r = classifyResult(results[i], 'item');
    if (r.kind === 'ok') return { kind: 'done', op, body: r.body };
    if (r.kind === 'notFound') return { kind: 'gone', op, error: r.error };
    return { kind: r.kind, op, error: r.error };
  });
}
