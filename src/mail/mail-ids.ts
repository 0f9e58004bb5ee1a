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
import { withoutAngleBrackets } from './header-values.ts';
import { classifyResult, mailboxPath } from './mailboxes.ts';
import type { Page } from '../graph/paging.ts';
import type { GraphMessage, MessageField, SelectedMessage } from './shapes.ts';

export type { GraphMessage } from './shapes.ts';

export type MailId =
  | { kind: 'graph'; id: string; input: string }
  | { kind: 'internetMessageId'; value: string; input: string };

/** What a sweep needs of a message to act on it and report it. */
export const DEFAULT_MESSAGE_FIELDS = [
  'id', 'internetMessageId', 'subject', 'from', 'toRecipients', 'receivedDateTime', 'parentFolderId', 'isRead',
] as const satisfies readonly MessageField[];

/** A message read with DEFAULT_MESSAGE_FIELDS. */
export type DefaultMessage = SelectedMessage<(typeof DEFAULT_MESSAGE_FIELDS)[number]>;

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
    const inner = withoutAngleBrackets(input);
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

/** The fields a lookup `$select`s; 'all' = no `$select` (Graph's default properties). */
export type FieldSelection = readonly MessageField[] | 'all';

/** The message a selection reads: those fields, Graph's default properties for 'all', DEFAULT_MESSAGE_FIELDS when none is given. */
export type MessageOf<S extends FieldSelection | undefined> = S extends 'all'
  ? GraphMessage
  : S extends readonly (infer K extends MessageField)[]
    ? SelectedMessage<K>
    : DefaultMessage;

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

export type LookupOutcome<M = GraphMessage> =
  | { kind: 'found'; messages: M[]; nextLink?: string }
  | { kind: 'notFound' }
  /** The folder itself answered 404 (only a collection lookup in a folder can tell). */
  | { kind: 'folderNotFound'; error: GraphError }
  | { kind: 'missing'; error: GraphError }
  | { kind: 'failed'; error: GraphError };

/**
 * Read the answer of `lookupItem`. A Graph id's answer is NOT proven to lie in the folder asked
 * about: Graph may serve `mailFolders/{folder}/messages/{id}` for a message in any folder (its docs
 * never say the segment scopes the lookup), so the finder checks `parentFolderId` itself
 * (find.ts). A collection lookup (`$filter` on internetMessageId) is scoped by Graph.
 */
export function parseLookup<M extends GraphMessage = GraphMessage>(id: MailId, folder: ResolvedFolder | null, result: BatchItemResult): LookupOutcome<M> {
  if (id.kind === 'graph') {
    // The body is the message `lookupItem` asked for, with the selection the caller knows.
    const r = classifyResult(result as BatchItemResult<M>, 'item');
    if (r.kind === 'ok') return r.body && typeof r.body.id === 'string' ? { kind: 'found', messages: [r.body] } : { kind: 'notFound' };
    return r;
  }
  const r = classifyResult(result as BatchItemResult<Page<M>>, folder ? 'item' : 'mailbox');
  if (r.kind === 'ok') {
    const messages = (r.body?.value ?? []).filter((m) => typeof m?.id === 'string');
    const link = r.body?.['@odata.nextLink'];
    if (messages.length === 0 && !link) return { kind: 'notFound' };
    return { kind: 'found', messages, ...(typeof link === 'string' && link !== '' ? { nextLink: link } : {}) };
  }
  if (r.kind === 'notFound') return { kind: 'folderNotFound', error: r.error };
  return r;
}

export interface MailIdMatch<M = GraphMessage> {
  mailId: MailId;
  /** Empty when the id matched nothing in this mailbox folder. */
  messages: M[];
}
