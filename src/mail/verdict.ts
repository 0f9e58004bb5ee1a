/**
 * The one verdict a mailbox comes to, whatever layer reports it: the folder resolver, the
 * finder, a sweep's stage, the sweep engine's state and its report. It lives in src/mail because
 * the finder that first produces it is here, and src/mail may not import the sweep room.
 */
import { isGraphError } from '../graph/errors.ts';

export type MailboxVerdict<R> =
  | { kind: 'done'; result: R }
  /** The mailbox itself does not exist (DECISIONS.md "Mailboxes not found"); `error` when Graph said so. */
  | { kind: 'missing'; error?: unknown }
  /** `which` names the folder parameter (e.g. source / destination) that was not found, when a caller gave one. */
  | { kind: 'folderNotFound'; which?: string }
  /**
   * `status` (not kept in a sweep's state) lets the sweep tell a run-wide error from a per-mailbox
   * one; `error`, the original error, is for callers that rethrow it or want its own text.
   */
  | FailedVerdict;

export interface FailedVerdict {
  kind: 'failed';
  reason: string;
  code?: string;
  status?: number;
  error?: unknown;
}

/** A verdict other than done: the same object fits a mailbox's verdict of any result type. */
export type UnfinishedVerdict = Exclude<MailboxVerdict<never>, { kind: 'done' }>;

/**
 * The reason text of an error for a result (a GraphError's message carries no secrets; the
 * request id helps Microsoft support).
 */
export function reasonOf(e: unknown): { reason: string; code?: string } {
  if (isGraphError(e)) return { reason: e.requestId ? `${e.message} (request-id ${e.requestId})` : e.message, code: e.code };
  return { reason: e instanceof Error ? e.message : String(e) };
}

/**
 * A reason without the request id {@link reasonOf} ends it with: what failures of the same cause
 * share, so a message can tell them once.
 */
export function causeOf(reason: string): string {
  return reason.replace(/ \(request-id [^()\s]+\)$/, '');
}

/** The failed verdict of an error, carrying what the run-wide check needs (and, with `keep`, the error itself). */
export function failedVerdict(e: unknown, opts: { keep?: boolean } = {}): FailedVerdict {
  return { kind: 'failed', ...reasonOf(e), ...(isGraphError(e) ? { status: e.status } : {}), ...(opts.keep ? { error: e } : {}) };
}

/** The verdict of a Graph answer that said "no such mailbox" or failed (the one place such answers become verdicts). */
export function verdictOfFailure(f: { kind: 'missing' | 'failed'; error: unknown }): UnfinishedVerdict {
  return f.kind === 'missing' ? { kind: 'missing', error: f.error } : failedVerdict(f.error, { keep: true });
}
