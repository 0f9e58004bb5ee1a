/** The process-wide gate on mail files held in memory: slots, waiting in order, release once. */
import { describe, expect, it } from 'vitest';
import { MemoryGate } from '../../src/mail/attached-mail.ts';

describe('MemoryGate', () => {
  it('hands out its slots, then makes callers wait in order; a release hands the slot straight on', async () => {
    const gate = new MemoryGate(2);
    const a = gate.tryAcquire()!;
    const b = gate.tryAcquire()!;
    expect(gate.tryAcquire()).toBeNull();
    const order: string[] = [];
    const c = gate.acquire().then((r) => (order.push('c'), r));
    const d = gate.acquire().then((r) => (order.push('d'), r));
    await Promise.resolve();
    expect(gate.waiting).toBe(2);
    a();
    a(); // a second release of one slot frees nothing more
    const rc = await c;
    expect(order).toEqual(['c']);
    // The slot went to the waiter, not back to the pool: nobody can jump the queue.
    expect(gate.tryAcquire()).toBeNull();
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    expect(gate.available).toBe(2);
  });

  it('run() frees the slot when the work throws', async () => {
    const gate = new MemoryGate(1);
    await expect(gate.run(async () => { throw new Error('parse failed'); })).rejects.toThrow('parse failed');
    expect(gate.available).toBe(1);
    expect(() => new MemoryGate(0)).toThrow(TypeError);
  });
});
