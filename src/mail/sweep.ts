/**
 * The asynchronous mailbox-batch engine of the sweeps (Search Emails, Delete Email, Move Email To
 * Folder, and later Download Attachments). Each invocation processes ONE batch of mailboxes and
 * returns its state; the state records every mailbox already done, so a continuation never
 * processes a mailbox (and so a message) twice, and the last invocation reports the totals of all
 * of them. A mailbox that failed is named with its reason while the others still complete.
 */
import { isGraphError } from '../graph/errors.ts';
import type { ActionContext, ActionMessages } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';
import { renderMessage } from '../soar/messages.ts';
import { takeBatch } from '../soar/async.ts';
import { mailboxList } from './mailboxes.ts';

export const BATCH_SIZE_PARAM = 'How many mailboxes to process in a single batch';
export const DEFAULT_BATCH_SIZE = 25;

/** What processing one mailbox came to. */
export type MailboxOutcome<R> =
  | { kind: 'done'; result: R }
  | { kind: 'missing' }
  /** `which` names the folder parameter (e.g. source / destination) that was not found. */
  | { kind: 'folderNotFound'; which: string }
  /** `status` (not kept in the state) lets the sweep tell a run-wide error from a per-mailbox one. */
  | { kind: 'failed'; reason: string; code?: string; status?: number };

export interface FailedMailbox {
  mailbox: string;
  reason: string;
  code?: string;
}

export interface SweepState<R> {
  format: 'mailbox-sweep@1';
  /** Every mailbox of the run, fixed by the first invocation. */
  mailboxes: string[];
  /** Index of the first mailbox not processed yet. */
  cursor: number;
  /** Per processed mailbox (as given), the action's result. */
  results: Record<string, R>;
  missing: string[];
  /** Folder parameter -> mailboxes where that folder was not found. */
  folderNotFound: Record<string, string[]>;
  failed: FailedMailbox[];
  /** Mailboxes never processed because the run stopped on an error that hit every mailbox. */
  skipped: string[];
  /** Batches run so far. */
  batches: number;
}

export interface SweepStep<R> {
  state: SweepState<R>;
  finished: boolean;
  /** The mailboxes this invocation processed. */
  batch: string[];
}

function isSweepState<R>(v: unknown): v is SweepState<R> {
  const s = v as SweepState<R> | null;
  return !!s && typeof s === 'object' && s.format === 'mailbox-sweep@1' && Array.isArray(s.mailboxes) && typeof s.cursor === 'number';
}

/**
 * The reason text of an error for a result (a GraphError's message carries no secrets; the
 * request id helps Microsoft support).
 */
export function reasonOf(e: unknown): { reason: string; code?: string } {
  if (isGraphError(e)) return { reason: e.requestId ? `${e.message} (request-id ${e.requestId})` : e.message, code: e.code };
  return { reason: e instanceof Error ? e.message : String(e) };
}

/** A failed outcome of an error, carrying what the run-wide check needs. */
export function failedOutcome(e: unknown): { kind: 'failed'; reason: string; code?: string; status?: number } {
  return { kind: 'failed', ...reasonOf(e), ...(isGraphError(e) ? { status: e.status } : {}) };
}

/** Local codes of failures below HTTP that no other mailbox can escape either (src/graph/error-builders.ts). */
const CONNECTION_CODES = new Set(['UntrustedUrl', 'TlsError', 'ProxyError']);

/**
 * How far a failure reaches beyond its mailbox: `app` = the credentials or the connection (401,
 * TLS, proxy) fail every request alike; `permission` = a 403, which is either a missing
 * application permission (every mailbox) or an application access policy (some mailboxes only),
 * and only the former when the token does not hold the permission (`permissionHeld`);
 * undefined = this mailbox only.
 */
function reachOf(o: { code?: string; status?: number }, permissionHeld: boolean): 'app' | 'permission' | undefined {
  if (o.status === 401 || (o.code !== undefined && CONNECTION_CODES.has(o.code))) return 'app';
  // With the permission in the token, a 403 can only be a policy on this mailbox; an item refusal
  // (e.g. ErrorCannotDeleteObject) is about that item, not the app's permission.
  if (o.status === 403 && !permissionHeld && !ITEM_REFUSALS.has(o.code ?? '')) return 'permission';
  return undefined;
}

/** 403s about one item, not about the app's rights: a DELETE of an email already in Recoverable Items. */
const ITEM_REFUSALS = new Set(['ErrorCannotDeleteObject']);

/**
 * Whether this batch shows an error that would fail every remaining mailbox alike: every
 * mailbox of the batch that failed did so with a run-wide error, none of the batch's results
 * shows the failing requests working, and for a 403 nothing earlier in the run did either (a
 * 403 after successes is an access policy scoping some mailboxes out, not a revoked permission).
 */
