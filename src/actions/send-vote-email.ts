/** Send Vote Email: Use the Send Vote Email action to send emails with the predefined answering options. This action uses Google SecOps HTML templates to format the email. With appropriate permissions, the Send Vote Email action can send emails from a mailbox other than the default one. */
import { votingOptions } from '../mail/compose/vote.ts';
import { defineAction, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { runHtmlMail, type SentMessageJson } from './sending.ts';

/** The sent message as Sent Items has it, by its immutable id (or just the id when the copy did not show in time). */
export type SendVoteEmailJsonResult = SentMessageJson;

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Email was sent successfully.', // success
  templateNotSpecified: 'Action failed to run because the HTML template was not specified.', // failure
  attachmentsNotFound: 'Action failed to run because the following specified attachments were not found: {ATTACHMENT_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};
type Messages = typeof messages;

async function run(ctx: ActionContext<Messages>): Promise<ActionOutcome<SendVoteEmailJsonResult>> {
  return runHtmlMail(ctx, votingOptions(ctx.params.string('Structure of voting options') ?? 'Yes/No'));
}

export const sendVoteEmail = defineAction({
  name: 'Send Vote Email',
  description: 'Use the Send Vote Email action to send emails with the predefined answering options. This action uses Google SecOps HTML templates to format the email. With appropriate permissions, the Send Vote Email action can send emails from a mailbox other than the default one.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Send From', required: true, default: null, type: 'string', options: null, defaultsToDefaultMailbox: true,
      description: 'An optional email address from which to send emails if permissions allow it. By default, the action sends emails from the default mailbox specified in the integration configuration.' },
    { name: 'Subject', required: true, default: null, type: 'string', options: null,
      description: 'The email subject.' },
    { name: 'Send to', required: true, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email recipients, such as user1@example.com, user2@example.com.' },
    { name: 'CC', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email CC field. The format is the same as for the Send to parameter.' },
    { name: 'BCC', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of email addresses for the email BCC field. The format is the same as for the Send to parameter.' },
    { name: 'Attachments Paths', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A full path for the attachment to provide, for example, /FILE_DIRECTORY/file.pdf, /FILE_DIRECTORY/image.jpg. You can provide multiple values in a comma-separated string.' },
    { name: 'Email HTML Template', required: true, default: 'Email HTML Template', type: 'list', options: ['Email HTML Template', 'Dynamically generated list of available templates'], openOptions: true,
      description: 'The type of the HTML template to use. The default value is Email HTML Template. Possible values: • Email HTML Template • Dynamically generated list of available templates' },
    { name: 'Mail Content', required: true, default: null, type: 'string', options: null,
      description: 'The email body.' },
    { name: 'Reply-To Recipients', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of recipients to use in the Reply-To header. Use the Reply-To header to redirect reply emails to the specific email address instead of the sender address that is stated in the From field.' },
    { name: 'Structure of voting options', required: true, default: 'Yes/No', type: 'list', options: ['Yes/No', 'Approve/Reject'],
      description: 'The structure of the vote to send to recipients. Possible values are Yes/No or Approve/Reject. The default value is Yes/No.' },
    { name: 'Attachment Location', required: true, default: 'GCP Bucket', type: 'list', options: ['GCP Bucket', 'Local File System'],
      description: 'A location where the attachments are stored. By default, the action attempts to upload the attachment from the Cloud Storage bucket. Possible values are GCP Bucket or Local File System. The default value is GCP Bucket.' },
  ],
  messages,
  run,
});
