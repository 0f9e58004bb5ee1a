/**
 * Email attachments as case-wall files, for the actions that put them there (Save Email To The
 * Case, the waits' Fetch Response Attachments): each file's bytes, an attached email as
 * `NAME.eml` / `.msg`, names made safe and twins numbered once per run.
 */
import type { GraphClient } from '../graph/types.ts';
import { fileNameOf, MAIL_FILE_MAX_BYTES } from '../mail/attached-mail.ts';
import { readAttachmentBytes, type AttachmentInfo } from '../mail/attachments.ts';
import { RunPaths } from '../mail/destinations/run-paths.ts';
import { safeAttachmentName } from '../mail/destinations/safe-name.ts';
import { detectMailFileType } from '../mail/parse/index.ts';
import { reasonOf } from '../mail/verdict.ts';
import { attachment, type CaseWallAttachment } from '../soar/result.ts';

/** The case wall holds what it is given in memory (base64): no email or attachment beyond this. */
export const CASE_WALL_MAX_BYTES = MAIL_FILE_MAX_BYTES;

/**
 * The case wall's file names of one run: a repeated name gets `-2`, `-3`, ... before its extension,
 * as Download Attachments From Email names twins. Compared case-insensitively, since an analyst
 * may download both files into one folder of a case-insensitive file system.
 */
export class CaseWallNames {
  readonly #names = new RunPaths();
  claim(name: string): string {
    return this.#names.claim(name, (n) => n.toLowerCase()).name;
  }
}

export interface CaseWallFiles {
  files: CaseWallAttachment[];
  saved: string[];
  /** `NAME (reason)` for each attachment that could not be read. */
  failures: string[];
}

/** Reads each attachment (one at a time: each may be up to CASE_WALL_MAX_BYTES in memory). */
export async function attachmentsAsCaseWallFiles(
  graph: GraphClient,
  mailbox: string,
  messageId: string,
  chosen: readonly AttachmentInfo[],
  names: CaseWallNames,
  title: (fileName: string) => string = (n) => n,
): Promise<CaseWallFiles> {
  const out: CaseWallFiles = { files: [], saved: [], failures: [] };
  for (const a of chosen) {
    try {
      const bytes = await readAttachmentBytes(graph, mailbox, messageId, a, { maxBytes: CASE_WALL_MAX_BYTES });
      const name = names.claim(safeAttachmentName(a.kind === 'item' ? fileNameOf(a.name, detectMailFileType(bytes)) : a.name));
      out.files.push(attachment(title(name), name, bytes));
      out.saved.push(name);
    } catch (e) {
      out.failures.push(`${a.name} (${reasonOf(e).reason})`);
    }
  }
  return out;
}
