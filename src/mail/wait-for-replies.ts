/**
 * Waiting for people (issue 12): what the sent question was, who must answer it, and what each of
 * them answered so far. Both waiting actions use it: Wait For Email From User reads what a
 * recipient wrote, Wait For Vote Email Results the vote it carries.
 *
 * Who must answer: the sent email's To recipients, each resolved to every address of its mailbox
 * (a reply from an alias is that person's); a distribution list is answered by any of its members. CC and BCC recipients were informed, not asked: they
 * are not waited for and their replies do not count (an email with no To recipient asks its CC,
 * then its BCC recipients). Recipients outside the tenant answer from the address they were sent to.
 *
 * An answer: a reply found by reply-search.ts (threaded to the sent email, from a recipient, not
 * automatic), not matching `Wait Stage Exclude pattern` (on the body's text) and, for a vote,
 * carrying a recognisable vote. When one recipient answers twice, the last answer counts.
 */
import { eq } from '../graph/odata.ts';
import type { GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { InputError } from '../soar/errors.ts';
import { answerRefOf, VOTING_OPTIONS } from './compose/vote.ts';
import { VERB_STREAM_PROPERTY_ID, votingOptionsOf } from './compose/verb-stream.ts';
import { findMessages } from './find.ts';
import { parseMailIds, type MessageOf } from './mail-ids.ts';
import { mailboxPath } from './mailboxes.ts';
import type { UserRegex } from './regex.ts';
import { findReplies, type FoundReply } from './reply-search.ts';
import { recipientsOf, resolveRecipientIdentities, type RecipientIdentity } from './recipient-identities.ts';
import { answerSubjects, readVote, type VoteReading } from './replies.ts';

export interface SentEmail {
  id: string;
  internetMessageId: string;
  conversationId: string;
  /** When it was sent (ms since the epoch). */
  sentMs: number;
  subject: string;
}

/** Saved in the action's state at the first invocation, so each poll asks the same question. */
export interface Correlation {
  /** The mailbox that sent the question: the replies arrive there. */
  mailbox: string;
  sent: SentEmail;
  /** Those who must answer. */
  recipients: RecipientIdentity[];
  /** Copied recipients (CC, BCC): informed, not waited for. */
  copied: string[];
  /** The vote's options (null for Wait For Email From User). */
  options: string[] | null;
  /** Where the options were read: the sent email's voting buttons, or every documented option. */
  optionsFrom: 'voting buttons' | 'documented options' | null;
  /** The directory could not be read: aliases are not recognised. */
  directoryUnavailable: boolean;
  /** Groups could not be read: a distribution list's members are not recognised. */
  groupsUnavailable?: boolean;
  /** The reference Send Vote Email put in the question's answer links (vote.ts), if any. */
  answerRef?: string | null;
}

export interface LocateSent {
  mailbox: string;
  mailId: string;
  mailIdParameter: string;
  /** Folders to look in, in order (the vote's `Folder to Check for Sent Mail`); null = the whole mailbox. */
  folders: readonly string[] | null;
  /** The parameter that names `folders`, and the one that names the mailbox. */
  folderParameter?: string;
  mailboxParameter: string;
  vote: boolean;
  now: Date;
}

const SENT_SELECT = ['id', 'subject', 'internetMessageId', 'conversationId', 'sentDateTime', 'receivedDateTime', 'isDraft', 'toRecipients', 'ccRecipients', 'bccRecipients', 'body'] as const;

type Addressed = ReadonlyArray<{ emailAddress?: { address?: string | null } | null }> | null | undefined;
const addressesOf = (list: Addressed) => [...new Set((list ?? []).map((r) => r.emailAddress?.address?.trim().toLowerCase() ?? '').filter((a) => a !== ''))];

/** Finds the sent email and records who must answer it. Throws InputError naming where it looked. */
export async function correlate(graph: GraphClient, req: LocateSent): Promise<Correlation> {
  const ids = parseMailIds([req.mailId]);
  if (ids.length !== 1) throw new InputError(`Parameter "${req.mailIdParameter}" must hold one mail id (a Graph id or an internetMessageId), got "${req.mailId}".`, req.mailIdParameter);
  const places = req.folders ?? [null];
  const missingFolders: string[] = [];
  let found: SentRow | null = null;
  for (const folder of places) {
    const verdict = await findIn(graph, req, folder, ids);
    if (verdict === 'folderNotFound') missingFolders.push(folder ?? '');
    else if (verdict) {
      found = verdict;
      break;
    }
  }
  const where = req.folders ? `in folder${req.folders.length > 1 ? 's' : ''} ${req.folders.map((f) => `"${f}"`).join(', ')} (${req.folderParameter})` : 'in any of its folders';
  if (!found) {
    const missing = missingFolders.length > 0 ? ` Folder${missingFolders.length > 1 ? 's' : ''} not found there: ${missingFolders.map((f) => `"${f}"`).join(', ')}.` : '';
    throw new InputError(`No email with id "${req.mailId}" was found in mailbox ${req.mailbox} (${req.mailboxParameter}) ${where}.${missing}`, req.mailIdParameter);
  }
  const m = found;
  if (m.isDraft === true) throw new InputError(`The email "${req.mailId}" in mailbox ${req.mailbox} is a draft that was never sent: there is nothing to wait for.`, req.mailIdParameter);
  if (!m.internetMessageId || !m.conversationId) throw new Error(`Graph returned the email "${req.mailId}" without its internetMessageId or conversationId.`);
  const to = addressesOf(m.toRecipients);
  const cc = addressesOf(m.ccRecipients);
  const bcc = addressesOf(m.bccRecipients);
  const asked = to.length > 0 ? to : cc.length > 0 ? cc : bcc;
  if (asked.length === 0) throw new InputError(`The email "${req.mailId}" in mailbox ${req.mailbox} has no recipients to wait for.`, req.mailIdParameter);
  // The sender is resolved too: its own addresses never count as someone who must answer (its
  // copy of the question would), nor as a member of a list it sent to.
  const lookup = await resolveRecipientIdentities(graph, [req.mailbox, ...asked]);
  const [sender, ...resolved] = lookup.recipients;
  const self = new Set(sender.addresses);
  const others = resolved
    .filter((r) => !self.has(r.address))
    .map((r) => ({ ...r, addresses: r.addresses.filter((a) => a === r.address || !self.has(a)) }));
  if (others.length === 0) throw new InputError(`The email "${req.mailId}" in mailbox ${req.mailbox} was sent only to that mailbox itself: there is no one to wait for.`, req.mailIdParameter);
  const sentMs = Date.parse(m.sentDateTime ?? m.receivedDateTime ?? '');
  let options: string[] | null = null;
  let optionsFrom: Correlation['optionsFrom'] = null;
  if (req.vote) {
    options = await votingButtonsOf(graph, req.mailbox, m.id);
    optionsFrom = 'voting buttons';
    if (!options || options.length === 0) {
      // Sent some other way than by Send Vote Email: any documented option is a vote.
      options = [...new Set(Object.values(VOTING_OPTIONS).flat())];
      optionsFrom = 'documented options';
    }
  }
  return {
    mailbox: req.mailbox,
    sent: { id: m.id, internetMessageId: m.internetMessageId, conversationId: m.conversationId, sentMs: Number.isFinite(sentMs) ? sentMs : req.now.getTime(), subject: m.subject ?? '' },
    recipients: mergeSameMailbox(others),
    copied: [...cc, ...bcc].filter((a) => !asked.includes(a)),
    options,
    optionsFrom,
    directoryUnavailable: lookup.directoryUnavailable,
    groupsUnavailable: lookup.groupsUnavailable,
    answerRef: req.vote ? answerRefOf(m.body?.content ?? '') : null,
  };
}

type SentRow = MessageOf<typeof SENT_SELECT>;

async function findIn(graph: GraphClient, req: LocateSent, folder: string | null, ids: ReturnType<typeof parseMailIds>): Promise<SentRow | 'folderNotFound' | null> {
  const verdict = (await findMessages(graph, [req.mailbox], folder, { ids, criteria: {}, now: req.now, select: SENT_SELECT }, { which: req.folderParameter })).get(req.mailbox)!;
  if (verdict.kind === 'missing') throw new InputError(`Mailbox ${req.mailbox} (${req.mailboxParameter}) was not found.`, req.mailboxParameter);
  if (verdict.kind === 'folderNotFound') return 'folderNotFound' as const;
  if (verdict.kind === 'failed') throw verdict.error;
  return verdict.result.messages[0] ?? null;
}

/** Two To addresses of one mailbox (its address and an alias) are one person. */
function mergeSameMailbox(list: readonly RecipientIdentity[]): RecipientIdentity[] {
  const out: RecipientIdentity[] = [];
  for (const r of list) {
    const twin = r.mailbox ? out.find((o) => o.mailbox === r.mailbox) : undefined;
    if (twin) twin.addresses = [...new Set([...twin.addresses, ...r.addresses])];
    else out.push({ ...r, addresses: [...r.addresses] });
  }
  return out;
}

async function votingButtonsOf(graph: GraphClient, mailbox: string, id: string): Promise<string[] | null> {
  const expand = `singleValueExtendedProperties($filter=${eq('id', VERB_STREAM_PROPERTY_ID)})`;
  const m = await graph.get<{ singleValueExtendedProperties?: Array<{ id: string; value: string }> }>(`${mailboxPath(mailbox)}/messages/${segment(id)}`, {
    mailbox,
    query: { $select: 'id', $expand: expand },
  });
  const value = m.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === VERB_STREAM_PROPERTY_ID.toLowerCase())?.value;
  return value ? votingOptionsOf(Buffer.from(value, 'base64')) : null;
}

