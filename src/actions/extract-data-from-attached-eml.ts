/** Extract Data From Attached EML: Use the Extract Data From Attached EML action to retrieve data from the email EML attachments and return it in the action results. This action supports the .eml, .msg, and .ics file formats. */
import type { GraphClient } from '../graph/types.ts';
import { mapLimit, mightBeMailFile, openAndSniff, withMailFileBytes } from '../mail/attached-mail.ts';
import { decodeHtmlReferences } from '../mail/html-references.ts';
import { findMessages, type FindOutcome } from '../mail/find.ts';
import { listAttachments, type AttachmentInfo } from '../mail/attachments.ts';
import { parseMailIds } from '../mail/mail-ids.ts';
import type { SelectedMessage } from '../mail/shapes.ts';
import { mailboxList } from '../mail/mailboxes.ts';
import { fileDigests, formatAddresses, MailParseError, mailSummaries, parseMailFile, type MailFileType, type MailParseErrorCode, type MailSummary, type ParsedAttachment, type ParsedMail } from '../mail/parse/index.ts';
import { applyRegexMap, parseRegexMap, UserRegexError, type UserRegex } from '../mail/regex.ts';
import { reasonOf } from '../mail/verdict.ts';
import { optionalFolderParam } from '../sweep/inputs.ts';
import { defineAction, failed, succeeded, type ActionContext, type ActionOutcome } from '../soar/action.ts';
import { InputError } from '../soar/errors.ts';

const messages = {
  success: 'Extracted data from {ATTACHMENT_NAMES} attached email files. Files: {PATHS}', // success
  mailIdsNotFound: 'Failed to find emails in {MAILBOX} with the following mail ids: {MAIL_ID_LIST}', // success
  noEmailsFound: 'Failed to find any emails using the provided criteria!', // failure
  noMailboxesFound: 'Failed to find any of the provided mailboxes: {MAILBOX_LIST}', // failure
  folderNotFound: 'Action failed to run because the provided mailbox folder name {MAILBOX_FOLDER} was not found in the mailbox {MAILBOX}', // failure
  error: 'Failed to execute action, the error is: {ERROR_REASON}', // failure
};

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
  messages,
  run: (ctx) => runExtract(ctx),
});

type ExtractMessages = typeof messages;

const P = { mailbox: 'Search In Mailbox', folder: 'Folder Name', mailIds: 'Mail IDs', regex: 'Regex Map JSON' } as const;

/** Attachments of one email read at once (the client keeps each mailbox within Graph's 4 in flight). */
const ATTACHMENT_CONCURRENCY = 4;

/** One entry of the JSON result: the documented fields first, then where it came from. */
export interface ExtractedEntry extends MailSummary {
  regex: Record<string, string[]>;
  regex_from_text_part: Record<string, string[]>;
  /** The Graph id of the attachment the data came from (for a nested file: of the attachment that holds it). */
  id: string;
  name: string;
  mailbox: string;
  /** The Graph id of the email the file is attached to. */
  mail_id: string;
  /** Beyond the documented fields, the other address headers a SOC acts on, written as `to` is. */
  cc: string;
  reply_to: string;
  sender: string;
  /** For a file found inside another one: the chain of containing file names, outermost first. */
  parents: string[];
  attachments: Array<{ name: string; content_type: string; size: number; sha256: string }>;
  /** Set when the file could not be read or parsed; the mail fields are then empty, the file's own facts below are set. */
  error?: string;
  error_code?: MailParseErrorCode | 'UNREADABLE';
  content_type?: string;
  /** The file's size in bytes (Graph's size when its bytes could not be read) and hashes (absent then). */
  size?: number;
  md5?: string;
  sha1?: string;
  sha256?: string;
  warnings?: string[];
}

/** The JSON result: one entry per mail file (and per nested email or calendar event) read. */
export type ExtractDataFromAttachedEmlJsonResult = ExtractedEntry[];

/** What the action reads of a found email. */
const EXTRACT_SELECT = ['id', 'internetMessageId', 'subject'] as const;
type FoundEmail = SelectedMessage<(typeof EXTRACT_SELECT)[number]>;

interface MailboxRun {
  mailbox: string;
  outcome: FindOutcome<FoundEmail>;
}

function regexesOf(ctx: ActionContext<ExtractMessages>): UserRegex[] {
  try {
    return parseRegexMap(ctx.params.string(P.regex), P.regex);
  } catch (e) {
    if (e instanceof UserRegexError) throw new InputError(e.message, P.regex);
    throw e;
  }
}

const TYPE_LABEL: Record<MailFileType, ExtractedEntry['type']> = { eml: 'EML', msg: 'MSG', ics: 'ICS' };

type Where = { id: string; mailbox: string; mail_id: string };

