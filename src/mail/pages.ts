/**
 * Following `@odata.nextLink` inside `$batch`: every mailbox's next page goes in one batch call,
 * so paging a thousand mailboxes costs one round trip per page depth, not per mailbox.
 */
import { GraphError } from '../graph/errors.ts';
import type { ApiVersion, BatchItem, GraphClient } from '../graph/types.ts';
import type { Page } from '../graph/paging.ts';
import { classifyResult } from './mailboxes.ts';

/**
 * A nextLink made relative to the version root, as `$batch` items must be. The link's own query
 * (skip token and the original options) is kept as Graph gave it.
 */
export function relativeLink(link: string): string {
  let path = link;
  if (/^https?:\/\//i.test(link)) {
    const u = new URL(link);
    path = u.pathname + u.search;
  }
  return path.replace(/^\/(v1\.0|beta)(?=\/)/i, '');
}

export function nextLinkItem(link: string, mailbox: string): BatchItem {
  return { method: 'GET', url: relativeLink(link), mailbox };
}

export interface PageTask {
  key: string;
  mailbox: string;
  link: string;
}

export type PageFailure = { kind: 'missing' | 'failed'; error: GraphError };

/**
 * Fetch every remaining page of many collections, one `$batch` per page depth. `onPage` gets each
 * page's items and returns false to stop that collection (e.g. a Max Emails limit reached).
 * Returns the failures by task key.
 */
export async function drainPages<T>(
  graph: GraphClient,
  tasks: readonly PageTask[],
  onPage: (key: string, items: T[]) => boolean,
  opts: { version?: ApiVersion } = {},
): Promise<Map<string, PageFailure>> {
  const failures = new Map<string, PageFailure>();
  let pending = [...tasks];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const results = await graph.batch<Page<T>>(pending.map((t) => nextLinkItem(t.link, t.mailbox)), opts);
    const next: PageTask[] = [];
    pending.forEach((t, i) => {
      const r = classifyResult(results[i], 'mailbox');
      if (r.kind === 'missing' || r.kind === 'failed') {
        failures.set(t.key, r);
        return;
      }
      if (r.kind === 'notFound') {
        failures.set(t.key, { kind: 'failed', error: r.error });
        return;
      }
      const more = onPage(t.key, Array.isArray(r.body?.value) ? r.body.value : []);
      const link = r.body?.['@odata.nextLink'];
      if (!more || typeof link !== 'string' || link === '') return;
      if (seen.has(link)) {
        failures.set(t.key, { kind: 'failed', error: new GraphError({ status: 0, code: 'PagingLoop', message: 'Microsoft Graph returned the same next page link twice; stopping.' }) });
        return;
      }
      seen.add(link);
      next.push({ ...t, link });
    });
    pending = next;
  }
  return failures;
}
