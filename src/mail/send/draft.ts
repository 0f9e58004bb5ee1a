/**
 * Sending with an id. Graph's `sendMail` answers 202 and no id, so every send goes through a
 * draft made with `Prefer: IdType="ImmutableId"`: the draft's id stays the id of its Sent Items
 * copy (concepts/outlook-immutable-id.md, "Immutable ID with sending mail"):
 *
 *   1. the draft: `POST /users/{from}/messages` (201), or `createReply` / `createReplyAll` /
 *      `createForward` on the original (201), then `PATCH` what must change;
 *   2. its attachments, as planned (attachments-plan.ts): inside the creating request, one
 *      `POST .../attachments` each, or an upload session each (upload-session.ts);
 *   3. `POST .../send` (202, nothing in the body; message-send.md);
 *   4. the Sent Items copy, read by the same id: the docs warn it "might not succeed
 *      immediately", so it is polled with backoff for a bounded time.
 *
 * A failure before step 3 deletes the draft, so a failed action leaves no half-made mail in
 * Drafts. Graph errors a SOC engineer can act on are told in words (SEND_ERROR_MESSAGES).
 */
import { readFile } from 'node:fs/promises';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import { isGraphError } from '../../graph/errors.ts';
import { segment } from '../../graph/url.ts';
import type { Clock, GraphClient } from '../../graph/types.ts';
import { mailboxPath } from '../mailboxes.ts';
import { fileAttachmentShell, planAttachments, type AttachmentPlan, type LocalAttachment, type PlannedAttachment } from './attachments-plan.ts';
import { IMMUTABLE_ID, uploadAttachment, type UploadOptions } from './upload-session.ts';

export type DraftSource = { kind: 'new' } | { kind: 'reply' | 'replyAll' | 'forward'; messageId: string };

/** The Graph action that makes a reply or forward draft, by source kind. */
export const DRAFT_ACTIONS = { reply: 'createReply', replyAll: 'createReplyAll', forward: 'createForward' } as const;

export interface SendDraftRequest {
  /** The sending mailbox (`Send From`, already resolved to an address). */
  from: string;
  source: DraftSource;
  /**
   * Message properties: the new draft's body for `new`; for a reply or forward, what is
   * PATCHed onto the draft Graph made (left out when empty).
   */
  message: MicrosoftGraph.Message;
  /** createReply / createReplyAll / createForward's `comment` (text above the quoted original). */
  comment?: string;
  /** Files already checked by `statAttachments`. */
  attachments?: readonly LocalAttachment[];
}

export interface SendOptions {
  clock?: Clock;
  /** How long to wait for the Sent Items copy. Default 60 s. */
  sentItemsWaitMs?: number;
  /** First wait between Sent Items reads, doubled each time up to 5 s. Default 250 ms. */
  sentItemsFirstDelayMs?: number;
  /** `$select` of the Sent Items read (default: the whole message). */
  select?: string;
  upload?: UploadOptions;
}

