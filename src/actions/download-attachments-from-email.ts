/** Download Attachments From Email: Use the Download Attachments From Email action to download attachments from emails based on the criteria provided. */
import type { GraphClient } from '../graph/types.ts';
import { fileNameOf, mapLimit, MAIL_FILE_MAX_BYTES, mightBeMailFile, openAndSniff, withMailFileBytes } from '../mail/attached-mail.ts';
import { AttachmentNotDownloadableError, downloadAttachment, listAttachments, streamFromBytes, type AttachmentInfo } from '../mail/attachments.ts';
import { createDestination, type AttachmentDestination, type SaveOptions, type SavedFile } from '../mail/destinations/index.ts';
import { findMessages, type FindRequest } from '../mail/find.ts';
import type { SelectedMessage } from '../mail/shapes.ts';
import { parseMailFile, type MailFileType, type ParsedMail } from '../mail/parse/index.ts';
import { causeOf, reasonOf, type MailboxVerdict } from '../mail/verdict.ts';
import { causeTexts } from '../soar/causes.ts';
import { defineAction, failed, inProgress, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';
import { progressMessage, sweepStep } from '../sweep/action.ts';
import { inChunks, type SweepState } from '../sweep/engine.ts';
import { BATCH_SIZE_RANGE, folderParam, mailIdsParam, subjectSenderParams } from '../sweep/inputs.ts';
import { allMissing, failedReasons, failureLines } from '../sweep/report.ts';

const messages = {
  success: 'Downloaded {NUMBER_OF_ATTACHMENTS} attachments. Files: {PATHS}.', // success
  mailIdsNotFound: 'Failed to find emails in {MAILBOX} with the following mail ids: {EMAIL_IDS}.', // success
  // DECISIONS: the stray trailing "attachments." of the documented text is dropped.
  noAttachments: 'In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: {MAILBOXES}. Mail IDs without attachments to download: {LIST_OF_EMAIL_IDS}.', // success
  noEmailsFound: 'Failed to find any emails using the provided criteria!', // failure
  noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOXES}', // failure
  folderNotFound: 'Action failed to run because the provided mailbox folder name {FOLDER_NAME} was not found in the mailbox {MAILBOX}.', // failure
  error: 'Error executing action. Reason: {ERROR_REASON}', // failure
};

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
    { name: 'How many mailboxes to process in a single batch', required: false, default: '25', type: 'string', options: null, format: 'integer', ...BATCH_SIZE_RANGE,
      description: 'The number of mailboxes to process in a single batch (single connection to the mail server). The default value is 25.' },
  ],
  messages,
  run: (ctx) => runDownload(ctx),
});

type DownloadMessages = typeof messages;

const P = {
  mailbox: 'Search In Mailbox',
  folder: 'Folder Name',
  destination: 'Download Destination',
  path: 'Download Path',
  subject: 'Subject Filter',
  sender: 'Sender Filter',
  fromEml: 'Download Attachments from EML',
  unique: 'Download Attachments to unique path?',
} as const;

/** Mailboxes of one chunk worked on at once; each streams one attachment at a time. */
const MAILBOX_CONCURRENCY = 8;

/** One JSON result entry: the documented two fields first. */
export interface DownloadedFile {
  attachment_name: string;
  downloaded_path: string;
  mailbox: string;
  /** The Graph id of the email. */
  mail_id: string;
  bytes: number;
  /** For an attachment taken out of an attached .eml / .msg: that file's name (outermost first). */
  from_files?: string[];
}

/** The JSON result: every file saved, in the order saved. */
export type DownloadAttachmentsFromEmailJsonResult = DownloadedFile[];

/** What the action reads of a found email. */
const DOWNLOAD_SELECT = ['id', 'internetMessageId', 'subject'] as const;
type FoundEmail = SelectedMessage<(typeof DOWNLOAD_SELECT)[number]>;

export interface DownloadFailure {
  mail_id: string;
  attachment_name: string;
  reason: string;
}

/** Per mailbox, what this run did there (kept in the async state between invocations). */
export interface DownloadResult {
  emails: number;
  downloaded: DownloadedFile[];
  /** Found emails that had nothing to download. */
  without_attachments: string[];
  not_found_ids: string[];
  failed: DownloadFailure[];
}

