/**
 * Folder paths (`Inbox/Phishing/2024`) to Graph folders. The first level may be a Graph
 * well-known name or the English display name of a well-known folder, so `Inbox` works in a
 * mailbox whose inbox is called `Posteingang`; every other level is a case-insensitive display
 * name among the parent's children (hidden folders included). Resolution runs level by level, one
 * `$batch` per level across all mailboxes of a sweep.
 */
import { eq } from '../graph/odata.ts';
import type { BatchItem, GraphClient } from '../graph/types.ts';
import { encodeQuery, segment } from '../graph/url.ts';
import type { Page } from '../graph/paging.ts';
import { classifyResult, mailboxKey, mailboxPath } from './mailboxes.ts';
import { drainPages, type PageTask } from './pages.ts';
import type { SelectedFolder } from './shapes.ts';
import { verdictOfFailure, type MailboxVerdict } from './verdict.ts';

export interface ResolvedFolder {
  /** A Graph folder id, or a well-known name (Graph accepts both wherever a folder id goes). */
  id: string;
  /** The display name as Graph has it; for a well-known name resolved without a request, the name given. */
  displayName: string;
  /** The path as the user wrote it (normalised: trimmed levels joined by `/`). */
  path: string;
  /** Set when `id` is a well-known name. */
  wellKnownName?: string;
}

/** A folder path resolved in one mailbox: done (the folder), missing, folderNotFound or failed. */
export type FolderResolution = MailboxVerdict<ResolvedFolder>;

/** Graph's well-known folder names (mailFolder resource), lower-case. */
export const WELL_KNOWN_FOLDERS: readonly string[] = [
  'archive', 'clutter', 'conflicts', 'conversationhistory', 'deleteditems', 'drafts', 'inbox', 'junkemail',
  'localfailures', 'msgfolderroot', 'outbox', 'recoverableitemsdeletions', 'scheduled', 'searchfolders',
  'sentitems', 'serverfailures', 'syncissues',
];

/** English display names of well-known folders (what an English Outlook shows). */
const ENGLISH_NAMES: Record<string, string> = {
  'archive': 'archive',
  'clutter': 'clutter',
  'conflicts': 'conflicts',
  'conversation history': 'conversationhistory',
  'deleted items': 'deleteditems',
  'drafts': 'drafts',
  'inbox': 'inbox',
  'junk email': 'junkemail',
  'junk e-mail': 'junkemail',
  'junk': 'junkemail',
  'local failures': 'localfailures',
  'top of information store': 'msgfolderroot',
  'outbox': 'outbox',
  'scheduled': 'scheduled',
  'search folders': 'searchfolders',
  'sent items': 'sentitems',
  'server failures': 'serverfailures',
  'sync issues': 'syncissues',
};

/** The well-known name a first path level stands for, if any. */
export function wellKnownFolderName(level: string): string | undefined {
  const t = level.trim().toLowerCase();
  if (WELL_KNOWN_FOLDERS.includes(t)) return t;
  return ENGLISH_NAMES[t.replace(/\s+/g, ' ')];
}

/** Levels of a folder path; a TypeError for an empty path (callers name the parameter). */
export function folderPathLevels(path: string): string[] {
  const levels = path.split('/').map((p) => p.trim()).filter((p) => p !== '');
  if (levels.length === 0) throw new TypeError('The folder path is empty.');
  return levels;
}

/** When the whole path is one well-known folder: resolved with no request at all. */
export function wellKnownOnly(path: string): ResolvedFolder | undefined {
  const levels = folderPathLevels(path);
  if (levels.length !== 1) return undefined;
  const wk = wellKnownFolderName(levels[0]);
  return wk ? { id: wk, displayName: levels[0], path: levels[0], wellKnownName: wk } : undefined;
}

/** Cache of resolutions per mailbox and path (done / folderNotFound only; errors are not cached). */
export type FolderCache = Map<string, FolderResolution>;

function cacheKey(mailbox: string, path: string): string {
  return `${mailboxKey(mailbox)}\n${folderPathLevels(path).join('/').toLowerCase()}`;
}

