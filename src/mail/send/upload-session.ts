/**
 * One large file onto a draft through an Outlook upload session (concepts/outlook-large-attachments.md):
 * `createUploadSession` on the draft's attachments, then ranged `PUT`s of the file to the
 * session's pre-authenticated `uploadUrl` (never with the bearer token: `graph.preAuthenticated`),
 * each range read from disk on its own so a 150 MB file costs one chunk of memory.
 *
 * - The next range always starts where the service said (`nextExpectedRanges`, one `{start}`
 *   value for Outlook, resources/uploadsession.md), never where we think we got to.
 * - A failed range (network, 5xx, 429) is sent again from that point after a backoff.
 * - A session that expired (its `expirationDateTime` passed, or its URL refused with
 *   401/403/404/410) is replaced by a new one, from byte 0: an Outlook session keeps nothing
 *   once gone.
 * - On giving up, the session is cancelled (`DELETE uploadUrl`, 204) so no half file lingers.
 * The final range answers 201 with a `Location` naming the new attachment.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { GraphError, isTransientGraphError } from '../../graph/errors.ts';
import { segment } from '../../graph/url.ts';
import { mailboxPath } from '../mailboxes.ts';
import type { Clock, GraphClient, PreAuthenticatedTarget } from '../../graph/types.ts';
import type { LocalAttachment } from './attachments-plan.ts';

/** Every request naming the draft keeps to immutable ids (concepts/outlook-immutable-id.md). */
export const IMMUTABLE_ID = 'IdType="ImmutableId"';

/** OneDrive asks for ranges in multiples of 320 KiB (driveitem-createuploadsession.md); Outlook keeps each under 4 MB. */
export const RANGE_UNIT_BYTES = 320 * 1024;
/** 10 x 320 KiB = 3,276,800 bytes: a multiple of 320 KiB and under 4 MB. */
export const DEFAULT_CHUNK_BYTES = 10 * RANGE_UNIT_BYTES;

export interface UploadSessionInfo {
  uploadUrl: string;
  expirationDateTime?: string;
  nextExpectedRanges?: string[];
}

export interface UploadedAttachment {
  name: string;
  size: number;
  /** The final 201's `Location` header (a URL to the attachment). */
  location?: string;
  /** The attachment id taken from `Location` (`.../Attachments('ID')`), when it has one. */
  attachmentId?: string;
  /** Sessions used (more than 1 when one expired on the way). */
  sessions: number;
  /** Ranges sent again after a failure. */
  resentRanges: number;
}

export interface UploadOptions {
  chunkBytes?: number;
  /** Times one range is sent again after a failure, before the upload gives up. Default 4. */
  maxRangeRetries?: number;
  /** New sessions after the first one expired. Default 2. */
  maxNewSessions?: number;
  /** A session this close to its expiry is replaced before the next range. Default 60 s. */
  expiryMarginMs?: number;
  clock?: Clock;
  /** Backoff before a range is sent again. Default 1 s doubling, capped at 30 s. */
  backoffMs?: (attempt: number) => number;
  /** Called after each accepted range (tests, progress). */
  onRange?(info: { start: number; end: number; status: number }): void;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** `"2097152"`, `"0-"` or `"1998457-2097094"` -> its start. */
export function rangeStart(range: string): number {
  const m = /^\s*(\d+)\s*(?:-\s*\d*\s*)?$/.exec(range);
  if (!m) throw new GraphError({ status: 0, code: 'InvalidUploadSession', message: `the upload session answered an unreadable next range "${range}"` });
  return Number(m[1]);
}

/** Where the service wants the next range: the lowest start it listed. */
export function nextOffset(ranges: readonly string[] | undefined): number | undefined {
  if (!ranges || ranges.length === 0) return undefined;
  return Math.min(...ranges.map(rangeStart));
}

export function attachmentIdFromLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const m = /Attachments\('([^']+)'\)/i.exec(location);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** A status that means the session (or its embedded token) is gone, not that one range failed. */
function sessionGone(err: unknown): boolean {
  return err instanceof GraphError && [401, 403, 404, 410].includes(err.status);
}