export interface DownloadOptions {
  destination: AttachmentDestination;
  unique: boolean;
  fromEml: boolean;
}

/** Shared by every attachment of one invocation: once the destination refuses a write, the rest fail fast. */
interface RunGuard {
  broken?: string;
}

class MailboxDownload {
  readonly result: DownloadResult;
  constructor(
    private readonly graph: GraphClient,
    private readonly mailbox: string,
    private readonly opts: DownloadOptions,
    private readonly guard: RunGuard,
    emails: number,
    notFound: string[],
  ) {
    this.result = { emails, downloaded: [], without_attachments: [], not_found_ids: notFound, failed: [] };
  }

  /**
   * Runs one write into the destination and files its result. `body`, when the caller already
   * opened one, is cancelled unwritten once the destination is known to refuse.
   */
  private async record(name: string, mailId: string, write: (save: SaveOptions) => Promise<SavedFile>, body?: ReadableStream<Uint8Array>, from?: string[]): Promise<boolean> {
    if (this.guard.broken) {
      await body?.cancel().catch(() => undefined);
      this.result.failed.push({ mail_id: mailId, attachment_name: name, reason: this.guard.broken });
      return false;
    }
    try {
      const saved = await write({ unique: this.opts.unique });
      this.result.downloaded.push({
        attachment_name: name,
        downloaded_path: saved.path,
        mailbox: this.mailbox,
        mail_id: mailId,
        bytes: saved.bytes,
        ...(from ? { from_files: from } : {}),
      });
      return true;
    } catch (e) {
      const { reason } = reasonOf(e);
      // A destination that refuses one write (no permission, no such bucket, disk full) refuses the next one too.
      if (e instanceof InputError) this.guard.broken = reason;
      this.result.failed.push({ mail_id: mailId, attachment_name: name, reason });
      return false;
    }
  }

  private save(name: string, body: ReadableStream<Uint8Array>, mailId: string, extra: { contentType?: string; size?: number; from?: string[] }): Promise<boolean> {
    const write = (save: SaveOptions) =>
      this.opts.destination.save(name, body, {
        ...save,
        ...(extra.contentType ? { contentType: extra.contentType } : {}),
        ...(extra.size !== undefined ? { size: extra.size } : {}),
      });
    return this.record(name, mailId, write, body, extra.from);
  }

  /** The attachments inside an attached mail file, recursively (an .eml in the .eml gives its own too). */
  private async saveInner(parsed: ParsedMail, mailId: string, from: string[]): Promise<void> {
    for (const a of parsed.attachments) {
      if (a.content === undefined) {
        this.result.failed.push({ mail_id: mailId, attachment_name: a.name, reason: `too large to take out of "${parsed.fileName}" (${a.size} bytes)` });
        continue;
      }
      await this.save(a.name, streamFromBytes(a.content), mailId, { contentType: a.contentType, size: a.size, from });
      if (a.nestedIndex !== undefined) await this.saveInner(parsed.nested[a.nestedIndex], mailId, [...from, a.name]);
    }
    for (const w of parsed.warnings) this.result.failed.push({ mail_id: mailId, attachment_name: parsed.fileName, reason: w });
  }

  /** A mail file saved, then parsed for the attachments inside it, held in memory under the process-wide gate. */
  private async extract(message: FoundEmail, a: AttachmentInfo, opened: ReadableStream<Uint8Array>, name: string, type: MailFileType, contentType: string | undefined): Promise<void> {
    const mailId = message.id;
    await withMailFileBytes(this.graph, this.mailbox, mailId, a, opened, async (bytes) => {
      await this.save(name, streamFromBytes(bytes), mailId, { contentType, size: bytes.byteLength });
      let parsed: ParsedMail;
      try {
        parsed = await parseMailFile(bytes, { fileName: name, type });
      } catch (e) {
        this.result.failed.push({ mail_id: mailId, attachment_name: name, reason: `its attachments could not be taken out: ${reasonOf(e).reason}` });
        return;
      }
      await this.saveInner(parsed, mailId, [name]);
    });
  }

