/**
 * Max-min fair shares: `budget` units shared among `demand` so the smallest demands are met whole
 * first and the rest split evenly; a remainder too small to split goes one unit each to the
 * hungriest. Never more than a demand, never more than the budget in all. Used for table column
 * widths (src/cli/format.ts) and for the byte budgets of a capped JSON result (result-cap.ts).
 */
export function fairShares(budget: number, demand: readonly number[]): number[] {
  const given = demand.map(() => 0);
  let left = budget;
  let open = demand.map((_, i) => i).filter((i) => demand[i] > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.floor(left / open.length);
    if (each === 0) {
      for (const i of [...open].sort((a, b) => demand[b] - given[b] - (demand[a] - given[a])).slice(0, left)) given[i] += 1;
      break;
    }
    for (const i of open) {
      const g = Math.min(each, demand[i] - given[i]);
      given[i] += g;
      left -= g;
    }
    open = open.filter((i) => given[i] < demand[i]);
  }
  return given;
}
