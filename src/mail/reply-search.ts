/**
 * The replies to one sent email (issue 12's waiting actions): every page of each folder to check,
 * from the sent time on, keeping a message when its `In-Reply-To` / `References` name the sent
 * email, or, failing those headers, when it is of the same conversation; from one of the
 * recipients; not an automatic reply. Outlook's voting response is read for each reply kept.
 */
import { eq, ge } from '../graph/odata.ts';
import type { GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { VERB_RESPONSE_PROPERTY_ID } from './compose/verb-stream.ts';
import { folderPath, resolveFolders } from './folders.ts';
import { mailboxPath } from './mailboxes.ts';
import { isAutomaticReply, type ReplyHeader } from './replies.ts';

export interface SentReference {
  /** The mailbox that sent it, where the replies arrive. */
  mailbox: string;
  internetMessageId: string;
  conversationId: string;
  /** When it was sent (ms since the epoch): nothing older is a reply. */
  sentMs: number;
  /** Lower-case addresses whose replies count. */
  recipients: readonly string[];
  /** Read only what was received from then on (ms; a later poll's window), never before `sentMs`. */
  sinceMs?: number;
}

export interface FoundReply {
  id: string;
  folder: string;
  from: string;
  receivedMs: number;
  subject: string;
  /** Lower-case addresses of its To and CC recipients. */
  to: string[];
  hasAttachments: boolean;
  body: string;
  isHtml: boolean;
  /** Outlook's voting response (PidLidVerbResponse), when the buttons were used. */
  verbResponse: string | null;
  /** How it was tied to the sent email. */
  matchedBy: 'headers' | 'conversation';
}

export interface ReplySearch {
  replies: FoundReply[];
  /** Folders that could not be found (named as configured). */
  missingFolders: string[];
}

interface Row {
  id: string;
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

/** Whether the headers name the sent email (`In-Reply-To`, or anywhere in `References`). */
function repliesTo(headers: readonly ReplyHeader[], internetMessageId: string): boolean {
  const wanted = bare(internetMessageId);
  return headers.some((h) => {
    const n = h.name.toLowerCase();
    return (n === 'in-reply-to' || n === 'references') && (h.value.match(/<[^>]+>/g) ?? [h.value]).some((v) => bare(v) === wanted);
  });
}

export async function findReplies(graph: GraphClient, ref: SentReference, folders: readonly string[]): Promise<ReplySearch> {
  const replies: FoundReply[] = [];
  const missingFolders: string[] = [];
  const seen = new Set<string>();
  const recipients = new Set(ref.recipients.map((r) => r.toLowerCase()));
  for (const name of folders) {
    const resolved = (await resolveFolders(graph, [ref.mailbox], name)).get(ref.mailbox)!;
    if (resolved.kind === 'folderNotFound') {
      missingFolders.push(name);
      continue;
    }
    if (resolved.kind === 'missing') throw new Error(`mailbox ${ref.mailbox} was not found`);
    if (resolved.kind === 'failed') throw resolved.error;
    const query = {
      $filter: `${ge('receivedDateTime', new Date(Math.floor(Math.max(ref.sentMs, ref.sinceMs ?? 0) / 1000) * 1000))}`,
      $orderby: 'receivedDateTime asc',
      $select: 'id,subject,receivedDateTime,conversationId,from,toRecipients,ccRecipients,hasAttachments,body,internetMessageHeaders',
      $top: 100,
    };
    for await (const m of graph.paginate<Row>(`${folderPath(ref.mailbox, resolved.result)}/messages`, { query, mailbox: ref.mailbox, headers: { Prefer: 'IdType="ImmutableId"' } })) {
      if (seen.has(m.id)) continue;
      const headers = m.internetMessageHeaders ?? [];
      const byHeaders = repliesTo(headers, ref.internetMessageId);
      const byConversation = !byHeaders && m.conversationId === ref.conversationId;
      if (!byHeaders && !byConversation) continue;
      const from = m.from?.emailAddress?.address?.toLowerCase() ?? '';
      if (!recipients.has(from)) continue;
      if (isAutomaticReply(headers, m.subject ?? '')) continue;
      seen.add(m.id);
      replies.push({
        id: m.id,
        folder: name,
        from,
        receivedMs: Date.parse(m.receivedDateTime ?? '') || 0,
        subject: m.subject ?? '',
        to: [...(m.toRecipients ?? []), ...(m.ccRecipients ?? [])].map((r) => r.emailAddress?.address?.toLowerCase() ?? '').filter(Boolean),
        hasAttachments: m.hasAttachments === true,
        body: m.body?.content ?? '',
        isHtml: (m.body?.contentType ?? '').toLowerCase() === 'html',
        verbResponse: null,
        matchedBy: byHeaders ? 'headers' : 'conversation',
      });
    }
  }
  // Outlook's voting response is an extended property: read for the replies kept, side by side.
  const expand = `singleValueExtendedProperties($filter=${eq('id', VERB_RESPONSE_PROPERTY_ID)})`;
  const answers = await graph.batch<{ singleValueExtendedProperties?: Array<{ id: string; value: string }> }>(
    replies.map((r) => ({ method: 'GET' as const, url: `${mailboxPath(ref.mailbox)}/messages/${segment(r.id)}?$select=id&$expand=${encodeURIComponent(expand)}`, mailbox: ref.mailbox, headers: { Prefer: 'IdType="ImmutableId"' } })),
  );
  answers.forEach((a, i) => {
    const v = a.body?.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === VERB_RESPONSE_PROPERTY_ID.toLowerCase())?.value;
    if (typeof v === 'string' && v.trim() !== '') replies[i].verbResponse = v.trim();
  });
  replies.sort((a, b) => a.receivedMs - b.receivedMs);
  return { replies, missingFolders };
}
