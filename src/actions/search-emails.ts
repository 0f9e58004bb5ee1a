/** Search Emails: Use the Search Emails action to execute email search in the default mailbox based on the provided search criteria. With appropriate permissions, this action can run a search in other mailboxes. */
import { defineAction, notImplemented } from '../soar/action.ts';

export const searchEmails = defineAction({
  name: 'Search Emails',
  description: 'Use the Search Emails action to execute email search in the default mailbox based on the provided search criteria. With appropriate permissions, this action can run a search in other mailboxes.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes. This parameter accepts multiple values as a comma-separated string. For complex searches against a significant number of mailboxes, use the Exchange Extension Pack integration.' },
    { name: 'Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for. This filter uses the contains logic.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails. This filter uses the equals logic.' },
    { name: 'Time Frame (minutes)', required: false, default: null, type: 'string', options: null, format: 'integer', min: 1,
      description: 'A filter condition that specifies the timeframe in minutes to search for emails.' },
    { name: 'Max Emails To Return', required: false, default: null, type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of emails for the action to return. If you provide no value, the API default value is used.' },
    { name: 'Only Unread', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action searches only for unread emails. Not selected by default.' },
    { name: 'Select All Fields For Return', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action returns all available fields for the obtained email. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages: {
    noEmailsFound: 'Action was not able to find any emails based on the specified search criteria.', // success
    success: 'Successfully found emails in the following mailboxes: {MAILBOX}: {FOUND_EMAILS_NUMBER}', // success
    mailboxNotFound: 'Mailbox {MAILBOX} was not found.', // success
    noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