function isRunWideStop<R>(
  outcomes: ReadonlyArray<MailboxOutcome<R>>,
  earlier: readonly R[],
  proves: (result: R) => boolean,
  permissionHeld: boolean,
): boolean {
  const failures = outcomes.filter((o): o is Extract<MailboxOutcome<R>, { kind: 'failed' }> => o.kind === 'failed');
  if (failures.length === 0) return false;
  const reaches = failures.map((f) => reachOf(f, permissionHeld));
  if (reaches.some((r) => r === undefined)) return false;
  if (outcomes.some((o) => o.kind === 'done' && proves(o.result))) return false;
  return reaches.includes('app') || !earlier.some(proves);
}

export interface SweepOptions<R> {
  /** The documented mailbox-list parameter (e.g. `Delete In Mailbox`). */
  mailboxParam: string;
  /** Processes one batch; should report per-mailbox outcomes rather than throw. */
  processBatch(mailboxes: string[]): Promise<Map<string, MailboxOutcome<R>>>;
  /**
   * Whether a mailbox's result shows that the requests a run-wide error would fail work (e.g.
   * Delete: something was deleted, not merely searched). Default: every result does.
   */
  proves?(result: R): boolean;
  /**
   * Application roles, any one of which grants every Graph request the action makes (Delete:
   * Mail.ReadWrite). When the app's token holds one, a 403 is not a missing permission but an
   * Exchange application access policy (or RBAC for Applications scope) keeping the app out of
   * that mailbox: the mailbox fails with that reason and the run goes on. Without it, or when the
   * token holds none, a batch of nothing but 403s stops the run as before.
   */
  grantedBy?: readonly string[];
}

/** The role of `grantedBy` the app's token holds, if any (a cached token: no request in the common case). */
async function heldRole<M extends ActionMessages>(ctx: ActionContext<M>, grantedBy: readonly string[] | undefined): Promise<string | undefined> {
  if (!grantedBy || grantedBy.length === 0) return undefined;
  let roles: readonly string[];
  try {
    roles = (await ctx.graph.getToken()).roles;
  } catch {
    // No token to read: decide as without `grantedBy`.
    return undefined;
  }
  const granted = new Set(roles.map((r) => r.toLowerCase()));
  return grantedBy.find((r) => granted.has(r.toLowerCase()));
}

/** The reason a mailbox failed with when its 403 came with the permission in the token. */
export function accessPolicyReason(role: string, graphReason: string): string {
  return (
    `The app holds the ${role} application permission, yet Exchange refused this mailbox: an application access policy ` +
    `(or an RBAC for Applications scope) keeps the app out of it; an Exchange administrator can include it ` +
    `(Test-ApplicationAccessPolicy, or Test-ServicePrincipalAuthorization for RBAC for Applications, shows the verdict). ${graphReason}`
  );
}

/** Runs this invocation's batch and returns the updated state. */
export async function sweepStep<R, M extends ActionMessages>(ctx: ActionContext<M>, opts: SweepOptions<R>): Promise<SweepStep<R>> {
  const size = ctx.params.integer(BATCH_SIZE_PARAM) ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new InputError(`Invalid value for parameter "${BATCH_SIZE_PARAM}": expected a whole number of at least 1.`, BATCH_SIZE_PARAM);
  let state: SweepState<R>;
  if (ctx.state === null || ctx.state === undefined) {
    const mailboxes = mailboxList(ctx.params.list(opts.mailboxParam), ctx.config.defaultMailbox);
    if (mailboxes.length === 0) throw new InputError(`Missing required parameter "${opts.mailboxParam}".`, opts.mailboxParam);
    state = { format: 'mailbox-sweep@1', mailboxes, cursor: 0, results: {}, missing: [], folderNotFound: {}, failed: [], skipped: [], batches: 0 };
  } else if (isSweepState<R>(ctx.state)) {
    state = structuredClone(ctx.state);
  } else {
    throw new InputError('The saved state is not a mailbox sweep state; start the action again without --state.');
  }
  const { batch, next } = takeBatch(state.mailboxes, state.cursor, size);
  // Skip anything a previous invocation already recorded (defensive: a state is data from outside).
  const done = new Set([...Object.keys(state.results), ...state.missing, ...state.failed.map((f) => f.mailbox), ...Object.values(state.folderNotFound).flat()]);
  const todo = batch.filter((m) => !done.has(m));
  let outcomes: Map<string, MailboxOutcome<R>>;
  try {
    outcomes = todo.length > 0 ? await opts.processBatch(todo) : new Map();
  } catch (e) {
    const failure = failedOutcome(e);
    outcomes = new Map(todo.map((m) => [m, failure]));
  }
  const notProcessed: MailboxOutcome<R> = { kind: 'failed', reason: 'The mailbox was not processed.' };
  let batchOutcomes = todo.map((m): [string, MailboxOutcome<R>] => [m, outcomes.get(m) ?? notProcessed]);
  // A 403 about the mailbox (not about one item, like ErrorCannotDeleteObject) may be an access policy.
  const deniedMailbox = (o: MailboxOutcome<R>) => o.kind === 'failed' && o.status === 403 && !ITEM_REFUSALS.has(o.code ?? '');
  const held = batchOutcomes.some(([, o]) => deniedMailbox(o)) ? await heldRole(ctx, opts.grantedBy) : undefined;
  if (held !== undefined) {
    batchOutcomes = batchOutcomes.map(([m, o]): [string, MailboxOutcome<R>] =>
      o.kind === 'failed' && deniedMailbox(o) ? [m, { ...o, reason: accessPolicyReason(held, o.reason) }] : [m, o],
    );
  }
  const stop = isRunWideStop(batchOutcomes.map(([, o]) => o), Object.values(state.results), opts.proves ?? (() => true), held !== undefined);
  for (const [m, o] of batchOutcomes) {
    switch (o.kind) {
      case 'done':
        state.results[m] = o.result;
        break;
      case 'missing':
        state.missing.push(m);
        break;
      case 'folderNotFound':
        (state.folderNotFound[o.which] ??= []).push(m);
        break;
      default:
        state.failed.push({ mailbox: m, reason: o.reason, ...(o.code ? { code: o.code } : {}) });
    }
  }
  state.batches++;
  if (stop && next !== null) {
    state.skipped.push(...state.mailboxes.slice(next));
    state.cursor = state.mailboxes.length;
    return { state, finished: true, batch };
  }
  state.cursor = next ?? state.mailboxes.length;
  return { state, finished: next === null, batch };
}

