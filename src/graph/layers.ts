/**
 * The layers of the Graph client, in the one order every exchange runs through them (outermost
 * first). A layer gets the exchange and the rest of the pipeline (`next`), and may change the
 * exchange, call `next` again, or wrap what comes back — Octokit's plugin shape, with the state
 * held by the client instance that builds the layers, never by this module.
 *
 *   auth          bearer token; on a 401 one forced refresh and one more try (any method: Graph
 *                 refused the token before acting). Absent for pre-authenticated URLs.
 *   mailboxLimit  per-mailbox concurrency slots, held across retries (waiting out a 429 lets no
 *                 further request at that mailbox in) and, for a streamed body, until it is read
 *   retry         Retry-After / capped backoff, for idempotent requests only (retry.ts)
 *   pacing        the app-wide rate: each attempt, a retry included, takes its tokens (a `$batch`
 *                 call one per item), because Graph counts every attempt
 *   attempt       one HTTP exchange: transport, counting, logging, non-2xx -> GraphError
 *
 * Pacing sits inside retry, not outside it: a retried attempt is one more request against the
 * app's rate, so it must wait its turn like the first.
 */
import { GraphError } from './errors.ts';
import type { MailboxLimiter, RequestRateLimiter } from './limiter.ts';
import { withRetry, type RetryStats } from './retry.ts';
import type { TokenProvider } from './token.ts';
import type { Clock, HttpMethod, RetryPolicy, TransportRequest, TransportResponse } from './types.ts';

export const LAYER_ORDER = ['auth', 'mailboxLimit', 'retry', 'pacing', 'attempt'] as const;
export type LayerName = (typeof LAYER_ORDER)[number];

/** One logical request as it passes down the layers. */
export interface Exchange {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Who is at the other end: Graph (bearer token) or a URL Graph handed out (no token). */
  endpoint: 'graph' | 'preauthenticated';
  /** Per-mailbox limiter slots this exchange holds (a `$batch` call holds several). */
  slots: Map<string, number>;
  /** Graph requests the exchange carries (a `$batch` call: its items), for pacing. */
  operations: number;
  idempotent: boolean;
  stream: boolean;
  /** Set by `auth`. */
  accessToken?: string;
  /** Told the token the exchange finally went with (the `$batch` runner uses it for 401 items). */
  onToken?(accessToken: string): void;
}

export type Next = (ex: Exchange) => Promise<TransportResponse>;
export type Layer = (ex: Exchange, next: Next) => Promise<TransportResponse>;

/** The layers as one function: `compose([a, b, c])(ex)` runs a(b(c(ex))). */
export function compose(layers: readonly Layer[]): Next {
  const run = (i: number, ex: Exchange): Promise<TransportResponse> => {
    const layer = layers[i];
    if (!layer) throw new Error('the last layer must answer');
    return layer(ex, (next) => run(i + 1, next));
  };
  return (ex) => run(0, ex);
}

export function authLayer(tokens: TokenProvider): Layer {
  return async (ex, next) => {
    if (ex.endpoint === 'preauthenticated') return next(ex);
    let token = await tokens.get();
    let res: TransportResponse;
    try {
      res = await next({ ...ex, accessToken: token.accessToken });
    } catch (err) {
      if (!(err instanceof GraphError) || err.status !== 401) throw err;
      tokens.invalidate(token.accessToken);
      token = await tokens.get();
      res = await next({ ...ex, accessToken: token.accessToken });
    }
    ex.onToken?.(token.accessToken);
    return res;
  };
}

/**
 * Graph counts a download against the mailbox until its body has been sent, so a streamed
 * response keeps its limiter slot until the caller has read it to the end or cancelled it.
 * A stream nobody pulls for `idleMs` is cancelled and its slot freed, so one forgotten stream
 * cannot stall its mailbox for good.
 */
function releaseWhenDone(body: ReadableStream<Uint8Array>, release: () => void, idleMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (timer) clearTimeout(timer);
    if (!released) {
      released = true;
      release();
    }
  };
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      finish();
      reader.cancel(new Error('stream abandoned: not read for ' + idleMs + ' ms')).catch(() => undefined);
    }, idleMs);
    timer.unref();
  };
  arm();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (timer) clearTimeout(timer);
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(value);
          arm();
        }
      } catch (err) {
        finish();
        controller.error(err);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
    // No read-ahead: pull runs only when the caller reads, so "not pulled" means "not read".
  }, { highWaterMark: 0 });
}

export function mailboxLimitLayer(limiter: MailboxLimiter, streamIdleMs: number): Layer {
  return async (ex, next) => {
    const release = await limiter.acquire(ex.slots);
    let handedToStream = false;
    try {
      const res = await next(ex);
      if (ex.stream && !(res.body instanceof Uint8Array)) {
        handedToStream = true;
        return { ...res, body: releaseWhenDone(res.body, release, streamIdleMs) };
      }
      return res;
    } finally {
      if (!handedToStream) release();
    }
  };
}

export function retryLayer(opts: { policy: RetryPolicy; clock: Clock; random: () => number; stats: RetryStats }): Layer {
  return (ex, next) => withRetry(() => next(ex), { idempotent: ex.idempotent, ...opts });
}

export function pacingLayer(pacer: RequestRateLimiter | undefined): Layer {
  return async (ex, next) => {
    await pacer?.take(ex.operations);
    return next(ex);
  };
}

/** The request the transport sends: the exchange's headers, plus the bearer token when it has one. */
export function toTransportRequest(ex: Exchange): TransportRequest {
  const headers = { ...ex.headers };
  if (ex.accessToken !== undefined) headers.Authorization = `Bearer ${ex.accessToken}`;
  return { method: ex.method, url: ex.url, headers, body: ex.body };
}
