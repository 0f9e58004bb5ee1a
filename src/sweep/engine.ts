/**
 * The many-mailbox engine of the sweeps (Search Emails, Delete Email, Move Email To Folder,
 * Download Attachments From Email, and the connector to come). Each call processes ONE batch of
 * mailboxes and returns the state; the state records every mailbox already done, so a
 * continuation never processes a mailbox (and so a message) twice, and the last call reports the
 * totals of all of them. A mailbox that failed is named with its reason while the others still
 * complete. Plain inputs only (no action context): the action adapter is action.ts.
 */
import { takeBatch } from '../soar/async.ts';
import { InputError } from '../soar/errors.ts';
import { failedVerdict, type MailboxVerdict } from '../mail/verdict.ts';

export type { MailboxVerdict } from '../mail/verdict.ts';

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
  /** Per processed mailbox (as given), the stage's result. */
  results: Record<string, R>;
  missing: string[];
  /** Folder parameter -> mailboxes where that folder was not found. */
  folderNotFound: Record<string, string[]>;
  failed: FailedMailbox[];
  /** Mailboxes never processed because the run stopped on an error that hit every mailbox. */
  skipped: string[];
}

export interface SweepStep<R> {
  state: SweepState<R>;
  finished: boolean;
  /** The mailboxes this call processed. */
  batch: string[];
}

/** Where a folderNotFound verdict that names no folder parameter is filed. */
export const DEFAULT_FOLDER_PARAM = 'Folder Name';

function isSweepState<R>(v: unknown): v is SweepState<R> {
  const s = v as SweepState<R> | null;
  return !!s && typeof s === 'object' && s.format === 'mailbox-sweep@1' && Array.isArray(s.mailboxes) && typeof s.cursor === 'number';
}

/** Local codes of failures below HTTP that no other mailbox can escape either (src/graph/error-builders.ts). */
const CONNECTION_CODES = new Set(['UntrustedUrl', 'TlsError', 'ProxyError']);

/** 403s about one item, not about the app's rights: a DELETE of an email already in Recoverable Items. */
const ITEM_REFUSALS = new Set(['ErrorCannotDeleteObject']);

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

/**
 * Whether this batch shows an error that would fail every remaining mailbox alike: every
 * mailbox of the batch that failed did so with a run-wide error, none of the batch's results
 * shows the failing requests working, and for a 403 nothing earlier in the run did either (a
 * 403 after successes is an access policy scoping some mailboxes out, not a revoked permission).
 */
function isRunWideStop<R>(
  verdicts: ReadonlyArray<MailboxVerdict<R>>,
  earlier: readonly R[],
  proves: (result: R) => boolean,
  permissionHeld: boolean,
): boolean {
  const failures = verdicts.filter((o): o is Extract<MailboxVerdict<R>, { kind: 'failed' }> => o.kind === 'failed');
  if (failures.length === 0) return false;
  const reaches = failures.map((f) => reachOf(f, permissionHeld));
  if (reaches.some((r) => r === undefined)) return false;
  if (verdicts.some((o) => o.kind === 'done' && proves(o.result))) return false;
  return reaches.includes('app') || !earlier.some(proves);
}

/** The reason a mailbox failed with when its 403 came with the permission in the token. */
export function accessPolicyReason(role: string, graphReason: string): string {
  return (
    `The app holds the ${role} application permission, yet Exchange refused this mailbox: an application access policy ` +
    `(or an RBAC for Applications scope) keeps the app out of it; an Exchange administrator can include it ` +
    `(Test-ApplicationAccessPolicy, or Test-ServicePrincipalAuthorization for RBAC for Applications, shows the verdict). ${graphReason}`
  );
}

export interface SweepBatchInput<R> {
  /** Every mailbox of the run; read only when there is no previous state. */
  mailboxes: readonly string[];
  /** Mailboxes per call (a whole number of at least 1). */
  batchSize: number;
  /** The state the previous call returned; null or undefined starts a new run. */
  previous: unknown;
  /** Processes one batch; should report a verdict per mailbox rather than throw. */
  stage(mailboxes: string[]): Promise<Map<string, MailboxVerdict<R>>>;
  /**
   * Whether a mailbox's result shows that the requests a run-wide error would fail work (e.g.
   * Delete: something was deleted, not merely searched). Default: every result does.
   */
  proves?(result: R): boolean;
  /**
   * Application roles, any one of which grants every Graph request the stage makes (Delete:
   * Mail.ReadWrite). When the app's token holds one, a 403 is not a missing permission but an
   * Exchange application access policy (or RBAC for Applications scope) keeping the app out of
   * that mailbox: the mailbox fails with that reason and the run goes on. Without it, or when the
   * token holds none, a batch of nothing but 403s stops the run.
   */
  grantedBy?: readonly string[];
  /** The roles of the app's token (asked only when a 403 needs telling apart); failing = none known. */
  tokenRoles?(): Promise<readonly string[]>;
}

