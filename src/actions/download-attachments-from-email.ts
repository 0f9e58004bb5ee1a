/** Download Attachments From Email: Use the Download Attachments From Email action to download attachments from emails based on the criteria provided. */
import { defineAction, notImplemented } from '../soar/action.ts';

export const downloadAttachmentsFromEmail = defineAction({
  name: 'Download Attachments From Email',
  description: 'Use the Download Attachments From Email action to download attachments from emails based on the criteria provided.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null, format: 'addresses',
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes. This parameter accepts multiple values as a comma-separated string.' },
    { name: 'Folder Name', required: true, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Download Destination', required: true, default: 'GCP Bucket', type: 'list', options: ['GCP Bucket', 'Local File System'],
      description: 'A destination to save the downloaded attachments to. By default, the action attempts to save the attachment to the Cloud Storage bucket. Saving an attachment to the local file system is a fallback option. Possible values are GCP Bucket or Local File System. The default value is GCP Bucket.' },
    { name: 'Download Path', required: true, default: null, type: 'string', options: null,
      description: 'A path to download attachments to. When saving attachments to the Cloud Storage bucket or a local file system, the action expects you to specify the download path in the Unix-like format, such as /tmp/test.' },
    { name: 'Mail IDs', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'A filter condition to search for emails with specific email IDs. This parameter accepts a comma-separated list of email IDs to search for. If this parameter is provided, the search ignores the Subject Filter and Sender Filter parameters.' },
    { name: 'Subject Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the email subject to search for. This filter uses the contains logic.' },
    { name: 'Sender Filter', required: false, default: null, type: 'string', options: null,
      description: 'A filter condition that specifies the sender of requested emails. This filter uses the equals logic.' },
    { name: 'Download Attachments from EML', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action downloads attachments from EML files. Not selected by default.' },
    { name: 'Download Attachments to unique path?', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action downloads attachments to the unique path provided in the Download Path parameter field to avoid overwriting any previously downloaded attachments. Not selected by default.' },
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', min: 1,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages: {
    success: 'Downloaded {NUMBER_OF_ATTACHMENTS} attachments. Files: {PATHS}.', // success
    mailIdsNotFound: 'Failed to find emails in {MAILBOX} with the following mail ids: {EMAIL_IDS}.', // success
    // DECISIONS: the stray trailing "attachments." of the documented text is dropped.
    noAttachments: 'In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: {MAILBOXES}. Mail IDs without attachments to download: {LIST_OF_EMAIL_IDS}.', // success
    noEmailsFound: 'Failed to find any emails using the provided criteria!', // failure
    noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOXES}', // failure
    folderNotFound: 'Action failed to run because the provided mailbox folder name {FOLDER_NAME} was not found in the mailbox {MAILBOX}.', // failure
    error: 'Error executing action. Reason: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
