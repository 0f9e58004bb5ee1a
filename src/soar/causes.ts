/**
 * Repeated failures told once per cause: a Download Path that is a file fails every attachment
 * the same way, an access policy every mailbox. A message says each cause once, with how many
 * items it hit and the first few of them; the JSON result (where an action has one) lists all.
 */

export interface CauseGroup<T> {
  /** What the items share (their reason without what differs per item, such as a request id). */
  cause: string;
  /** In the order they came, the first one's reason being the one shown. */
  items: T[];
}

/** Items grouped by cause, groups in the order their cause first appeared. */
export function groupByCause<T>(items: readonly T[], causeOf: (item: T) => string): CauseGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const cause = causeOf(item);
    const list = groups.get(cause);
    if (list) list.push(item);
    else groups.set(cause, [item]);
  }
  return [...groups].map(([cause, list]) => ({ cause, items: list }));
}

/** `a, b, c and 7 more`: at most `max` names. */
export function sampleOf(names: readonly string[], max: number): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${(names.length - max).toLocaleString('en-US')} more`;
}

/** `1 attachment`, `40 attachments`. */
export function countOf(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

export interface CauseLineOptions<T> {
  causeOf(item: T): string;
  /** The reason shown for a group: its first item's. */
  reasonOf(item: T): string;
  /** Names the item: `a.pdf of <mail id> in <mailbox>`. */
  nameOf(item: T): string;
  /** Singular and plural noun of the items: `['attachment', 'attachments']`. */
  noun: readonly [string, string];
  /** How many items a group names (default 3). */
  examples?: number;
  /** How many causes are told (default 10); the rest are counted in a last line. */
  causes?: number;
}

/**
 * One text per cause: `name: reason` for a single item, `N nouns (a, b, c and 7 more): reason`
 * for several; past `causes` groups, one text counting the rest.
 */
export function causeTexts<T>(items: readonly T[], opts: CauseLineOptions<T>): string[] {
  const groups = groupByCause(items, opts.causeOf);
  const told = groups.slice(0, opts.causes ?? 10).map(({ items: list }) => {
    const reason = opts.reasonOf(list[0]);
    if (list.length === 1) return `${opts.nameOf(list[0])}: ${reason}`;
    return `${countOf(list.length, ...opts.noun)} (${sampleOf(list.map(opts.nameOf), opts.examples ?? 3)}): ${reason}`;
  });
  const rest = groups.slice(opts.causes ?? 10);
  if (rest.length > 0) {
    const count = rest.reduce((k, g) => k + g.items.length, 0);
    told.push(`${countOf(count, `more ${opts.noun[0]}`, `more ${opts.noun[1]}`)}, for ${countOf(rest.length, 'other reason', 'other reasons')}`);
  }
  return told;
}
