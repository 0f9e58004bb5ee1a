/**
 * How each local file reaches the draft, decided before anything is sent:
 *
 * - `draft`: inside the request that creates the draft, when that whole request (the draft's
 *   JSON plus every file as base64, 4/3 of its size) stays under Graph's 4 MB request cap;
 * - otherwise, per file: `post` (one `POST .../attachments` of its own, "under 3 MB",
 *   message-post-attachments.md) or `session` (createUploadSession and ranged PUTs, "between
 *   3 MB and 150 MB", attachment-createuploadsession.md).
 *
 * Several files of 2.9 MB each therefore never travel as one 11 MB request: each goes alone.
 * Files above 150 MB and files that are not there are refused, by name, before any request.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** Graph's cap on one request, read as 4,000,000 bytes: the stricter of 4 MB and 4 MiB. */
export const REQUEST_LIMIT_BYTES = 4_000_000;
/** The smallest file createUploadSession takes ("3 MB", ErrorAttachmentSizeShouldNotBeLessThanMinimumSize). */
export const SESSION_MIN_BYTES = 3_000_000;
/** The largest file attachment Graph takes, read as 150,000,000 bytes (the stricter reading). */
export const MAX_ATTACHMENT_BYTES = 150_000_000;

export interface LocalAttachment {
  /** The path as the user gave it (reported back as given). */
  path: string;
  /** The attachment's name in the message: the file's base name unless set. */
  name: string;
  size: number;
  contentType?: string;
  isInline?: boolean;
  contentId?: string;
}

export type AttachmentRoute = 'draft' | 'post' | 'session';

export interface PlannedAttachment extends LocalAttachment {
  route: AttachmentRoute;
}

export interface AttachmentPlan {
  attachments: PlannedAttachment[];
  /** Bytes of the draft-creating request with the `draft` attachments in it. */
  draftRequestBytes: number;
}

/** Files that are not there (or are not regular files), all named at once. */
export class MissingAttachmentsError extends Error {
  override readonly name = 'MissingAttachmentsError';
  constructor(readonly paths: string[]) {
    super(`Attachments not found: ${paths.join(', ')}`);
  }
}

/** A file larger than Graph takes as one attachment. */
export class AttachmentTooLargeForGraphError extends Error {
  override readonly name = 'AttachmentTooLargeForGraphError';
  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    super(`Attachment "${path}" is ${size} bytes; Microsoft Graph takes attachments of at most ${MAX_ATTACHMENT_BYTES} bytes (150 MB).`);
  }
}

/** Sizes of the given files (stat only: nothing is read). Throws MissingAttachmentsError naming every missing one. */
export async function statAttachments(paths: readonly string[]): Promise<LocalAttachment[]> {
  const missing: string[] = [];
  const out: LocalAttachment[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info || !info.isFile()) {
      missing.push(p);
      continue;
    }
    out.push({ path: p, name: path.basename(p), size: info.size });
  }
  if (missing.length > 0) throw new MissingAttachmentsError(missing);
  return out;
}

export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Graph's fileAttachment resource as sent (resources/fileattachment.md), contentBytes left out. */
export function fileAttachmentShell(file: LocalAttachment): Record<string, unknown> {
  const shell: Record<string, unknown> = { '@odata.type': '#microsoft.graph.fileAttachment', name: file.name };
  if (file.contentType) shell.contentType = file.contentType;
  if (file.isInline) shell.isInline = true;
  if (file.contentId) shell.contentId = file.contentId;
  return shell;
}

/** Exact bytes of the JSON of one fileAttachment carrying the file as base64. */
export function attachmentJsonBytes(file: LocalAttachment): number {
  return Buffer.byteLength(JSON.stringify({ ...fileAttachmentShell(file), contentBytes: '' })) + base64Length(file.size);
}

/**
 * The plan for `files` on a draft whose creating request carries `draftBody` (without
 * attachments). `inDraftAllowed` is false when Graph makes the draft (createReply /
 * createForward take no attachments), so every file goes on its own.
 */
export function planAttachments(draftBody: Record<string, unknown>, files: readonly LocalAttachment[], opts: { inDraftAllowed?: boolean } = {}): AttachmentPlan {
  for (const f of files) if (f.size > MAX_ATTACHMENT_BYTES) throw new AttachmentTooLargeForGraphError(f.path, f.size);
  const emptyDraft = Buffer.byteLength(JSON.stringify({ ...draftBody, attachments: [] }));
  // Commas between the array's items.
  const together = files.reduce((sum, f) => sum + attachmentJsonBytes(f), emptyDraft) + Math.max(0, files.length - 1);
  if ((opts.inDraftAllowed ?? true) && together < REQUEST_LIMIT_BYTES) {
    return { attachments: files.map((f) => ({ ...f, route: 'draft' })), draftRequestBytes: together };
  }
  return {
    attachments: files.map((f) => ({ ...f, route: f.size >= SESSION_MIN_BYTES || attachmentJsonBytes(f) >= REQUEST_LIMIT_BYTES ? 'session' : 'post' })),
    draftRequestBytes: emptyDraft,
  };
}
