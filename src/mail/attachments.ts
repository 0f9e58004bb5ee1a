/**
 * Attachments of one message, on src/graph only: list their metadata without their bytes, open
 * their raw bytes as a stream (`/$value`), read small ones into memory under a cap, and tell
 * which ones are mail files (.eml / .msg / .ics) by content first, name second.
 *
 * The Graph client holds the mailbox's concurrency slot until a streamed body is read to the end
 * or cancelled: whoever opens a stream must consume or cancel it, or the mailbox stalls until the
 * client's idle timeout.
 */
import { claimedMailFileType, detectMailFileType, type MailFileType } from './parse/index.ts';
import { segment } from '../graph/url.ts';
import type { ApiVersion, GraphClient } from '../graph/types.ts';
import type { AttachmentDestination, SaveOptions, SavedFile } from './destinations/types.ts';
import { mailboxPath } from './mailboxes.ts';
import type { ListedAttachment } from './shapes.ts';

export type AttachmentKind = 'file' | 'item' | 'reference';

export interface AttachmentInfo {
  id: string;
  name: string;
  /** Graph gives null for item attachments. */
  contentType: string | null;
  /** Graph's size: for a file the stored size (at least its bytes), for an item the size of the item, not of its MIME. */
  size: number;
  isInline: boolean;
  kind: AttachmentKind;
  /** As Graph sent it, e.g. `#microsoft.graph.fileAttachment`. */
  odataType: string;
  lastModifiedDateTime?: string;
}

export interface AttachmentRef {
  mailbox: string;
  messageId: string;
}

/**
 * Only properties of the base `attachment` type may be selected without a type cast; naming
 * `contentBytes` there is a 400, and leaving `$select` out makes Graph send every file's bytes
 * base64-encoded in the list. `@odata.type` comes back with any `$select`.
 */
export const ATTACHMENT_LIST_SELECT = 'id,name,contentType,size,isInline,lastModifiedDateTime';

export interface AttachmentCallOptions {
  version?: ApiVersion;
}

function messagePath(mailbox: string, messageId: string): string {
  return `${mailboxPath(mailbox)}/messages/${segment(messageId)}`;
}

/** A `$value` body as a web stream; the caller must read it to the end or cancel it. */
async function openValue(graph: GraphClient, mailbox: string, path: string, opts: AttachmentCallOptions): Promise<ReadableStream<Uint8Array>> {
  const res = await graph.request<ReadableStream<Uint8Array>>({
    method: 'GET',
    path: `${path}/$value`,
    version: opts.version,
    mailbox,
    responseType: 'stream',
    headers: { Accept: '*/*' },
  });
  return res.body;
}

/** The MIME of a message itself (`/messages/{id}/$value`), as Exchange has it, as a web stream to consume or cancel. */
export function openMessageMime(graph: GraphClient, mailbox: string, messageId: string, opts: AttachmentCallOptions = {}): Promise<ReadableStream<Uint8Array>> {
  return openValue(graph, mailbox, messagePath(mailbox, messageId), opts);
}

function kindOf(odataType: string): AttachmentKind {
  const t = odataType.toLowerCase();
  if (t.endsWith('itemattachment')) return 'item';
  if (t.endsWith('referenceattachment')) return 'reference';
  return 'file';
}

/** Graph's row made ours (`attachments?$select=ATTACHMENT_LIST_SELECT`); each property is still tested, since a type does not check what Graph sent. */
export function attachmentInfoOf(raw: ListedAttachment): AttachmentInfo {
  const odataType = typeof raw['@odata.type'] === 'string' ? raw['@odata.type'] : '#microsoft.graph.fileAttachment';
  return {
    id: String(raw.id ?? ''),
    name: typeof raw.name === 'string' ? raw.name : '',
    contentType: typeof raw.contentType === 'string' ? raw.contentType : null,
    size: typeof raw.size === 'number' && Number.isFinite(raw.size) ? raw.size : 0,
    isInline: raw.isInline === true,
    kind: kindOf(odataType),
    odataType,
    ...(typeof raw.lastModifiedDateTime === 'string' ? { lastModifiedDateTime: raw.lastModifiedDateTime } : {}),
  };
}

/** Metadata of every attachment of a message, without their bytes. */
export async function listAttachments(graph: GraphClient, mailbox: string, messageId: string, opts: AttachmentCallOptions = {}): Promise<AttachmentInfo[]> {
  const out: AttachmentInfo[] = [];
  for await (const raw of graph.paginate<ListedAttachment>(`${messagePath(mailbox, messageId)}/attachments`, {
    query: { $select: ATTACHMENT_LIST_SELECT },
    mailbox,
    version: opts.version,
  })) {
    out.push(attachmentInfoOf(raw));
  }
  return out;
}

/** A reference attachment is a link to a cloud file: Graph has no bytes for it (`$value` is a 405). */
export class AttachmentNotDownloadableError extends Error {
  override readonly name = 'AttachmentNotDownloadableError';
  readonly code = 'AttachmentNotDownloadable';
  constructor(readonly attachmentName: string) {
    super(`Attachment "${attachmentName}" is a link to a cloud file (reference attachment); it has no content to download.`);
  }
}

/** An attachment larger than the caller's cap; nothing of it is kept. */
export class AttachmentTooLargeError extends Error {
  override readonly name = 'AttachmentTooLargeError';
  readonly code = 'AttachmentTooLarge';
  constructor(
    readonly attachmentName: string,
    readonly limitBytes: number,
  ) {
    super(`Attachment "${attachmentName}" is larger than ${limitBytes} bytes, the most this action reads into memory.`);
  }
}