  async attachment(message: FoundEmail, a: AttachmentInfo): Promise<void> {
    const mailId = message.id;
    try {
      if (a.kind === 'reference') throw new AttachmentNotDownloadableError(a.name);
      if (a.kind === 'file' && !(this.opts.fromEml && mightBeMailFile(a))) {
        await this.record(a.name, mailId, (save) => downloadAttachment(this.graph, this.mailbox, mailId, a, this.opts.destination, save));
        return;
      }
      // Items need a look at their MIME to get an extension; with "from EML" every file might be a mail file.
      const opened = await openAndSniff(this.graph, this.mailbox, mailId, a);
      const name = a.kind === 'item' ? fileNameOf(a.name, opened.type) : a.name;
      const contentType = a.contentType ?? (opened.type === 'eml' ? 'message/rfc822' : undefined);
      const extract = this.opts.fromEml && (opened.type === 'eml' || opened.type === 'msg') && !(a.kind === 'file' && a.size > MAIL_FILE_MAX_BYTES);
      if (!extract || !opened.type) {
        await this.save(name, opened.stream, mailId, { contentType, ...(a.kind === 'file' ? { size: a.size } : {}) });
        return;
      }
      await this.extract(message, a, opened.stream, name, opened.type, contentType);
    } catch (e) {
      this.result.failed.push({ mail_id: mailId, attachment_name: a.name, reason: reasonOf(e).reason });
    }
  }

  async message(message: FoundEmail): Promise<void> {
    let list: AttachmentInfo[];
    try {
      list = await listAttachments(this.graph, this.mailbox, message.id);
    } catch (e) {
      this.result.failed.push({ mail_id: message.id, attachment_name: '', reason: `listing its attachments failed: ${reasonOf(e).reason}` });
      return;
    }
    if (list.length === 0) {
      this.result.without_attachments.push(message.id);
      return;
    }
    for (const a of list) await this.attachment(message, a);
  }
}

/** One chunk of mailboxes: find the emails (one `$batch` stage), then stream their attachments. */
export async function downloadInMailboxes(
  graph: GraphClient,
  mailboxes: string[],
  folder: string,
  req: FindRequest,
  opts: DownloadOptions,
  guard: RunGuard = {},
): Promise<Map<string, MailboxVerdict<DownloadResult>>> {
  const out = new Map<string, MailboxVerdict<DownloadResult>>();
  const found = await findMessages(graph, mailboxes, folder, { ...req, select: DOWNLOAD_SELECT }, { which: P.folder });
  const work: Array<{ mailbox: string; messages: FoundEmail[]; run: MailboxDownload }> = [];
  for (const [m, f] of found) {
    if (f.kind !== 'done') out.set(m, f);
    else work.push({ mailbox: m, messages: f.result.messages, run: new MailboxDownload(graph, m, opts, guard, f.result.messages.length, f.result.unmatchedIds) });
  }
  await mapLimit(work, MAILBOX_CONCURRENCY, async (w) => {
    for (const msg of w.messages) await w.run.message(msg);
    out.set(w.mailbox, { kind: 'done', result: w.run.result });
  });
  return out;
}

/** The paths earlier invocations of this run reported, so that this one never overwrites them. */
function pathsSoFar(state: unknown): string[] {
  const results = (state as { results?: unknown } | null | undefined)?.results;
  if (results === null || typeof results !== 'object') return [];
  return Object.values(results as Record<string, Partial<DownloadResult> | null>).flatMap((r) =>
    Array.isArray(r?.downloaded) ? r.downloaded.flatMap((f) => (typeof f?.downloaded_path === 'string' ? [f.downloaded_path] : [])) : [],
  );
}

