/**
 * Reading the monitored folders without skipping or repeating (issue 10's cursor):
 * `receivedDateTime ge (cursor - LOOKBACK)` in ascending order, ids taken in that window kept
 * so a tie or an email indexed late is neither lost nor taken twice; ids requested immutable so
 * they survive moves. `Max Emails Per Cycle` is the oldest N across every folder.
 */
import { and, eq, ge } from '../graph/odata.ts';
import type { BatchItem, GraphClient } from '../graph/types.ts';
import { ATTACHMENT_LIST_SELECT, attachmentInfoOf, type AttachmentInfo } from '../mail/attachments.ts';
import type { ListedAttachment } from '../mail/shapes.ts';
import { GraphError } from '../graph/errors.ts';
import { resolveFolders } from '../mail/folders.ts';
import { mailboxPath } from '../mail/mailboxes.ts';
import { segment } from '../graph/url.ts';
import type { ReceivedEmail } from './alert.ts';
import type { FolderCursor } from './store.ts';

/** How far behind the cursor each read looks again: mail can show up in a folder with a
 * receivedDateTime a little in the past (delivery and indexing delays, same-second arrivals). */
export const LOOKBACK_MS = 10 * 60_000;
/** Graph's most items per page of a message list. */
const MAX_TOP = 1000;

export const IMMUTABLE_IDS = { Prefer: 'IdType="ImmutableId"' };

/** What the connector $selects of each email: everything its events carry. */
export const EMAIL_SELECT = [
  'id', 'subject', 'from', 'sender', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'receivedDateTime',
  'sentDateTime', 'createdDateTime', 'lastModifiedDateTime', 'internetMessageId', 'conversationId', 'parentFolderId', 'isRead',
  'hasAttachments', 'importance', 'bodyPreview', 'body', 'categories', 'flag', 'webLink',
];

export interface FolderState {
  cursor: FolderCursor;
  /** The Graph folder id (or well-known name) read this cycle; null when the folder could not be found. */
  folderId: string | null;
  error?: string;
}

export interface Candidate {
  folder: string;
  /** From the light list: id and receivedDateTime only (readFull reads the rest). */
  message: ReceivedEmail;
  receivedMs: number;
}

/**
 * Each configured folder's Graph id: the one committed with its cursor (so a folder renamed or
 * moved in Outlook keeps being read), else by path. A folder that cannot be found is reported and
 * skipped; its state is kept.
 */
export async function locateFolders(graph: GraphClient, mailbox: string, cursors: FolderCursor[]): Promise<FolderState[]> {
  return Promise.all(
    cursors.map(async (cursor): Promise<FolderState> => {
      if (cursor.folderId) return { cursor, folderId: cursor.folderId };
      const r = (await resolveFolders(graph, [mailbox], cursor.folder)).get(mailbox)!;
      if (r.kind === 'done') return { cursor, folderId: r.result.id };
      const why = r.kind === 'folderNotFound' ? `folder "${cursor.folder}" was not found in ${mailbox} (Folder to check for emails is case-sensitive)`
        : r.kind === 'missing' ? `mailbox ${mailbox} was not found (Mail Address)`
        : `folder "${cursor.folder}" could not be read: ${r.reason}`;
      return { cursor, folderId: null, error: why };
    }),
  );
}

function sinceOf(cursor: FolderCursor, firstRunFromMs: number): number {
  return cursor.cursorMs === null ? firstRunFromMs : cursor.cursorMs - LOOKBACK_MS;
}

/** The unseen emails of one folder, oldest first, at most `max` (more may remain). */
async function unseenIn(
  graph: GraphClient,
  mailbox: string,
  state: FolderState,
  o: { max: number; firstRunFromMs: number; unreadOnly: boolean },
): Promise<Candidate[]> {
  const since = new Date(sinceOf(state.cursor, o.firstRunFromMs));
  const filter = o.unreadOnly ? and(ge('receivedDateTime', since), eq('isRead', false)) : ge('receivedDateTime', since);
  // The list is light (id and time): the lookback window re-reads emails already taken, so their
  // bodies are not fetched again; the emails taken are read in full afterwards (readFull).
  const query = {
    $filter: filter,
    // The $orderby property leads the $filter, as Exchange requires for a sorted filter.
    $orderby: 'receivedDateTime asc',
    $top: Math.min(MAX_TOP, o.max + state.cursor.seen.size),
    $select: 'id,receivedDateTime,hasAttachments',
  };
  const out: Candidate[] = [];
  const path = `${mailboxPath(mailbox)}/mailFolders/${segment(state.folderId!)}/messages`;
  for await (const m of graph.paginate<ReceivedEmail>(path, { query, headers: IMMUTABLE_IDS, mailbox })) {
    if (state.cursor.seen.has(m.id)) continue;
    const receivedMs = Date.parse(m.receivedDateTime);
    out.push({ folder: state.cursor.folder, message: m, receivedMs: Number.isFinite(receivedMs) ? receivedMs : since.getTime() });
    if (out.length >= o.max) break;
  }
  return out;
}

