/** Delete Email: You can use the Delete Email action to delete one or more emails from a mailbox. This action deletes emails based on your search criteria. With the appropriate permissions, the Delete Email action can move emails into different mailboxes. */
import type { GraphClient } from '../graph/types.ts';
import { folderPathLevels, wellKnownFolderName, type FolderCache } from '../mail/folders.ts';
import { findMessages, type FindRequest } from '../mail/find.ts';
import { deleteItem, permanentDeleteItem, softDeleteItem } from '../mail/message-ops.ts';
import type { MailboxVerdict } from '../mail/verdict.ts';
import { defineAction, failed, inProgress, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { progressMessage, sweepStep } from '../sweep/action.ts';
import { applyOps, type OpsPlan } from '../sweep/apply.ts';
import { inChunks, type SweepState } from '../sweep/engine.ts';
import { BATCH_SIZE_RANGE, criteriaParams, folderParam, mailIdsParam, P, requireCriterion, TIME_FRAME_RANGE } from '../sweep/inputs.ts';
import { countReport, renderPerMailbox, sweepSummary, type SweepSummary } from '../sweep/report.ts';
import type { SelectedMessage } from '../mail/shapes.ts';

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Successfully deleted emails in the following mailboxes: {MAILBOX_NAME}: {DELETED_EMAILS_NUMBER}', // success
  mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
  noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // failure
  folderNotFound: 'Action failed to delete any emails because the provided mailbox folder name was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
  noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

export const deleteEmail = defineAction({
  name: 'Delete Email',
  description: 'You can use the Delete Email action to delete one or more emails from a mailbox. This action deletes emails based on your search criteria. With the appropriate permissions, the Delete Email action can move emails into different mailboxes.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Delete In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the delete operation in. If permissions allow it, the action executes search in other mailboxes. This parameter accepts multiple values as a comma-separated string.' },
    { name: 'Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A mailbox folder to search an email in.' },
    { name: 'Mail IDs', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A filter condition to search for emails with specific email IDs. This parameter accepts a comma-separated list of email IDs to search for. If this parameter is provided, the search ignores the Subject Filter and sSender Filter parameters.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails.' },
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', ...TIME_FRAME_RANGE,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', ...BATCH_SIZE_RANGE,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
    { name: 'Deletion Type', required: false, default: 'Deleted Items', type: 'list', options: ['Deleted Items', 'Recoverable Items', 'Permanent'], beyondDocs: true,
      description: 'Not in the documentation. Where the emails go. Deleted Items (default): the documented delete, as Outlook does it; the user can still open and restore the email there (an email already in Deleted Items goes on to Recoverable Items). Recoverable Items: out of the user\'s folders into Recoverable Items (soft delete; only "Recover deleted items" brings it back). Permanent: purged (Graph permanentDelete); no client can reach it any more.' },
  ],
  messages,
  run: (ctx) => runDelete(ctx),
});

type DeleteMessages = typeof messages;

const DELETION_TYPE_PARAM = 'Deletion Type';
export type DeletionType = 'Deleted Items' | 'Recoverable Items' | 'Permanent';

/** Where a deleted email ends up, by Graph's well-known folder names (the Purges folder has none in Graph). */
export type Destination = 'deleteditems' | 'recoverableitemsdeletions' | 'recoverableitemspurges';

/** One email as the JSON result names it. */
export interface EmailRef {
  id: string;
  internetMessageId?: string;
  subject?: string;
}

/** Per mailbox: what was deleted, and what was not (JSON result; a documented departure). */
export interface DeleteResult {
  /** `destination`: where the email went (a DELETE in Deleted Items goes on to Recoverable Items). */
  deleted: Array<EmailRef & { destination: Destination }>;
  /** Mail IDs that matched nothing in this mailbox folder. */
  not_found_ids: string[];
  /**
   * Found, but gone when the delete reached it: deleted or moved by someone else meanwhile, or
   * deleted by our own DELETE whose answer was lost and whose retry then met a 404. Either way it
   * is out of the folder, so it counts in the mailbox's total (see `removedCount`).
   */
  already_gone: EmailRef[];
  failed: Array<EmailRef & { reason: string; code?: string }>;
}

/** The JSON result of Delete Email (a departure: the documentation has none; docs/deviations.md). */
export interface DeleteEmailJsonResult extends SweepSummary {
  /** Emails out of the folder because of this run (deleted, or found and gone; see `removedCount`). */
  deleted_total: number;
  already_gone_total: number;
  folder: string;
  deletion_type: DeletionType;
  mailboxes: Array<{ mailbox: string } & DeleteResult>;
}

const MAILBOX_PARAM = 'Delete In Mailbox';

/** What Delete Email reads of a found email. */
const DELETE_SELECT = ['id', 'internetMessageId', 'subject'] as const;
type DeleteCandidate = SelectedMessage<(typeof DELETE_SELECT)[number]>;

/** Emails of a mailbox no longer in the folder because of this run: deleted, or found and gone when deleted. */
export function removedCount(r: DeleteResult): number {
  return r.deleted.length + r.already_gone.length;
}

function ref(m: DeleteCandidate): EmailRef {
  return {
    id: m.id,
    ...(typeof m.internetMessageId === 'string' ? { internetMessageId: m.internetMessageId } : {}),
    ...(typeof m.subject === 'string' ? { subject: m.subject } : {}),
  };
}

