import { describe, expect, it } from 'vitest';
import { fairShares } from '../../src/soar/fair-share.ts';

describe('fairShares', () => {
  it('meets the smallest demands whole, splits the rest evenly, hands a small remainder to the hungriest', () => {
    expect(fairShares(10, [2, 20, 20])).toEqual([2, 4, 4]);
    expect(fairShares(11, [2, 20, 20])).toEqual([2, 5, 4]);
    expect(fairShares(100, [3, 5])).toEqual([3, 5]);
    expect(fairShares(2, [5, 9, 7])).toEqual([0, 1, 1]);
    expect(fairShares(0, [5])).toEqual([0]);
  });

  it('never gives more than the budget or a demand', () => {
    for (let n = 0; n < 200; n++) {
      const demand = Array.from({ length: 1 + (n % 7) }, (_, i) => (n * 31 + i * 17) % 40);
      const budget = (n * 13) % 120;
      const given = fairShares(budget, demand);
      expect(given.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(budget);
      given.forEach((g, i) => expect(g).toBeLessThanOrEqual(demand[i]));
    }
  });
});
