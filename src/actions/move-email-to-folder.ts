/** Move Email To Folder: Use the Move Email To Folder action to move one or multiple emails from the source email folder to the other folder in the mailbox. With the appropriate permissions, this action can move emails to other mailboxes different from the one that is provided in the integration configuration. */
import type { GraphClient } from '../graph/types.ts';
import type { FindRequest } from '../mail/find.ts';
import { resolveFolders, type FolderCache } from '../mail/folders.ts';
import { locateMessages } from '../mail/locate.ts';
import { moveItem, runOps, type MessageOp } from '../mail/message-ops.ts';
import {
  failedOutcome, failureLines, inChunks, progressMessage, reasonOf, renderPerMailbox, sweepStep, sweepSummary, type MailboxOutcome, type SweepState,
} from '../mail/sweep.ts';
import { criteriaParams, folderParam, mailIdsParam } from '../mail/sweep-inputs.ts';
import { defineAction, failed, inProgress, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Successfully moved emails in the following mailboxes: {MAILBOX}: {MOVED_EMAILS_NUMBER}', // success
  mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
  noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // failure
  sourceFolderNotFound: 'Action failed to move any emails because the provided source folder was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
  destinationFolderNotFound: 'Action failed to move any emails because the provided destination folder was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
  noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

export const moveEmailToFolder = defineAction({
  name: 'Move Email To Folder',
  description: 'Use the Move Email To Folder action to move one or multiple emails from the source email folder to the other folder in the mailbox. With the appropriate permissions, this action can move emails to other mailboxes different from the one that is provided in the integration configuration.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Move In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the move operation in. If permissions allow it, the action can search in other mailboxes as well. This parameter accepts multiple values as a comma-separated string.' },
    { name: 'Source Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A source folder to move the email from.' },
    { name: 'Destination Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A destination folder to move the email to. Provide the parameter value in the following format: inbox/folder_name/subfolder_name. This parameter is case insensitive.' },
    { name: 'Mail IDs', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A filter condition to search for emails with specific email IDs. This parameter accepts a comma-separated list of email IDs to search for. If this parameter is provided, the search ignores the Subject Filter and Sender Filter parameters.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for. This filter uses the contains logic.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails. This filter uses the equals logic.' },
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', min: 1,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages,
  implemented: true,
  run: (ctx) => runMove(ctx),
});

type MoveMessages = typeof messages;

const MAILBOX_PARAM = 'Move In Mailbox';
const SOURCE = 'Source Folder Name';
const DESTINATION = 'Destination Folder Name';

/** Per mailbox: old id -> new id (Graph gives a moved message a new id; DECISIONS.md), and what was not moved. */
export interface MoveResult {
  moved: Record<string, string>;
  emails: Array<{ old_id: string; new_id: string; internetMessageId?: string; subject?: string }>;
  not_found_ids: string[];
  /**
   * Old ids found but gone when the move reached them: moved or deleted by someone else, or
   * moved by our own request whose answer was lost (its retry then met a 404). Counted in the
   * mailbox's total (see `movedCount`); their new ids are unknown.
   */
  already_gone: string[];
  failed: Array<{ id: string; reason: string }>;
}

/** Emails taken out of the source folder by this run: moved, or found and gone when moved. */
export function movedCount(r: MoveResult): number {
  return r.emails.length + r.already_gone.length;
}

/**
 * One batch of mailboxes: destination and source folders resolved concurrently, then find, then
 * move (each stage one `$batch` round across the batch).
 */
export async function moveInMailboxes(
  graph: GraphClient,
  mailboxes: string[],
  source: string,
  destination: string,
  req: FindRequest,
  cache?: FolderCache,
): Promise<Map<string, MailboxOutcome<MoveResult>>> {
  const out = new Map<string, MailboxOutcome<MoveResult>>();
  const [destinations, located] = await Promise.all([
    resolveFolders(graph, mailboxes, destination, cache),
    locateMessages(graph, mailboxes, source, { ...req, select: ['id', 'internetMessageId', 'subject'] }, cache),
  ]);
  const ops: MessageOp[] = [];
  const results = new Map<string, MoveResult>();
  for (const m of mailboxes) {
    const d = destinations.get(m)!;
    const l = located.get(m)!;
    if (d.kind === 'mailboxMissing' || l.kind === 'missing') out.set(m, { kind: 'missing' });
    else if (l.kind === 'folderNotFound') out.set(m, { kind: 'folderNotFound', which: SOURCE });
    else if (d.kind === 'notFound') out.set(m, { kind: 'folderNotFound', which: DESTINATION });
    else if (d.kind === 'failed') out.set(m, failedOutcome(d.error));
    else if (l.kind === 'failed') out.set(m, failedOutcome(l.error));
    else {
      results.set(m, { moved: {}, emails: [], not_found_ids: l.unmatchedIds, already_gone: [], failed: [] });
      for (const msg of l.messages) ops.push({ mailbox: m, message: msg, item: moveItem(m, msg.id, d.folder.id) });
    }
  }
  const missingNow = new Set<string>();
  const firstError = new Map<string, unknown>();
  for (const o of await runOps(graph, ops)) {
    const r = results.get(o.op.mailbox)!;
    const old = o.op.message;
    if (o.kind === 'done') {
      const newId = typeof (o.body as { id?: unknown })?.id === 'string' ? (o.body as { id: string }).id : old.id;
      r.moved[old.id] = newId;
      r.emails.push({
        old_id: old.id,
        new_id: newId,
        ...(typeof old.internetMessageId === 'string' ? { internetMessageId: old.internetMessageId } : {}),
        ...(typeof old.subject === 'string' ? { subject: old.subject } : {}),
      });
    } else if (o.kind === 'gone') r.already_gone.push(old.id);
    else {
      if (o.kind === 'mailboxMissing') missingNow.add(o.op.mailbox);
      if (!firstError.has(o.op.mailbox)) firstError.set(o.op.mailbox, o.error);
      r.failed.push({ id: old.id, reason: reasonOf(o.error).reason });
    }
  }
  for (const [m, r] of results) {
    if (movedCount(r) === 0 && r.failed.length > 0) {
      out.set(m, missingNow.has(m) ? { kind: 'missing' } : failedOutcome(firstError.get(m)));
    } else out.set(m, { kind: 'done', result: r });
  }
  return out;
}

async function runMove(ctx: ActionContext<MoveMessages>): Promise<ActionOutcome> {
  const source = folderParam(ctx.params, SOURCE);
  const destination = folderParam(ctx.params, DESTINATION);
  const ids = mailIdsParam(ctx.params);
  const criteria = criteriaParams(ctx.params);
  const req: FindRequest = { ids, criteria, now: new Date(ctx.startedAt) };
  const step = await sweepStep<MoveResult, MoveMessages>(ctx, {
    mailboxParam: MAILBOX_PARAM,
    processBatch: (batch) => inChunks(batch, (chunk) => moveInMailboxes(ctx.graph, chunk, source, destination, req)),
    // A mailbox without matches only shows that searching works, not that moving does.
    proves: (r) => movedCount(r) > 0,
    grantedBy: ['Mail.ReadWrite'],
  });
  if (!step.finished) {
    const moved = Object.values(step.state.results).reduce((n, r) => n + movedCount(r), 0);
    return inProgress(progressMessage(step.state, `, ${moved} emails moved so far`), step.state);
  }
  return finalMove(ctx, step.state, source, destination);
}

function finalMove(ctx: ActionContext<MoveMessages>, state: SweepState<MoveResult>, source: string, destination: string): ActionOutcome {
  const entries = Object.entries(state.results);
  const counts = entries.filter(([, r]) => movedCount(r) > 0).map(([m, r]): [string, number] => [m, movedCount(r)]);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const json = {
    moved_total: total,
    already_gone_total: entries.reduce((n, [, r]) => n + r.already_gone.length, 0),
    source_folder: source,
    destination_folder: destination,
    mailboxes: entries.map(([mailbox, r]) => ({ mailbox, ...r })),
    ...sweepSummary(state),
  };
  if (state.missing.length === state.mailboxes.length) {
    return failed(ctx.message('noMailboxesFound', { MAILBOX_LIST: state.missing }), { json_result: json });
  }
  const noSource = state.folderNotFound[SOURCE] ?? [];
  const noDestination = state.folderNotFound[DESTINATION] ?? [];
  const folderLines = [
    ...(noSource.length > 0 ? [ctx.message('sourceFolderNotFound', { MAILBOX_NAME: noSource, MAILBOX_FOLDER: source })] : []),
    ...(noDestination.length > 0 ? [ctx.message('destinationFolderNotFound', { MAILBOX_NAME: noDestination, MAILBOX_FOLDER: destination })] : []),
  ];
  const extra = [
    ...state.missing.map((m) => ctx.message('mailboxNotFound', { MAILBOX: m })),
    ...failureLines(state, 'move emails'),
    ...entries
      .filter(([, r]) => r.failed.length > 0 && movedCount(r) > 0)
      .map(([m, r]) => `Failed to move ${r.failed.length} email(s) in mailbox ${m}: ${r.failed[0].reason}`),
  ];
  if (total > 0) {
    return succeeded([renderPerMailbox(ctx.action.messages.success, 'MAILBOX', 'MOVED_EMAILS_NUMBER', counts), ...folderLines, ...extra].join('\n'), { json_result: json });
  }
  if (entries.length === 0 && folderLines.length > 0) {
    return failed([...folderLines, ...extra].join('\n'), { json_result: json });
  }
  if (entries.length === 0 && state.failed.length > 0) {
    const reasons = state.failed.map((f) => `${f.mailbox}: ${f.reason}`).join('; ');
    return failed([ctx.message('error', { ERROR_REASON: reasons }), ...extra.filter((l) => !l.startsWith('Failed to move emails in'))].join('\n'), { json_result: json });
  }
  return failed([ctx.message('noEmailsFound'), ...folderLines, ...extra].join('\n'), { json_result: json });
}
