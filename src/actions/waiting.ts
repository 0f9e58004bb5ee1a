/**
 * What the two waiting actions do alike (Wait For Email From User, Wait For Vote Email Results):
 * the first invocation finds the sent email and saves who must answer; every invocation reads
 * the replies so far and answers IN_PROGRESS until the condition holds (every recipient, or the
 * first, as `Wait for All Recipients to Reply?` says), or TIMEDOUT with the documented message
 * once the run's deadline has passed (`ctx.deadline`, kept in the state).
 */
import { isTransientGraphError } from '../graph/errors.ts';
import { listAttachments } from '../mail/attachments.ts';
import { reasonOf } from '../mail/verdict.ts';
import { attachmentsAsCaseWallFiles, CaseWallNames } from './case-wall-files.ts';
import { compileUserRegex } from '../mail/regex.ts';
import type { FoundReply } from '../mail/reply-search.ts';
import { correlate, decideAnswers, evaluateReplies, type Answer, type Correlation, type Evaluation, type LocateSent, type ScanProgress } from '../mail/wait-for-replies.ts';
import { inProgress, type ActionContext, type ActionMessages, type ActionOutcome } from '../soar/action.ts';
import { table, type CaseWallAttachment, type CaseWallTable } from '../soar/result.ts';
import { errorReason } from '../soar/runtime.ts';

export type WaitMessages = ActionMessages & { success: string; recipientTimeout: string; noReplies: string };

export const WAIT_PARAMS = {
  waitAll: 'Wait for All Recipients to Reply?',
  exclude: 'Wait Stage Exclude pattern',
  replyFolders: 'Folder to Check for Reply',
  fetchAttachments: 'Fetch Response Attachments',
  mailId: 'Mail ID',
} as const;

/** What travels in the state between polls. */
interface WaitData {
  correlation: Correlation;
  /** Absent until a poll has read the folders. */
  scan?: ScanProgress;
}

/** One reply as the JSON results show it. */
export interface ReplyJson {
  reply_id: string;
  from: string;
  subject: string;
  received: string;
  folder: string;
}

export interface NotCountedJson extends ReplyJson {
  recipient: string;
  reason: string;
}

/** The parts of both JSON results that say what was waited for. */
export interface WaitJsonCommon {
  sent_message: { id: string; internetMessageId: string; conversationId: string; subject: string; sentDateTime: string; mailbox: string };
  /** Those who must answer, as addressed, and those who were only copied (CC, BCC). */
  recipients: string[];
  copied_recipients: string[];
  /** Recipients with no answer (yet). */
  waiting_for: string[];
  /** Replies from recipients that did not count, and why. */
  not_counted: NotCountedJson[];
}

export const replyJson = (r: FoundReply): ReplyJson => ({ reply_id: r.id, from: r.from, subject: r.subject, received: iso(r.receivedMs), folder: r.folder });
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export interface WaitSpec<J> {
  locate: Omit<LocateSent, 'now' | 'mailId' | 'mailIdParameter' | 'vote'>;
  vote: boolean;
  /** USER_REPLY of the success line for one answer. */
  userReply(answer: Answer): string;
  /** The action's JSON result from what was found so far. */
  json(common: WaitJsonCommon, evaluation: Evaluation, corr: Correlation): J;
}

