/**
 * What Send Email HTML and Send Vote Email share: the template filled with the escaped subject and
 * the sanitised `Mail Content` (and, for a vote, the answer links plus Outlook's voting buttons),
 * attachments from the local file system or a GCS bucket, then the send pipeline with an id.
 */
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { GraphClient } from '../../graph/types.ts';
import { escapeHtml, sanitizeMailContent } from '../compose/html.ts';
import { fillTemplate, loadTemplate } from '../compose/templates.ts';
import { votingButtonsProperty } from '../compose/verb-stream.ts';
import { voteBlockHtml } from '../compose/vote.ts';
import { statAttachments, type LocalAttachment } from './attachments-plan.ts';
import { sendWithId, type SendOptions, type SentMessage } from './draft.ts';
import { fetchGcsAttachments, type GcsSourceOptions } from './gcs-source.ts';
import type { ParsedRecipients } from './recipients.ts';

export type AttachmentLocation = 'GCP Bucket' | 'Local File System';

export interface HtmlMail {
  from: string;
  subject: string;
  recipients: ParsedRecipients;
  /** `Mail Content`: HTML on purpose, sanitised here. */
  content: string;
  template: string;
  templatesFolder?: string;
  attachments: { paths: readonly string[]; location: AttachmentLocation; parameter: string };
  /** Send Vote Email: the options, in order. */
  vote?: readonly string[];
}

export interface HtmlMailOptions extends SendOptions {
  gcs?: Omit<GcsSourceOptions, 'parameter'>;
}

/** The HTML body as it will be sent (also what a test reads back). */
export async function htmlBody(mail: Pick<HtmlMail, 'subject' | 'content' | 'template' | 'templatesFolder' | 'vote' | 'from'>): Promise<string> {
  const template = await loadTemplate(mail.template, mail.templatesFolder);
  return fillTemplate(template, {
    subjectHtml: escapeHtml(mail.subject),
    contentHtml: sanitizeMailContent(mail.content),
    voteHtml: mail.vote ? voteBlockHtml(mail.vote, mail.from, mail.subject) : '',
  });
}

/** Checks the template and every attachment first (TemplateNotFoundError, MissingAttachmentsError), then sends. */
export async function sendHtmlMail(graph: GraphClient, mail: HtmlMail, opts: HtmlMailOptions = {}): Promise<SentMessage> {
  const body = await htmlBody(mail);
  let files: LocalAttachment[];
  let cleanup = async () => {};
  if (mail.attachments.location === 'GCP Bucket') {
    const fetched = await fetchGcsAttachments(mail.attachments.paths, { ...opts.gcs, parameter: mail.attachments.parameter });
    files = fetched.files;
    cleanup = fetched.cleanup;
  } else {
    files = await statAttachments(mail.attachments.paths);
  }
  try {
    const message: MicrosoftGraph.Message = {
      subject: mail.subject,
      body: { contentType: 'html', content: body },
      ...mail.recipients,
      ...(mail.vote ? { singleValueExtendedProperties: [votingButtonsProperty(mail.vote)] } : {}),
    };
    return await sendWithId(graph, { from: mail.from, source: { kind: 'new' }, message, attachments: files }, opts);
  } finally {
    await cleanup();
  }
}
