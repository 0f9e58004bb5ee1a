/**
 * The message search of the sweeps: Subject Filter (contains), Sender Filter (equals), Time Frame
 * (minutes), Only Unread, newest first, every page up to an optional maximum. Every value enters
 * the query through src/graph/odata.ts, so user text can never change the query's shape.
 */
import { and, contains, eq, ge } from '../graph/odata.ts';
import type { BatchItem, GraphClient } from '../graph/types.ts';
import { encodeQuery } from '../graph/url.ts';
import type { ResolvedFolder } from './folders.ts';
import { DEFAULT_MESSAGE_FIELDS, messagesPath, type FieldSelection, type GraphMessage } from './mail-ids.ts';
import { classifyResult } from './mailboxes.ts';
import type { Page } from '../graph/paging.ts';
import { drainPages } from './pages.ts';
import { verdictOfFailure, type MailboxVerdict } from './verdict.ts';

export interface SearchCriteria {
  subject?: string | null;
  sender?: string | null;
  timeFrameMinutes?: number | null;
  onlyUnread?: boolean;
}

/** Graph's largest page for messages. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Exchange rejects `$orderby` unless the ordered property is the first one `$filter` names
 * (InefficientFilter). Without a Time Frame the filter starts with this always-true lower bound,
 * so ordering newest first stays allowed whatever else is filtered.
 */
const EPOCH_FLOOR = new Date('1900-01-01T00:00:00Z');

/** `$filter` of the criteria, receivedDateTime first; undefined when there is nothing to filter. */
export function searchFilter(c: SearchCriteria, now: Date): string | undefined {
  const subject = c.subject ?? '';
  const sender = (c.sender ?? '').trim();
  const others = [
    subject !== '' ? contains('subject', subject) : undefined,
    sender !== '' ? eq('from/emailAddress/address', sender) : undefined,
    c.onlyUnread ? eq('isRead', false) : undefined,
  ].filter((x): x is string => x !== undefined);
  const since = c.timeFrameMinutes ? new Date(now.getTime() - c.timeFrameMinutes * 60_000) : undefined;
  if (!since && others.length === 0) return undefined;
  return and(ge('receivedDateTime', since ?? EPOCH_FLOOR), ...others);
}

export interface SearchOptions {
  /** "Now" for the Time Frame: a sweep passes its start time so every invocation uses one window. */
  now: Date;
  /** Fields to return; default DEFAULT_MESSAGE_FIELDS, 'all' = Graph's full message. */
  select?: FieldSelection;
  /** Max Emails To Return (per mailbox); undefined = every match. */
  max?: number | null;
  /** Page size asked of Graph; default (and ceiling) MAX_PAGE_SIZE. */
  pageSize?: number;
}

/** Query options of the first page. */
export function searchQuery(c: SearchCriteria, opts: SearchOptions): Record<string, string | number | undefined> {
  const select = opts.select ?? DEFAULT_MESSAGE_FIELDS;
  const max = opts.max ?? undefined;
  return {
    $filter: searchFilter(c, opts.now),
    $orderby: 'receivedDateTime desc',
    $select: select === 'all' ? undefined : select.join(','),
    $top: Math.min(max ?? MAX_PAGE_SIZE, opts.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

/** The first-page `$batch` item of one mailbox folder's search. */
export function searchItem(mailbox: string, folder: ResolvedFolder | null, c: SearchCriteria, opts: SearchOptions): BatchItem {
  return { method: 'GET', url: `${messagesPath(mailbox, folder)}?${encodeQuery(searchQuery(c, opts))}`, mailbox };
}

export type SearchOutcome = MailboxVerdict<{ messages: GraphMessage[] }>;

export interface SearchTarget {
  mailbox: string;
  folder: ResolvedFolder | null;
}

/**
 * Search many mailbox folders: one `$batch` for every first page, then one per page depth for
 * the mailboxes that have more. Keyed by the mailbox as given.
 */
export async function searchMailboxes(
  graph: GraphClient,
  targets: readonly SearchTarget[],
  c: SearchCriteria,
  opts: SearchOptions,
): Promise<Map<string, SearchOutcome>> {
  const out = new Map<string, SearchOutcome>();
  const found = new Map<string, GraphMessage[]>();
  const max = opts.max ?? Infinity;
  const results = await graph.batch<Page<GraphMessage>>(targets.map((t) => searchItem(t.mailbox, t.folder, c, opts)));
  const more: Array<{ key: string; mailbox: string; link: string }> = [];
  targets.forEach((t, i) => {
    const r = classifyResult(results[i], t.folder ? 'item' : 'mailbox');
    if (r.kind === 'ok') {
      const list = (r.body?.value ?? []).filter((m) => typeof m?.id === 'string').slice(0, max);
      found.set(t.mailbox, list);
      const link = r.body?.['@odata.nextLink'];
      if (typeof link === 'string' && link !== '' && list.length < max) more.push({ key: t.mailbox, mailbox: t.mailbox, link });
    } else if (r.kind === 'notFound') {
      out.set(t.mailbox, { kind: 'folderNotFound' });
    } else {
      out.set(t.mailbox, verdictOfFailure(r));
    }
  });
  const failures = await drainPages<GraphMessage>(graph, more, (key, items) => {
    const list = found.get(key)!;
    for (const m of items) if (typeof m?.id === 'string' && list.length < max) list.push(m);
    return list.length < max;
  });
  for (const [mailbox, list] of found) {
    const f = failures.get(mailbox);
    out.set(mailbox, f ? verdictOfFailure(f) : { kind: 'done', result: { messages: list } });
  }
  return out;
}
