/**
 * `Mail IDs` values: Graph message ids or internetMessageIds (with or without `<>`), resolved to
 * the messages they name in one mailbox folder. The batch-friendly pair `lookupItem` /
 * `parseLookup` lets a sweep look up every id of every mailbox in one `$batch` stage.
 */
import type { GraphError } from '../graph/errors.ts';
import { eq } from '../graph/odata.ts';
import type { BatchItem, BatchItemResult } from '../graph/types.ts';
import { encodeQuery, segment } from '../graph/url.ts';
import { folderPath, type ResolvedFolder } from './folders.ts';
import { classifyResult, mailboxPath } from './mailboxes.ts';
import type { Page } from './pages.ts';

export type MailId =
  | { kind: 'graph'; id: string; input: string }
  | { kind: 'internetMessageId'; value: string; input: string };

/** A message as the lookups return it (the fields of `DEFAULT_MESSAGE_FIELDS`, or all). */
export type GraphMessage = { id: string; internetMessageId?: string; parentFolderId?: string } & Record<string, unknown>;

/** What a sweep needs of a message to act on it and report it. */
export const DEFAULT_MESSAGE_FIELDS = [
  'id', 'internetMessageId', 'subject', 'from', 'toRecipients', 'receivedDateTime', 'parentFolderId', 'isRead',
] as const;

/**
 * An internetMessageId has an `@` (RFC 5322 msg-id = id-left "@" id-right) or comes in `<>`;
 * Graph ids are base64 of whatever shape (REST `AAMk...`/`AQMk...`, immutable `AAkA...`) and
 * never contain `@`, so anything else is a Graph id, passed on exactly as given (never decoded
 * or checked for a prefix). Brackets are added when missing because Graph stores the value with them.
 */
export function parseMailId(raw: string): MailId | undefined {
  const input = raw.trim();
  if (input === '') return undefined;
  if (input.includes('@') || (input.startsWith('<') && input.endsWith('>'))) {
    const inner = input.replace(/^<+/, '').replace(/>+$/, '').trim();
    return { kind: 'internetMessageId', value: `<${inner}>`, input };
  }
  return { kind: 'graph', id: input, input };
}

/** Every id of a list, duplicates (same Graph id / same internetMessageId) dropped. */
export function parseMailIds(list: readonly string[]): MailId[] {
  const seen = new Set<string>();
  const out: MailId[] = [];
  for (const raw of list.flatMap((v) => v.split(','))) {
    const id = parseMailId(raw);
    if (!id) continue;
    // internetMessageIds compare case-sensitively in Exchange, Graph ids too.
    const key = id.kind === 'graph' ? `g:${id.id}` : `i:${id.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out;
}

export type FieldSelection = readonly string[] | 'all';

function selectQuery(select: FieldSelection | undefined): string | undefined {
  const fields = select ?? DEFAULT_MESSAGE_FIELDS;
  return fields === 'all' ? undefined : fields.join(',');
}

/** The messages collection of a folder, or of the whole mailbox when folder is null. */
export function messagesPath(mailbox: string, folder: ResolvedFolder | null): string {
  return folder ? `${folderPath(mailbox, folder)}/messages` : `${mailboxPath(mailbox)}/messages`;
}

/** The one `$batch` item that looks up one mail id in one mailbox folder. */
export function lookupItem(mailbox: string, folder: ResolvedFolder | null, id: MailId, select?: FieldSelection): BatchItem {
  const $select = selectQuery(select);
  if (id.kind === 'graph') {
    const q = encodeQuery({ $select });
    return { method: 'GET', url: `${messagesPath(mailbox, folder)}/${segment(id.id)}${q ? `?${q}` : ''}`, mailbox };
  }
  const q = encodeQuery({ $filter: eq('internetMessageId', id.value), $select, $top: 100 });
  return { method: 'GET', url: `${messagesPath(mailbox, folder)}?${q}`, mailbox };
}

export type LookupOutcome =
  | { kind: 'found'; messages: GraphMessage[]; nextLink?: string }
  | { kind: 'notFound' }
  /** The folder itself answered 404 (only a collection lookup in a folder can tell). */
  | { kind: 'folderNotFound'; error: GraphError }
  | { kind: 'mailboxMissing'; error: GraphError }
  | { kind: 'failed'; error: GraphError };

/**
 * Whether a returned message lies in the folder looked in. `folderId` is the folder's real id:
 * Graph may serve a message id from any folder even under `mailFolders/{folder}/messages/{id}`
 * (its docs never say the segment scopes the lookup), so every id lookup in a folder is checked
 * against `parentFolderId`, and a well-known name is first resolved to its id (find.ts). A
 * collection lookup (`$filter` on internetMessageId) is scoped by Graph itself; it is checked too
 * when the id is known.
 */
export function inFolder(m: GraphMessage, folder: ResolvedFolder | null, folderId: string | undefined): boolean {
  if (!folder || folderId === undefined) return true;
  return m.parentFolderId === folderId;
}

/** The real id of a folder when the path resolution already has it (a well-known name has none yet). */
export function knownFolderId(folder: ResolvedFolder | null): string | undefined {
  return folder && !folder.wellKnownName ? folder.id : undefined;
}

/**
 * Read the answer of `lookupItem`. For a Graph id in a folder, `folderId` must be the folder's
 * real id: without it the message cannot be proven to be in the folder, so it is not found.
 */
export function parseLookup(id: MailId, folder: ResolvedFolder | null, result: BatchItemResult, folderId = knownFolderId(folder)): LookupOutcome {
  if (id.kind === 'graph') {
    const r = classifyResult(result as BatchItemResult<GraphMessage>, 'item');
    if (r.kind === 'ok') {
      const proven = !folder || (folderId !== undefined && inFolder(r.body, folder, folderId));
      return r.body && typeof r.body.id === 'string' && proven ? { kind: 'found', messages: [r.body] } : { kind: 'notFound' };
    }
    return r;
  }
  const r = classifyResult(result as BatchItemResult<Page<GraphMessage>>, folder ? 'item' : 'mailbox');
  if (r.kind === 'ok') {
    const messages = (r.body?.value ?? []).filter((m) => typeof m?.id === 'string' && inFolder(m, folder, folderId));
    const link = r.body?.['@odata.nextLink'];
    if (messages.length === 0 && !link) return { kind: 'notFound' };
    return { kind: 'found', messages, ...(typeof link === 'string' && link !== '' ? { nextLink: link } : {}) };
  }
  if (r.kind === 'notFound') return { kind: 'folderNotFound', error: r.error };
  return r;
}

export interface MailIdMatch {
  mailId: MailId;
  /** Empty when the id matched nothing in this mailbox folder. */
  messages: GraphMessage[];
}