async function runDownload(ctx: ActionContext<DownloadMessages>): Promise<ActionOutcome<DownloadAttachmentsFromEmailJsonResult>> {
  const folder = folderParam(ctx.params, P.folder);
  const ids = mailIdsParam(ctx.params);
  const criteria = subjectSenderParams(ctx.params);
  // Validates the path (and bucket name) before any mailbox is touched.
  const destination = createDestination(ctx.params.requiredString(P.destination), ctx.params.requiredString(P.path), { taken: pathsSoFar(ctx.state) });
  const opts: DownloadOptions = { destination, unique: ctx.params.boolean(P.unique), fromEml: ctx.params.boolean(P.fromEml) };
  const req: FindRequest = { ids, criteria, now: new Date(ctx.startedAt) };
  const guard: RunGuard = {};
  const step = await sweepStep<DownloadResult, DownloadMessages>(ctx, {
    mailboxParam: P.mailbox,
    processBatch: (batch) => inChunks(batch, (chunk) => downloadInMailboxes(ctx.graph, chunk, folder, req, opts, guard)),
    grantedBy: ['Mail.Read', 'Mail.ReadWrite'],
  });
  if (!step.finished) {
    const n = Object.values(step.state.results).reduce((k, r) => k + r.downloaded.length, 0);
    return inProgress(progressMessage(step.state, `, ${n} attachments downloaded so far`), step.state);
  }
  return finalDownload(ctx, step.state, folder);
}

function finalDownload(ctx: ActionContext<DownloadMessages>, state: SweepState<DownloadResult>, folder: string): ActionOutcome<DownloadAttachmentsFromEmailJsonResult> {
  const entries = Object.entries(state.results);
  const json_result = entries.flatMap(([, r]) => r.downloaded);
  if (allMissing(state)) return failed(ctx.message('noMailboxesFound', { MAILBOXES: state.missing }));

  const lines: string[] = [];
  for (const [m, r] of entries) if (r.not_found_ids.length > 0) lines.push(ctx.message('mailIdsNotFound', { MAILBOX: m, EMAIL_IDS: r.not_found_ids }));
  const bare = entries.filter(([, r]) => r.without_attachments.length > 0);
  if (bare.length > 0) {
    lines.push(ctx.message('noAttachments', { MAILBOXES: bare.map(([m]) => m), LIST_OF_EMAIL_IDS: bare.flatMap(([, r]) => r.without_attachments) }));
  }
  lines.push(...state.missing.map((m) => `Mailbox ${m} was not found.`));
  const noFolder = state.folderNotFound[P.folder] ?? [];
  const folderLine = noFolder.length > 0 ? ctx.message('folderNotFound', { FOLDER_NAME: folder, MAILBOX: noFolder }) : undefined;
  // One text per cause (a Download Path that is a file fails every attachment alike).
  const failures = causeTexts(
    entries.flatMap(([m, r]) => r.failed.map((f) => ({ ...f, mailbox: m }))),
    { causeOf: (f) => (f.attachment_name ? causeOf(f.reason).split(f.attachment_name).join('\u0000') : causeOf(f.reason)), reasonOf: (f) => f.reason, nameOf: (f) => `${f.attachment_name || '(attachments)'} of ${f.mail_id} in ${f.mailbox}`, noun: ['attachment', 'attachments'] },
  );
  const problems = [
    ...failures.map((f) => `Failed to download: ${f}`),
    ...failureLines(state, 'download attachments'),
  ];

  const downloaded = json_result.length;
  const emails = entries.reduce((n, [, r]) => n + r.emails, 0);
  const extra = { json_result };
  if (downloaded > 0) {
    const head = ctx.message('success', { NUMBER_OF_ATTACHMENTS: downloaded, PATHS: json_result.map((f) => f.downloaded_path) });
    return succeeded([head, ...lines, ...(folderLine ? [folderLine] : []), ...problems].join('\n'), extra);
  }
  if (entries.length === 0 && folderLine) return failed([folderLine, ...lines, ...problems].join('\n'), extra);
  if (failures.length > 0 || (entries.length === 0 && state.failed.length > 0)) {
    const reasons = failures.length > 0 ? failures.join('\n') : failedReasons(state);
    return failed([ctx.message('error', { ERROR_REASON: reasons }), ...lines, ...(folderLine ? [folderLine] : []), ...failureLines(state, 'download attachments')].join('\n'), extra);
  }
  if (emails > 0) return succeeded([...lines, ...(folderLine ? [folderLine] : []), ...problems].join('\n'), extra);
  return failed([ctx.message('noEmailsFound'), ...lines, ...(folderLine ? [folderLine] : []), ...problems].join('\n'), extra);
}

