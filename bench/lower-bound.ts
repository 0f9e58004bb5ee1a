/**
 * The shortest time Graph's limits (CONTRACT.md §5) and the latency allow for a sweep's work.
 * See docs/benchmarks.md for the derivation.
 */
export interface SweepWork {
  /** Graph operations that did work (each `$batch` item counted; 429 answers excluded). */
  operations: number;
  /** Longest chain of operations on one mailbox where each needs the answer of the one before. */
  dependentStages: number;
  /** Most operations any one mailbox needed. */
  maxOpsPerMailbox: number;
  latencyMs: number;
  /** Per app: requests per second. */
  appRatePerSecond?: number;
  /** Per app and mailbox: requests in flight. */
  mailboxConcurrency?: number;
}

export function lowerBoundSeconds(w: SweepWork): { seconds: number; rate: number; chain: number; mailbox: number } {
  const rate = w.operations / (w.appRatePerSecond ?? 2000);
  const chain = (w.dependentStages * w.latencyMs) / 1000;
  const mailbox = (Math.ceil(w.maxOpsPerMailbox / (w.mailboxConcurrency ?? 4)) * w.latencyMs) / 1000;
  return { seconds: Math.max(rate, chain, mailbox), rate, chain, mailbox };
}
