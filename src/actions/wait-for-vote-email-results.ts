/** Wait For Vote Email Results: Use the Wait For Vote Email Results action to wait for the user response based on the vote email sent using the Send Vote Email action. */
import { mailboxList } from '../mail/mailboxes.ts';
import { defineAction, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';
import { replyJson, runWait, type ReplyJson, type WaitJsonCommon } from './waiting.ts';

/**
 * The documented `{"Responses": [{"recipient", "vote"}]}`, one entry per recipient who voted;
 * each also says which reply carried the vote, how it was read, and the earlier votes that the
 * last one replaced. Around it, what was waited for (waiting.ts).
 */
export interface WaitForVoteEmailResultsJsonResult extends WaitJsonCommon {
  Responses: Array<ReplyJson & { recipient: string; vote: string; read_from: 'voting button' | 'subject' | 'first line'; earlier_votes: Array<ReplyJson & { vote: string }> }>;
  /** The options a reply could name, and where they were read. */
  options: string[];
  options_from: 'voting buttons' | 'documented options';
}

/** The action's one message table (documented texts; see spec/contract.json). */
const messages = {
  success: 'Found the user {EMAIL_RECIPIENT} reply: {USER_REPLY}.', // success
  recipientTimeout: 'Exceeded timeout to get a reply from user: {EMAIL_RECIPIENT}.', // success
  noReplies: 'Action failed to receive any replies until timeout.', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

const SENT_FROM = 'Vote Mail Sent From';
const SENT_FOLDER = 'Folder to Check for Sent Mail';

async function run(ctx: ActionContext<typeof messages>): Promise<ActionOutcome<WaitForVoteEmailResultsJsonResult>> {
  const from = mailboxList(ctx.params.string(SENT_FROM), ctx.config.defaultMailbox);
  if (from.length !== 1) throw new InputError(`Parameter "${SENT_FROM}" takes one mailbox, got ${from.length}: ${from.join(', ')}.`, SENT_FROM);
  const sentFolders = ctx.params.list(SENT_FOLDER);
  return runWait(ctx, {
    locate: { mailbox: from[0], folders: sentFolders.length > 0 ? sentFolders : ['Sent Items'], folderParameter: SENT_FOLDER, mailboxParameter: SENT_FROM },
    vote: true,
    userReply: (a) => a.vote?.vote ?? '',
    json: (common, ev, corr) => ({
      Responses: ev.answers.map((a) => ({
        recipient: a.recipient.address,
        vote: a.vote!.vote,
        read_from: a.vote!.by,
        ...replyJson(a.reply),
        earlier_votes: a.earlier.map((e) => ({ vote: e.vote ?? '', ...replyJson(e.reply) })),
      })),
      options: corr.options ?? [],
      options_from: corr.optionsFrom ?? 'documented options',
      ...common,
    }),
  });
}

export const waitForVoteEmailResults = defineAction({
  name: 'Wait For Vote Email Results',
  description: 'Use the Wait For Vote Email Results action to wait for the user response based on the vote email sent using the Send Vote Email action.',
  async: true,
  entities: 'none',
  betaApi: false,
  params: [
    { name: 'Vote Mail Sent From', required: true, default: null, type: 'string', options: null, defaultsToDefaultMailbox: true,
      description: 'By default, the actions sends an email from the default mailbox that you specified in the integration configuration. Optionally, you can set a different value for this parameter if the vote mail is sent from a different mailbox.' },
    { name: 'Mail ID', required: true, default: null, type: 'string', options: null,
      description: 'The ID of the email. If the email is sent using the Send Vote Email action, set the parameter value to the SendVoteEmail.JSONResult|id placeholder. To return email IDs, you can use the Search Emails action.' },
    { name: 'Wait for All Recipients to Reply?', required: false, default: 'true', type: 'boolean', options: null,
      description: 'If selected, the action waits for responses from all recipients until reaching timeout or proceeding with the first reply. Selected by default.' },
    { name: 'Wait Stage Exclude pattern', required: false, default: null, type: 'string', options: null,
      description: "A regular expression to exclude specific replies from the wait stage. This parameter works with the email body. Example: the action doesn't consider automatic out-of-office messages as recipient replies, instead waiting for an actual user reply." },
    { name: 'Folder to Check for Reply', required: false, default: 'Inbox', type: 'string', options: null, format: 'list',
      description: 'A mailbox email folder to search for the user reply in. The search is run in the mailbox which the email containing a question was sent from. This parameter accepts a comma-separated list of folders to check the user response in multiple folders. This parameter is case-sensitive. The default value is Inbox.' },
    { name: 'Folder to Check for Sent Mail', required: false, default: 'Sent Items', type: 'string', options: null, format: 'list',
      description: 'A mailbox folder to search for the sent mail in. It is a mailbox that you sent the email with a question from. This parameter accepts a comma-separated list of folders to check the user response in multiple folders. This parameter is case sensitive. The default value is Sent Items.' },
    { name: 'Fetch Response Attachments', required: false, default: 'false', type: 'boolean', options: null,
      description: 'If selected and the recipient reply contains attachments, the action fetches the reply and adds it as an attachment to the Case Wall. Not selected by default.' },
  ],
  messages,
  timesOutItself: true,
  run,
});
