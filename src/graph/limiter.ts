/**
 * Per-mailbox concurrency (Graph's MailboxConcurrency: 4 concurrent requests per app and mailbox,
 * counting each `$batch` item). State lives in the client instance, never at module level.
 * Waiters are served FIFO so a batch call needing several slots is not starved by single requests.
 */
class Semaphore {
  #free: number;
  readonly #queue: Array<{ n: number; wake: () => void }> = [];

  constructor(readonly capacity: number) {
    this.#free = capacity;
  }

  get idle(): boolean {
    return this.#free === this.capacity && this.#queue.length === 0;
  }

  acquire(n: number): Promise<void> {
    if (this.#queue.length === 0 && this.#free >= n) {
      this.#free -= n;
      return Promise.resolve();
    }
    return new Promise((wake) => this.#queue.push({ n, wake }));
  }

  release(n: number): void {
    this.#free += n;
    while (this.#queue.length > 0 && this.#free >= this.#queue[0].n) {
      const next = this.#queue.shift()!;
      this.#free -= next.n;
      next.wake();
    }
  }
}

export class MailboxLimiter {
  readonly #byMailbox = new Map<string, Semaphore>();

  constructor(readonly perMailbox: number) {
    if (!Number.isInteger(perMailbox) || perMailbox < 1) throw new TypeError(`mailboxConcurrency must be a positive integer, got ${String(perMailbox)}`);
  }

  /**
   * Takes `n` slots of each mailbox and resolves to the release function. Mailboxes are taken in
   * sorted order, so two callers that each need several mailboxes cannot deadlock.
   */
  async acquire(slots: Map<string, number>): Promise<() => void> {
    const keys = [...slots.keys()].sort();
    const taken: Array<[Semaphore, number]> = [];
    for (const key of keys) {
      const n = Math.min(slots.get(key)!, this.perMailbox);
      if (n <= 0) continue;
      let sem = this.#byMailbox.get(key);
      if (!sem) {
        sem = new Semaphore(this.perMailbox);
        this.#byMailbox.set(key, sem);
      }
      await sem.acquire(n);
      taken.push([sem, n]);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const [sem, n] of taken) sem.release(n);
      // Drop idle semaphores so a tenant-wide sweep does not keep one per mailbox forever.
      for (const key of keys) if (this.#byMailbox.get(key)?.idle) this.#byMailbox.delete(key);
    };
  }
}

/**
 * App-wide pacing to Graph's per-app request rate (CONTRACT.md §5: 2,000 per second), as a token
 * bucket that refills smoothly. A steady flow matters more than the burst: the service counts in
 * windows the client cannot see, and requests arrive with jitter, so a client that sends a full
 * second's worth at once meets the next window's boundary with all of them. Here any one second
 * carries at most `burst + ratePerSecond` = limit - burst requests, which leaves `burst` (5 % of
 * the limit) for arrival jitter. `take(n)` is for one HTTP exchange carrying n Graph requests (a
 * `$batch` call counts its items). Waiters are served FIFO. One instance may be shared by several
 * clients of the same app (say, the invocations of one `--wait` run) so that they pace together.
 */
export class RequestRateLimiter {
  /** Largest send at once: a full `$batch` call must fit. */
  readonly burst: number;
  /** Refill, tokens per second. */
  readonly ratePerSecond: number;
  #tokens: number;
  #at: number;
  readonly #queue: Array<{ n: number; wake: () => void }> = [];
  #pumping = false;

  constructor(
    readonly limit: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> },
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`requestsPerSecond must be a positive integer, got ${String(limit)}`);
    this.burst = Math.min(limit, Math.max(20, Math.floor(limit / 20)));
    this.ratePerSecond = Math.max(limit / 2, limit - 2 * this.burst);
    this.#tokens = this.burst;
    this.#at = clock.now();
  }

  take(n: number): Promise<void> {
    const count = Math.min(Math.max(1, n), this.burst);
    if (this.#queue.length === 0 && this.#refill() >= count) {
      this.#tokens -= count;
      return Promise.resolve();
    }
    return new Promise((wake) => {
      this.#queue.push({ n: count, wake });
      void this.#pump();
    });
  }

  #refill(): number {
    const now = this.clock.now();
    if (now > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.ratePerSecond) / 1000);
      this.#at = now;
    }
    return this.#tokens;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const next = this.#queue[0];
        const missing = next.n - this.#refill();
        if (missing > 0) {
          await this.clock.sleep(Math.max(1, Math.ceil((missing * 1000) / this.ratePerSecond)));
          continue;
        }
        this.#tokens -= next.n;
        this.#queue.shift();
        next.wake();
      }
    } finally {
      this.#pumping = false;
    }
  }
}
