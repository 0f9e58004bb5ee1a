/**
 * The sweep engine as an action runs it: reads the documented batch-size and mailbox-list
 * parameters and the async state of the action context, asks the token for its roles, and
 * renders the progress line of an unfinished run.
 */
import type { ActionContext, ActionMessages } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';
import { mailboxList } from '../mail/mailboxes.ts';
import { sweepBatch, type MailboxVerdict, type SweepBatchInput, type SweepState, type SweepStep } from './engine.ts';

export const BATCH_SIZE_PARAM = 'How many mailboxes to process in a single batch';
export const DEFAULT_BATCH_SIZE = 25;

export interface SweepOptions<R> extends Pick<SweepBatchInput<R>, 'proves' | 'grantedBy'> {
  /** The documented mailbox-list parameter (e.g. `Delete In Mailbox`). */
  mailboxParam: string;
  /** Processes one batch; should report a verdict per mailbox rather than throw. */
  processBatch(mailboxes: string[]): Promise<Map<string, MailboxVerdict<R>>>;
}

/** Runs this invocation's batch and returns the updated state. */
export async function sweepStep<R, M extends ActionMessages>(ctx: ActionContext<M>, opts: SweepOptions<R>): Promise<SweepStep<R>> {
  const size = ctx.params.integer(BATCH_SIZE_PARAM) ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new InputError(`Invalid value for parameter "${BATCH_SIZE_PARAM}": expected a whole number of at least 1.`, BATCH_SIZE_PARAM);
  const fresh = ctx.state === null || ctx.state === undefined;
  // A continuation sweeps the mailbox list its first invocation fixed.
  const mailboxes = fresh ? mailboxList(ctx.params.list(opts.mailboxParam), ctx.config.defaultMailbox) : [];
  if (fresh && mailboxes.length === 0) throw new InputError(`Missing required parameter "${opts.mailboxParam}".`, opts.mailboxParam);
  return sweepBatch({
    mailboxes,
    batchSize: size,
    previous: ctx.state,
    stage: opts.processBatch,
    proves: opts.proves,
    grantedBy: opts.grantedBy,
    // A cached token: no request in the common case.
    tokenRoles: async () => (await ctx.graph.getToken()).roles,
  });
}

/** Progress text of an IN_PROGRESS invocation. */
export function progressMessage(state: SweepState<unknown>, extra = ''): string {
  return `Processed ${state.cursor} of ${state.mailboxes.length} mailboxes${extra}; the next invocation continues with the next batch.`;
}
