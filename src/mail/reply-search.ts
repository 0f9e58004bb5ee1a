/**
 * The replies to one sent email (issue 12's waiting actions): every message of each folder to
 * check received since the sent time (by delta rounds, so a later poll reads only what changed),
 * from one of the recipients, not an automatic reply, and tied to the sent email:
 * - `In-Reply-To` names the sent email, or names an answer already heard (a recipient
 *   correcting their own answer);
 * - no `In-Reply-To` but `References` names the sent email;
 * - no threading headers at all: of the same conversation, or one of Send Vote Email's answer
 *   links, titled `Approve: <question>` and carrying the question's reference (a `mailto:`
 *   answer is a new message, in a new conversation).
 * A message whose `In-Reply-To` names something else answers that (a later question in the same
 * thread, say), not this email. The sent email itself (its copy when the sender is a recipient)
 * is never a reply. Outlook's voting response is read for each reply kept.
 */
import { isGraphError } from '../graph/errors.ts';
import { eq, ge } from '../graph/odata.ts';
import type { GraphClient, GraphResponse } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { VERB_RESPONSE_PROPERTY_ID } from './compose/verb-stream.ts';
import { answerRefText } from './compose/vote.ts';
import { folderPath, resolveFolders } from './folders.ts';
import { mailboxPath } from './mailboxes.ts';
import { bareSubject, htmlToText, isAutomaticReply, writtenPart, type ReplyHeader } from './replies.ts';

export interface SentReference {
  /** The mailbox that sent it, where the replies arrive. */
  mailbox: string;
  internetMessageId: string;
  conversationId: string;
  /** When it was sent (ms since the epoch): nothing older is a reply. */
  sentMs: number;
  /** Lower-case addresses whose replies count. */
  recipients: readonly string[];
  /** Per folder (as configured), the deltaLink of the previous poll: read only what changed since. */
  deltaLinks?: Readonly<Record<string, string>>;
  /** Subjects of the answer links (bareSubject form): an unthreaded message so titled is a reply. */
  answerSubjects?: ReadonlySet<string>;
  /** internetMessageIds of answers heard by earlier polls (answers to them are in the thread). */
  heard?: readonly string[];
  /** The question's answer-link reference (vote.ts): an answer link's message must carry it. */
  answerRef?: string | null;
}

export interface FoundReply {
  id: string;
  internetMessageId: string;
  folder: string;
  from: string;
  receivedMs: number;
  subject: string;
  /** Lower-case addresses of its To and CC recipients. */
  to: string[];
  hasAttachments: boolean;
  /** The body as text (HTML converted), what `Wait Stage Exclude pattern` reads. */
  body: string;
  /** What the person wrote above the client's quote of the original. */
  written: string;
  isHtml: boolean;
  /** Outlook's voting response (PidLidVerbResponse), when the buttons were used. */
  verbResponse: string | null;
  /** How it was tied to the sent email. */
  matchedBy: 'headers' | 'conversation' | 'subject';
}

export interface ReplySearch {
  replies: FoundReply[];
  /** Folders that could not be found (named as configured). */
  missingFolders: string[];
  /** Per folder, where the next poll continues. */
  deltaLinks: Record<string, string>;
}

interface Row {
  id: string;
  internetMessageId?: string | null;
  subject?: string | null;
  receivedDateTime?: string | null;
  conversationId?: string | null;
  from?: { emailAddress?: { address?: string | null } | null } | null;
  toRecipients?: Array<{ emailAddress?: { address?: string | null } | null }> | null;
  ccRecipients?: Array<{ emailAddress?: { address?: string | null } | null }> | null;
  hasAttachments?: boolean | null;
  body?: { contentType?: string | null; content?: string | null } | null;
  internetMessageHeaders?: ReplyHeader[] | null;
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '').toLowerCase();

const idsIn = (headers: readonly ReplyHeader[], name: string) =>
  headers.filter((h) => h.name.toLowerCase() === name).flatMap((h) => (h.value.match(/<[^>]+>/g) ?? [h.value]).map(bare)).filter((v) => v !== '');