/** Text for the output message: one line, at most 500 characters. */
export function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export async function runWait<M extends WaitMessages, J>(ctx: ActionContext<M>, spec: WaitSpec<J>): Promise<ActionOutcome<J>> {
  const pattern = ctx.params.string(WAIT_PARAMS.exclude);
  // Checked before any request: a bad pattern fails the first poll, not the last.
  const exclude = pattern ? compileUserRegex(pattern, { parameter: WAIT_PARAMS.exclude }) : null;
  const folders = ctx.params.list(WAIT_PARAMS.replyFolders);
  const replyFolders = folders.length > 0 ? folders : ['Inbox'];
  const waitAll = ctx.params.boolean(WAIT_PARAMS.waitAll);
  const state = ctx.state as WaitData | null;
  const corr =
    state?.correlation ??
    (await correlate(ctx.graph, { ...spec.locate, mailId: ctx.params.string(WAIT_PARAMS.mailId) ?? '', mailIdParameter: WAIT_PARAMS.mailId, vote: spec.vote, now: new Date(ctx.startedAt) }));
  let evaluation: Awaited<ReturnType<typeof evaluateReplies>>;
  let unread = '';
  try {
    evaluation = await evaluateReplies(ctx.graph, corr, { folders: replyFolders, folderParameter: WAIT_PARAMS.replyFolders, exclude, previous: state?.scan ?? null });
  } catch (e) {
    // A wait lasts hours: one poll that Graph could not answer (after the client's own retries)
    // must not end it. Before the deadline the run goes on from the same state; at the deadline
    // the answers heard so far decide, as they would have.
    if (!isTransientGraphError(e)) throw e;
    if (ctx.deadline === undefined || ctx.clock.now() < ctx.deadline) {
      return inProgress(`Could not check for replies this time (${errorReason(e)}); trying again at the next poll.`, { correlation: corr, ...(state?.scan ? { scan: state.scan } : {}) } satisfies WaitData);
    }
    const heard: ScanProgress = state?.scan ?? { replies: [], deltaLinks: {} };
    evaluation = { ...decideAnswers(corr, heard.replies, exclude), missingFolders: [], progress: heard };
    unread = `\nCould not check for new replies at the deadline (${errorReason(e)}): the answers heard before it decided.`;
  }
  const common: WaitJsonCommon = {
    sent_message: { id: corr.sent.id, internetMessageId: corr.sent.internetMessageId, conversationId: corr.sent.conversationId, subject: corr.sent.subject, sentDateTime: iso(corr.sent.sentMs), mailbox: corr.mailbox },
    recipients: corr.recipients.map((r) => r.address),
    copied_recipients: corr.copied,
    waiting_for: evaluation.waiting,
    not_counted: evaluation.notCounted.map((n) => ({ recipient: n.recipient, reason: n.reason, ...replyJson(n.reply) })),
  };
  const json_result = spec.json(common, evaluation, corr);
  const tables = [matchingMails(evaluation)];
  const { answers, waiting } = evaluation;
  const done = waitAll ? waiting.length === 0 : answers.length > 0;
  const timedOut = !done && ctx.deadline !== undefined && ctx.clock.now() >= ctx.deadline;
  const notes = notesOf(corr, evaluation) + unread;
  if (!done && !timedOut) {
    const so_far = answers.length > 0 ? ` Answered so far: ${answers.map((a) => a.recipient.address).join(', ')}.` : '';
    return inProgress(`Waiting for a reply from: ${waiting.join(', ')}.${so_far}${notes}`, { correlation: corr, scan: evaluation.progress } satisfies WaitData, { json_result, case_wall: { tables } });
  }
  const files = ctx.params.boolean(WAIT_PARAMS.fetchAttachments) ? await replyAttachments(ctx, corr, answers) : { files: [], failures: [] };
  const lines = answers.map((a) => ctx.message('success', { EMAIL_RECIPIENT: a.recipient.address, USER_REPLY: spec.userReply(a) }));
  if (files.failures.length > 0) lines.push(`Could not fetch ${files.failures.length} reply attachment(s): ${files.failures.join(', ')}.`);
  const case_wall = { tables, attachments: files.files };
  if (done) return { is_success: true, execution_state: 'COMPLETED', output_message: lines.join('\n') + notes, json_result, case_wall };
  if (answers.length === 0) return { is_success: false, execution_state: 'TIMEDOUT', output_message: ctx.message('noReplies') + notes, json_result, case_wall };
  lines.push(ctx.message('recipientTimeout', { EMAIL_RECIPIENT: waiting.join(', ') }));
  return { is_success: true, execution_state: 'TIMEDOUT', output_message: lines.join('\n') + notes, json_result, case_wall };
}

/** What the SOC should know about how the answers were read. */
function notesOf(corr: Correlation, ev: Evaluation): string {
  const out: string[] = [];
  if (ev.missingFolders.length > 0) out.push(`Folder${ev.missingFolders.length > 1 ? 's' : ''} not found in mailbox ${corr.mailbox}: ${ev.missingFolders.join(', ')}.`);
  if (corr.directoryUnavailable) out.push('The directory could not be read (User.Read.All) for every recipient: those replies were matched by the exact recipient address, not its aliases.');
  if (corr.groupsUnavailable) out.push('Groups could not be read (GroupMember.Read.All) for every recipient: a distribution list among them must answer from its own address.');
  return out.length > 0 ? `\n${out.join('\n')}` : '';
}

/** "Matching Mails": the replies that counted, every one of them (an earlier answer too). */
function matchingMails(ev: Evaluation): CaseWallTable {
  const counted = ev.answers.flatMap((a) => [...a.earlier.map((e) => e.reply), a.reply]).sort((x, y) => x.receivedMs - y.receivedMs);
  return table(
    'Matching Mails',
    ['Mail ID', 'Received Date', 'Sender', 'Recipients', 'Subject'],
    counted.map((r) => ({ 'Mail ID': r.id, 'Received Date': iso(r.receivedMs), Sender: r.from, Recipients: r.to.join(', '), Subject: r.subject })),
  );
}

/** `Fetch Response Attachments`: the files of each answer that counted, titled `RECIPIENT reply attachment`. */
async function replyAttachments<M extends WaitMessages>(ctx: ActionContext<M>, corr: Correlation, answers: readonly Answer[]): Promise<{ files: CaseWallAttachment[]; failures: string[] }> {
  const names = new CaseWallNames();
  const files: CaseWallAttachment[] = [];
  const failures: string[] = [];
  for (const a of answers) {
    if (!a.reply.hasAttachments) continue;
    // Inline parts are the body's pictures (signatures), not what the person attached. An answer
    // heard and since deleted still counts; its files are then named as not fetched.
    let chosen;
    try {
      chosen = (await listAttachments(ctx.graph, corr.mailbox, a.reply.id)).filter((x) => !x.isInline);
    } catch (e) {
      failures.push(`the attachments of ${a.recipient.address}'s reply (${reasonOf(e).reason})`);
      continue;
    }
    const got = await attachmentsAsCaseWallFiles(ctx.graph, corr.mailbox, a.reply.id, chosen, names, () => `${a.recipient.address} reply attachment`);
    files.push(...got.files);
    failures.push(...got.failures);
  }
  return { files, failures };
}
