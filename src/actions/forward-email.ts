/** Forward Email: Use the Forward Email action to forward emails that include previous threads. With the appropriate permissions, this action can send emails from a mailbox different than the one specified in the integration configuration. */
import { sendWithId } from '../mail/send/draft.ts';
import { findOriginal } from '../mail/send/original.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { optionalFolderParam } from '../sweep/inputs.ts';
import { localAttachments, recipientsOf, sendFromOf, sentJson, type SentMessageJson } from './sending.ts';

/** The sent forward as Sent Items has it, by its immutable id, or just the id. */
export type ForwardEmailJsonResult = SentMessageJson;

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Email with message ID {MAIL_ID} was forwarded successfully.', // success
  // DECISIONS: documented with EMAIL_ID; one placeholder (MAIL_ID) for the mail id.
  mailIdNotFound: 'Error executing action "Forward Email" because the provided mail id {MAIL_ID} was not found.', // failure
  // DECISIONS: documented as "failed to delete any emails".
  folderNotFound: 'Action failed to forward any emails because the provided mailbox folder name was not found in the mailbox(es): {MAILBOX}: {MAILBOX_FOLDER}', // failure
  attachmentsNotFound: 'Action failed to run because specified attachments were not found: {ATTACHMENTS_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};
type Messages = typeof messages;

async function run(ctx: ActionContext<Messages>): Promise<ActionOutcome<ForwardEmailJsonResult>> {
  const from = sendFromOf(ctx);
  const mailId = ctx.params.string('Mail ID') ?? '';
  const folder = optionalFolderParam(ctx.params, 'Folder Name');
  const recipients = recipientsOf(ctx, false);
  const attachments = await localAttachments(ctx, (paths) => failed(ctx.message('attachmentsNotFound', { ATTACHMENTS_LIST: paths })));
  if (!Array.isArray(attachments)) return attachments;
  const original = await findOriginal(ctx.graph, from, folder, mailId, 'Mail ID', new Date(ctx.startedAt));
  if (original.kind === 'folderNotFound') return failed(ctx.message('folderNotFound', { MAILBOX: from, MAILBOX_FOLDER: folder ?? '' }));
  if (original.kind === 'mailboxMissing') return failed(ctx.message('error', { ERROR_REASON: `mailbox ${from} was not found.` }));
  if (original.kind !== 'found') return failed(ctx.message('mailIdNotFound', { MAIL_ID: mailId }));
  const subject = ctx.params.string('Subject');
  // createForward keeps the original's attachments; the new ones are added to the draft.
  const sent = await sendWithId(
    ctx.graph,
    {
      from,
      source: { kind: 'forward', messageId: original.id },
      comment: ctx.params.string('Mail content') ?? '',
      message: { ...(subject ? { subject } : {}), toRecipients: recipients.toRecipients, ccRecipients: recipients.ccRecipients, bccRecipients: recipients.bccRecipients },
      attachments,
    },
    { clock: ctx.clock },
  );
  return succeeded(ctx.message('success', { MAIL_ID: mailId }), { json_result: sentJson(sent) });
}

export const forwardEmail = defineAction({
  name: 'Forward Email',
  description: 'Use the Forward Email action to forward emails that include previous threads. With the appropriate permissions, this action can send emails from a mailbox different than the one specified in the integration configuration.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Send From', required: true, default: null, type: 'string', options: null, defaultsToDefaultMailbox: true,
      description: 'An optional email address from which to send an email if permissions allow it. By default, the email is sent from the default mailbox that is specified in the integration configuration.' },
    { name: 'Folder Name', required: false, default: null, type: 'string', options: null,
      description: 'A mailbox folder to search an email in.' },
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null,
      description: 'The ID of the email to forward.' },
    { name: 'Subject', required: true, default: null, type: 'string', options: null,
      description: 'The email subject.' },
    { name: 'Send to', required: true, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email recipients, such as user1@example.com, user2@example.com.' },
    { name: 'CC', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email CC field. The format is the same as for the Send to parameter.' },
    { name: 'BCC', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email BCC field. The format is the same as for the Send to parameter.' },
    { name: 'Attachments Paths', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A comma-separated list of paths for file attachments stored on the server, for example, /FILE_DIRECTORY/file.pdf, /FILE_DIRECTORY/image.jpg.' },
    { name: 'Mail content', required: true, default: null, type: 'string', options: null,
      description: 'The email body.' },
  ],
  messages,
  run,
});
