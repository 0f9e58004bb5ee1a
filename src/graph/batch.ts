/**
 * JSON `$batch`. Graph runs at most four items of a call at a time against Outlook and counts each
 * against the mailbox's concurrency budget, so a call carries at most `itemsPerCall` items
 * (default 4: one service time per call; at most 20) and at most `perMailbox` items of any one
 * mailbox, holds that many limiter slots while in flight, and the calls of one `batch()` go out
 * side by side (the app-wide pacer, not the call size, keeps the rate). A throttled item is retried
 * alone (as a single request through the full pipeline) after its own Retry-After; a 401 item is
 * sent once more after one shared token refresh; a failure of the whole call is retried by the
 * pipeline's retry and auth layers.
 */
import { GraphError } from './errors.ts';
import { errorFromResponse } from './error-builders.ts';
import type { Redactor } from './redact.ts';
import { isIdempotent, retryDelay, type RetryStats } from './retry.ts';
import { mailboxFromPath } from './url.ts';
import type { ApiVersion, BatchItem, BatchItemResult, Clock, GraphRequest, GraphResponse, RetryPolicy } from './types.ts';

export const MAX_BATCH_ITEMS = 20;
/** What Graph runs of one batch at a time against Outlook (concepts/throttling-limits.md). */
export const DEFAULT_BATCH_ITEMS_PER_CALL = 4;

export interface BatchEntry {
  index: number;
  id: string;
  item: BatchItem;
  mailbox?: string;
}

export interface BatchDeps {
  version: ApiVersion;
  perMailbox: number;
  /** Items per `$batch` call (1..20). */
  itemsPerCall: number;
  /** Fails fast on bad credentials instead of failing every item. */
  ensureToken(): Promise<unknown>;
  /** Drops `accessToken` from the cache unless a newer one already replaced it (see TokenProvider). */
  invalidateToken(accessToken: string): void;
  /** The pipeline with an explicit set of limiter slots; `sent` learns the access token the answer was got with. */
  execute<T>(req: GraphRequest, slots: Map<string, number>, operations?: number, sent?: { accessToken?: string }): Promise<GraphResponse<T>>;
  request<T>(req: GraphRequest): Promise<GraphResponse<T>>;
  clock: Clock;
  random: () => number;
  policy: RetryPolicy;
  stats: RetryStats;
  redactor: Redactor;
}

/**
 * First-fit packing: each call gets up to `maxItems` entries and up to `perMailbox` of any one mailbox.
 * A call that is full, or full for a mailbox, stays so; remembering where each search may start keeps
 * a tenant-wide sweep (10,000 items, 500 calls) linear instead of items x calls.
 */
export function packBatches(entries: BatchEntry[], perMailbox: number, maxItems = MAX_BATCH_ITEMS): BatchEntry[][] {
  const calls: Array<{ entries: BatchEntry[]; counts: Map<string, number> }> = [];
  let firstOpen = 0;
  const firstFor = new Map<string, number>();
  for (const e of entries) {
    let i = Math.max(firstOpen, e.mailbox === undefined ? 0 : (firstFor.get(e.mailbox) ?? 0));
    for (; i < calls.length; i++) {
      const c = calls[i];
      if (c.entries.length < maxItems && (e.mailbox === undefined || (c.counts.get(e.mailbox) ?? 0) < perMailbox)) break;
    }
    if (i === calls.length) calls.push({ entries: [], counts: new Map() });
    const call = calls[i];
    call.entries.push(e);
    if (e.mailbox !== undefined) {
      call.counts.set(e.mailbox, (call.counts.get(e.mailbox) ?? 0) + 1);
      firstFor.set(e.mailbox, i);
    }
    while (firstOpen < calls.length && calls[firstOpen].entries.length >= maxItems) firstOpen++;
  }
  return calls.map((c) => c.entries);
}

function slotsOf(call: BatchEntry[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of call) if (e.mailbox !== undefined) m.set(e.mailbox, (m.get(e.mailbox) ?? 0) + 1);
  return m;
}

function relativeUrl(url: string): string {
  // Graph wants batch item URLs relative to the version root.
  return url.startsWith('/') ? url : `/${url}`;
}

