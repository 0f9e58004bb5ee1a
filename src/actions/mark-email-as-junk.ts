/** Mark Email as Junk: Use the Mark Email as Junk action to mark emails as junk in a specified mailbox. This action adds the email sender to the list of blocked senders and moves the message to the Junk Email folder. */
import type { BatchItem, GraphClient } from '../graph/types.ts';
import { segment } from '../graph/url.ts';
import { findMessages } from '../mail/find.ts';
import { parseMailIds, type DefaultMessage, type GraphMessage, type MailId, type MailIdMatch } from '../mail/mail-ids.ts';
import { classifyResult, mailboxKey, mailboxList, mailboxPath } from '../mail/mailboxes.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionMessages, type ActionOutcome } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';

/** The messages both junk actions share (their tables differ only in wording). */
export interface JunkMessages extends ActionMessages {
  success: string;
  mailIdNotFound: string;
  mailboxNotFound: string;
  error: string;
  noEmailsFound: string;
  folderNotFound: string;
}

/** What differs between Mark Email as Junk and Mark Email as Not Junk. */
export interface JunkMode {
  /** The beta action on the message. */
  operation: 'markAsJunk' | 'markAsNotJunk';
  /** The beta body: move to Junk Email / Inbox as the documented action does. */
  body: Record<string, boolean>;
  /** Folder searched when `Folder Name` is empty. */
  defaultFolder: string;
}

/**
 * One line of the JSON result (not documented; added so that playbooks can follow a message
 * to its new id, since Graph re-ids a moved message).
 */
export interface JunkResult {
  mailbox: string;
  /** The `Mail IDs` value as given. */
  mail_id: string;
  outcome: 'marked' | 'not_found' | 'mailbox_not_found' | 'folder_not_found' | 'failed';
  /** The Graph id the message had when found. */
  id?: string;
  /** Its id after the action (a moved message gets a new one). */
  new_id?: string;
  internet_message_id?: string;
  /** The folder the message is in now. */
  parent_folder_id?: string;
  reason?: string;
}

/** The JSON result of Mark Email as Junk and of Mark Email as Not Junk: one line per Mail ID and mailbox. */
export type JunkJsonResult = JunkResult[];
export type MarkEmailAsJunkJsonResult = JunkJsonResult;

interface MailboxRun {
  mailbox: string;
  /** The finder's verdict's kind: done, missing, folderNotFound or failed. */
  kind: 'done' | 'missing' | 'folderNotFound' | 'failed';
  /** Graph's own message of a failure (the junk results name it without the request id). */
  reason?: string;
  /** Per `Mail IDs` entry: the messages it matched. */
  lookups: MailIdMatch<DefaultMessage>[];
}

function mailIdsOf(ctx: ActionContext<JunkMessages>): MailId[] {
  const ids = parseMailIds(ctx.params.list('Mail IDs'));
  if (ids.length === 0) throw new InputError('Parameter "Mail IDs" holds no mail id (give Graph ids or internetMessageIds, comma-separated).', 'Mail IDs');
  return ids;
}

function folderOf(ctx: ActionContext<JunkMessages>, mode: JunkMode): string {
  const path = ctx.params.string('Folder Name') ?? mode.defaultFolder;
  if (path.split('/').every((level) => level.trim() === '')) {
    throw new InputError(`Parameter "Folder Name" names no folder, got "${path}".`, 'Folder Name');
  }
  return path;
}

/**
 * Folder and ids of every mailbox through the sweeps' finder: one `$batch` per folder path
 * level, one for the lookups of every id in every mailbox (plus further pages, rare).
 */
async function locateAll(ctx: ActionContext<JunkMessages>, mailboxes: string[], path: string, ids: MailId[]): Promise<MailboxRun[]> {
  const found = await findMessages(ctx.graph, mailboxes, path, { ids, criteria: {}, now: new Date(ctx.startedAt) });
  return mailboxes.map((mailbox): MailboxRun => {
    const v = found.get(mailbox)!;
    if (v.kind === 'done') return { mailbox, kind: v.kind, lookups: v.result.matches };
    if (v.kind === 'missing') return { mailbox, kind: v.kind, lookups: ids.map((mailId) => ({ mailId, messages: [] })) };
    if (v.kind === 'folderNotFound') return { mailbox, kind: v.kind, lookups: [] };
    return { mailbox, kind: v.kind, reason: v.error instanceof Error ? v.error.message : v.reason, lookups: [] };
  });
}