/**
 * The raw bytes of a file attachment, or the MIME of an item attachment (an attached email, or
 * the iCal / vCard MIME of an attached event / contact), as a web stream. The caller must read it
 * to the end or cancel it: the mailbox's Graph slot is held until then.
 */
export async function openAttachmentStream(
  graph: GraphClient,
  mailbox: string,
  messageId: string,
  attachment: Pick<AttachmentInfo, 'id' | 'name' | 'kind'>,
  opts: AttachmentCallOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  if (attachment.kind === 'reference') throw new AttachmentNotDownloadableError(attachment.name);
  return openValue(graph, mailbox, `${messagePath(mailbox, messageId)}/attachments/${segment(attachment.id)}`, opts);
}

/**
 * One attachment from Graph straight into a destination (the Download Attachments path): the
 * stream is opened, handed over, and consumed or cancelled by the destination whatever happens.
 */
export async function downloadAttachment(
  graph: GraphClient,
  mailbox: string,
  messageId: string,
  attachment: Pick<AttachmentInfo, 'id' | 'name' | 'kind' | 'size' | 'contentType'>,
  destination: AttachmentDestination,
  save: SaveOptions,
  opts: AttachmentCallOptions = {},
): Promise<SavedFile> {
  const body = await openAttachmentStream(graph, mailbox, messageId, attachment, opts);
  return destination.save(attachment.name, body, {
    contentType: attachment.contentType ?? undefined,
    // A file's bytes never exceed its Graph size; an item's MIME can, so no hint for items.
    size: attachment.kind === 'file' ? attachment.size : undefined,
    ...save,
  });
}

/** Bytes already in memory (an attachment found inside an .eml) as a stream for a destination. */
export function streamFromBytes(bytes: Uint8Array, chunkBytes = 256 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
}

export interface ReadAttachmentOptions extends AttachmentCallOptions {
  /** Largest body accepted, in bytes (a positive integer). */
  maxBytes: number;
}

/**
 * The whole body of an attachment in memory, for the actions that parse it (Extract Data, Save
 * Email To The Case). Refuses beyond `maxBytes`: a file attachment whose Graph size is already
 * over the cap is refused before any download (a file's bytes never exceed its Graph size); any
 * other body is counted while it streams and cancelled the moment it passes the cap.
 */
export async function readAttachmentBytes(
  graph: GraphClient,
  mailbox: string,
  messageId: string,
  attachment: Pick<AttachmentInfo, 'id' | 'name' | 'kind' | 'size'>,
  opts: ReadAttachmentOptions,
): Promise<Buffer> {
  const { maxBytes } = opts;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
  if (attachment.kind === 'file' && attachment.size > maxBytes) throw new AttachmentTooLargeError(attachment.name, maxBytes);
  const stream = await openAttachmentStream(graph, mailbox, messageId, attachment, opts);
  return collectCapped(stream, maxBytes, attachment.name);
}

/** Reads a stream to the end, refusing (and cancelling, so its mailbox slot is freed) past `maxBytes`. */
export async function collectCapped(stream: ReadableStream<Uint8Array>, maxBytes: number, name: string): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new AttachmentTooLargeError(name, maxBytes);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}

/** Bytes that decide a mail file: text headers sit at the start, but a .msg names its streams in a
 * directory that can sit further in. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Which mail file an attachment is (eml / msg / ics), or null: by content, then by name / content
 * type. An item attachment's `$value` is MIME, so an attached email is an eml, an attached event
 * an ics; an attached contact (vCard) is none of them. `head` is the first bytes of the body
 * (at least SNIFF_BYTES when it is that long).
 */
export function mailFileTypeOf(attachment: Pick<AttachmentInfo, 'name' | 'contentType' | 'kind'>, head: Uint8Array): MailFileType | null {
  if (attachment.kind === 'reference') return null;
  const type = detectMailFileType(head, attachment.name, attachment.contentType ?? undefined);
  if (type) return type;
  // A CFB whose stream directory lies past the sniffed bytes: trust a .msg name.
  const cfb = head.length >= 8 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0;
  if (cfb && claimedMailFileType(attachment.name, attachment.contentType ?? undefined) === 'msg') return 'msg';
  return null;
}

export interface SniffedStream {
  /** The first bytes (up to `bytes`), also still at the start of `stream`. */
  head: Uint8Array;
  /** The whole body again, head included, for the destination to consume. */
  stream: ReadableStream<Uint8Array>;
}

/**
 * Reads the first `bytes` of a stream and hands back a stream of the whole body, so a caller can
 * decide by content (is this an .eml?) and still stream the body on without holding it.
 */
export async function sniffStream(stream: ReadableStream<Uint8Array>, bytes = SNIFF_BYTES): Promise<SniffedStream> {
  const reader = stream.getReader();
  const seen: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  try {
    while (size < bytes) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      seen.push(value);
      size += value.byteLength;
    }
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  }
  const joined = Buffer.concat(seen, size);
  const head = joined.subarray(0, Math.min(size, bytes));
  let replayed = false;
  const replay = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!replayed) {
          replayed = true;
          if (joined.length > 0) {
            controller.enqueue(joined);
            return;
          }
        }
        if (ended) {
          controller.close();
          return;
        }
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (err) {
          controller.error(err);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { head, stream: replay };
}
