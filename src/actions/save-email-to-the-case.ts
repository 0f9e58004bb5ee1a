/** Save Email To The Case: Use the Save Email To The Case action to save emails or email attachments to the Google SecOps Case Wall. With the appropriate permissions, this action can save emails from mailboxes other than the one provided in the integration configuration. */
import type { GraphClient } from '../graph/types.ts';
import { collectCapped, fileNameOf } from '../mail/attached-mail.ts';
import { attachmentsAsCaseWallFiles, CASE_WALL_MAX_BYTES, CaseWallNames } from './case-wall-files.ts';
import { findMessages } from '../mail/find.ts';
import { listAttachments, openMessageMime, type AttachmentInfo } from '../mail/attachments.ts';
import { emlFileName } from '../mail/destinations/safe-name.ts';
import { parseMailIds, type GraphMessage } from '../mail/mail-ids.ts';
import { mailboxList } from '../mail/mailboxes.ts';
import { optionalFolderParam } from '../sweep/inputs.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';
import { attachment, type CaseWallAttachment } from '../soar/result.ts';

const messages = {
  success: 'Email successfully saved!', // success
  attachmentsSaved: 'Successfully saved the following attachments: {ATTACHMENTS_LIST}', // success
  attachmentsNotFound: 'The following attachments were not found in email with mail id: {EMAIL_ID}: {ATTACHMENTS_LIST}', // success
  mailboxNotFound: 'Mailbox {MAILBOX_NAME} was not found.', // failure
  folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX_NAME}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

export const saveEmailToTheCase = defineAction({
  name: 'Save Email To The Case',
  description: 'Use the Save Email To The Case action to save emails or email attachments to the Google SecOps Case Wall. With the appropriate permissions, this action can save emails from mailboxes other than the one provided in the integration configuration.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null,
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes.' },
    { name: 'Folder Name', required: false, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null, format: 'list',
      description: 'The email ID to search for. This parameter accepts a comma-separated list of email IDs to search for.' },
    { name: 'Save Only Email Attachments', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action saves only attachments from the specified email. Not selected by default.' },
    { name: 'Attachment To Save', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'If the Save Only Email Attachments parameter is selected, the action only saves attachments specified by this parameter. This parameter accepts multiple values as a comma-separated string.' },
  ],
  messages,
  run: (ctx) => runSave(ctx),
});

type SaveMessages = typeof messages;

const P = { mailbox: 'Search In Mailbox', folder: 'Folder Name', mailId: 'Mail ID', onlyAttachments: 'Save Only Email Attachments', names: 'Attachment To Save' } as const;

/** The case wall holds what it is given in memory (base64): no email or attachment beyond this. */
export { CASE_WALL_MAX_BYTES };

function mailboxOf(ctx: ActionContext<SaveMessages>): string {
  const given = mailboxList(ctx.params.string(P.mailbox), ctx.config.defaultMailbox);
  if (given.length === 0) throw new InputError(`Missing required parameter "${P.mailbox}".`, P.mailbox);
  if (given.length > 1) {
    throw new InputError(`Parameter "${P.mailbox}" takes one mailbox, got ${given.length}: ${given.join(', ')}.`, P.mailbox);
  }
  return given[0];
}

/** The email's MIME (`$value`), as Exchange has it. */
async function readMime(graph: GraphClient, mailbox: string, messageId: string): Promise<Buffer> {
  return collectCapped(await openMessageMime(graph, mailbox, messageId), CASE_WALL_MAX_BYTES, `the email ${messageId}`);
}


/** One email of the JSON result: the message as Graph has it (without `@odata.*` annotations) and what was saved of it. */
export type SavedEmailJson = GraphMessage & {
  /** The saved .eml file's name; null when only attachments were saved. */
  eml_info: string | null;
  saved_attachments?: string[];
  not_found_attachments?: string[];
};

/** The JSON result: one object for one email, a list for several (docs/deviations.md). */
export type SaveEmailToTheCaseJsonResult = SavedEmailJson | SavedEmailJson[];

interface SavedEmail {
  json: SavedEmailJson;
  files: CaseWallAttachment[];
  saved: string[];
  notFound: string[];
  failures: string[];
}

/** The message as the documented JSON shows it: Graph's properties without the OData annotations. */
function messageJson(message: GraphMessage): GraphMessage {
  // Only annotation keys are dropped, so what is left is still the message (key order kept).
  return Object.fromEntries(Object.entries(message).filter(([k]) => !k.startsWith('@odata.'))) as GraphMessage;
}

async function saveEmail(graph: GraphClient, mailbox: string, message: GraphMessage, names: CaseWallNames): Promise<SavedEmail> {
  const mime = await readMime(graph, mailbox, message.id);
  const fileName = names.claim(emlFileName(message.subject));
  return {
    json: { ...messageJson(message), eml_info: fileName },
    files: [attachment(fileName, fileName, mime)],
    saved: [fileName],
    notFound: [],
    failures: [],
  };
}