/** How a message is tied to the sent email (module comment), or null. */
function tieOf(m: Row, ref: SentReference, heard: ReadonlySet<string>): FoundReply['matchedBy'] | null {
  const headers = m.internetMessageHeaders ?? [];
  const sent = bare(ref.internetMessageId);
  const inReplyTo = idsIn(headers, 'in-reply-to');
  const references = idsIn(headers, 'references');
  if (inReplyTo.includes(sent)) return 'headers';
  // Answering an answer already heard: a correction ("Reject, wrong button") to one's own answer.
  if (inReplyTo.length > 0) return inReplyTo.some((id) => heard.has(id)) ? 'headers' : null;
  if (references.includes(sent)) return 'headers';
  if (references.length > 0) return null;
  if (m.conversationId === ref.conversationId) return 'conversation';
  if (ref.answerSubjects?.has(bareSubject(m.subject ?? '')) && (!ref.answerRef || `${m.subject ?? ''} ${m.body?.content ?? ''}`.toLowerCase().includes(answerRefText(ref.answerRef)))) return 'subject';
  return null;
}

/** The light list: enough to tell a recipient's message from the rest, 1,000 a page (Graph's most). */
const LIST_SELECT = 'id,internetMessageId,subject,receivedDateTime,conversationId,from';
/** The full read of a candidate, with Outlook's voting response (an extended property) in the same request. */
const FULL_SELECT = 'id,internetMessageId,subject,receivedDateTime,conversationId,from,toRecipients,ccRecipients,hasAttachments,body,internetMessageHeaders';
const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };
/** Delta rounds: the page size is a preference (message-delta.md), sent on every page with the id type. */
const DELTA_HEADERS = { Prefer: 'odata.maxpagesize=1000, IdType="ImmutableId"' };

