/** Delete Email: You can use the Delete Email action to delete one or more emails from a mailbox. This action deletes emails based on your search criteria. With the appropriate permissions, the Delete Email action can move emails into different mailboxes. */
import { defineAction, notImplemented } from '../soar/action.ts';

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
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', min: 1,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages: {
    success: 'Successfully deleted emails in the following mailboxes: {MAILBOX_NAME}: {DELETED_EMAILS_NUMBER}', // success
    mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
    noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // failure
    folderNotFound: 'Action failed to delete any emails because the provided mailbox folder name was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
    noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
