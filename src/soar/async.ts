/**
 * The asynchronous-action contract. A documented async action (the mailbox sweeps, the waits)
 * does one slice of work per invocation: it returns IN_PROGRESS with a `state`, and is invoked
 * again with that state as `ctx.state` until it returns COMPLETED or FAILED. The result
 * document's `state` is an envelope around the action's own data, so that a state saved from one
 * action is not fed to another and the run keeps its start time across invocations.
 */
import type { Clock } from '../graph/types.ts';
import { UsageError } from './errors.ts';
import type { ResultDocument } from './result.ts';

export const STATE_FORMAT = 'msgraph-mail/action-state@1';

export interface SavedState {
  format: typeof STATE_FORMAT;
  action: string;
  /** When invocation 1 started (ms since epoch). */
  started_at: number;
  /** How many invocations have run so far. */
  invocation: number;
  /** The action's own continuation data. */
  data: unknown;
  /** Digest of the run's parameters and entities: a state continues only the run it came from. */
  params_digest?: string;
  /** When the run must give up (ms since epoch), set at invocation 1 (`--timeout`) and kept:
   * an action that waits for people answers TIMEDOUT itself once it has passed. */
  deadline_at?: number;
}

export function wrapState(action: string, startedAt: number, invocation: number, data: unknown, paramsDigest?: string, deadlineAt?: number): SavedState {
  return {
    format: STATE_FORMAT,
    action,
    started_at: startedAt,
    invocation,
    data,
    ...(paramsDigest ? { params_digest: paramsDigest } : {}),
    ...(deadlineAt !== undefined ? { deadline_at: deadlineAt } : {}),
  };
}

/** Check a state read from `--state`: null means "start a new run". With `paramsDigest`, a state
 * saved by a run with other parameters is refused: continuing it would silently mix the saved
 * mailbox list with new filters. */
export function unwrapState(raw: unknown, action: string, paramsDigest?: string): SavedState | null {
  if (raw === null || raw === undefined) return null;
  const s = raw as Partial<SavedState>;
  if (typeof s !== 'object' || s.format !== STATE_FORMAT || typeof s.action !== 'string' || typeof s.started_at !== 'number') {
    throw new UsageError('The --state file does not hold a state saved by "msgraph-mail run".');
  }
  if (s.action.toLowerCase() !== action.toLowerCase()) {
    throw new UsageError(`The --state file belongs to action "${s.action}", not "${action}".`);
  }
  if (paramsDigest && typeof s.params_digest === 'string' && s.params_digest !== paramsDigest) {
    throw new UsageError(
      `The --state file belongs to a run of "${s.action}" with different parameters; run again without --state (or with a new state file) to start over.`,
    );
  }
  return {
    format: STATE_FORMAT,
    action: s.action,
    started_at: s.started_at,
    invocation: Number(s.invocation) || 1,
    data: s.data ?? null,
    params_digest: s.params_digest,
    ...(typeof s.deadline_at === 'number' && Number.isFinite(s.deadline_at) ? { deadline_at: s.deadline_at } : {}),
  };
}

/** One batch of a list processed across invocations: `cursor` is where this batch starts. */
export function takeBatch<T>(items: readonly T[], cursor: number, size: number): { batch: T[]; next: number | null } {
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`Batch size must be a whole number of at least 1, got ${size}.`);
  const start = Math.max(0, cursor);
  const end = Math.min(items.length, start + size);
  return { batch: items.slice(start, end), next: end < items.length ? end : null };
}

export interface WaitOptions {
  /** Pause between invocations. */
  pollIntervalMs: number;
  /** Give up after this long (from the first invocation of this wait); undefined = never. */
  timeoutMs?: number;
  clock: Clock;
  /** Called after every IN_PROGRESS invocation (the CLI saves the state file here). */
  onProgress?: (doc: ResultDocument) => void | Promise<void>;
  /** The action answers TIMEDOUT itself once its state's deadline has passed (the waits, with
   * their documented timeout messages): it is invoked once more at the deadline instead of
   * being cut off before it. */
  actionTimesOut?: boolean;
}

/**
 * Invoke until the action finishes. On timeout the last state is dropped from the document
 * (CONTRACT: state only with IN_PROGRESS); `onProgress` has already seen it, so a caller that
 * saved it can continue later.
 */
export async function runUntilDone(
  invoke: (state: unknown) => Promise<ResultDocument>,
  initialState: unknown,
  opts: WaitOptions,
): Promise<ResultDocument> {
  const start = opts.clock.now();
  let doc = await invoke(initialState);
  while (doc.execution_state === 'IN_PROGRESS') {
    await opts.onProgress?.(doc);
    const cutOff = (within: string): ResultDocument => ({
      ...doc,
      is_success: false,
      execution_state: 'TIMEDOUT',
      output_message: `Action "${doc.action}" did not finish ${within}. Last progress: ${doc.output_message}`,
      state: null,
    });
    const deadline = opts.actionTimesOut ? deadlineOf(doc.state) : undefined;
    if (deadline !== undefined) {
      // Polls up to the deadline, the last one at the deadline itself, where the action answers
      // TIMEDOUT with its own message; one still not done after that is cut off.
      const now = opts.clock.now();
      if (now >= deadline) return cutOff(`by its deadline, ${new Date(deadline).toISOString()}`);
      await opts.clock.sleep(Math.min(opts.pollIntervalMs, deadline - now));
      doc = await invoke(doc.state);
      continue;
    }
    const elapsed = opts.clock.now() - start;
    if (opts.timeoutMs !== undefined && elapsed + opts.pollIntervalMs > opts.timeoutMs) return cutOff(`within ${formatSeconds(opts.timeoutMs)}`);
    await opts.clock.sleep(opts.pollIntervalMs);
    doc = await invoke(doc.state);
  }
  return doc;
}

/** The deadline a saved state carries, if any. */
export function deadlineOf(state: unknown): number | undefined {
  const d = (state as Partial<SavedState> | null)?.deadline_at;
  return typeof d === 'number' && Number.isFinite(d) ? d : undefined;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} second${s === 1 ? '' : 's'}`;
}
