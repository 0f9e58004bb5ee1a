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
import { randomBytes } from 'node:crypto';
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
    voteHtml: mail.vote ? voteBlockHtml(mail.vote, mail.from, mail.subject, randomBytes(4).toString('hex')) : '',
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
  files = inlineImages(body, files);
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

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml' };

/**
 * Images the HTML shows by `cid:` (`<img src="cid:logo.png">`): the attachment of that file name
 * (or of that name without its extension) goes as an inline attachment with that contentId, so
 * the client shows it in the body instead of listing it as a file.
 */
export function inlineImages(html: string, files: LocalAttachment[]): LocalAttachment[] {
  const cids = new Set([...html.matchAll(/\bsrc\s*=\s*["']?cid:([^"'\s>]+)/gi)].map((m) => decodeURIComponent(m[1])));
  if (cids.size === 0) return files;
  return files.map((f) => {
    const bare = f.name.replace(/\.[^.]+$/, '');
    const cid = cids.has(f.name) ? f.name : cids.has(bare) ? bare : undefined;
    if (!cid) return f;
    const ext = (/\.[^.]+$/.exec(f.name)?.[0] ?? '').toLowerCase();
    return { ...f, isInline: true, contentId: cid, contentType: f.contentType ?? IMAGE_TYPES[ext] };
  });
}