/** The documented "prefix {MAILBOX}: {COUNT}" template rendered for a list of mailboxes. */
export function renderPerMailbox(template: string, mailboxKey: string, countKey: string, entries: ReadonlyArray<[string, number]>): string {
  const at = template.indexOf(`{${mailboxKey}}`);
  if (at < 0) throw new Error(`Template has no {${mailboxKey}}: ${template}`);
  const prefix = template.slice(0, at);
  const pair = template.slice(at);
  return prefix + entries.map(([m, n]) => renderMessage(pair, { [mailboxKey]: m, [countKey]: n })).join(', ');
}

/** Lines naming failed and skipped mailboxes (undocumented: the docs have no partial-failure message). */
export function failureLines(state: SweepState<unknown>, verb: string): string[] {
  const lines: string[] = [];
  if (state.failed.length > 0) {
    lines.push(`Failed to ${verb} in the following mailboxes: ${state.failed.map((f) => `${f.mailbox} (${f.reason})`).join('; ')}`);
  }
  if (state.skipped.length > 0) lines.push(`Not processed because of the error above: ${state.skipped.join(', ')}`);
  return lines;
}

/** Progress text of an IN_PROGRESS invocation. */
export function progressMessage(state: SweepState<unknown>, extra = ''): string {
  const processed = state.cursor;
  return `Processed ${processed} of ${state.mailboxes.length} mailboxes${extra}; the next invocation continues with the next batch.`;
}

/** Failures recorded for the JSON result. */
export function sweepSummary(state: SweepState<unknown>): Record<string, unknown> {
  return {
    mailboxes_total: state.mailboxes.length,
    missing_mailboxes: state.missing,
    folder_not_found: state.folderNotFound,
    failed_mailboxes: state.failed,
    ...(state.skipped.length > 0 ? { skipped_mailboxes: state.skipped } : {}),
  };
}

/** Mailboxes per pipeline chunk: one full `$batch` call (20 items) per stage for single-id sweeps. */
export const CHUNK_MAILBOXES = 20;

/**
 * Runs the stages of a batch per chunk of mailboxes, all chunks concurrently. Same round trips as
 * one stage-wide `$batch` each, but no barrier between stages: a chunk deletes while others still
 * search, which keeps the app's request budget busy (a stage-wide barrier idles it while the
 * slowest call of the stage finishes). A chunk that throws fails its own mailboxes only, so the
 * work other chunks did (mail already deleted or moved) is still counted and reported.
 */
export async function inChunks<R>(
  mailboxes: readonly string[],
  run: (chunk: string[]) => Promise<Map<string, MailboxOutcome<R>>>,
  size = CHUNK_MAILBOXES,
): Promise<Map<string, MailboxOutcome<R>>> {
  const chunks: string[][] = [];
  for (let i = 0; i < mailboxes.length; i += size) chunks.push(mailboxes.slice(i, i + size));
  const settled = await Promise.allSettled(chunks.map(run));
  const out = new Map<string, MailboxOutcome<R>>();
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      for (const [k, v] of s.value) out.set(k, v);
      return;
    }
    const failure = failedOutcome(s.reason);
    for (const m of chunks[i]) out.set(m, failure);
  });
  return out;
}
