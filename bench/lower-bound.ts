/**
 * The shortest time Graph's limits (CONTRACT.md §5) and the emulator's service-time model allow
 * for a sweep's work. See docs/benchmarks.md for the derivation.
 */
export interface ServiceModel {
  /** Base service time of a read, ms. */
  latencyMs: number;
  /** Uniform extra 0..jitter ms per request (mean jitter / 2). */
  jitterMs: number;
  /** Extra service time of a write (POST, PATCH, PUT, DELETE), ms. */
  writeLatencyMs: number;
  /** Items of one `$batch` Graph runs at a time (concepts/throttling-limits.md: 4). */
  batchParallelism: number;
}

export interface SweepWork {
  /** Graph operations that did work (each `$batch` item counted; 429 answers excluded). */
  operations: number;
  /**
   * The longest chain of operations on one mailbox where each needs the answer of the one
   * before, as the kinds of its links in order (`read` = GET, `write` = anything else).
   */
  chain: ReadonlyArray<'read' | 'write'>;
  /** Most operations any one mailbox needed. */
  maxOpsPerMailbox: number;
  model: ServiceModel;
  /** Per app: requests per second. */
  appRatePerSecond?: number;
  /** Per app and mailbox: requests in flight. */
  mailboxConcurrency?: number;
}

export interface LowerBound {
  seconds: number;
  /** W / rate + the mean service time of the last operation (it cannot start before the rate lets it out). */
  rate: number;
  /** Sum of the mean service times along the chain. */
  chain: number;
  /** ceil(k / 4) mean service times on the busiest mailbox. */
  mailbox: number;
  /** What one `$batch` call can move: batchParallelism items per mean service time. */
  perCallItemsPerSecond: number;
  /** Calls that must be in flight at once for the calls alone not to be the limit. */
  callsInFlightNeeded: number;
}

export function meanServiceMs(model: ServiceModel, kind: 'read' | 'write'): number {
  return model.latencyMs + model.jitterMs / 2 + (kind === 'write' ? model.writeLatencyMs : 0);
}

export function lowerBoundSeconds(w: SweepWork): LowerBound {
  const ratePerSecond = w.appRatePerSecond ?? 2000;
  const last = w.chain[w.chain.length - 1] ?? 'read';
  const rate = w.operations / ratePerSecond + meanServiceMs(w.model, last) / 1000;
  const chain = w.chain.reduce((sum, kind) => sum + meanServiceMs(w.model, kind), 0) / 1000;
  const slowest = Math.max(meanServiceMs(w.model, 'read'), ...w.chain.map((k) => meanServiceMs(w.model, k)));
  const mailbox = (Math.ceil(w.maxOpsPerMailbox / (w.mailboxConcurrency ?? 4)) * slowest) / 1000;
  const perCallItemsPerSecond = (w.model.batchParallelism * 1000) / slowest;
  return {
    seconds: Math.max(rate, chain, mailbox),
    rate,
    chain,
    mailbox,
    perCallItemsPerSecond,
    callsInFlightNeeded: Math.ceil(ratePerSecond / perCallItemsPerSecond),
  };
}
