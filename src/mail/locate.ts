/**
 * Stages 1 and 2 of a sweep over one batch of mailboxes: resolve the folder path in all of them
 * (one `$batch` per path level, none for a bare well-known name), then find the messages (Mail IDs
 * or search criteria) in all of them.
 */
import type { GraphError } from '../graph/errors.ts';
import type { GraphClient } from '../graph/types.ts';
import { findInMailboxes, type FindRequest } from './find.ts';
import { resolveFolders, type FolderCache, type ResolvedFolder } from './folders.ts';
import type { GraphMessage, MailIdMatch } from './mail-ids.ts';

export type LocateOutcome =
  | { kind: 'found'; folder: ResolvedFolder; messages: GraphMessage[]; unmatchedIds: string[]; matches: MailIdMatch[] }
  | { kind: 'folderNotFound' }
  | { kind: 'missing'; error: GraphError }
  | { kind: 'failed'; error: GraphError };

export async function locateMessages(
  graph: GraphClient,
  mailboxes: readonly string[],
  folderPath: string,
  req: FindRequest,
  cache?: FolderCache,
): Promise<Map<string, LocateOutcome>> {
  const out = new Map<string, LocateOutcome>();
  const folders = await resolveFolders(graph, mailboxes, folderPath, cache);
  const targets: Array<{ mailbox: string; folder: ResolvedFolder }> = [];
  for (const m of mailboxes) {
    const f = folders.get(m)!;
    if (f.kind === 'found') targets.push({ mailbox: m, folder: f.folder });
    else if (f.kind === 'notFound') out.set(m, { kind: 'folderNotFound' });
    else if (f.kind === 'mailboxMissing') out.set(m, { kind: 'missing', error: f.error });
    else out.set(m, f);
  }
  const found = targets.length > 0 ? await findInMailboxes(graph, targets, req) : new Map();
  for (const t of targets) {
    const r = found.get(t.mailbox)!;
    if (r.kind === 'found') out.set(t.mailbox, { kind: 'found', folder: t.folder, messages: r.messages, unmatchedIds: r.unmatchedIds, matches: r.matches });
    else if (r.kind === 'folderNotFound') out.set(t.mailbox, { kind: 'folderNotFound' });
    else if (r.kind === 'mailboxMissing') out.set(t.mailbox, { kind: 'missing', error: r.error });
    else out.set(t.mailbox, r);
  }
  return out;
}
