/** Search Emails: Use the Search Emails action to execute email search in the default mailbox based on the provided search criteria. With appropriate permissions, this action can run a search in other mailboxes. */
import type { GraphClient } from '../graph/types.ts';
import { findMessages, type FindRequest } from '../mail/find.ts';
import type { FolderCache } from '../mail/folders.ts';
import type { MessageOf } from '../mail/mail-ids.ts';
import type { Recipient } from '../mail/shapes.ts';
import type { MailboxVerdict } from '../mail/verdict.ts';
import { defineAction, failed, inProgress, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { progressMessage, sweepStep } from '../sweep/action.ts';
import { inChunks, type SweepState } from '../sweep/engine.ts';
import { BATCH_SIZE_RANGE, criteriaParams, folderParam, MAX_EMAILS_RANGE, P, TIME_FRAME_RANGE } from '../sweep/inputs.ts';
import { countReport, renderPerMailbox, sweepSummary, type SweepSummary } from '../sweep/report.ts';
import { table } from '../soar/result.ts';

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // success
  success: 'Successfully found emails in the following mailboxes: {MAILBOX}: {FOUND_EMAILS_NUMBER}', // success
  mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
  noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

export const searchEmails = defineAction({
  name: 'Search Emails',
  description: 'Use the Search Emails action to execute email search in the default mailbox based on the provided search criteria. With appropriate permissions, this action can run a search in other mailboxes.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes. This parameter accepts multiple values as a comma-separated string. For complex searches against a significant number of mailboxes, use the Exchange Extension Pack integration.' },
    { name: 'Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for. This filter uses the contains logic.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails. This filter uses the equals logic.' },
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', ...TIME_FRAME_RANGE,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Max Emails To Return', required: false, default: null, type: 'string', options: null, format: 'integer', ...MAX_EMAILS_RANGE,
      description: 'The number of emails for the action to return. If you provide no value, the API default value is used.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'Select All Fields For Return', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action returns all available fields for the obtained email. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', ...BATCH_SIZE_RANGE,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages,
  run: (ctx) => runSearch(ctx),
});

type SearchMessages = typeof messages;

const MAILBOX_PARAM = 'Search In Mailbox';
export const MATCHING_MAILS_TITLE = 'Matching Mails';
export const MATCHING_MAILS_COLUMNS = ['Mail ID', 'Subject', 'Sender', 'Receivers', 'Received Date'];

/** What Search Emails reads of an email: DEFAULT_MESSAGE_FIELDS, or with `Select All Fields For Return` no `$select` ('all'). */
type SearchSelection = 'all' | undefined;

/** An email as Search Emails returns it. */
export type SearchedEmail = MessageOf<SearchSelection>;

/** Per mailbox: the matching emails, newest first. */
export interface SearchResult {
  emails: SearchedEmail[];
}

/** The JSON result of Search Emails (a departure: the documentation has none; DECISIONS.md). */
export interface SearchEmailsJsonResult extends SweepSummary {
  found_total: number;
  folder: string;
  mailboxes: Array<{ mailbox: string; emails: SearchedEmail[] }>;
}

/** One batch of mailboxes: resolve folder, then one filtered list per mailbox (+ further pages), all via `$batch`. */
export async function searchInMailboxes(
  graph: GraphClient,
  mailboxes: string[],
  folder: string,
  req: FindRequest<SearchSelection>,
  cache?: FolderCache,
): Promise<Map<string, MailboxVerdict<SearchResult>>> {
  const found = await findMessages(graph, mailboxes, folder, req, { cache, which: P.folder });
  return new Map([...found].map(([m, f]) => [m, f.kind === 'done' ? { kind: 'done', result: { emails: f.result.messages } } : f]));
}

function address(r: Recipient | null | undefined): string {
  const a = r?.emailAddress;
  return typeof a?.address === 'string' ? a.address : typeof a?.name === 'string' ? a.name : '';
}

function row(m: SearchedEmail): Record<string, unknown> {
  const to = Array.isArray(m.toRecipients) ? m.toRecipients.map(address).filter((x) => x !== '') : [];
  return {
    'Mail ID': m.id,
    Subject: m.subject ?? '',
    Sender: address(m.from),
    Receivers: to.join(', '),
    'Received Date': m.receivedDateTime ?? '',
  };
}

async function runSearch(ctx: ActionContext<SearchMessages>): Promise<ActionOutcome<SearchEmailsJsonResult>> {
  const folder = folderParam(ctx.params, P.folder);
  const criteria = criteriaParams(ctx.params);
  const req: FindRequest<SearchSelection> = {
    ids: [],
    criteria,
    now: new Date(ctx.startedAt),
    max: ctx.params.integer(P.max),
    select: ctx.params.boolean(P.selectAll) ? 'all' : undefined,
  };
  const step = await sweepStep<SearchResult, SearchMessages>(ctx, {
    mailboxParam: MAILBOX_PARAM,
    processBatch: (batch) => inChunks(batch, (chunk) => searchInMailboxes(ctx.graph, chunk, folder, req)),
    grantedBy: ['Mail.Read', 'Mail.ReadWrite'],
  });
  if (!step.finished) {
    const found = Object.values(step.state.results).reduce((n, r) => n + r.emails.length, 0);
    return inProgress(progressMessage(step.state, `, ${found} emails found so far`), step.state);
  }
  return finalSearch(ctx, step.state, folder);
}

function finalSearch(ctx: ActionContext<SearchMessages>, state: SweepState<SearchResult>, folder: string): ActionOutcome<SearchEmailsJsonResult> {
  const entries = Object.entries(state.results);
  const report = countReport(state, {
    table: {
      success: (counts) => renderPerMailbox(ctx.action.messages.success, 'MAILBOX', 'FOUND_EMAILS_NUMBER', counts),
      noMailboxesFound: (missing) => ctx.message('noMailboxesFound', { MAILBOX_LIST: missing }),
      mailboxNotFound: (m) => ctx.message('mailboxNotFound', { MAILBOX: m }),
      noEmailsFound: () => ctx.message('noEmailsFound'),
      // Search Emails documents no folder-not-found message: it is named like a failed mailbox.
      folderNotFound: { [P.folder]: (boxes) => `Folder ${folder} was not found in the following mailboxes: ${boxes.join(', ')}` },
      error: (reason) => ctx.message('error', { ERROR_REASON: reason }),
    },
    verb: 'search emails',
    count: (r) => r.emails.length,
    // Finding nothing is an answer; no mailbox having the folder (a typo, most likely) is a failure,
    // as in the other sweeps, so a playbook does not read "no phish here" from a search that never looked.
    noEmailsFound: 'success',
    folderLines: 'after-missing',
    folderFailure: 'error',
  });
  const json: SearchEmailsJsonResult = {
    found_total: report.total,
    folder,
    mailboxes: entries.map(([mailbox, r]) => ({ mailbox, emails: r.emails })),
    ...sweepSummary(state),
  };
  if (!report.ok) return failed(report.message, { json_result: json });
  const wall = {
    tables: report.total > 0 ? [table(MATCHING_MAILS_TITLE, MATCHING_MAILS_COLUMNS, entries.flatMap(([, r]) => r.emails.map(row)))] : [],
  };
  return succeeded(report.message, { json_result: json, case_wall: wall });
}