/** One recipient's answer: the last reply that counts. */
export interface Answer {
  recipient: RecipientIdentity;
  reply: FoundReply;
  /** What the person wrote above the quoted original. */
  text: string;
  /** The vote (votes only). */
  vote?: VoteReading & { vote: string };
  /** Earlier answers of the same recipient, oldest first, that the last one replaced. */
  earlier: Array<{ reply: FoundReply; vote?: string }>;
}

export interface NotCounted {
  recipient: string;
  reply: FoundReply;
  reason: string;
}

export interface Evaluation {
  answers: Answer[];
  /** Recipients with no answer yet, as addressed. */
  waiting: string[];
  notCounted: NotCounted[];
  missingFolders: string[];
}

export interface EvaluateOptions {
  /** `Folder to Check for Reply`. */
  folders: readonly string[];
  folderParameter: string;
  exclude: UserRegex | null;
  /** What earlier polls found and where each folder's delta round stopped (null on the first poll). */
  previous: ScanProgress | null;
}

/**
 * Between polls: the replies found so far and, per folder, the deltaLink where the next poll
 * continues (message-delta.md), so a poll reads only what changed in the folder since the last
 * one, a message moved in included, and a day of polling a busy shared mailbox does not re-read
 * its whole day every minute.
 */
export interface ScanProgress {
  replies: FoundReply[];
  deltaLinks: Record<string, string>;
}

