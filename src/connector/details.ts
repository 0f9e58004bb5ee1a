/**
 * What the connector reads of one taken email beyond its list row: its attachments (attached
 * .eml / .msg / .ics parsed into events, other files for the case) and, when `Attach Original
 * EML` is set, its MIME. Every problem becomes a line in the email's event: an email is never
 * held back or dropped because a part of it cannot be read.
 */
import { collectCapped, listAttachments, mailFileTypeOf, openMessageMime, readAttachmentBytes, type AttachmentInfo } from '../mail/attachments.ts';
import { MAIL_FILE_MAX_BYTES } from '../mail/attached-mail.ts';
import { parseMailFile } from '../mail/parse/index.ts';
import { reasonOf } from '../mail/verdict.ts';
import type { GraphClient } from '../graph/types.ts';
import type { AttachedMailFile, FetchedEmail, ReceivedEmail } from './alert.ts';
import type { ConnectorConfig } from './params.ts';

/** Largest file attachment put on the case, as the original integration (15 MiB). */
export const CASE_ATTACHMENT_MAX_BYTES = 15 * 1024 * 1024;
/** Largest MIME kept for `Attach Original EML`. */
export const ORIGINAL_EML_MAX_BYTES = 35 * 1024 * 1024;

const kib = (n: number) => `${Math.round(n / 1024)} KiB`;

/** `listed`: the attachment list when the caller already has it (readFull). */
export async function readDetails(graph: GraphClient, config: ConnectorConfig, folder: string, message: ReceivedEmail, listed?: AttachmentInfo[]): Promise<FetchedEmail> {
  const mailbox = config.mailbox;
  const out: FetchedEmail = { message, folder, attachedMail: [], files: [], skippedFiles: [], errors: [] };
  if (message.hasAttachments === true) {
    let list: AttachmentInfo[] = listed ?? [];
    try {
      if (!listed) list = await listAttachments(graph, mailbox, message.id);
    } catch (err) {
      out.errors.push(`attachments could not be listed: ${reasonOf(err).reason}`);
    }
    for (const a of list) await readOne(graph, mailbox, message.id, a, out);
  }
  if (config.attachOriginalEml) {
    try {
      out.mime = await collectCapped(await openMessageMime(graph, mailbox, message.id), ORIGINAL_EML_MAX_BYTES, 'the original email');
    } catch (err) {
      out.errors.push(`the original EML could not be read: ${reasonOf(err).reason}`);
    }
  }
  return out;
}

async function readOne(graph: GraphClient, mailbox: string, messageId: string, a: AttachmentInfo, out: FetchedEmail): Promise<void> {
  if (a.kind === 'reference') {
    out.skippedFiles.push({ name: a.name, reason: 'a link to a cloud file (reference attachment), no content' });
    return;
  }
  const claimedMail = a.kind === 'item' || mailFileTypeOf(a, new Uint8Array(0)) !== null;
  const cap = claimedMail ? MAIL_FILE_MAX_BYTES : CASE_ATTACHMENT_MAX_BYTES;
  if (a.kind === 'file' && a.size > Math.max(MAIL_FILE_MAX_BYTES, CASE_ATTACHMENT_MAX_BYTES)) {
    out.skippedFiles.push({ name: a.name, reason: `${kib(a.size)}, over the ${kib(CASE_ATTACHMENT_MAX_BYTES)} kept on a case` });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readAttachmentBytes(graph, mailbox, messageId, a, { maxBytes: Math.max(cap, CASE_ATTACHMENT_MAX_BYTES) });
  } catch (err) {
    out.skippedFiles.push({ name: a.name, reason: reasonOf(err).reason });
    return;
  }
  const type = a.kind === 'item' ? 'eml' : mailFileTypeOf(a, bytes.subarray(0, 64 * 1024));
  if (type === null) {
    if (bytes.byteLength > CASE_ATTACHMENT_MAX_BYTES) out.skippedFiles.push({ name: a.name, reason: `${kib(bytes.byteLength)}, over the ${kib(CASE_ATTACHMENT_MAX_BYTES)} kept on a case` });
    else out.files.push({ name: a.name, bytes });
    return;
  }
  const name = a.kind === 'item' && !/\.eml$/i.test(a.name) ? `${a.name}.eml` : a.name;
  const file: AttachedMailFile = { name };
  try {
    file.parsed = await parseMailFile(bytes, { fileName: name, type });
  } catch (err) {
    file.error = `not parsed as ${type}: ${reasonOf(err).reason}`;
  }
  out.attachedMail.push(file);
}
