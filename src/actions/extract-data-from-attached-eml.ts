/** Extract Data From Attached EML: Use the Extract Data From Attached EML action to retrieve data from the email EML attachments and return it in the action results. This action supports the .eml, .msg, and .ics file formats. */
import { defineAction, notImplemented } from '../soar/action.ts';

export const extractDataFromAttachedEml = defineAction({
  name: 'Extract Data From Attached EML',
  description: 'Use the Extract Data From Attached EML action to retrieve data from the email EML attachments and return it in the action results. This action supports the .eml, .msg, and .ics file formats.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes. This parameter accepts multiple values as a comma-separated string.' },
    { name: 'Folder Name', required: false, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Mail IDs', required: true, default: null, type: 'string', options: null, format: 'list',
      description: 'A filter condition to search for emails with specific email IDs. This parameter accepts a comma-separated list of email IDs to search for.' },
    { name: 'Regex Map JSON', required: false, default: null, type: 'string', options: null,
      description: 'A JSON definition that contains regular expressions to apply to the attached email file and generate additional key values in the action JSON result. The example of this parameter value is as follows: {ips: \\\\b\\\\\\\\d{1,3}\\\\\\\\.\\\\\\\\d{1,3}\\\\\\\\.\\\\\\\\d{1,3}\\\\\\\\.\\\\\\\\d{1,3}\\\\b}' },
  ],
  messages: {
    success: 'Extracted data from {ATTACHMENT_NAMES} attached email files. Files: {PATHS}', // success
    mailIdsNotFound: 'Failed to find emails in {MAILBOX} with the following mail ids: {MAIL_ID_LIST}', // success
    noEmailsFound: 'Failed to find any emails using the provided criteria!', // failure
    noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
    folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
