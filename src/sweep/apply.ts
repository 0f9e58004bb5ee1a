/**
 * The "act" stage of the sweeps that change mail (Delete, Move): every planned operation of every
 * mailbox of a chunk in one `runOps` stage, each answer filed into its mailbox's result, and one
 * verdict per mailbox out of them.
 */
import type { GraphClient } from '../graph/types.ts';
import type { GraphMessage } from '../mail/mail-ids.ts';
import { runOps, type MessageOp } from '../mail/message-ops.ts';
import { failedVerdict, reasonOf, type MailboxVerdict } from '../mail/verdict.ts';

/** A mailbox ready to act on: its fresh result and the operations to run there (`G`: the found message). */
export interface OpsPlan<R, G = GraphMessage> {
  result: R;
  ops: MessageOp<G>[];
}

/** How one action files the answers of its operations into its result. `B`: Graph's answer to a done operation. */
export interface OpsFiling<R, G = GraphMessage, B = unknown> {
  done(result: R, op: MessageOp<G>, body: B | undefined): void;
  /** The message was gone when the operation reached it (someone else, or our own lost answer). */
  gone(result: R, op: MessageOp<G>): void;
  failed(result: R, op: MessageOp<G>, why: { reason: string; code?: string }): void;
  /** Emails the operations took out of the folder (done or gone). */
  count(result: R): number;
}

/**
 * Runs the operations and gives every planned mailbox its verdict: done, unless nothing took
 * effect and something failed; then missing when Graph said the mailbox is gone, else failed with
 * the first error. Mailboxes not planned (missing, folder not found, failed) keep their verdict.
 */
export async function applyOps<R, G, B = unknown>(
  graph: GraphClient,
  planned: ReadonlyMap<string, MailboxVerdict<OpsPlan<R, G>>>,
  filing: OpsFiling<R, G, B>,
): Promise<Map<string, MailboxVerdict<R>>> {
  const results = new Map<string, R>();
  const ops: MessageOp<G>[] = [];
  for (const [m, p] of planned) {
    if (p.kind !== 'done') continue;
    results.set(m, p.result.result);
    ops.push(...p.result.ops);
  }
  const missingNow = new Set<string>();
  const firstError = new Map<string, unknown>();
  for (const o of await runOps<G, B>(graph, ops)) {
    const r = results.get(o.op.mailbox)!;
    if (o.kind === 'done') filing.done(r, o.op, o.body);
    else if (o.kind === 'gone') filing.gone(r, o.op);
    else {
      if (o.kind === 'missing') missingNow.add(o.op.mailbox);
      if (!firstError.has(o.op.mailbox)) firstError.set(o.op.mailbox, o.error);
      filing.failed(r, o.op, reasonOf(o.error));
    }
  }
  const out = new Map<string, MailboxVerdict<R>>();
  for (const [m, p] of planned) {
    if (p.kind !== 'done') {
      out.set(m, p);
      continue;
    }
    const r = results.get(m)!;
    if (filing.count(r) === 0 && firstError.has(m)) out.set(m, missingNow.has(m) ? { kind: 'missing' } : failedVerdict(firstError.get(m)));
    else out.set(m, { kind: 'done', result: r });
  }
  return out;
}
