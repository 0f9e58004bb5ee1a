/**
 * What the five sending actions read alike (not an action itself): the sending mailbox, the
 * recipient parameters, the attachments checked before anything is sent, and the run of the two
 * HTML actions (Send Email HTML, Send Vote Email), which differ only by the vote.
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { TemplateNotFoundError } from '../mail/compose/templates.ts';
import { MissingAttachmentsError, statAttachments, type LocalAttachment } from '../mail/send/attachments-plan.ts';
import type { SentMessage } from '../mail/send/draft.ts';
import { sendHtmlMail, type AttachmentLocation } from '../mail/send/html-mail.ts';
import { parseRecipientParameters, requireRecipients, type ParsedRecipients } from '../mail/send/recipients.ts';
import { failed, succeeded, type ActionContext, type ActionMessages, type ActionOutcome } from '../soar/action.ts';

/** The sent message as Sent Items has it, by its immutable id (what the waiting actions follow), or just the id. */
export type SentMessageJson = (MicrosoftGraph.Message & { id: string }) | { id: string };

export const sentJson = (sent: SentMessage): SentMessageJson => sent.message ?? { id: sent.id };

/** `Send From`: empty or "Default Mailbox" is the integration's Default Mailbox (the parameter's flag). */
export function sendFromOf(ctx: Pick<ActionContext, 'params' | 'config'>): string {
  return ctx.params.string('Send From') ?? ctx.config.defaultMailbox;
}

/** `Send to` (required), CC, BCC and, where the action has it, `Reply-To Recipients`. */
export function recipientsOf(ctx: Pick<ActionContext, 'params'>, withReplyTo: boolean): ParsedRecipients {
  const recipients = parseRecipientParameters({
    to: { parameter: 'Send to', value: ctx.params.string('Send to') },
    cc: { parameter: 'CC', value: ctx.params.string('CC') },
    bcc: { parameter: 'BCC', value: ctx.params.string('BCC') },
    ...(withReplyTo ? { replyTo: { parameter: 'Reply-To Recipients', value: ctx.params.string('Reply-To Recipients') } } : {}),
  });
  requireRecipients('Send to', recipients.toRecipients);
  return recipients;
}

/** Local `Attachments Paths`, every file checked; the missing ones, all named, as the action's documented failure. */
export async function localAttachments<J>(ctx: Pick<ActionContext, 'params'>, missing: (paths: string) => ActionOutcome<J>): Promise<LocalAttachment[] | ActionOutcome<J>> {
  try {
    return await statAttachments(ctx.params.list('Attachments Paths'));
  } catch (err) {
    if (err instanceof MissingAttachmentsError) return missing(err.paths.join(', '));
    throw err;
  }
}

/** The message table Send Email HTML and Send Vote Email both document. */
export type HtmlMailMessages = ActionMessages & { success: string; templateNotSpecified: string; attachmentsNotFound: string };

/** Send Email HTML, or Send Vote Email with `vote` (the options in order). */
export async function runHtmlMail<M extends HtmlMailMessages>(ctx: ActionContext<M>, vote?: readonly string[]): Promise<ActionOutcome<SentMessageJson>> {
  const from = sendFromOf(ctx);
  const recipients = recipientsOf(ctx, true);
  try {
    const sent = await sendHtmlMail(
      ctx.graph,
      {
        from,
        subject: ctx.params.string('Subject') ?? '',
        recipients,
        content: ctx.params.string('Mail Content') ?? '',
        template: ctx.params.string('Email HTML Template') ?? 'Email HTML Template',
        templatesFolder: ctx.config.templatesFolder,
        attachments: { paths: ctx.params.list('Attachments Paths'), location: (ctx.params.string('Attachment Location') ?? 'GCP Bucket') as AttachmentLocation, parameter: 'Attachments Paths' },
        vote,
      },
      { clock: ctx.clock },
    );
    return succeeded(ctx.message('success'), { json_result: sentJson(sent) });
  } catch (err) {
    if (err instanceof TemplateNotFoundError) return failed(ctx.message('templateNotSpecified'));
    if (err instanceof MissingAttachmentsError) return failed(ctx.message('attachmentsNotFound', { ATTACHMENT_LIST: err.paths.join(', ') }));
    throw err;
  }
}
