/**
 * What the email-content actions (Extract Data From Attached EML, Save Email To The Case,
 * Download Attachments From Email) share besides the finder (find.ts `findMessages`): telling
 * which attachments are mail files without downloading the ones that are not, reading a body into
 * memory under a cap and a process-wide gate on how many are held at once, and a small
 * concurrency pool.
 */
import type { GraphClient } from '../graph/types.ts';
import { collectCapped, mailFileTypeOf, openAttachmentStream, sniffStream, type AttachmentInfo } from './attachments.ts';
import { claimedMailFileType, DEFAULT_LIMITS, type MailFileType } from './parse/index.ts';

/** Largest mail file read into memory for parsing: what the parser accepts at all. */
export const MAIL_FILE_MAX_BYTES = DEFAULT_LIMITS.maxInputSize;

export { collectCapped } from './attachments.ts';

/**
 * Media types that are never a mail file whatever they are called: not worth a download just to
 * look. Anything else (octet-stream, text/plain, a misnamed .txt) is sniffed by content.
 */
const NEVER_MAIL = /^(?:image|audio|video|font)\//i;

export function mightBeMailFile(a: Pick<AttachmentInfo, 'kind' | 'name' | 'contentType'>): boolean {
  if (a.kind === 'reference') return false;
  if (a.kind === 'item') return true;
  if (claimedMailFileType(a.name, a.contentType ?? undefined)) return true;
  return !NEVER_MAIL.test(a.contentType ?? '');
}

export interface OpenedAttachment {
  /** The mail file type by content, else by name / content type (a broken `x.eml` is still an eml to try). */
  type: MailFileType | null;
  /** The first bytes (what the type was judged by), also still at the start of `stream`. */
  head: Uint8Array;
  /** The whole body, to consume or cancel. */
  stream: ReadableStream<Uint8Array>;
}

/** Opens an attachment's `$value` and decides, from its first bytes, whether it is a mail file. */
export async function openAndSniff(graph: GraphClient, mailbox: string, messageId: string, a: AttachmentInfo): Promise<OpenedAttachment> {
  const sniffed = await sniffStream(await openAttachmentStream(graph, mailbox, messageId, a));
  const byContent = mailFileTypeOf(a, sniffed.head);
  const claimed = a.kind === 'file' ? claimedMailFileType(a.name, a.contentType ?? undefined) : null;
  return { type: byContent ?? claimed, head: sniffed.head, stream: sniffed.stream };
}

/** Mail files held whole in memory at once in this process (each up to MAIL_FILE_MAX_BYTES). */
export const MAIL_FILES_IN_MEMORY = 2;

/**
 * A counting semaphore with a non-blocking try. One per process bounds the memory of every
 * in-memory mail-file read, whatever the number of chunks, mailboxes, attachments or
 * concurrent invocations: MAIL_FILES_IN_MEMORY x 64 MiB of bodies (plus what parsing them costs).
 */
export class MemoryGate {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(readonly slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new TypeError(`slots must be a positive integer, got ${String(slots)}`);
    this.#free = slots;
  }

  get available(): number {
    return this.#free;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** A release function when a slot is free now, else null. */
  tryAcquire(): (() => void) | null {
    if (this.#free === 0) return null;
    this.#free--;
    return this.#releaser();
  }

  async acquire(): Promise<() => void> {
    const now = this.tryAcquire();
    if (now) return now;
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    // The slot was handed over by a release: #free was not incremented for it.
    return this.#releaser();
  }

  /** `fn` with a slot held; the slot is freed however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** The process-wide gate of in-memory mail-file reads (Download "from EML", Extract Data). */
export const mailFileMemory = new MemoryGate(MAIL_FILES_IN_MEMORY);

/** `fn` over `items` with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Item attachments are named after the item's subject: give an attached email its extension. */
export function fileNameOf(name: string, type: MailFileType | null): string {
  const base = name.trim() === '' ? 'attachment' : name;
  if (!type) return base;
  const ext = `.${type}`;
  return base.toLowerCase().endsWith(ext) ? base : `${base}${ext}`;
}

/**
 * A mail file held whole in memory for `use` (parse it, save it), under the process-wide gate.
 * The gate is taken without waiting while `opened` (the sniffed body) is open; when it is busy the
 * stream is cancelled, freeing the mailbox's Graph slot instead of letting it idle out, and the
 * body is opened again once a slot is free: only the sniffed head is read twice. The bytes are
 * refused past MAIL_FILE_MAX_BYTES; the slot is freed however `use` ends.
 */
export async function withMailFileBytes<T>(
  graph: GraphClient,
  mailbox: string,
  messageId: string,
  a: AttachmentInfo,
  opened: ReadableStream<Uint8Array>,
  use: (bytes: Buffer) => Promise<T>,
  gate: MemoryGate = mailFileMemory,
): Promise<T> {
  let stream: ReadableStream<Uint8Array> | undefined = opened;
  let release = gate.tryAcquire();
  if (!release) {
    await opened.cancel().catch(() => undefined);
    stream = undefined;
    release = await gate.acquire();
  }
  try {
    stream ??= await openAttachmentStream(graph, mailbox, messageId, a);
    return await use(await collectCapped(stream, MAIL_FILE_MAX_BYTES, a.name));
  } finally {
    release();
  }
}
