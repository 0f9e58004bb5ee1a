/** Wait For Email From User: Use the Wait For Email From User action to wait for the user's response based on an email sent using the Send Email action. */
import { defineAction, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { oneLine, replyJson, runWait, type ReplyJson, type WaitJsonCommon } from './waiting.ts';

/**
 * The documentation lists no JSON result; a playbook still needs what was answered, so it gets
 * one (docs/deviations.md): per recipient who answered, the last reply that counted and the text
 * written above the quoted question.
 */
export interface WaitForEmailFromUserJsonResult extends WaitJsonCommon {
  Responses: Array<ReplyJson & { recipient: string; reply: string; earlier_replies: ReplyJson[] }>;
}

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Found the user {EMAIL_RECIPIENT} reply: {USER_REPLY}', // success
  recipientTimeout: 'Timeout getting reply from user: {EMAIL_RECIPIENT}.', // success
  noReplies: 'Action failed to receive any replies until timeout.', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

/** As documented: the search runs in the mailbox that sent the question, the Default Mailbox. */
async function run(ctx: ActionContext<typeof messages>): Promise<ActionOutcome<WaitForEmailFromUserJsonResult>> {
  return runWait(ctx, {
    locate: { mailbox: ctx.config.defaultMailbox, folders: null, mailboxParameter: 'Default Mailbox' },
    vote: false,
    userReply: (a) => oneLine(a.text) || '(no text)',
    json: (common, ev) => ({
      Responses: ev.answers.map((a) => ({ recipient: a.recipient.address, reply: a.text, ...replyJson(a.reply), earlier_replies: a.earlier.map((e) => replyJson(e.reply)) })),
      ...common,
    }),
  });
}

export const waitForEmailFromUser = defineAction({
  name: 'Wait For Email From User',
  description: "Use the Wait For Email From User action to wait for the user's response based on an email sent using the Send Email action.",
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null,
      description: 'The ID of the email. If the email is sent using the Send Mail action, set the parameter value to the SendEmail.JSONResult|id placeholder.' },
    { name: 'Wait for All Recipients to Reply?', required: false, default: 'true', type: 'boolean', options: null,
      description: 'If selected, the action waits for responses from all recipients until reaching timeout or proceeding with the first reply. Selected by default.' },
    { name: 'Wait Stage Exclude pattern', required: false, default: null, type: 'string', options: null,
      description: "A regular expression to exclude specific replies from the wait stage. This parameter works with the email body. Example: the action doesn't consider automatic out-of-office messages as recipient replies, instead waiting for an actual user reply." },
    { name: 'Folder to Check for Reply', required: false, default: 'Inbox', type: 'string', options: null, format: 'list',
      description: 'A mailbox email folder to search for the user reply in. The search is run in the mailbox which the email containing a question was sent from. This parameter accepts a comma-separated list of folders to check the user response in multiple folders. This parameter is case-sensitive. The default value is Inbox.' },
    { name: 'Fetch Response Attachments', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected and the recipient reply contains attachments, the action fetches the reply and adds it as an attachment to the Case Wall. Not selected by default.' },
  ],
  messages,
  timesOutItself: true,
  run,
});
