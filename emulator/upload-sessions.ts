/**
 * Upload sessions for large attachments (attachment-createuploadsession.md,
 * outlook-large-attachments.md). `createUploadSession` answers an opaque, pre-authenticated
 * `uploadUrl` on the emulator's own origin, shaped as Outlook's:
 * `/api/v2.0/Users('{userId}@{tenantId}')/Messages('{messageId}')/AttachmentSessions('{sessionId}')?authtoken=...`.
 * The URL carries its credential; a request with an `Authorization` header is refused as
 * Outlook refuses a Graph token there (401 InvalidAudienceForResource). Bytes must come in
 * order (`Content-Range: bytes {start}-{end}/{total}`, at most 4 MB a request); the last one
 * creates the file attachment (201, `Location`), `DELETE` cancels (204).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EmulatorError } from './errors.ts';
import { renderError } from './graph-errors-render.ts';
import { newGuid } from './ids.ts';
import { mailFlowOf } from './mail-flow.ts';
import { requestOrigin } from './origin.ts';
import { json, noContent, type EmulatorState, type GraphResponse } from './state.ts';

export const MIN_SESSION_BYTES = 3 * 1024 * 1024;
export const MAX_SESSION_BYTES = 150 * 1024 * 1024;
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/** The docs give no lifetime; their example expires about an hour and a half after the upload. */
export const SESSION_LIFETIME_MS = 15 * 60 * 1000;

export interface UploadSession {
  id: string;
  mailboxId: string;
  /** The message by immutable id, so the session survives a move. */
  messageImmutableId: string;
  messageRestId: string;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  token: string;
  expiresAt: number;
  received: number;
  chunks: Buffer[];
}

export function newSession(state: EmulatorState, input: Omit<UploadSession, 'id' | 'token' | 'expiresAt' | 'received' | 'chunks'>): UploadSession {
  const session: UploadSession = {
    ...input,
    id: randomBytes(24).toString('base64url'),
    token: randomBytes(32).toString('base64url'),
    expiresAt: state.now() + SESSION_LIFETIME_MS,
    received: 0,
    chunks: [],
  };
  mailFlowOf(state).sessions.set(session.id, session);
  return session;
}

const iso7 = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

function sessionPath(state: EmulatorState, s: UploadSession): string {
  return `/api/v2.0/Users('${s.mailboxId}@${state.tenant.tenantId}')/Messages('${s.messageRestId}')/AttachmentSessions('${s.id}')`;
}

export function uploadUrlOf(state: EmulatorState, s: UploadSession, host: string | undefined): string {
  return `${requestOrigin(state, host)}${sessionPath(state, s)}?authtoken=${s.token}`;
}

export function expirationOf(s: UploadSession): string {
  return iso7(s.expiresAt);
}

const SESSION_PATH = /^\/api\/v2\.0\/Users\('([^']+)'\)\/Messages\('([^']+)'\)\/AttachmentSessions\('([^']+)'\)$/i;

export function isUploadPath(pathname: string): boolean {
  return /^\/api\/v2\.0\//i.test(pathname);
}

function notFound(): EmulatorError {
  return new EmulatorError(404, 'uploadSessionNotFound', 'Upload session not found.');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface UploadRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request at an upload URL, answered as Outlook answers it; errors in Graph's shape. */
export async function handleUpload(state: EmulatorState, req: UploadRequest): Promise<GraphResponse> {
  const ids = { requestId: newGuid(), clientRequestId: req.headers['client-request-id'] || newGuid() };
  try {
    const out = await serve(state, req);
    out.headers['request-id'] = ids.requestId;
    return out;
  } catch (err) {
    const out = renderError(err, ids, state.now());
    out.headers['request-id'] = ids.requestId;
    return out;
  }
}

async function serve(state: EmulatorState, req: UploadRequest): Promise<GraphResponse> {
  let path: string;
  try {
    path = decodeURIComponent(req.url.pathname);
  } catch {
    throw notFound();
  }
  const match = SESSION_PATH.exec(path);
  if (!match) throw notFound();
  if (req.headers.authorization !== undefined) {
    throw new EmulatorError(
      401,
      'InvalidAudienceForResource',
      `The audience claim value is invalid for current resource. Audience claim is '${state.origin}', request url is '${requestOrigin(state, req.headers.host)}${req.url.pathname}'.`,
    );
  }
  const flow = mailFlowOf(state);
  const session = flow.sessions.get(match[3]);
  const token = req.url.searchParams.get('authtoken') ?? '';
  if (!session || !sameToken(token, session.token)) {
    if (session || token === '') throw new EmulatorError(401, 'InvalidAuthenticationToken', 'The authtoken of this upload URL is missing or not valid.');
    throw notFound();
  }
  if (state.now() >= session.expiresAt) {
    flow.sessions.delete(session.id);
    throw notFound();
  }
  if (req.method === 'DELETE') {
    flow.sessions.delete(session.id);
    return noContent();
  }
  if (req.method !== 'PUT') throw new EmulatorError(405, 'ErrorInvalidRequest', 'An upload URL takes PUT (a range of bytes) or DELETE (cancel).');
  return putRange(state, session, req);
}

async function putRange(state: EmulatorState, s: UploadSession, req: UploadRequest): Promise<GraphResponse> {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((req.headers['content-range'] ?? '').trim());
  if (!range) throw new EmulatorError(400, 'invalidRequest', "The Content-Range header is missing or malformed: expected 'bytes {start}-{end}/{total}'.");
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (total !== s.size) throw new EmulatorError(416, 'invalidRange', 'Declared total size for this fragment is different from that of the upload session.');
  if (end < start || end >= s.size) throw new EmulatorError(416, 'invalidRange', 'The specified byte range is invalid or unavailable.');
  if (req.body.length !== end - start + 1) throw new EmulatorError(400, 'invalidRequest', 'The number of bytes in the request does not match its Content-Range.');
  if (req.body.length > MAX_CHUNK_BYTES) throw new EmulatorError(413, 'RequestEntityTooLarge', 'The request size exceeds the maximum limit.');
  if (start < s.received) throw new EmulatorError(416, 'invalidRange', 'Uploaded fragment overlaps with existing data.');
  if (start > s.received) throw new EmulatorError(416, 'invalidRange', 'Uploaded fragment is out of order.');
  s.chunks.push(Buffer.from(req.body));
  s.received = end + 1;
  if (s.received < s.size) {
    return json(200, {
      '@odata.context': `${requestOrigin(state, req.headers.host)}/api/v2.0/$metadata#Users('${s.mailboxId}%40${state.tenant.tenantId}')/Messages('${encodeURIComponent(s.messageRestId)}')/AttachmentSessions/$entity`,
      ExpirationDateTime: expirationOf(s),
      nextExpectedRanges: [String(s.received)],
    });
  }
  mailFlowOf(state).sessions.delete(s.id);
  const user = state.store.findUser(s.mailboxId);
  if (!user) throw notFound();
  const m = state.store.message(user, s.messageImmutableId);
  const content = Buffer.concat(s.chunks);
  s.chunks = [];
  const a = await state.store.addAttachment(m, { kind: 'file', name: s.name, contentType: s.contentType, content, isInline: s.isInline, contentId: s.contentId });
  const location = `${requestOrigin(state, req.headers.host)}/api/v2.0/Users('${s.mailboxId}@${state.tenant.tenantId}')/Messages('${m.id}')/Attachments('${a.id}')`;
  return { status: 201, headers: { Location: location, 'Content-Length': '0' } };
}
