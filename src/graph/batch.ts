/**
 * JSON `$batch`. Graph runs at most four items of a call at a time against Outlook and counts each
 * running item against its mailbox's concurrency budget, so a call carries at least `itemsPerCall`
 * items while the queue is short (default 4: one service time per call; at most 20), holds
 * min(items, 4) limiter slots of each of its mailboxes while in flight (more of one mailbox never
 * run at once), and the calls of one `batch()` go out side by side (the app-wide pacer, not the
 * call size, keeps the rate). A throttled item is retried
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

/** What Graph runs of one call at a time (concepts/throttling-limits.md, "Outlook service limits for JSON batching"). */
export const GRAPH_BATCH_PARALLELISM = 4;

/** The mailbox slots a call takes while in flight: its items of each mailbox, at most the four Graph runs at once. */
function slotsOf(call: BatchEntry[], perMailbox: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of call) if (e.mailbox !== undefined) m.set(e.mailbox, (m.get(e.mailbox) ?? 0) + 1);
  for (const [k, n] of m) m.set(k, Math.min(n, GRAPH_BATCH_PARALLELISM, perMailbox));
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

/** One item waiting for, or riding in, a `$batch` call; `settle` hands its final result to its `batch()` caller. */
interface Pending {
  entry: BatchEntry;
  version: ApiVersion;
  settle(result: BatchItemResult<unknown>): void;
  fail(err: unknown): void;
}

/**
 * Calls in flight at once, client-wide. Enough for the app's rate at Graph's service times
 * (~2,000 items per second at 4 per call and ~0.3 s a service time needs ~160 calls), few enough
 * that a tenant-wide queue is sent in full calls rather than thousands of small ones.
 */
export const MAX_CALLS_IN_FLIGHT = 256;

/**
 * The items of every `batch()` call of a client wait in one queue per API version, and calls are
 * formed from it as calls in flight come back (at most MAX_CALLS_IN_FLIGHT). A call takes
 * ceil(queued / free slots) items, at least `itemsPerCall` (default 4: what Graph runs of a call at
 * a time) and at most 20: a short queue goes out as many small calls, each one service time
 * long; a tenant-wide queue as full calls, which keep Graph's four lanes of each busy with a fifth
 * of the round trips. Items of concurrent `batch()` calls (the chunks of a sweep) share calls, so
 * a stage need not wait for a barrier to fill them.
 */
export class BatchRunner {
  readonly #queues = new Map<ApiVersion, Pending[]>();
  #inFlight = 0;
  #scheduled = false;

  constructor(private readonly deps: Omit<BatchDeps, 'version'>) {}

  async run<T>(items: BatchItem[], version: ApiVersion): Promise<BatchItemResult<T>[]> {
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
    await this.deps.ensureToken();
    const queue = this.#queues.get(version) ?? [];
    this.#queues.set(version, queue);
    const results = entries.map(
      (entry) =>
        new Promise<BatchItemResult<T>>((resolve, reject) => {
          queue.push({ entry, version, settle: (r) => resolve(r as BatchItemResult<T>), fail: reject });
        }),
    );
    this.#schedule();
    return Promise.all(results);
  }