export interface SentMessage {
  /** The immutable id: the draft's, and its Sent Items copy's. */
  id: string;
  /** The Sent Items copy; null when it did not appear within `sentItemsWaitMs` (the mail was sent). */
  message: (MicrosoftGraph.Message & { id: string }) | null;
  plan: AttachmentPlan;
  /** Reads of Sent Items made. */
  sentItemsReads: number;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const PREFER = { Prefer: IMMUTABLE_ID };

/** Where a send failed, for the error a user reads. */
export type SendStage = 'draft' | 'attachments' | 'send';

/** Graph codes (and statuses) a SOC engineer can act on, in words. `FROM` is the sending mailbox. */
export const SEND_ERROR_MESSAGES: ReadonlyArray<{ code?: string; status?: number; message: string }> = [
  { code: 'ErrorInvalidRecipients', message: 'Microsoft Graph refused the recipients of the email: check the addresses in the To, CC, BCC and Reply-To parameters.' },
  { code: 'ErrorMessageSizeExceeded', message: 'The email is larger than the mailbox FROM may send (Exchange Online allows 35 MB by default): attach fewer or smaller files, or ask an Exchange administrator to raise the limit.' },
  { code: 'ErrorAttachmentSizeLimitExceeded', message: 'An attachment is larger than the mailbox FROM may send: attach a smaller file, or ask an Exchange administrator to raise the limit.' },
  { status: 413, message: 'Microsoft Graph refused a request as too large (413): attach fewer or smaller files.' },
  { code: 'ErrorSendAsDenied', message: 'The integration may not send as FROM: grant the app the Mail.Send permission for that mailbox, or choose another Send From.' },
  { code: 'ErrorQuotaExceeded', message: 'The mailbox FROM is full: free some space in it, then send again.' },
  { code: 'ErrorAccessDenied', message: 'Access to the mailbox FROM was denied: the app needs the Mail.ReadWrite and Mail.Send permissions for it.' },
];

/** A send that failed, with the words for the user and Graph's error as its cause. */
export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    message: string,
    readonly stage: SendStage,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The table's words for `err`, or undefined when the table has none. */
export function explainSendError(err: unknown, from: string): string | undefined {
  if (!isGraphError(err)) return undefined;
  const row = SEND_ERROR_MESSAGES.find((r) => r.code === err.code) ?? SEND_ERROR_MESSAGES.find((r) => r.code === undefined && r.status === err.status);
  return row?.message.replace(/FROM/g, from);
}

function toSendError(err: unknown, stage: SendStage, from: string): unknown {
  if (err instanceof SendError || !isGraphError(err)) return err;
  const words = explainSendError(err, from);
  return new SendError(words ?? err.message, stage, err.code, { cause: err });
}

function withoutEmpty(message: MicrosoftGraph.Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

async function inlineAttachment(file: LocalAttachment): Promise<Record<string, unknown>> {
  // Only files planned inline come here: each is under 3 MB, all of them under 4 MB together.
  return { ...fileAttachmentShell(file), contentBytes: (await readFile(file.path)).toString('base64') };
}

async function postAttachment(graph: GraphClient, from: string, draftId: string, file: LocalAttachment): Promise<void> {
  await graph.post(`${mailboxPath(from)}/messages/${segment(draftId)}/attachments`, await inlineAttachment(file), { mailbox: from, headers: PREFER });
}

async function addAttachment(graph: GraphClient, from: string, draftId: string, file: PlannedAttachment, upload: UploadOptions | undefined): Promise<void> {
  if (file.route === 'post') return postAttachment(graph, from, draftId, file);
  try {
    await uploadAttachment(graph, from, draftId, file, upload);
  } catch (err) {
    // "3 MB" read as 3,000,000 bytes; a service that counts 3 MiB refuses a file in between as
    // too small for a session, and then takes it as a plain POST (its request cap is 4 MiB).
    if (isGraphError(err) && err.code === 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize') return postAttachment(graph, from, draftId, file);
    throw err;
  }
}

async function createDraft(graph: GraphClient, req: SendDraftRequest, inDraft: readonly PlannedAttachment[]): Promise<string> {
  const base = mailboxPath(req.from);
  if (req.source.kind === 'new') {
    const body: Record<string, unknown> = withoutEmpty(req.message);
    if (inDraft.length > 0) body.attachments = await Promise.all(inDraft.map(inlineAttachment));
    const draft = await graph.post<{ id: string }>(`${base}/messages`, body, { mailbox: req.from, headers: PREFER });
    return draft.id;
  }
  const action = DRAFT_ACTIONS[req.source.kind];
  const createBody: Record<string, unknown> = req.comment ? { comment: req.comment } : {};
  const rest = { ...req.message };
  // message-createforward.md: the To recipients go with createForward itself (toRecipients, or
  // message.toRecipients, exactly one of them: neither is a 400); the rest is PATCHed after.
  if (req.source.kind === 'forward' && rest.toRecipients && rest.toRecipients.length > 0) {
    createBody.toRecipients = rest.toRecipients;
    delete rest.toRecipients;
  }
  const draft = await graph.post<{ id: string }>(`${base}/messages/${segment(req.source.messageId)}/${action}`, Object.keys(createBody).length > 0 ? createBody : undefined, { mailbox: req.from, headers: PREFER });
  const patch = withoutEmpty(rest);
  if (Object.keys(patch).length > 0) await graph.patch(`${base}/messages/${segment(draft.id)}`, patch, { mailbox: req.from, headers: PREFER });
  return draft.id;
}

async function deleteDraft(graph: GraphClient, from: string, draftId: string): Promise<void> {
  await graph.delete(`${mailboxPath(from)}/messages/${segment(draftId)}`, { mailbox: from, headers: PREFER }).catch(() => undefined);
}

/** The Sent Items copy of `id`, read until it is no longer a draft or `waitMs` has passed. */
export async function waitForSentCopy(
  graph: GraphClient,
  from: string,
  id: string,
  opts: { clock: Clock; waitMs: number; firstDelayMs: number; select?: string },
): Promise<{ message: (MicrosoftGraph.Message & { id: string }) | null; reads: number }> {
  const deadline = opts.clock.now() + opts.waitMs;
  let delay = opts.firstDelayMs;
  let reads = 0;
  for (;;) {
    reads++;
    try {
      const message = await graph.get<MicrosoftGraph.Message & { id: string }>(`${mailboxPath(from)}/messages/${segment(id)}`, {
        mailbox: from,
        headers: PREFER,
        query: opts.select ? { $select: opts.select.includes('isDraft') ? opts.select : `${opts.select},isDraft` } : undefined,
      });
      if (message.isDraft === false) return { message, reads };
    } catch (err) {
      // Until Exchange has made the copy the id may name nothing.
      if (!(isGraphError(err) && err.status === 404)) throw err;
    }
    const left = deadline - opts.clock.now();
    if (left <= 0) return { message: null, reads };
    await opts.clock.sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, 5000);
  }
}

/**
 * Makes the draft, attaches the files, sends it, and returns its Sent Items copy. Throws
 * SendError (Graph's error as its cause) when Graph refuses; AttachmentTooLargeForGraphError
 * from the plan before any request.
 */
export async function sendWithId(graph: GraphClient, req: SendDraftRequest, opts: SendOptions = {}): Promise<SentMessage> {
  const clock = opts.clock ?? realClock;
  const files = req.attachments ?? [];
  const plan = planAttachments(withoutEmpty(req.message), files, { inDraftAllowed: req.source.kind === 'new' });
  const inDraft = plan.attachments.filter((a) => a.route === 'draft');
  let draftId: string;
  try {
    draftId = await createDraft(graph, req, inDraft);
  } catch (err) {
    throw toSendError(err, 'draft', req.from);
  }
  let stage: SendStage = 'attachments';
  try {
    for (const file of plan.attachments) if (file.route !== 'draft') await addAttachment(graph, req.from, draftId, file, opts.upload);
    stage = 'send';
    await graph.request({ method: 'POST', path: `${mailboxPath(req.from)}/messages/${segment(draftId)}/send`, mailbox: req.from, headers: { ...PREFER, 'Content-Length': '0' } });
  } catch (err) {
    // Graph may have taken a send whose answer was lost: deleting then could lose a sent mail's copy.
    if (!(stage === 'send' && isGraphError(err) && (err.status === 0 || err.status >= 500))) await deleteDraft(graph, req.from, draftId);
    throw toSendError(err, stage, req.from);
  }
  const sent = await waitForSentCopy(graph, req.from, draftId, {
    clock,
    waitMs: opts.sentItemsWaitMs ?? 60_000,
    firstDelayMs: opts.sentItemsFirstDelayMs ?? 250,
    select: opts.select,
  });
  return { id: draftId, message: sent.message, plan, sentItemsReads: sent.reads };
}


