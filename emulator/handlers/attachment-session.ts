/**
 * `POST .../messages/{id}/attachments/createUploadSession` (attachment-createuploadsession.md):
 * 201 with an uploadSession for a file of 3 MB to 150 MB; the bytes then go to its uploadUrl
 * (upload-sessions.ts).
 */
import { EmulatorError, graphErrors } from '../errors.ts';
import { json } from '../state.ts';
import { expirationOf, MAX_SESSION_BYTES, MIN_SESSION_BYTES, newSession, uploadUrlOf } from '../upload-sessions.ts';
import { folderOf, mailboxOf, type Handler } from './common.ts';
import { readMailJson } from './message-input.ts';

export const createUploadSession: Handler = (ctx) => {
  const store = ctx.state.store;
  const user = mailboxOf(ctx);
  folderOf(ctx, user);
  const m = store.message(user, ctx.params.message);
  const body = readMailJson(ctx.req);
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'attachmentitem');
  const item = (key ? body[key] : undefined) as Record<string, unknown> | undefined;
  if (!item || typeof item !== 'object') throw graphErrors.badRequest("The request is missing the required parameter 'AttachmentItem'.");
  if (String(item.attachmentType ?? '').toLowerCase() !== 'file') {
    throw graphErrors.badRequest(`Cannot convert the literal '${String(item.attachmentType)}' to the expected type 'microsoft.graph.attachmentType': an upload session takes attachmentType 'file'.`);
  }
  if (typeof item.name !== 'string' || item.name === '') throw graphErrors.badRequest("The attachmentItem property 'name' is required.");
  if (typeof item.size !== 'number' || !Number.isInteger(item.size) || item.size < 0) throw graphErrors.badRequest("The attachmentItem property 'size' is required (a number of bytes).");
  // outlook-large-attachments.md, Errors: a file under 3 MB is attached by a single POST.
  if (item.size < MIN_SESSION_BYTES) {
    throw new EmulatorError(400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize', 'The size of the attachment should not be less than the minimum size of 3 MB; attach it with a POST to the attachments of the message.');
  }
  if (item.size > MAX_SESSION_BYTES) throw new EmulatorError(400, 'ErrorMessageSizeExceeded', 'The attachment exceeds the maximum supported size of 150 MB.');
  const session = newSession(ctx.state, {
    mailboxId: user.id,
    messageImmutableId: m.immutableId,
    messageRestId: m.id,
    name: item.name,
    size: item.size,
    contentType: typeof item.contentType === 'string' && item.contentType !== '' ? item.contentType : 'application/octet-stream',
    isInline: item.isInline === true,
    contentId: typeof item.contentId === 'string' ? item.contentId : undefined,
  });
  return json(201, {
    '@odata.context': `${ctx.versionBase}/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: uploadUrlOf(ctx.state, session, ctx.req.headers.host),
    expirationDateTime: expirationOf(session),
    nextExpectedRanges: ['0-'],
  });
};
