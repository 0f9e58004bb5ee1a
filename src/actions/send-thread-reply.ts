/** Send Thread Reply: Use the Send Thread Reply action to send a message as a reply to the email thread. With appropriate permissions, the action can send emails from a mailbox other than the one specified in the integration configuration. */
import { sendWithId } from '../mail/send/draft.ts';
import { findOriginal } from '../mail/send/original.ts';
import { parseRecipientParameters } from '../mail/send/recipients.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { optionalFolderParam } from '../sweep/inputs.ts';
import { localAttachments, sendFromOf, sentJson, type SentMessageJson } from './sending.ts';

/** The sent reply as Sent Items has it, by its immutable id (what the waiting actions follow), or just the id. */
export type SendThreadReplyJsonResult = SentMessageJson;

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Successfully sent reply to the mail with ID: {EMAIL_ID}', // success
  replyToRequired: 'Error executing action "Send Thread Reply". Reason: if you want to send a reply only to your own email address, you need to work with "Reply To" parameter.', // failure
  mailIdNotFound: 'Error executing action "Send Thread Reply" because the provided mail id {EMAIL_ID} was not found.', // failure
  attachmentsNotFound: 'Action failed to run because specified attachments were not found: {ATTACHMENTS_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};
type Messages = typeof messages;

async function run(ctx: ActionContext<Messages>): Promise<ActionOutcome<SendThreadReplyJsonResult>> {
  const from = sendFromOf(ctx);
  const mailId = ctx.params.string('Mail ID') ?? '';
  const folder = optionalFolderParam(ctx.params, 'Folder Name');
  const replyAll = ctx.params.boolean('Reply All');
  const { toRecipients: explicit } = parseRecipientParameters({ to: { parameter: 'Reply To', value: ctx.params.string('Reply To') } });
  const attachments = await localAttachments(ctx, (paths) => failed(ctx.message('attachmentsNotFound', { ATTACHMENTS_LIST: paths })));
  if (!Array.isArray(attachments)) return attachments;
  const original = await findOriginal(ctx.graph, from, folder, mailId, 'Mail ID', new Date(ctx.startedAt));
  if (original.kind === 'mailboxMissing') return failed(ctx.message('error', { ERROR_REASON: `mailbox ${from} was not found.` }));
  if (original.kind !== 'found') return failed(ctx.message('mailIdNotFound', { EMAIL_ID: mailId }));
  // Replying to one's own email would only reach oneself unless Reply To says who else.
  const self = from.toLowerCase();
  const others = replyAll ? original.toAddresses.filter((a) => a !== self) : [];
  if (explicit.length === 0 && original.from === self && others.length === 0) return failed(ctx.message('replyToRequired'));
  const sent = await sendWithId(
    ctx.graph,
    {
      from,
      source: { kind: replyAll ? 'replyAll' : 'reply', messageId: original.id },
      comment: ctx.params.string('Mail Content') ?? '',
      // Reply To replaces the recipients Graph put on the reply draft.
      message: explicit.length > 0 ? { toRecipients: explicit } : {},
      attachments,
    },
    { clock: ctx.clock },
  );
  return succeeded(ctx.message('success', { EMAIL_ID: mailId }), { json_result: sentJson(sent) });
}

export const sendThreadReply = defineAction({
  name: 'Send Thread Reply',
  description: 'Use the Send Thread Reply action to send a message as a reply to the email thread. With appropriate permissions, the action can send emails from a mailbox other than the one specified in the integration configuration.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Send From', required: true, default: null, type: 'string', options: null, defaultsToDefaultMailbox: true,
      description: 'An optional email address from which to send emails if permissions allow it. By default, the action sends emails from the default mailbox that is specified in the integration configuration.' },
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null,
      description: 'The email ID to search for.' },
    { name: 'Folder Name', required: false, default: 'Inbox', type: 'string', options: null,
      description: 'A mailbox folder to execute the search in. The default value is Inbox.' },
    { name: 'Attachments Paths', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A comma-separated list of paths for file attachments stored on the server, for example, /FILE_DIRECTORY/file.pdf, /FILE_DIRECTORY/image.jpg.' },
    { name: 'Mail Content', required: true, default: null, type: 'string', options: null,
      description: 'The email body.' },
    { name: 'Reply All', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action sends a reply to all recipients related to the original email. Not selected by default. This parameter has priority over the Reply To parameter.' },
    { name: 'Reply To', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of emails to send the reply to. If you provide no value and the Reply All checkbox is clear, the action only sends a reply to the original email sender. If the Reply All checkbox is selected, the action ignores this parameter.' },
  ],
  messages,
  run,
});
