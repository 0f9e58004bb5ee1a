/** "Did you mean" help for unknown action, parameter and config key names. */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Valid names closest to `input`, best first, compared case-insensitively. A name that contains
 * the input (or is contained by it) counts as close too, because people often type a fragment
 * such as "junk" for "Mark Email as Junk".
 */
export function closestNames(input: string, candidates: readonly string[], max = 3): string[] {
  const needle = input.trim().toLowerCase();
  if (!needle) return [];
  const scored = candidates.map((name) => {
    const hay = name.toLowerCase();
    let score = levenshtein(needle, hay);
    if (hay.includes(needle) || needle.includes(hay)) score = Math.min(score, 0.5 + Math.abs(hay.length - needle.length) / 100);
    return { name, score };
  });
  const limit = Math.max(2, Math.floor(needle.length / 3));
  const best = Math.min(...scored.map((s) => s.score));
  // Only the names about as close as the best one: "Serch Emails" should not also suggest "Send Email".
  return scored
    .filter((s) => s.score <= limit && s.score <= best + 1)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** `Did you mean "A" or "B"?` — or the full list of valid names when nothing is close. */
export function suggestionText(input: string, candidates: readonly string[]): string {
  const close = closestNames(input, candidates);
  if (close.length > 0) return `Did you mean ${close.map((n) => `"${n}"`).join(' or ')}?`;
  if (candidates.length === 0) return 'There are none.';
  return `Valid names: ${candidates.map((n) => `"${n}"`).join(', ')}.`;
}

/** Case-insensitive, whitespace-tolerant lookup of a documented name. */
export function findByName<T extends { name: string }>(items: readonly T[], name: string): T | undefined {
  const key = normalizeName(name);
  return items.find((i) => normalizeName(i.name) === key);
}

export function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