export function createUploadSession(graph: GraphClient, mailbox: string, messageId: string, file: LocalAttachment): Promise<UploadSessionInfo> {
  const item: Record<string, unknown> = { attachmentType: 'file', name: file.name, size: file.size };
  if (file.contentType) item.contentType = file.contentType;
  if (file.isInline) item.isInline = true;
  if (file.contentId) item.contentId = file.contentId;
  return graph.post<UploadSessionInfo>(`${mailboxPath(mailbox)}/messages/${segment(messageId)}/attachments/createUploadSession`, { AttachmentItem: item }, {
    mailbox,
    headers: { Prefer: IMMUTABLE_ID },
  });
}

async function cancel(target: PreAuthenticatedTarget, mailbox: string): Promise<void> {
  await target.request({ method: 'DELETE', mailbox }).catch(() => undefined);
}

/**
 * Uploads `file` to the draft `messageId` of `mailbox`. Resolves with what the final 201
 * gave; rejects (after cancelling the session) when the service keeps refusing.
 */
export async function uploadAttachment(graph: GraphClient, mailbox: string, messageId: string, file: LocalAttachment, opts: UploadOptions = {}): Promise<UploadedAttachment> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % RANGE_UNIT_BYTES !== 0) {
    throw new TypeError(`chunkBytes must be a positive multiple of ${RANGE_UNIT_BYTES} (320 KiB), got ${chunkBytes}`);
  }
  const clock = opts.clock ?? realClock;
  const maxRangeRetries = opts.maxRangeRetries ?? 4;
  const maxNewSessions = opts.maxNewSessions ?? 2;
  const margin = opts.expiryMarginMs ?? 60_000;
  const backoff = opts.backoffMs ?? ((n: number) => Math.min(30_000, 1000 * 2 ** n));

  const handle: FileHandle = await open(file.path, 'r');
  // One buffer for every range: memory stays at one chunk whatever the file's size.
  const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(1, file.size)));
  let sessions = 0;
  let resentRanges = 0;
  let target: PreAuthenticatedTarget | undefined;
  try {
    for (;;) {
      const session = await createUploadSession(graph, mailbox, messageId, file);
      sessions++;
      target = graph.preAuthenticated(session.uploadUrl);
      const expiresAt = session.expirationDateTime ? Date.parse(session.expirationDateTime) : NaN;
      let offset = nextOffset(session.nextExpectedRanges) ?? 0;
      let failures = 0;
      let expired = false;
      while (!expired) {
        if (Number.isFinite(expiresAt) && clock.now() >= expiresAt - margin) {
          expired = true;
          break;
        }
        const length = Math.min(chunkBytes, file.size - offset);
        if (length <= 0) {
          throw new GraphError({ status: 0, code: 'InvalidUploadSession', message: `the upload session of "${file.name}" asked for byte ${offset} of ${file.size}` });
        }
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead !== length) throw new Error(`"${file.path}" changed while it was being attached (read ${bytesRead} of ${length} bytes at ${offset})`);
        const end = offset + length - 1;
        try {
          const res = await target.request<UploadSessionInfo | undefined>({
            method: 'PUT',
            body: buffer.subarray(0, length),
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Content-Range': `bytes ${offset}-${end}/${file.size}` },
            // Not retried blindly by the client: the next range comes from the service's answer.
            idempotent: false,
            mailbox,
          });
          opts.onRange?.({ start: offset, end, status: res.status });
          failures = 0;
          if (res.status === 201) {
            const location = header(res.headers, 'Location');
            return { name: file.name, size: file.size, location, attachmentId: attachmentIdFromLocation(location), sessions, resentRanges };
          }
          const next = nextOffset(res.body?.nextExpectedRanges);
          offset = next ?? end + 1;
        } catch (err) {
          if (sessionGone(err)) {
            expired = true;
            break;
          }
          // A failure worth sending the range again for.
          if (!isTransientGraphError(err) || failures >= maxRangeRetries) throw err;
          await clock.sleep(err instanceof GraphError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoff(failures));
          failures++;
          resentRanges++;
        }
      }
      await cancel(target, mailbox);
      target = undefined;
      if (sessions > maxNewSessions) {
        throw new GraphError({ status: 0, code: 'UploadSessionExpired', message: `the upload session for "${file.name}" expired ${sessions} times before the file was uploaded` });
      }
    }
  } catch (err) {
    if (target) await cancel(target, mailbox);
    throw err;
  } finally {
    await handle.close();
  }
}