interface DeltaPage {
  value?: Array<Row & { '@removed'?: unknown }>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * One delta round of a folder's messages (message-delta.md): from `link` (the previous poll's
 * deltaLink) or, the first time, every message received since the question. A message moved into
 * the folder shows up as new whatever its received time, which a window on receivedDateTime
 * would miss. A deltaLink Exchange no longer knows (410, delta-query-overview.md "Synchronization
 * reset") starts a new round.
 */
async function deltaRound(graph: GraphClient, ref: SentReference, start: { link: string } | { path: string }): Promise<{ messages: Row[]; deltaLink: string }> {
  const first =
    'link' in start
      ? { path: start.link }
      : { path: `${start.path}/delta`, query: { $select: LIST_SELECT, $filter: ge('receivedDateTime', new Date(Math.floor(ref.sentMs / 1000) * 1000)) } };
  const messages: Row[] = [];
  let next: { path: string; query?: Record<string, string> } | undefined = first;
  const seen = new Set<string>();
  while (next) {
    const res: GraphResponse<DeltaPage> = await graph.request<DeltaPage>({ method: 'GET', ...next, mailbox: ref.mailbox, headers: DELTA_HEADERS });
    const page: DeltaPage = res.body ?? {};
    for (const m of page.value ?? []) if (m['@removed'] === undefined) messages.push(m);
    const deltaLink = page['@odata.deltaLink'];
    if (typeof deltaLink === 'string' && deltaLink !== '') return { messages, deltaLink };
    const link: string | undefined = page['@odata.nextLink'];
    if (typeof link !== 'string' || link === '' || seen.has(link)) throw new Error('Microsoft Graph ended a delta round without a deltaLink.');
    seen.add(link);
    next = { path: link };
  }
  throw new Error('unreachable');
}

/** The saved round cannot go on: Exchange reset it (410), or the folder it followed is gone (404). */
const isResetToken = (e: unknown) => isGraphError(e) && (e.status === 410 || e.status === 404);

/**
 * Two steps, so a busy folder costs little: a delta round of the fields that say who sent each
 * message; then a full read, in `$batch`, of the recipients' messages only.
 */
export async function findReplies(graph: GraphClient, ref: SentReference, folders: readonly string[]): Promise<ReplySearch> {
  const missingFolders: string[] = [];
  const deltaLinks: Record<string, string> = {};
  const recipients = new Set(ref.recipients.map((r) => r.toLowerCase()));
  const candidates: Array<{ id: string; folder: string }> = [];
  const listed = new Set<string>();
  // One email in two checked folders (an inbox rule's copy) is one answer.
  const listedMessageIds = new Set((ref.heard ?? []).filter(Boolean).map(bare));
  for (const name of folders) {
    const saved = ref.deltaLinks?.[name];
    let round: { messages: Row[]; deltaLink: string } | null = null;
    if (saved) {
      try {
        round = await deltaRound(graph, ref, { link: saved });
      } catch (e) {
        // Looked up again by name below: a deleted folder is then named as not found.
        if (!isResetToken(e)) throw e;
      }
    }
    if (!round) {
      const resolved = (await resolveFolders(graph, [ref.mailbox], name)).get(ref.mailbox)!;
      if (resolved.kind === 'folderNotFound') {
        missingFolders.push(name);
        continue;
      }
      if (resolved.kind === 'missing') throw new Error(`mailbox ${ref.mailbox} was not found`);
      if (resolved.kind === 'failed') throw resolved.error;
      round = await deltaRound(graph, ref, { path: `${folderPath(ref.mailbox, resolved.result)}/messages` });
    }
    deltaLinks[name] = round.deltaLink;
    for (const m of round.messages) {
      const messageId = m.internetMessageId ? bare(m.internetMessageId) : '';
      if (listed.has(m.id) || (messageId && listedMessageIds.has(messageId))) continue;
      if (messageId === bare(ref.internetMessageId)) continue;
      if (!recipients.has(m.from?.emailAddress?.address?.toLowerCase() ?? '')) continue;
      listed.add(m.id);
      if (messageId) listedMessageIds.add(messageId);
      candidates.push({ id: m.id, folder: name });
    }
  }
  const expand = `singleValueExtendedProperties($filter=${eq('id', VERB_RESPONSE_PROPERTY_ID)})`;
  const reads = await graph.batch<Row & { singleValueExtendedProperties?: Array<{ id: string; value: string }> }>(
    candidates.map((c) => ({
      method: 'GET' as const,
      url: `${mailboxPath(ref.mailbox)}/messages/${segment(c.id)}?$select=${FULL_SELECT}&$expand=${encodeURIComponent(expand)}`,
      mailbox: ref.mailbox,
      headers: IMMUTABLE,
    })),
  );
  const full = reads.flatMap((r, i) => {
    if (r.status >= 200 && r.status < 300 && r.body) return [{ m: r.body, folder: candidates[i].folder }];
    // Gone between the list and the read (moved, deleted): the next poll sees where it went.
    if (r.status === 404) return [];
    throw r.error ?? new Error(`reading a reply failed with HTTP ${r.status}`);
  });
  full.sort((a, b) => (Date.parse(a.m.receivedDateTime ?? '') || 0) - (Date.parse(b.m.receivedDateTime ?? '') || 0));
  const heard = new Set((ref.heard ?? []).filter(Boolean).map(bare));
  const replies: FoundReply[] = [];
  for (const { m, folder } of full) {
    const matchedBy = tieOf(m, ref, heard);
    if (!matchedBy) continue;
    const headers = m.internetMessageHeaders ?? [];
    if (isAutomaticReply(headers, m.subject ?? '')) continue;
    if (m.internetMessageId) heard.add(bare(m.internetMessageId));
    const content = m.body?.content ?? '';
    const isHtml = (m.body?.contentType ?? '').toLowerCase() === 'html';
    const verb = m.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === VERB_RESPONSE_PROPERTY_ID.toLowerCase())?.value;
    replies.push({
      id: m.id,
      internetMessageId: m.internetMessageId ?? '',
      folder,
      from: m.from?.emailAddress?.address?.toLowerCase() ?? '',
      receivedMs: Date.parse(m.receivedDateTime ?? '') || 0,
      subject: m.subject ?? '',
      to: [...(m.toRecipients ?? []), ...(m.ccRecipients ?? [])].map((r) => r.emailAddress?.address?.toLowerCase() ?? '').filter(Boolean),
      hasAttachments: m.hasAttachments === true,
      body: isHtml ? htmlToText(content) : content,
      written: writtenPart(content, isHtml),
      isHtml,
      verbResponse: typeof verb === 'string' && verb.trim() !== '' ? verb.trim() : null,
      matchedBy,
    });
  }
  return { replies, missingFolders, deltaLinks };
}
