/** The typed registry of every documented action (spec/contract.json order). */
import type { ActionDefinition, ActionMessages } from '../soar/action.ts';
import { findByName, suggestionText } from '../soar/suggest.ts';
import { getMailboxAccountOutOfFacilitySettings } from './get-mailbox-account-out-of-facility-settings.ts';
import { deleteEmail } from './delete-email.ts';
import { downloadAttachmentsFromEmail } from './download-attachments-from-email.ts';
import { extractDataFromAttachedEml } from './extract-data-from-attached-eml.ts';
import { forwardEmail } from './forward-email.ts';
import { markEmailAsJunk } from './mark-email-as-junk.ts';
import { markEmailAsNotJunk } from './mark-email-as-not-junk.ts';
import { moveEmailToFolder } from './move-email-to-folder.ts';
import { ping } from './ping.ts';
import { saveEmailToTheCase } from './save-email-to-the-case.ts';
import { searchEmails } from './search-emails.ts';
import { sendEmail } from './send-email.ts';
import { sendEmailHtml } from './send-email-html.ts';
import { sendThreadReply } from './send-thread-reply.ts';
import { sendVoteEmail } from './send-vote-email.ts';
import { waitForEmailFromUser } from './wait-for-email-from-user.ts';
import { waitForVoteEmailResults } from './wait-for-vote-email-results.ts';

export const actions = [
  getMailboxAccountOutOfFacilitySettings,
  deleteEmail,
  downloadAttachmentsFromEmail,
  extractDataFromAttachedEml,
  forwardEmail,
  markEmailAsJunk,
  markEmailAsNotJunk,
  moveEmailToFolder,
  ping,
  saveEmailToTheCase,
  searchEmails,
  sendEmail,
  sendEmailHtml,
  sendThreadReply,
  sendVoteEmail,
  waitForEmailFromUser,
  waitForVoteEmailResults,
] as const;

export type RegisteredAction = (typeof actions)[number];

export const actionNames: readonly string[] = actions.map((a) => a.name);

/** Case-insensitive lookup of a documented action name. */
export function findAction(name: string): ActionDefinition<ActionMessages> | undefined {
  return findByName(actions, name) as ActionDefinition<ActionMessages> | undefined;
}

/** "Did you mean" text for an unknown action name. */
export function unknownActionMessage(name: string): string {
  return `Unknown action "${name}". ${suggestionText(name, actionNames)}`;
}

export { getMailboxAccountOutOfFacilitySettings } from './get-mailbox-account-out-of-facility-settings.ts';
export { deleteEmail } from './delete-email.ts';
export { downloadAttachmentsFromEmail } from './download-attachments-from-email.ts';
export { extractDataFromAttachedEml } from './extract-data-from-attached-eml.ts';
export { forwardEmail } from './forward-email.ts';
export { markEmailAsJunk } from './mark-email-as-junk.ts';
export { markEmailAsNotJunk } from './mark-email-as-not-junk.ts';
export { moveEmailToFolder } from './move-email-to-folder.ts';
export { ping } from './ping.ts';
export { saveEmailToTheCase } from './save-email-to-the-case.ts';
export { searchEmails } from './search-emails.ts';
export { sendEmail } from './send-email.ts';
export { sendEmailHtml } from './send-email-html.ts';
export { sendThreadReply } from './send-thread-reply.ts';
export { sendVoteEmail } from './send-vote-email.ts';
export { waitForEmailFromUser } from './wait-for-email-from-user.ts';
export { waitForVoteEmailResults } from './wait-for-vote-email-results.ts';