function itemHeaders(item: BatchItem): Record<string, string> | undefined {
  const h: Record<string, string> = { ...(item.headers ?? {}) };
  if (item.body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  return Object.keys(h).length > 0 ? h : undefined;
}

interface BatchResponseItem {
  id?: unknown;
  status?: unknown;
  headers?: Record<string, string>;
  body?: unknown;
}

export async function runBatch<T>(items: BatchItem[], deps: BatchDeps): Promise<BatchItemResult<T>[]> {
  if (items.length === 0) return [];
  const seen = new Set<string>();
  const entries: BatchEntry[] = items.map((item, index) => {
    const id = item.id ?? String(index);
    // Graph compares batch ids case-insensitively.
    const key = id.toLowerCase();
    if (seen.has(key)) throw new TypeError(`Duplicate batch item id ${JSON.stringify(id)}`);
    seen.add(key);
    return { index, id, item, mailbox: item.mailbox?.toLowerCase() ?? mailboxFromPath(item.url) };
  });
  await deps.ensureToken();
  const results = new Array<BatchItemResult<T>>(items.length);

  const retryAlone = async (e: BatchEntry): Promise<BatchItemResult<T>> => {
    try {
      const res = await deps.request<T>({
        method: e.item.method,
        path: relativeUrl(e.item.url),
        version: deps.version,
        body: e.item.body,
        headers: e.item.headers,
        mailbox: e.mailbox,
      });
      return { id: e.id, status: res.status, body: res.body, headers: res.headers };
    } catch (err) {
      if (err instanceof GraphError) return { id: e.id, status: err.status, error: err };
      throw err;
    }
  };

  const settleItem = async (e: BatchEntry, r: BatchResponseItem | undefined): Promise<BatchItemResult<T>> => {
    if (!r) {
      const error = new GraphError({ status: 0, code: 'BatchItemMissing', message: `The $batch response had no answer for item ${e.id}.` });
      return { id: e.id, status: 0, error };
    }
    const status = Number(r.status);
    const headers = r.headers ?? {};
    if (status >= 200 && status < 300) return { id: e.id, status, body: r.body as T, headers };
    const error = errorFromResponse(
      { status, headers, body: r.body, method: e.item.method, url: relativeUrl(e.item.url), now: deps.clock.now() },
      deps.redactor,
    );
    if (status === 429) deps.stats.throttled++;
    const delay = retryDelay(error, {
      attempt: 0,
      idempotent: isIdempotent(e.item.method),
      policy: deps.policy,
      random: deps.random,
    });
    if (delay === undefined) return { id: e.id, status, body: r.body as T, headers, error };
    deps.stats.retries++;
    await deps.clock.sleep(delay);
    return retryAlone(e);
  };

  /**
   * Items answered 401 inside a 200 `$batch`: their token was refused before Graph acted (it expired
   * between the call's check and theirs, or the service clock runs ahead of ours), so sending them
   * again is safe for any method. One refresh serves every call that met the same token (the
   * provider shares a fetch in flight and `invalidate` ignores a token already replaced); the
   * items then go once more, as one call, and a second 401 is their answer.
   */
  const renewAndResend = async (rejected: BatchEntry[], used: string | undefined): Promise<void> => {
    if (used !== undefined) deps.invalidateToken(used);
    try {
      await deps.ensureToken();
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      for (const e of rejected) results[e.index] = { id: e.id, status: err.status, error: err };
      return;
    }
    await sendCall(rejected, false);
  };

  const runCall = (call: BatchEntry[]): Promise<void> => sendCall(call, true);

  const sendCall = async (call: BatchEntry[], resendOn401: boolean): Promise<void> => {
    let responses: BatchResponseItem[];
    const sent: { accessToken?: string } = {};
    try {
      const res = await deps.execute<{ responses?: BatchResponseItem[] }>(
        {
          method: 'POST',
          path: '/$batch',
          version: deps.version,
          body: {
            requests: call.map((e) => ({
              id: e.id,
              method: e.item.method,
              url: relativeUrl(e.item.url),
              ...(itemHeaders(e.item) ? { headers: itemHeaders(e.item) } : {}),
              ...(e.item.body !== undefined ? { body: e.item.body } : {}),
            })),
          },
          // The call as a whole may be retried after a 5xx only if every item in it may be repeated.
          idempotent: call.every((e) => isIdempotent(e.item.method)),
        },
        slotsOf(call),
        // Graph counts each item against the app's rate, so pacing does too.
        call.length,
        sent,
      );
      responses = Array.isArray(res.body?.responses) ? res.body.responses : [];
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      for (const e of call) results[e.index] = { id: e.id, status: err.status, error: err };
      return;
    }
    const byId = new Map<string, BatchResponseItem>();
    for (const r of responses) byId.set(String(r.id).toLowerCase(), r);
    const answerOf = (e: BatchEntry) => byId.get(e.id.toLowerCase());
    const rejected = resendOn401 ? call.filter((e) => Number(answerOf(e)?.status) === 401) : [];
    await Promise.all([
      ...call
        .filter((e) => !rejected.includes(e))
        .map(async (e) => {
          results[e.index] = await settleItem(e, answerOf(e));
        }),
      ...(rejected.length > 0 ? [renewAndResend(rejected, sent.accessToken)] : []),
    ]);
  };

  await Promise.all(packBatches(entries, deps.perMailbox, deps.itemsPerCall).map(runCall));
  return results;
}