export interface ReadResult {
  /** The oldest `max` unseen emails across the folders, oldest first. */
  taken: Candidate[];
  folders: FolderState[];
}

/** Reads every folder and keeps the oldest `max` unseen emails among them. */
export async function readFolders(
  graph: GraphClient,
  mailbox: string,
  cursors: FolderCursor[],
  o: { max: number; firstRunFromMs: number; unreadOnly: boolean },
): Promise<ReadResult> {
  const folders = await locateFolders(graph, mailbox, cursors);
  const lists = await Promise.all(
    folders.map(async (f) => {
      if (!f.folderId) return [];
      try {
        return await unseenIn(graph, mailbox, f, o);
      } catch (err) {
        // A committed folder id that no longer exists: find the folder by its path again.
        if (err instanceof GraphError && err.status === 404 && f.cursor.folderId) {
          const [again] = await locateFolders(graph, mailbox, [{ ...f.cursor, folderId: null }]);
          Object.assign(f, again);
          if (!f.folderId) return [];
          return unseenIn(graph, mailbox, f, o);
        }
        f.error = `folder "${f.cursor.folder}" could not be read: ${err instanceof Error ? err.message : String(err)}`;
        f.folderId = null;
        return [];
      }
    }),
  );
  const order = new Map(folders.map((f, i) => [f.cursor.folder, i]));
  const taken = lists
    .flat()
    .sort((a, b) => a.receivedMs - b.receivedMs || order.get(a.folder)! - order.get(b.folder)! || (a.message.id < b.message.id ? -1 : 1))
    .slice(0, o.max);
  return { taken, folders };
}

export type FullRead = { candidate: Candidate; message: ReceivedEmail; attachments?: AttachmentInfo[] } | { candidate: Candidate; gone: true } | { candidate: Candidate; error: string };

/**
 * The taken emails in full, in `$batch` calls (the client's queue: up to 20 a call). An email
 * deleted since the list is `gone`; any other failure is an `error` the caller stops at, so the
 * cursor never passes an email it could not read.
 */
export async function readFull(graph: GraphClient, mailbox: string, taken: Candidate[], select: string[]): Promise<FullRead[]> {
  // Each email and, when the list said it has attachments, its attachment list, side by side in
  // the same calls: one round trip per 20 operations instead of one per email with attachments.
  const items: BatchItem[] = [];
  const listIndex = new Map<number, number>();
  taken.forEach((c, i) => {
    const base = `${mailboxPath(mailbox)}/messages/${segment(c.message.id)}`;
    items.push({ method: 'GET', url: `${base}?$select=${select.join(',')}`, headers: IMMUTABLE_IDS, mailbox });
    if (c.message.hasAttachments === true) {
      listIndex.set(i, items.length);
      items.push({ method: 'GET', url: `${base}/attachments?$select=${ATTACHMENT_LIST_SELECT}`, mailbox });
    }
  });
  const results = await graph.batch<Record<string, unknown>>(items);
  let at = 0;
  return taken.map((candidate, i): FullRead => {
    const r = results[at];
    at += listIndex.has(i) ? 2 : 1;
    if (r.status >= 200 && r.status < 300 && r.body) {
      const message = { ...(r.body as ReceivedEmail), id: candidate.message.id };
      const list = listIndex.has(i) ? results[listIndex.get(i)!] : undefined;
      const rows = list && list.status === 200 && list.body && !list.body['@odata.nextLink'] ? (list.body.value as ListedAttachment[] | undefined) : undefined;
      // A list that failed or has more pages is read again by readDetails.
      return { candidate, message, ...(rows ? { attachments: rows.map(attachmentInfoOf) } : {}) };
    }
    if (r.status === 404) return { candidate, gone: true };
    return { candidate, error: r.error ? `${r.error.code}: ${r.error.message}` : `HTTP ${r.status}` };
  });
}
