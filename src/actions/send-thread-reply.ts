/** Send Thread Reply: Use the Send Thread Reply action to send a message as a reply to the email thread. With appropriate permissions, the action can send emails from a mailbox other than the one specified in the integration configuration. */
import { defineAction, notImplemented } from '../soar/action.ts';

/** Not built yet: the runtime fails the action before `run`, with no JSON result. For the future: the documentation lists none. */
export type SendThreadReplyJsonResult = null;

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
    { name: 'Reply To', required: false, default: null, type: 'string', options: null, format: 'addresses',
      description: 'A comma-separated list of emails to send the reply to. If you provide no value and the Reply All checkbox is clear, the action only sends a reply to the original email sender. If the Reply All checkbox is selected, the action ignores this parameter.' },
  ],
  messages: {
    success: 'Successfully sent reply to the mail with ID: {EMAIL_ID}', // success
    replyToRequired: 'Error executing action "Send Thread Reply". Reason: if you want to send a reply only to your own email address, you need to work with "Reply To" parameter.', // failure
    mailIdNotFound: 'Error executing action "Send Thread Reply" because the provided mail id {EMAIL_ID} was not found.', // failure
    attachmentsNotFound: 'Action failed to run because specified attachments were not found: {ATTACHMENTS_LIST}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