  /** On the next turn, so the items of every batch() call made in this one share calls. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    for (const [version, queue] of this.#queues) {
      while (queue.length > 0 && this.#inFlight < MAX_CALLS_IN_FLIGHT) {
        // Spread what waits over the free slots: a short queue as small calls, a long one as full calls.
        const free = MAX_CALLS_IN_FLIGHT - this.#inFlight;
        const size = Math.min(MAX_BATCH_ITEMS, Math.max(this.deps.itemsPerCall, Math.ceil(queue.length / free)));
        const call = takeCall(queue, size);
        this.#inFlight++;
        void this.#sendCall(call, version, true)
          // Nothing may be left waiting: an unexpected failure fails the call's items (settled ones ignore it).
          .catch((err: unknown) => {
            for (const p of call) p.fail(err);
          })
          .finally(() => {
            this.#inFlight--;
            this.#pump();
          });
      }
    }
  }

  #retryAlone(p: Pending): Promise<BatchItemResult<unknown>> {
    const e = p.entry;
    return this.deps
      .request({ method: e.item.method, path: relativeUrl(e.item.url), version: p.version, body: e.item.body, headers: e.item.headers, mailbox: e.mailbox })
      .then(
        (res): BatchItemResult<unknown> => ({ id: e.id, status: res.status, body: res.body, headers: res.headers }),
        (err): BatchItemResult<unknown> => {
          if (err instanceof GraphError) return { id: e.id, status: err.status, error: err };
          throw err;
        },
      );
  }

  async #settleItem(p: Pending, r: BatchResponseItem | undefined): Promise<BatchItemResult<unknown>> {
    const { deps } = this;
    const e = p.entry;
    if (!r) {
      const error = new GraphError({ status: 0, code: 'BatchItemMissing', message: `The $batch response had no answer for item ${e.id}.` });
      return { id: e.id, status: 0, error };
    }
    const status = Number(r.status);
    const headers = r.headers ?? {};
    if (status >= 200 && status < 300) return { id: e.id, status, body: r.body, headers };
    const error = errorFromResponse(
      { status, headers, body: r.body, method: e.item.method, url: relativeUrl(e.item.url), now: deps.clock.now() },
      deps.redactor,
    );
    if (status === 429) deps.stats.throttled++;
    const delay = retryDelay(error, { attempt: 0, idempotent: isIdempotent(e.item.method), policy: deps.policy, random: deps.random });
    if (delay === undefined) return { id: e.id, status, body: r.body, headers, error };
    deps.stats.retries++;
    await deps.clock.sleep(delay);
    return this.#retryAlone(p);
  }

  /**
   * Items answered 401 inside a 200 `$batch`: their token was refused before Graph acted (it expired
   * between the call's check and theirs, or the service clock runs ahead of ours), so sending them
   * again is safe for any method. One refresh serves every call that met the same token (the
   * provider shares a fetch in flight and `invalidate` ignores a token already replaced); the
   * items then go once more, as one call, and a second 401 is their answer.
   */
  async #renewAndResend(rejected: Pending[], version: ApiVersion, used: string | undefined): Promise<void> {
    if (used !== undefined) this.deps.invalidateToken(used);
    try {
      await this.deps.ensureToken();
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      for (const p of rejected) p.settle({ id: p.entry.id, status: err.status, error: err });
      return;
    }
    await this.#sendCall(rejected, version, false);
  }

  /**
   * Sends one call and hands each item its answer. Resolves once the call is answered (its slot
   * in flight is then free); items that wait out a Retry-After or go again after a 401 settle later.
   */
  async #sendCall(call: Pending[], version: ApiVersion, resendOn401: boolean): Promise<void> {
    let responses: BatchResponseItem[];
    const sent: { accessToken?: string } = {};
    // Items of several batch() calls may share a call: an id taken already (ignoring case) gets a suffix.
    const taken = new Set<string>();
    const ids = call.map(({ entry }, i) => {
      let id = entry.id;
      while (taken.has(id.toLowerCase())) id = `${entry.id}~${i}`;
      taken.add(id.toLowerCase());
      return id;
    });
    const idOf = (i: number) => ids[i];
    try {
      const res = await this.deps.execute<{ responses?: BatchResponseItem[] }>(
        {
          method: 'POST',
          path: '/$batch',
          version,
          body: {
            requests: call.map(({ entry: e }, i) => ({
              id: idOf(i),
              method: e.item.method,
              url: relativeUrl(e.item.url),
              ...(itemHeaders(e.item) ? { headers: itemHeaders(e.item) } : {}),
              ...(e.item.body !== undefined ? { body: e.item.body } : {}),
            })),
          },
          // The call as a whole may be retried after a 5xx only if every item in it may be repeated.
          idempotent: call.every((p) => isIdempotent(p.entry.item.method)),
        },
        slotsOf(call.map((p) => p.entry), this.deps.perMailbox),
        // Graph counts each item against the app's rate, so pacing does too.
        call.length,
        sent,
      );
      responses = Array.isArray(res.body?.responses) ? res.body.responses : [];
    } catch (err) {
      if (!(err instanceof GraphError)) {
        for (const p of call) p.fail(err);
        return;
      }
      for (const p of call) p.settle({ id: p.entry.id, status: err.status, error: err });
      return;
    }
    const byId = new Map<string, BatchResponseItem>();
    for (const r of responses) byId.set(String(r.id).toLowerCase(), r);
    const answers = call.map((_, i) => byId.get(idOf(i).toLowerCase()));
    const rejected = resendOn401 ? call.filter((_, i) => Number(answers[i]?.status) === 401) : [];
    call.forEach((p, i) => {
      if (rejected.includes(p)) return;
      this.#settleItem(p, answers[i]).then(
        (r) => p.settle({ ...r, id: p.entry.id }),
        (err) => p.fail(err),
      );
    });
    if (rejected.length > 0) {
      this.#renewAndResend(rejected, version, sent.accessToken).catch((err) => {
        for (const p of rejected) p.fail(err);
      });
    }
  }
}

/** The next call's items: the first `size` of the queue. (A call may hold more than four items of
 * one mailbox: Graph runs four of them at a time, and the call holds that many of its slots.) */
function takeCall(queue: Pending[], size: number): Pending[] {
  return queue.splice(0, size);
}