/** `GET` of the children of `parentId` (null = top level) named `name`, hidden folders included. */
export function childLookupItem(mailbox: string, parentId: string | null, name: string): BatchItem {
  const base = parentId === null ? `${mailboxPath(mailbox)}/mailFolders` : `${mailboxPath(mailbox)}/mailFolders/${segment(parentId)}/childFolders`;
  const query = encodeQuery({ $filter: eq('displayName', name), includeHiddenFolders: 'true', $select: 'id,displayName' });
  return { method: 'GET', url: `${base}?${query}`, mailbox };
}

/** A child folder as `childLookupItem` selects it. */
type FolderRow = SelectedFolder<'displayName'>;
type FolderPage = Page<FolderRow>;

function pick(rows: readonly FolderRow[], name: string): FolderRow | undefined {
  const list = rows.filter((f) => typeof f.id === 'string');
  // Graph's `displayName eq` is already case-insensitive; prefer an exact-case match if there are several.
  return list.find((f) => f.displayName === name) ?? list.find((f) => f.displayName?.toLowerCase() === name.toLowerCase()) ?? list[0];
}

/**
 * Resolve one path in many mailboxes: one `$batch` per path level (none at all for a bare
 * well-known name). Result keyed by the mailbox as given.
 */
export async function resolveFolders(
  graph: GraphClient,
  mailboxes: readonly string[],
  path: string,
  cache?: FolderCache,
): Promise<Map<string, FolderResolution>> {
  const levels = folderPathLevels(path);
  const normalised = levels.join('/');
  const out = new Map<string, FolderResolution>();
  const only = wellKnownOnly(path);
  if (only) {
    for (const m of mailboxes) out.set(m, { kind: 'done', result: { ...only } });
    return out;
  }
  const first = wellKnownFolderName(levels[0]);
  // Per mailbox: the parent reached so far (null = top level) and its display path.
  const cursor = new Map<string, { parentId: string | null; displayName: string }>();
  for (const m of mailboxes) {
    const hit = cache?.get(cacheKey(m, path));
    if (hit) {
      out.set(m, hit);
      continue;
    }
    cursor.set(m, first ? { parentId: first, displayName: levels[0] } : { parentId: null, displayName: '' });
  }
  for (let level = first ? 1 : 0; level < levels.length && cursor.size > 0; level++) {
    const name = levels[level];
    const pending = [...cursor.entries()];
    const results = await graph.batch<FolderPage>(pending.map(([m, c]) => childLookupItem(m, c.parentId, name)));
    // Graph may answer fewer matches than exist, even none, with a nextLink (paging.md): a
    // folder is "not found" only once no page is left.
    const rows = new Map<string, FolderRow[]>();
    const more: PageTask[] = [];
    pending.forEach(([m, c], i) => {
      // Listing the top level addresses only the mailbox, so any 404 there means the mailbox.
      const r = classifyResult(results[i], c.parentId === null ? 'mailbox' : 'item');
      if (r.kind === 'ok') {
        rows.set(m, [...(r.body?.value ?? [])]);
        const link = r.body?.['@odata.nextLink'];
        if (typeof link === 'string' && link !== '') more.push({ key: m, mailbox: m, link });
        return;
      }
      out.set(m, r.kind === 'notFound' ? { kind: 'folderNotFound' } : verdictOfFailure(r));
      cursor.delete(m);
    });
    const failures = await drainPages<FolderRow>(graph, more, (m, items) => {
      rows.get(m)!.push(...items);
      return true;
    });
    for (const [m, list] of rows) {
      const failure = failures.get(m);
      const f = failure ? undefined : pick(list, name);
      if (f) {
        cursor.set(m, { parentId: f.id, displayName: f.displayName ?? name });
        continue;
      }
      out.set(m, failure ? verdictOfFailure(failure) : { kind: 'folderNotFound' });
      cursor.delete(m);
    }
  }
  for (const [m, c] of cursor) {
    out.set(m, { kind: 'done', result: { id: c.parentId!, displayName: c.displayName, path: normalised } });
  }
  if (cache) for (const [m, r] of out) if (r.kind === 'done' || r.kind === 'folderNotFound') cache.set(cacheKey(m, path), r);
  return out;
}

/** `/users/{m}/mailFolders/{id}` (a well-known name or an id). */
export function folderPath(mailbox: string, folder: ResolvedFolder): string {
  return `${mailboxPath(mailbox)}/mailFolders/${segment(folder.id)}`;
}