function entriesOf(parsed: ParsedMail, where: Where, regexes: readonly UserRegex[], parents: string[]): ExtractedEntry[] {
  const attachments = parsed.attachments.map((a) => ({ name: a.name, content_type: a.contentType, size: a.size, sha256: a.sha256 }));
  const own = mailSummaries(parsed).map((s): ExtractedEntry => ({
    ...s,
    // "The body" is the HTML when there is one: its links sit in href attributes the text part may
    // not show. Searched with its character references decoded: `&amp;` is `&` in the link.
    regex: applyRegexMap(regexes, s.html ? decodeHtmlReferences(s.html) : s.text),
    regex_from_text_part: applyRegexMap(regexes, s.text),
    id: where.id,
    name: parsed.fileName,
    mailbox: where.mailbox,
    mail_id: where.mail_id,
    cc: formatAddresses(parsed.cc),
    reply_to: formatAddresses(parsed.replyTo),
    sender: formatAddresses(parsed.sender ? [parsed.sender] : []),
    parents,
    attachments,
    ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}),
  }));
  // Attached mail files in attachment order: each parsed one gives its entries, each broken one an error entry.
  const inner = [...parents, parsed.fileName];
  const nested = parsed.attachments.flatMap((a) => {
    if (a.nestedIndex !== undefined) return entriesOf(parsed.nested[a.nestedIndex]!, where, regexes, inner);
    if (a.parseError) return [errorEntry(nestedFile(a), a.parseError.type, where, a.parseError, regexes, inner)];
    return [];
  });
  return [...own, ...nested];
}

/** What is known of a file that could not be parsed: its name and type, and its size and hashes when its bytes were read. */
interface FileFacts {
  name: string;
  contentType: string;
  size: number;
  digests?: { md5: string; sha1: string; sha256: string };
}

function nestedFile(a: ParsedAttachment): FileFacts {
  return { name: a.name, contentType: a.contentType, size: a.size, digests: { md5: a.md5, sha1: a.sha1, sha256: a.sha256 } };
}

function errorEntry(
  file: FileFacts,
  type: MailFileType | null,
  where: Where,
  failure: { code: ExtractedEntry['error_code']; message: string },
  regexes: readonly UserRegex[],
  parents: string[] = [],
): ExtractedEntry {
  const none = Object.fromEntries(regexes.map((r) => [r.key ?? r.source, [] as string[]]));
  return {
    type: TYPE_LABEL[type ?? 'eml'], subject: '', from: '', to: '', date: '', text: '', html: '',
    regex: none, regex_from_text_part: { ...none }, id: where.id, name: file.name, mailbox: where.mailbox, mail_id: where.mail_id, cc: '', reply_to: '', sender: '', parents, attachments: [],
    error: failure.message, error_code: failure.code, content_type: file.contentType, size: file.size, ...file.digests,
  };
}

/**
 * An item attachment is an attached Outlook item: an email even when its bytes do not look like
 * one (empty, no header), so that it is reported rather than passed over. A contact (vCard) is
 * the one item that holds no mail file.
 */
function itemType(a: AttachmentInfo, head: Uint8Array): MailFileType | null {
  if (a.kind !== 'item') return null;
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1').trimStart();
  return /^BEGIN:VCARD/i.test(text) ? null : 'eml';
}

interface FileResult {
  attachment: AttachmentInfo;
  entries: ExtractedEntry[];
  error?: string;
}

/** Every mail file attached to one email, parsed; a broken one becomes an entry with `error`. */
async function extractFromEmail(graph: GraphClient, mailbox: string, message: FoundEmail, regexes: readonly UserRegex[]): Promise<FileResult[]> {
  const where = { mailbox, mail_id: message.id };
  const candidates = (await listAttachments(graph, mailbox, message.id)).filter(mightBeMailFile);
  const results = await mapLimit(candidates, ATTACHMENT_CONCURRENCY, async (a): Promise<FileResult | null> => {
    let type: MailFileType | null = null;
    const file: FileFacts = { name: a.name, contentType: a.contentType ?? (a.kind === 'item' ? 'message/rfc822' : 'application/octet-stream'), size: a.size };
    try {
      const opened = await openAndSniff(graph, mailbox, message.id, a);
      type = opened.type ?? itemType(a, opened.head);
      if (!type) {
        await opened.stream.cancel().catch(() => undefined);
        return null;
      }
      const mailType = type;
      type Read = { parsed: ParsedMail } | { failure: unknown; size: number; digests: NonNullable<FileFacts['digests']> };
      const read = await withMailFileBytes(graph, mailbox, message.id, a, opened.stream, async (bytes): Promise<Read> => {
        try {
          return { parsed: await parseMailFile(bytes, { fileName: a.name, type: mailType }) };
        } catch (failure) {
          return { failure, size: bytes.byteLength, digests: fileDigests(bytes) };
        }
      });
      if ('failure' in read) {
        // The bytes were read: the error entry carries their size and hashes.
        file.size = read.size;
        file.digests = read.digests;
        throw read.failure;
      }
      return { attachment: a, entries: entriesOf(read.parsed, { id: a.id, ...where }, regexes, []) };
    } catch (e) {
      const reason = reasonOf(e).reason;
      const code = e instanceof MailParseError ? e.code : 'UNREADABLE';
      return { attachment: a, entries: [errorEntry(file, type, { id: a.id, ...where }, { code, message: reason }, regexes)], error: reason };
    }
  });
  return results.filter((r): r is FileResult => r !== null);
}

