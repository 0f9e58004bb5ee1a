/** Send Email: Use the Send Email action to send emails from a specific mailbox to an arbitrary list of recipients. */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { sendWithId } from '../mail/send/draft.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { localAttachments, recipientsOf, sendFromOf, sentJson, type SentMessageJson } from './sending.ts';

const P = {
  subject: 'Subject',
  contentType: 'Mail Content Type',
  content: 'Mail Content',
} as const;

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Email was sent successfully.', // success
  attachmentsNotFound: 'Action failed to run because specified attachments were not found: {ATTACHMENTS_LIST}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};
type SendMessages = typeof messages;

/**
 * The sent message as Sent Items has it, by its immutable id (DECISIONS.md: the JSON result is
 * the sent message, so `SendEmail.JSONResult|id` feeds the waiting actions). When Sent Items had
 * not shown the copy within the wait, just the id (the mail was sent).
 */
export type SendEmailJsonResult = SentMessageJson;

async function runSendEmail(ctx: ActionContext<SendMessages>): Promise<ActionOutcome<SendEmailJsonResult>> {
  const from = sendFromOf(ctx);
  const subject = ctx.params.string(P.subject) ?? '';
  const recipients = recipientsOf(ctx, true);
  const content = ctx.params.string(P.content) ?? '';
  const html = (ctx.params.string(P.contentType) ?? 'Text').toLowerCase() === 'html';
  // Every file is checked before anything is sent: a missing one is named with the others.
  const attachments = await localAttachments(ctx, (paths) => failed(ctx.message('attachmentsNotFound', { ATTACHMENTS_LIST: paths })));
  if (!Array.isArray(attachments)) return attachments;
  const message: MicrosoftGraph.Message = {
    subject,
    body: { contentType: html ? 'html' : 'text', content },
    ...recipients,
  };
  // A refusal (invalid recipients, too large, ...) is a SendError in words that name what to fix;
  // the runtime reports it with the documented error message.
  const sent = await sendWithId(ctx.graph, { from, source: { kind: 'new' }, message, attachments }, { clock: ctx.clock });
  return succeeded(ctx.message('success'), { json_result: sentJson(sent) });
}

export const sendEmail = defineAction({
  name: 'Send Email',
  description: 'Use the Send Email action to send emails from a specific mailbox to an arbitrary list of recipients.',
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
      description: 'A comma-separated list of paths for file attachments stored on the server, for example, /FILE_DIRECTORY/file.pdf, /FILE_DIRECTORY/image.jpg.' },
    { name: 'Mail Content Type', required: false, default: 'Text', type: 'list', options: ['Text', 'HTML'],
      description: 'The type of the email content. The default value is Text . Possible values: • Text • HTML' },
    { name: 'Mail Content', required: true, default: null, type: 'string', options: null,
      description: 'The email body.' },
    { name: 'Reply-To Recipients', required: false, default: null, type: 'string', options: null,
      description: 'A comma-separated list of recipients to use in the Reply-To header. Use the Reply-To header to redirect reply emails to the specific email address instead of the sender address that is stated in the From field.' },
  ],
  messages,
  run: runSendEmail,
});
