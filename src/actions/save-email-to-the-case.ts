/** Save Email To The Case: Use the Save Email To The Case action to save emails or email attachments to the Google SecOps Case Wall. With the appropriate permissions, this action can save emails from mailboxes other than the one provided in the integration configuration. */
import { defineAction, notImplemented } from '../soar/action.ts';

export const saveEmailToTheCase = defineAction({
  name: 'Save Email To The Case',
  description: 'Use the Save Email To The Case action to save emails or email attachments to the Google SecOps Case Wall. With the appropriate permissions, this action can save emails from mailboxes other than the one provided in the integration configuration.',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Search In Mailbox', required: true, default: null, type: 'string', options: null,
      description: 'The default mailbox to execute the search operation in. If permissions allow it, the action can search in other mailboxes.' },
    { name: 'Folder Name', required: false, default: null, type: 'string', options: null,
      description: 'A mailbox folder to execute the search in.' },
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null, format: 'list',
      description: 'The email ID to search for. This parameter accepts a comma-separated list of email IDs to search for.' },
    { name: 'Save Only Email Attachments', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected, the action saves only attachments from the specified email. Not selected by default.' },
    { name: 'Attachment To Save', required: false, default: null, type: 'string', options: null, format: 'list',
      description: 'If the Save Only Email Attachments parameter is selected, the action only saves attachments specified by this parameter. This parameter accepts multiple values as a comma-separated string.' },
  ],
  messages: {
    success: 'Email successfully saved!', // success
    attachmentsSaved: 'Successfully saved the following attachments: {ATTACHMENTS_LIST}', // success
    attachmentsNotFound: 'The following attachments were not found in email with mail id: {EMAIL_ID}: {ATTACHMENTS_LIST}', // success
    mailboxNotFound: 'Mailbox {MAILBOX_NAME} was not found.', // failure
    folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX_NAME}', // failure
    error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
  },
  implemented: false,
  run: notImplemented,
});