async function runExtract(ctx: ActionContext<ExtractMessages>): Promise<ActionOutcome<ExtractDataFromAttachedEmlJsonResult>> {
  const mailboxes = mailboxList(ctx.params.list(P.mailbox), ctx.config.defaultMailbox);
  if (mailboxes.length === 0) throw new InputError(`Missing required parameter "${P.mailbox}".`, P.mailbox);
  const ids = parseMailIds(ctx.params.list(P.mailIds));
  if (ids.length === 0) throw new InputError(`Parameter "${P.mailIds}" holds no mail id (give Graph ids or internetMessageIds, comma-separated).`, P.mailIds);
  const folder = optionalFolderParam(ctx.params, P.folder);
  const regexes = regexesOf(ctx);

  const located = await findMessages(ctx.graph, mailboxes, folder, { ids, criteria: {}, now: new Date(ctx.startedAt), select: EXTRACT_SELECT });
  const runs: MailboxRun[] = mailboxes.map((mailbox) => ({ mailbox, outcome: located.get(mailbox)! }));

  const files: FileResult[] = [];
  const readFailures: string[] = [];
  for (const run of runs) {
    if (run.outcome.kind !== 'done') continue;
    for (const message of run.outcome.result.messages) {
      try {
        files.push(...(await extractFromEmail(ctx.graph, run.mailbox, message, regexes)));
      } catch (e) {
        readFailures.push(`${message.id} in ${run.mailbox}: ${reasonOf(e).reason}`);
      }
    }
  }

  const json_result = files.flatMap((f) => f.entries);
  const missing = runs.filter((r) => r.outcome.kind === 'missing').map((r) => r.mailbox);
  const noFolder = runs.filter((r) => r.outcome.kind === 'folderNotFound').map((r) => r.mailbox);
  const broken = runs.flatMap((r) => (r.outcome.kind === 'failed' ? [`${r.mailbox}: ${r.outcome.reason}`] : []));
  const emails = runs.flatMap((r) => (r.outcome.kind === 'done' ? r.outcome.result.messages : []));

  if (missing.length === mailboxes.length) return failed(ctx.message('noMailboxesFound', { MAILBOX_LIST: missing }));

  const notes: string[] = [];
  for (const r of runs) {
    if (r.outcome.kind === 'done' && r.outcome.result.unmatchedIds.length > 0) {
      notes.push(ctx.message('mailIdsNotFound', { MAILBOX: r.mailbox, MAIL_ID_LIST: r.outcome.result.unmatchedIds }));
    }
  }
  notes.push(...missing.map((m) => `Mailbox ${m} was not found.`));
  const folderLines = noFolder.map((m) => ctx.message('folderNotFound', { MAILBOX_FOLDER: folder ?? '', MAILBOX: m }));
  const parsedFiles = files.filter((f) => !f.error);
  const badFiles = files.filter((f) => f.error);
  // Every file that could not be read, attached to the email or inside another attached file.
  const failedEntries = json_result.filter((e) => e.error);
  const problems = [
    ...(failedEntries.length > 0
      ? [`Failed to extract data from ${failedEntries.length} attached file(s): ${failedEntries.map((e) => `${[...e.parents, e.name].join(' > ')} (${e.error})`).join('; ')}`]
      : []),
    ...(readFailures.length > 0 ? [`Failed to read the attachments of: ${readFailures.join('; ')}`] : []),
    ...(broken.length > 0 ? [`Failed to search the mailboxes: ${broken.join('; ')}`] : []),
  ];

  if (parsedFiles.length > 0) {
    const names = parsedFiles.map((f) => f.attachment.name);
    return succeeded([ctx.message('success', { ATTACHMENT_NAMES: names.length, PATHS: names }), ...notes, ...folderLines, ...problems].join('\n'), { json_result });
  }
  const existing = mailboxes.length - missing.length;
  if (emails.length === 0 && noFolder.length === existing) return failed([...folderLines, ...notes].join('\n'));
  if (emails.length === 0 && broken.length > 0) {
    return failed([ctx.message('error', { ERROR_REASON: broken.join('; ') }), ...notes, ...folderLines].join('\n'));
  }
  if (emails.length === 0) return failed([ctx.message('noEmailsFound'), ...notes, ...folderLines].join('\n'));
  if (badFiles.length > 0 || readFailures.length > 0) {
    const reason = [...badFiles.map((f) => `${f.attachment.name}: ${f.error}`), ...readFailures].join('; ');
    return failed([ctx.message('error', { ERROR_REASON: reason }), ...notes, ...folderLines].join('\n'), { json_result });
  }
  const ids2 = emails.map((m) => m.id);
  return failed(
    [ctx.message('error', { ERROR_REASON: `the found emails have no attached .eml, .msg or .ics file (mail ids: ${ids2.join(', ')})` }), ...notes, ...folderLines].join('\n'),
    { json_result },
  );
}
