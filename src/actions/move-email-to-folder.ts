/** Move Email To Folder: Use the Move Email To Folder action to move one or multiple emails from the source email folder to the other folder in the mailbox. With the appropriate permissions, this action can move emails to other mailboxes different from the one that is provided in the integration configuration. */
import { defineAction, notImplemented } from '../soar/action.ts';

export const moveEmailToFolder = defineAction({
  name: 'Move Email To Folder',
  description: 'Use the Move Email To Folder action to move one or multiple emails from the source email folder to the other folder in the mailbox. With the appropriate permissions, this action can move emails to other mailboxes different from the one that is provided in the integration configuration.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Move In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the move operation in. If permissions allow it, the action can search in other mailboxes as well. This parameter accepts multiple values as a comma-separated string.' },
    { name: 'Source Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A source folder to move the email from.' },
    { name: 'Destination Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A destination folder to move the email to. Provide the parameter value in the following format: inbox/folder_name/subfolder_name. This parameter is case insensitive.' },
    { name: 'Mail IDs', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A filter condition to search for emails with specific email IDs. This parameter accepts a comma-separated list of email IDs to search for. If this parameter is provided, the search ignores the Subject Filter and Sender Filter parameters.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for. This filter uses the contains logic.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails. This filter uses the equals logic.' },
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', min: 1,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages: {
    success: 'Successfully moved emails in the following mailboxes: {MAILBOX}: {MOVED_EMAILS_NUMBER}', // success
    mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
    noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // failure
    sourceFolderNotFound: 'Action failed to move any emails because the provided source folder was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
    destinationFolderNotFound: 'Action failed to move any emails because the provided destination folder was not found in the mailbox(es): {MAILBOX_NAME}, {MAILBOX_FOLDER}', // failure
    noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
