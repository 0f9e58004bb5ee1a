/**
 * The "act" stage of a sweep: delete or move every found message of every mailbox of a batch in
 * one `graph.batch` call (the client packs 20 per round trip, at most 4 per mailbox, and retries
 * each throttled item alone).
 */
import type { GraphError } from '../graph/errors.ts';
import type { ApiVersion, BatchItem, GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { mailboxPath } from './mailboxes.ts';
import { classifyResult } from './mailboxes.ts';
import type { GraphMessage } from './mail-ids.ts';

/** Graph's DELETE moves the message to Deleted Items, as Outlook's Delete does. */
export function deleteItem(mailbox: string, messageId: string): BatchItem {
  return { method: 'DELETE', url: `${mailboxPath(mailbox)}/messages/${segment(messageId)}`, mailbox };
}

/** `destinationId` may be a folder id or a well-known name. Answers 201 with the message under its new id. */
export function moveItem(mailbox: string, messageId: string, destinationId: string): BatchItem {
  return { method: 'POST', url: `${mailboxPath(mailbox)}/messages/${segment(messageId)}/move`, body: { destinationId }, mailbox };
}

export interface MessageOp {
  mailbox: string;
  message: GraphMessage;
  item: BatchItem;
}

export type OpOutcome =
  | { kind: 'done'; op: MessageOp; body: unknown }
  /** The message was gone by the time we acted (someone else moved or deleted it). */
  | { kind: 'gone'; op: MessageOp; error: GraphError }
  | { kind: 'mailboxMissing'; op: MessageOp; error: GraphError }
  | { kind: 'failed'; op: MessageOp; error: GraphError };

export async function runOps(graph: GraphClient, ops: readonly MessageOp[], opts: { version?: ApiVersion } = {}): Promise<OpOutcome[]> {
  if (ops.length === 0) return [];
  const results = await graph.batch(ops.map((o) => o.item), opts);
  return ops.map((op, i) => {
    const r = classifyResult(results[i], 'item');
    if (r.kind === 'ok') return { kind: 'done', op, body: r.body };
    if (r.kind === 'notFound') return { kind: 'gone', op, error: r.error };
    return { kind: r.kind, op, error: r.error };
  });
}
