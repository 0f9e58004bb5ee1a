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
