/**
 * Retry policy as data plus one loop. Two kinds of waits:
 * - the service said when (`Retry-After` on 429/503/504): honoured for any method, because a
 *   throttled or unavailable service did not act on the request;
 * - we guess (network failure, other 5xx): capped exponential backoff with full jitter, and only
 *   for idempotent requests, because a non-idempotent one may already have taken effect.
 * A 429 without `Retry-After` (Graph does not promise one for every service) is also a guess, but
 * throttling.md asks to "avoid immediate retries" and, without the header, for exponential backoff:
 * there the jitter spreads only the upper half of the window, so no retry goes out at once.
 */
import { GraphError } from './errors.ts';
import { networkFailures } from './error-builders.ts';
import type { Clock, HttpMethod, RetryPolicy } from './types.ts';

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  doNotRetry: [400, 401, 403, 404, 405, 409, 410, 412, 413, 422],
});

function nonNegativeInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`retry.${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** A bad policy value is a TypeError at client creation, never a silent default. */
export function resolveRetryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const out: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...p, doNotRetry: [...(p.doNotRetry ?? DEFAULT_RETRY_POLICY.doNotRetry)] };
  nonNegativeInt('maxRetries', out.maxRetries);
  nonNegativeInt('baseDelayMs', out.baseDelayMs);
  nonNegativeInt('maxDelayMs', out.maxDelayMs);
  if (out.maxDelayMs < out.baseDelayMs) throw new TypeError('retry.maxDelayMs must be >= retry.baseDelayMs');
  return out;
}

export function isIdempotent(method: HttpMethod | string, override?: boolean): boolean {
  if (override !== undefined) return override;
  return method === 'GET' || method === 'PUT' || method === 'DELETE';
}

/** Full jitter: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Equal jitter: uniform in [ceiling / 2, ceiling), ceiling = min(cap, base * 2^attempt). */
export function throttledBackoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** Milliseconds to wait before the next attempt, or undefined to give up with `err`. */
export function retryDelay(
  err: unknown,
  ctx: { attempt: number; idempotent: boolean; policy: RetryPolicy; random: () => number },
): number | undefined {
  const { attempt, idempotent, policy, random } = ctx;
  if (attempt >= policy.maxRetries || !(err instanceof GraphError)) return undefined;
  if (err.status === 0) {
    const f = networkFailures.get(err);
    if (!f || f.permanent) return undefined;
    if (f.mayHaveReachedServer && !idempotent) return undefined;
    return backoffDelay(attempt, policy, random);
  }
  if (policy.doNotRetry.includes(err.status)) return undefined;
  const serviceSaidWhen = err.retryAfterMs !== undefined && (err.status === 429 || err.status === 503 || err.status === 504);
  // Retrying before the service said so only earns another 429; a wait longer than the policy
  // allows (e.g. a 10-minute mailbox window) fails now, carrying retryAfterMs for the caller.
  if (serviceSaidWhen) return err.retryAfterMs! <= policy.maxDelayMs ? err.retryAfterMs : undefined;
  // A 429 without Retry-After still means "not acted on", so any method may be retried.
  if (err.status === 429) return throttledBackoffDelay(attempt, policy, random);
  if (err.status >= 500 && idempotent) return backoffDelay(attempt, policy, random);
  return undefined;
}

export interface RetryStats {
  retries: number;
  throttled: number;
}

/** Runs `attempt` until it succeeds or `retryDelay` says stop; throws the last error. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  ctx: { idempotent: boolean; policy: RetryPolicy; clock: Clock; random: () => number; stats: RetryStats },
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof GraphError && err.status === 429) ctx.stats.throttled++;
      const delay = retryDelay(err, { attempt: n, idempotent: ctx.idempotent, policy: ctx.policy, random: ctx.random });
      if (delay === undefined) throw err;
      ctx.stats.retries++;
      await ctx.clock.sleep(delay);
    }
  }
}
