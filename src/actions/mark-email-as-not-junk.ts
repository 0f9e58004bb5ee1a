/** Mark Email as Not Junk: Use the Mark Email as Not Junk action to mark emails as not junk in a specific mailbox. This action removes the sender from the list of blocked senders and moves the message to the Inbox folder. */
import { defineAction } from '../soar/action.ts';
import { runJunkAction, type JunkJsonResult } from './mark-email-as-junk.ts';

/** The JSON result of Mark Email as Not Junk: the same lines as Mark Email as Junk's. */
export type MarkEmailAsNotJunkJsonResult = JunkJsonResult;

export const markEmailAsNotJunk = defineAction({
  name: 'Mark Email as Not Junk',
  description: 'Use the Mark Email as Not Junk action to mark emails as not junk in a specific mailbox. This action removes the sender from the list of blocked senders and moves the message to the Inbox folder.',
  async: false,
  entities: 'none',
  betaApi: true,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses', defaultsToDefaultMailbox: true,
      description: 'A mailbox to search for an email in. By default, the action attempts to search for the email in the default mailbox that you specified in the integration configuration. To execute a search in other mailboxes, configure appropriate permissions for the action. This parameter accepts multiple values as a comma separated string.' },
    // Documented as required with no default; empty searches Junk Email, where a false positive
    // usually sits (docs/deviations.md).
    { name: 'Folder Name', required: true, default: null, type: 'string', options: null, emptyMeansActionDefault: true,
      description: 'A mailbox folder to execute search in.' },
    { name: 'Mail IDs', required: true, default: null, type: 'string', options: null, format: 'list',
      description: 'The IDs or internetMessageId values of the mails to mark as junk. This parameter accepts multiple values as a comma separated string.' },
  ],
  messages: {
    success: 'Successfully marked the email as not junk.', // success
    mailIdNotFound: 'Failed to find email with ID {ID} in {MAILBOX}.', // success
    mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
    error: 'Error executing action "Mark Email as Not Junk". Reason: {ERROR_REASON}', // failure
    noEmailsFound: 'Failed to find any emails based on provided parameters!', // failure
    folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX}.', // failure
  },
  run: (ctx) => runJunkAction(ctx, { operation: 'markAsNotJunk', body: { moveToInbox: true }, defaultFolder: 'Junk Email' }),
});
