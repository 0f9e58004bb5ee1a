/** Move Email To Folder: Use the Move Email To Folder action to move one or multiple emails from the source email folder to the other folder in the mailbox. With the appropriate permissions, this action can move emails to other mailboxes different from the one that is provided in the integration configuration. */
import type { GraphClient } from '../graph/types.ts';
import { findMessages, type FindRequest } from '../mail/find.ts';
import { resolveFolders, type FolderCache } from '../mail/folders.ts';
import { moveItem } from '../mail/message-ops.ts';
import type { MailboxVerdict } from '../mail/verdict.ts';
import { defineAction, failed, inProgress, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { progressMessage, sweepStep } from '../sweep/action.ts';
import { applyOps, type OpsPlan } from '../sweep/apply.ts';
import { inChunks, type SweepState } from '../sweep/engine.ts';
import { BATCH_SIZE_RANGE, criteriaParams, folderParam, mailIdsParam, requireCriterion, TIME_FRAME_RANGE } from '../sweep/inputs.ts';
import { countReport, renderPerMailbox, sweepSummary, type SweepSummary } from '../sweep/report.ts';
import type { GraphMessage, SelectedMessage } from '../mail/shapes.ts';

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
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', ...TIME_FRAME_RANGE,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', ...BATCH_SIZE_RANGE,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages,
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

/** The JSON result of Move Email To Folder (a departure: the documentation has none; DECISIONS.md). */
export interface MoveEmailToFolderJsonResult extends SweepSummary {
  /** Emails out of the source folder because of this run (moved, or found and gone; see `movedCount`). */
  moved_total: number;
  already_gone_total: number;
  source_folder: string;
  destination_folder: string;
  mailboxes: Array<{ mailbox: string } & MoveResult>;
}

/** What Move Email To Folder reads of a found email. */
const MOVE_SELECT = ['id', 'internetMessageId', 'subject'] as const;
type MoveCandidate = SelectedMessage<(typeof MOVE_SELECT)[number]>;

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
): Promise<Map<string, MailboxVerdict<MoveResult>>> {
  const [destinations, found] = await Promise.all([
    resolveFolders(graph, mailboxes, destination, cache),
    findMessages(graph, mailboxes, source, { ...req, select: MOVE_SELECT }, { cache, which: SOURCE }),
  ]);
  const planned = new Map<string, MailboxVerdict<OpsPlan<MoveResult, MoveCandidate>>>();
  for (const m of mailboxes) {
    const d = destinations.get(m)!;
    const f = found.get(m)!;
    // Which verdict names the mailbox when both folders say something: missing, then the source, then the destination.
    if (d.kind === 'missing' || f.kind === 'missing') planned.set(m, { kind: 'missing' });
    else if (f.kind === 'folderNotFound') planned.set(m, f);
    else if (d.kind === 'folderNotFound') planned.set(m, { kind: 'folderNotFound', which: DESTINATION });
    else if (d.kind === 'failed') planned.set(m, d);
    else if (f.kind === 'failed') planned.set(m, f);
    else {
      const result: MoveResult = { moved: {}, emails: [], not_found_ids: f.result.unmatchedIds, already_gone: [], failed: [] };
      planned.set(m, { kind: 'done', result: { result, ops: f.result.messages.map((msg) => ({ mailbox: m, message: msg, item: moveItem(m, msg.id, d.result.id) })) } });
    }
  }
  // message-move.md: Graph answers 201 with the message under its new id.
  return applyOps<MoveResult, MoveCandidate, GraphMessage>(graph, planned, {
    done: (r, op, body) => {
      const old = op.message;
      const newId = typeof body?.id === 'string' ? body.id : old.id;
      r.moved[old.id] = newId;
      r.emails.push({
        old_id: old.id,
        new_id: newId,
        ...(typeof old.internetMessageId === 'string' ? { internetMessageId: old.internetMessageId } : {}),
        ...(typeof old.subject === 'string' ? { subject: old.subject } : {}),
      });
    },
    gone: (r, op) => r.already_gone.push(op.message.id),
    failed: (r, op, why) => r.failed.push({ id: op.message.id, reason: why.reason }),
    count: movedCount,
  });
}

async function runMove(ctx: ActionContext<MoveMessages>): Promise<ActionOutcome<MoveEmailToFolderJsonResult>> {
  const source = folderParam(ctx.params, SOURCE);
  const destination = folderParam(ctx.params, DESTINATION);
  const ids = mailIdsParam(ctx.params);
  const criteria = criteriaParams(ctx.params);
  requireCriterion(ids, criteria, 'moved');
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

function finalMove(ctx: ActionContext<MoveMessages>, state: SweepState<MoveResult>, source: string, destination: string): ActionOutcome<MoveEmailToFolderJsonResult> {
  const entries = Object.entries(state.results);
  const report = countReport(state, {
    table: {
      success: (counts) => renderPerMailbox(ctx.action.messages.success, 'MAILBOX', 'MOVED_EMAILS_NUMBER', counts),
      noMailboxesFound: (missing) => ctx.message('noMailboxesFound', { MAILBOX_LIST: missing }),
      mailboxNotFound: (m) => ctx.message('mailboxNotFound', { MAILBOX: m }),
      noEmailsFound: () => ctx.message('noEmailsFound'),
      folderNotFound: {
        [SOURCE]: (boxes) => ctx.message('sourceFolderNotFound', { MAILBOX_NAME: boxes, MAILBOX_FOLDER: source }),
        [DESTINATION]: (boxes) => ctx.message('destinationFolderNotFound', { MAILBOX_NAME: boxes, MAILBOX_FOLDER: destination }),
      },
      error: (reason) => ctx.message('error', { ERROR_REASON: reason }),
    },
    verb: 'move emails',
    count: movedCount,
    partial: (m, r) => (r.failed.length > 0 && movedCount(r) > 0 ? `Failed to move ${r.failed.length} email(s) in mailbox ${m}: ${r.failed[0].reason}` : undefined),
    noEmailsFound: 'failure',
    folderLines: 'before-missing',
    folderFailure: 'line',
  });
  const json: MoveEmailToFolderJsonResult = {
    moved_total: report.total,
    already_gone_total: entries.reduce((n, [, r]) => n + r.already_gone.length, 0),
    source_folder: source,
    destination_folder: destination,
    mailboxes: entries.map(([mailbox, r]) => ({ mailbox, ...r })),
    ...sweepSummary(state),
  };
  return report.ok ? succeeded(report.message, { json_result: json }) : failed(report.message, { json_result: json });
}