/** A reply's body kept between polls, as text, at most this long (what the vote and the exclude pattern read). */
const KEPT_BODY_CHARS = 64 * 1024;

const capped = (text: string) => (text.length > KEPT_BODY_CHARS ? text.slice(0, KEPT_BODY_CHARS) : text);
const kept = (r: FoundReply): FoundReply => ({ ...r, body: capped(r.body), written: capped(r.written) });

/** Reads the replies since the last poll, adds them to those found before, and decides, per recipient, what counts. */
export async function evaluateReplies(graph: GraphClient, corr: Correlation, opts: EvaluateOptions): Promise<Evaluation & { progress: ScanProgress }> {
  const previous = opts.previous;
  const found = await findReplies(
    graph,
    {
      mailbox: corr.mailbox,
      internetMessageId: corr.sent.internetMessageId,
      conversationId: corr.sent.conversationId,
      sentMs: corr.sent.sentMs,
      recipients: corr.recipients.flatMap((r) => r.addresses),
      deltaLinks: previous?.deltaLinks,
      answerSubjects: corr.options ? new Set(answerSubjects(corr.options, corr.sent.subject).keys()) : undefined,
      answerRef: corr.answerRef,
      heard: (previous?.replies ?? []).map((r) => r.internetMessageId),
    },
    opts.folders,
  );
  const { missingFolders } = found;
  if (missingFolders.length === opts.folders.length) {
    throw new InputError(`None of the folders of "${opts.folderParameter}" was found in mailbox ${corr.mailbox}: ${opts.folders.map((f) => `"${f}"`).join(', ')}.`, opts.folderParameter);
  }
  const byId = new Map((previous?.replies ?? []).map((r) => [r.id, r]));
  for (const r of found.replies) if (!byId.has(r.id)) byId.set(r.id, kept(r));
  const replies = [...byId.values()].sort((a, b) => a.receivedMs - b.receivedMs);
  const progress: ScanProgress = { replies, deltaLinks: found.deltaLinks };
  return { ...decideAnswers(corr, replies, opts.exclude), missingFolders, progress };
}

/** Per recipient, what counts among `replies` (oldest first): the decision alone, no reading. */
export function decideAnswers(corr: Correlation, replies: readonly FoundReply[], exclude: UserRegex | null): Omit<Evaluation, 'missingFolders'> {
  const byRecipient = new Map<RecipientIdentity, Answer>();
  const notCounted: NotCounted[] = [];
  for (const reply of replies) {
    // One reply may answer for the person and for each list in To they are a member of.
    for (const recipient of recipientsOf(corr.recipients, reply.from)) {
      if (exclude?.test(reply.body)) {
        notCounted.push({ recipient: recipient.address, reply, reason: 'matches Wait Stage Exclude pattern' });
        continue;
      }
      let vote: Answer['vote'];
      if (corr.options) {
        const reading = readVote(reply, corr.options, corr.sent.subject);
        if (reading.vote === null) {
          notCounted.push({ recipient: recipient.address, reply, reason: `no vote: no voting button or answer link, and its first written line does not start with one of ${corr.options.join(', ')} alone` });
          continue;
        }
        vote = reading;
      }
      const answer: Answer = { recipient, reply, text: reply.written, vote, earlier: [] };
      const before = byRecipient.get(recipient);
      if (before) answer.earlier = [...before.earlier, { reply: before.reply, vote: before.vote?.vote }];
      byRecipient.set(recipient, answer);
    }
  }
  const answers = corr.recipients.flatMap((r) => byRecipient.get(r) ?? []);
  return { answers, waiting: corr.recipients.filter((r) => !byRecipient.has(r)).map((r) => r.address), notCounted };
}