async function saveAttachments(graph: GraphClient, mailbox: string, message: GraphMessage, wanted: readonly string[], names: CaseWallNames): Promise<SavedEmail> {
  const all = await listAttachments(graph, mailbox, message.id);
  let chosen: AttachmentInfo[];
  const notFound: string[] = [];
  if (wanted.length > 0) {
    const byName = (n: string) => all.filter((a) => a.name.trim().toLowerCase() === n.trim().toLowerCase() || fileNameOf(a.name, 'eml').toLowerCase() === n.trim().toLowerCase());
    chosen = [];
    for (const n of wanted) {
      const hits = byName(n);
      if (hits.length === 0) notFound.push(n);
      for (const h of hits) if (!chosen.includes(h)) chosen.push(h);
    }
  } else {
    // Inline parts are the body's pictures (signatures, logos); ask for them by name to save them.
    chosen = all.filter((a) => !a.isInline);
  }
  const { files, saved, failures } = await attachmentsAsCaseWallFiles(graph, mailbox, message.id, chosen, names);
  const json = { ...messageJson(message), eml_info: null, saved_attachments: saved, not_found_attachments: notFound };
  return { json, files, saved, notFound, failures };
}

async function runSave(ctx: ActionContext<SaveMessages>): Promise<ActionOutcome<SaveEmailToTheCaseJsonResult>> {
  const mailbox = mailboxOf(ctx);
  const folder = optionalFolderParam(ctx.params, P.folder);
  const ids = parseMailIds(ctx.params.list(P.mailId));
  if (ids.length === 0) throw new InputError(`Parameter "${P.mailId}" holds no mail id (give a Graph id or an internetMessageId).`, P.mailId);
  const onlyAttachments = ctx.params.boolean(P.onlyAttachments);
  const wanted = onlyAttachments ? ctx.params.list(P.names) : [];

  const verdict = (await findMessages(ctx.graph, [mailbox], folder, { ids, criteria: {}, now: new Date(ctx.startedAt), select: 'all' })).get(mailbox)!;
  if (verdict.kind === 'missing') return failed(ctx.message('mailboxNotFound', { MAILBOX_NAME: mailbox }));
  if (verdict.kind === 'folderNotFound') return failed(ctx.message('folderNotFound', { MAILBOX_FOLDER: folder ?? '', MAILBOX_NAME: mailbox }));
  if (verdict.kind === 'failed') throw verdict.error;
  const found = verdict.result;
  if (found.messages.length === 0) {
    const where = folder === null ? `mailbox ${mailbox}` : `folder ${folder} of mailbox ${mailbox}`;
    return failed(ctx.message('error', { ERROR_REASON: `no email with mail id ${found.unmatchedIds.join(', ')} was found in the ${where}.` }));
  }

  const results: SavedEmail[] = [];
  const names = new CaseWallNames();
  for (const m of found.messages) results.push(onlyAttachments ? await saveAttachments(ctx.graph, mailbox, m, wanted, names) : await saveEmail(ctx.graph, mailbox, m, names));

  const json_result = results.length === 1 ? results[0].json : results.map((r) => r.json);
  const case_wall = { attachments: results.flatMap((r) => r.files) };
  const saved = results.flatMap((r) => r.saved);
  const lines: string[] = [];
  if (saved.length > 0) lines.push(onlyAttachments ? ctx.message('attachmentsSaved', { ATTACHMENTS_LIST: saved }) : ctx.message('success'));
  results.forEach((r, i) => {
    if (r.notFound.length > 0) lines.push(ctx.message('attachmentsNotFound', { EMAIL_ID: found.messages[i].id, ATTACHMENTS_LIST: r.notFound }));
  });
  if (found.unmatchedIds.length > 0) lines.push(`No email was found in ${mailbox} with the following mail ids: ${found.unmatchedIds.join(', ')}`);
  const failures = results.flatMap((r) => r.failures);
  if (saved.length > 0) {
    if (failures.length > 0) lines.push(`Failed to save the following attachments: ${failures.join('; ')}`);
    return succeeded(lines.join('\n'), { json_result, case_wall });
  }
  if (failures.length > 0) return failed([ctx.message('error', { ERROR_REASON: `could not save ${failures.join('; ')}` }), ...lines].join('\n'), { json_result });
  if (lines.length > 0) return failed(lines.join('\n'), { json_result });
  const none = found.messages.map((m) => m.id).join(', ');
  return failed(ctx.message('error', { ERROR_REASON: `the email with mail id ${none} has no attachments to save.` }), { json_result });
}