/** The Graph request of one deletion type, and where it takes an email of `folder`. */
function deletionOf(type: DeletionType, folder: string): { item: (mailbox: string, id: string) => ReturnType<typeof deleteItem>; destination: Destination } {
  if (type === 'Permanent') return { item: permanentDeleteItem, destination: 'recoverableitemspurges' };
  if (type === 'Recoverable Items') return { item: softDeleteItem, destination: 'recoverableitemsdeletions' };
  const inDeletedItems = wellKnownFolderName(folderPathLevels(folder)[0]) === 'deleteditems';
  return { item: deleteItem, destination: inDeletedItems ? 'recoverableitemsdeletions' : 'deleteditems' };
}

/** One batch of mailboxes in three stages: resolve folder, find, delete (each one `$batch` round). */
export async function deleteInMailboxes(
  graph: GraphClient,
  mailboxes: string[],
  folder: string,
  req: FindRequest,
  cache?: FolderCache,
  type: DeletionType = 'Deleted Items',
): Promise<Map<string, MailboxVerdict<DeleteResult>>> {
  const deletion = deletionOf(type, folder);
  const found = await findMessages(graph, mailboxes, folder, { ...req, select: DELETE_SELECT }, { cache, which: P.folder });
  const planned = new Map<string, MailboxVerdict<OpsPlan<DeleteResult, DeleteCandidate>>>();
  for (const [m, f] of found) {
    if (f.kind !== 'done') planned.set(m, f);
    else {
      const result: DeleteResult = { deleted: [], not_found_ids: f.result.unmatchedIds, already_gone: [], failed: [] };
      planned.set(m, { kind: 'done', result: { result, ops: f.result.messages.map((msg) => ({ mailbox: m, message: msg, item: deletion.item(m, msg.id) })) } });
    }
  }
  return applyOps(graph, planned, {
    done: (r, op) => r.deleted.push({ ...ref(op.message), destination: deletion.destination }),
    gone: (r, op) => r.already_gone.push(ref(op.message)),
    failed: (r, op, why) => r.failed.push({ ...ref(op.message), reason: why.reason, ...(why.code ? { code: why.code } : {}) }),
    count: removedCount,
  });
}

async function runDelete(ctx: ActionContext<DeleteMessages>): Promise<ActionOutcome<DeleteEmailJsonResult>> {
  const folder = folderParam(ctx.params, P.folder);
  const type = ctx.params.requiredString(DELETION_TYPE_PARAM) as DeletionType;
  const ids = mailIdsParam(ctx.params);
  const criteria = criteriaParams(ctx.params);
  requireCriterion(ids, criteria, 'deleted');
  // One Time Frame window for the whole run, whichever invocation reaches a mailbox.
  const req: FindRequest = { ids, criteria, now: new Date(ctx.startedAt) };
  const step = await sweepStep<DeleteResult, DeleteMessages>(ctx, {
    mailboxParam: MAILBOX_PARAM,
    processBatch: (batch) => inChunks(batch, (chunk) => deleteInMailboxes(ctx.graph, chunk, folder, req, undefined, type)),
    // A mailbox without matches only shows that searching works, not that deleting does.
    proves: (r) => removedCount(r) > 0,
    grantedBy: ['Mail.ReadWrite'],
  });
  if (!step.finished) {
    const deleted = Object.values(step.state.results).reduce((n, r) => n + removedCount(r), 0);
    return inProgress(progressMessage(step.state, `, ${deleted} emails deleted so far`), step.state);
  }
  return finalDelete(ctx, step.state, folder, type);
}

const CANNOT_DELETE = 'ErrorCannotDeleteObject';
const DUMPSTER_HINT = `Emails already in Recoverable Items cannot be deleted again; set "${DELETION_TYPE_PARAM}" to Permanent to purge them.`;

/** Whether Exchange refused a DELETE because the email was already in Recoverable Items. */
function refusedInDumpster(state: SweepState<DeleteResult>): boolean {
  return state.failed.some((f) => f.code === CANNOT_DELETE) || Object.values(state.results).some((r) => r.failed.some((f) => f.code === CANNOT_DELETE));
}

function finalDelete(ctx: ActionContext<DeleteMessages>, state: SweepState<DeleteResult>, folder: string, type: DeletionType): ActionOutcome<DeleteEmailJsonResult> {
  const entries = Object.entries(state.results);
  const report = countReport(state, {
    table: {
      success: (counts) => renderPerMailbox(ctx.action.messages.success, 'MAILBOX_NAME', 'DELETED_EMAILS_NUMBER', counts),
      noMailboxesFound: (missing) => ctx.message('noMailboxesFound', { MAILBOX_LIST: missing }),
      mailboxNotFound: (m) => ctx.message('mailboxNotFound', { MAILBOX: m }),
      noEmailsFound: () => ctx.message('noEmailsFound'),
      folderNotFound: { [P.folder]: (boxes) => ctx.message('folderNotFound', { MAILBOX_NAME: boxes, MAILBOX_FOLDER: folder }) },
      error: (reason) => ctx.message('error', { ERROR_REASON: reason }),
    },
    verb: 'delete emails',
    count: removedCount,
    partial: (m, r) => (r.failed.length > 0 && removedCount(r) > 0 ? `Failed to delete ${r.failed.length} email(s) in mailbox ${m}: ${r.failed[0].reason}` : undefined),
    notes: type !== 'Permanent' && refusedInDumpster(state) ? [DUMPSTER_HINT] : [],
    noEmailsFound: 'failure',
    folderLines: 'after-missing',
    folderFailure: 'line',
  });
  const json: DeleteEmailJsonResult = {
    deleted_total: report.total,
    already_gone_total: entries.reduce((n, [, r]) => n + r.already_gone.length, 0),
    folder,
    deletion_type: type,
    mailboxes: entries.map(([mailbox, r]) => ({ mailbox, ...r })),
    ...sweepSummary(state),
  };
  return report.ok ? succeeded(report.message, { json_result: json }) : failed(report.message, { json_result: json });
}
