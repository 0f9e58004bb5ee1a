/** Send Email: Use the Send Email action to send emails from a specific mailbox to an arbitrary list of recipients. */
import { defineAction, notImplemented } from '../soar/action.ts';

/** Not built yet: the runtime fails the action before `run`, with no JSON result. For the future: once built it returns the sent message (DECISIONS.md), as Send Email HTML does. */
export type SendEmailJsonResult = null;

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
    { name: 'Send to', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'A comma-separated list of email addresses for the email recipients, such as user1@example.com, user2@example.com.' },
    { name: 'CC', required: false, default: null, type: 'string', options: null, format: 'addresses',
      description: 'A comma-separated list of email addresses for the email CC field. The format is the same as for the Send to parameter.' },
    { name: 'BCC', required: false, default: null, type: 'string', options: null, format: 'addresses',
      description: 'A comma-separated list of email addresses for the email BCC field. The format is the same as for the Send to parameter.' },
    { name: 'Attachments Paths', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A comma-separated list of paths for file attachments stored on the server, for example, /FILE_DIRECTORY/file.pdf, /FILE_DIRECTORY/image.jpg.' },
    { name: 'Mail Content Type', required: false, default: 'Text', type: 'list', options: ['Text', 'HTML'],
      description: 'The type of the email content. The default value is Text . Possible values: • Text • HTML' },
    { name: 'Mail Content', required: true, default: null, type: 'string', options: null,
      description: 'The email body.' },
    { name: 'Reply-To Recipients', required: false, default: null, type: 'string', options: null, format: 'addresses',
      description: 'A comma-separated list of recipients to use in the Reply-To header. Use the Reply-To header to redirect reply emails to the specific email address instead of the sender address that is stated in the From field.' },
  ],
  messages: {
    success: 'Email was sent successfully.', // success
    attachmentsNotFound: 'Action failed to run because specified attachments were not found: {ATTACHMENTS_LIST}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