function markItem(mode: JunkMode, mailbox: string, id: string): BatchItem {
  return { method: 'POST', url: `${mailboxPath(mailbox)}/messages/${segment(id)}/${mode.operation}`, body: mode.body, mailbox };
}

/** Marks every found message (one beta `$batch` stage) and returns the per-id results. */
async function markAll(graph: GraphClient, mode: JunkMode, runs: MailboxRun[]): Promise<JunkResult[]> {
  const out: JunkResult[] = [];
  // One request per message even when two ids (its Graph id and its internetMessageId) meet it;
  // every id that met it gets the same outcome.
  const todo = new Map<string, { mailbox: string; id: string; results: JunkResult[] }>();
  for (const run of runs) {
    for (const lookup of run.lookups) {
      const base = { mailbox: run.mailbox, mail_id: lookup.mailId.input };
      if (run.kind === 'missing') {
        out.push({ ...base, outcome: 'mailbox_not_found' });
      } else if (lookup.messages.length === 0) {
        out.push({ ...base, outcome: 'not_found' });
      } else {
        for (const m of lookup.messages) {
          const result: JunkResult = { ...base, outcome: 'failed', id: m.id, ...(m.internetMessageId ? { internet_message_id: m.internetMessageId } : {}) };
          out.push(result);
          const key = `${mailboxKey(run.mailbox)}\n${m.id}`;
          const task = todo.get(key);
          if (task) task.results.push(result);
          else todo.set(key, { mailbox: run.mailbox, id: m.id, results: [result] });
        }
      }
    }
  }
  const tasks = [...todo.values()];
  // message-markasjunk.md / message-markasnotjunk.md (beta): Graph answers with the message (moved or not).
  const answers = await graph.batch<GraphMessage>(tasks.map((t) => markItem(mode, t.mailbox, t.id)), { version: 'beta' });
  tasks.forEach((t, i) => {
    const r = classifyResult(answers[i], 'item');
    for (const result of t.results) {
      if (r.kind === 'ok') {
        result.outcome = 'marked';
        result.new_id = typeof r.body?.id === 'string' ? r.body.id : t.id;
        if (typeof r.body?.parentFolderId === 'string') result.parent_folder_id = r.body.parentFolderId;
      } else if (r.kind === 'notFound') {
        // Gone between lookup and marking (moved or deleted meanwhile).
        result.outcome = 'not_found';
      } else if (r.kind === 'missing') {
        result.outcome = 'mailbox_not_found';
      } else {
        result.reason = r.error.message;
      }
    }
  });
  return out;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The shared run of Mark Email as Junk and Mark Email as Not Junk. */
export async function runJunkAction(ctx: ActionContext<JunkMessages>, mode: JunkMode): Promise<ActionOutcome<JunkJsonResult>> {
  const ids = mailIdsOf(ctx);
  const path = folderOf(ctx, mode);
  const mailboxes = mailboxList(ctx.params.list('Search In Mailbox'), ctx.config.defaultMailbox, { emptyMeansDefault: true });
  if (mailboxes.length === 0) throw new InputError('Parameter "Search In Mailbox" names no mailbox.', 'Search In Mailbox');
  const runs = await locateAll(ctx, mailboxes, path, ids);

  const missing = runs.filter((r) => r.kind === 'missing').map((r) => r.mailbox);
  const folderNotFound = runs.filter((r) => r.kind === 'folderNotFound');
  // Nothing has been changed yet: a wrong folder is the user's input to fix, for every mailbox at once.
  if (folderNotFound.length > 0) {
    const lines = folderNotFound.map((r) => ctx.message('folderNotFound', { MAILBOX_FOLDER: path, MAILBOX: r.mailbox }));
    if (missing.length > 0) lines.push(ctx.message('mailboxNotFound', { MAILBOX: missing }));
    const json_result: JunkResult[] = runs.flatMap((r) =>
      r.kind === 'folderNotFound' ? ids.map((id) => ({ mailbox: r.mailbox, mail_id: id.input, outcome: 'folder_not_found' as const })) : [],
    );
    return failed(lines.join('\n'), { json_result });
  }

  const failedMailboxes = runs.filter((r) => r.kind === 'failed');
  const results = await markAll(ctx.graph, mode, runs.filter((r) => r.kind === 'done' || r.kind === 'missing'));
  for (const r of failedMailboxes) for (const id of ids) results.push({ mailbox: r.mailbox, mail_id: id.input, outcome: 'failed', reason: r.reason });
  const missingNow = unique([...missing, ...results.filter((r) => r.outcome === 'mailbox_not_found').map((r) => r.mailbox)]);

  const marked = results.filter((r) => r.outcome === 'marked');
  const lines: string[] = [];
  if (marked.length > 0) lines.push(ctx.message('success'));
  for (const mailbox of unique(results.map((r) => r.mailbox))) {
    // An id counts as found in a mailbox when any message it matched there was marked or failed.
    const notFound = unique(
      results.filter((r) => r.mailbox === mailbox && r.outcome === 'not_found').map((r) => r.mail_id),
    ).filter((id) => !results.some((r) => r.mailbox === mailbox && r.mail_id === id && r.outcome !== 'not_found'));
    if (notFound.length > 0) lines.push(ctx.message('mailIdNotFound', { ID: notFound, MAILBOX: mailbox }));
  }
  if (missingNow.length > 0 && missingNow.length < mailboxes.length) lines.push(ctx.message('mailboxNotFound', { MAILBOX: missingNow }));
  const failures = results.filter((r) => r.outcome === 'failed');
  const failureReason = unique(failures.map((r) => `${r.mail_id} in ${r.mailbox}: ${r.reason ?? 'unknown error'}`)).join('; ');

  if (marked.length > 0) {
    if (failures.length > 0) lines.push(ctx.message('error', { ERROR_REASON: `could not mark ${failureReason}` }));
    return succeeded(lines.join('\n'), { json_result: results });
  }
  if (missingNow.length === mailboxes.length) {
    return failed(ctx.message('error', { ERROR_REASON: `Failed to find any of the provided mailboxes: ${missingNow.join(', ')}.` }), { json_result: results });
  }
  if (failures.length > 0) {
    return failed([ctx.message('error', { ERROR_REASON: `could not mark ${failureReason}` }), ...lines].join('\n'), { json_result: results });
  }
  return failed([ctx.message('noEmailsFound'), ...lines].join('\n'), { json_result: results });
}

export const markEmailAsJunk = defineAction({
  name: 'Mark Email as Junk',
  description: 'Use the Mark Email as Junk action to mark emails as junk in a specified mailbox. This action adds the email sender to the list of blocked senders and moves the message to the Junk Email folder.',
  async: false,
  entities: 'none',
  betaApi: true,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses', defaultsToDefaultMailbox: true,
      description: 'A mailbox to search for an email in. By default, the action attempts to search for the email in the default mailbox that you specified in the integration configuration. To execute a search in other mailboxes, configure appropriate permissions for the action. This parameter accepts multiple values as a comma separated string.' },
    { name: 'Folder Name', required: true, default: 'Inbox', type: 'string', options: null,
      description: 'A mailbox folder to execute search in. The default value is Inbox.' },
    { name: 'Mail IDs', required: true, default: null, type: 'string', options: null, format: 'list',
      description: 'The IDs or internetMessageId values of the mails to mark as junk. This parameter accepts multiple values as a comma separated string.' },
  ],
  messages: {
    success: 'Successfully marked the email as junk.', // success
    mailIdNotFound: 'Failed to find email with ID {ID} in {MAILBOX}.', // success
    mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
    error: 'Error executing action "Mark Email as Junk". Reason: {ERROR_REASON}', // failure
    noEmailsFound: 'Failed to find any emails based on provided parameters!', // failure
    folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX}.', // failure
  },
  run: (ctx) => runJunkAction(ctx, { operation: 'markAsJunk', body: { moveToJunk: true }, defaultFolder: 'Inbox' }),
});