/** The role of `grantedBy` the app's token holds, if any. */
async function heldRole(input: SweepBatchInput<unknown>): Promise<string | undefined> {
  if (!input.grantedBy || input.grantedBy.length === 0 || !input.tokenRoles) return undefined;
  let roles: readonly string[];
  try {
    roles = await input.tokenRoles();
  } catch {
    // No token to read: decide as without `grantedBy`.
    return undefined;
  }
  const granted = new Set(roles.map((r) => r.toLowerCase()));
  return input.grantedBy.find((r) => granted.has(r.toLowerCase()));
}

/** The state to continue from: a fresh one, or a copy of the previous one (a saved state is data from outside). */
function startingState<R>(input: SweepBatchInput<R>): SweepState<R> {
  if (input.previous === null || input.previous === undefined) {
    return { format: 'mailbox-sweep@1', mailboxes: [...input.mailboxes], cursor: 0, results: {}, missing: [], folderNotFound: {}, failed: [], skipped: [] };
  }
  if (!isSweepState<R>(input.previous)) {
    throw new InputError('The saved state is not a mailbox sweep state; start the action again without --state.');
  }
  // States saved before the field was dropped carry a `batches` count that nothing reads.
  const { batches: _unused, ...state } = structuredClone(input.previous) as SweepState<R> & { batches?: unknown };
  return state;
}

/** Runs this call's batch and returns the updated state. */
export async function sweepBatch<R>(input: SweepBatchInput<R>): Promise<SweepStep<R>> {
  const state = startingState(input);
  const { batch, next } = takeBatch(state.mailboxes, state.cursor, input.batchSize);
  // Skip anything a previous call already recorded (defensive: a state is data from outside).
  const done = new Set([...Object.keys(state.results), ...state.missing, ...state.failed.map((f) => f.mailbox), ...Object.values(state.folderNotFound).flat()]);
  const todo = batch.filter((m) => !done.has(m));
  let verdicts: Map<string, MailboxVerdict<R>>;
  try {
    verdicts = todo.length > 0 ? await input.stage(todo) : new Map();
  } catch (e) {
    const failure = failedVerdict(e);
    verdicts = new Map(todo.map((m) => [m, failure]));
  }
  const notProcessed: MailboxVerdict<R> = { kind: 'failed', reason: 'The mailbox was not processed.' };
  let batchVerdicts = todo.map((m): [string, MailboxVerdict<R>] => [m, verdicts.get(m) ?? notProcessed]);
  // A 403 about the mailbox (not about one item, like ErrorCannotDeleteObject) may be an access policy.
  const deniedMailbox = (o: MailboxVerdict<R>) => o.kind === 'failed' && o.status === 403 && !ITEM_REFUSALS.has(o.code ?? '');
  const held = batchVerdicts.some(([, o]) => deniedMailbox(o)) ? await heldRole(input as SweepBatchInput<unknown>) : undefined;
  if (held !== undefined) {
    batchVerdicts = batchVerdicts.map(([m, o]): [string, MailboxVerdict<R>] =>
      o.kind === 'failed' && deniedMailbox(o) ? [m, { ...o, reason: accessPolicyReason(held, o.reason) }] : [m, o],
    );
  }
  const stop = isRunWideStop(batchVerdicts.map(([, o]) => o), Object.values(state.results), input.proves ?? (() => true), held !== undefined);
  for (const [m, o] of batchVerdicts) {
    switch (o.kind) {
      case 'done':
        state.results[m] = o.result;
        break;
      case 'missing':
        state.missing.push(m);
        break;
      case 'folderNotFound':
        (state.folderNotFound[o.which ?? DEFAULT_FOLDER_PARAM] ??= []).push(m);
        break;
      default:
        state.failed.push({ mailbox: m, reason: o.reason, ...(o.code ? { code: o.code } : {}) });
    }
  }
  if (stop && next !== null) {
    state.skipped.push(...state.mailboxes.slice(next));
    state.cursor = state.mailboxes.length;
    return { state, finished: true, batch };
  }
  state.cursor = next ?? state.mailboxes.length;
  return { state, finished: next === null, batch };
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
  run: (chunk: string[]) => Promise<Map<string, MailboxVerdict<R>>>,
  size = CHUNK_MAILBOXES,
): Promise<Map<string, MailboxVerdict<R>>> {
  const chunks: string[][] = [];
  for (let i = 0; i < mailboxes.length; i += size) chunks.push(mailboxes.slice(i, i + size));
  const settled = await Promise.allSettled(chunks.map(run));
  const out = new Map<string, MailboxVerdict<R>>();
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      for (const [k, v] of s.value) out.set(k, v);
      return;
    }
    const failure = failedVerdict(s.reason);
    for (const m of chunks[i]) out.set(m, failure);
  });
  return out;
}
