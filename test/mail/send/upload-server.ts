/**
 * A local Graph (token, createUploadSession) and upload URL that behave as
 * concepts/outlook-large-attachments.md and attachment-createuploadsession.md say:
 * 201 + uploadSession (nextExpectedRanges ["0-"]), ranged PUTs in order answered 200 +
 * nextExpectedRanges ["{next}"], the last one 201 + Location, DELETE 204, sessions refused
 * under 3 MB (ErrorAttachmentSizeShouldNotBeLessThanMinimumSize). It keeps a hash of the
 * bytes, not the bytes, so a 20 MB upload costs the test process nothing.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeJwt } from '../../graph/helpers.ts';

export interface UploadSessionState {
  id: string;
  name: string;
  size: number;
  next: number;
  hash: Hash;
  done: boolean;
  deleted: boolean;
  expiresAt: number;
  puts: number;
}

export interface PutRecord {
  session: string;
  range: string | undefined;
  length: number;
  contentLength: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  status: number;
}

export interface UploadServer {
  url: string;
  sessions: UploadSessionState[];
  puts: PutRecord[];
  deletes: string[];
  createBodies: unknown[];
  /** Headers of the createUploadSession requests. */
  createHeaders: http.IncomingHttpHeaders[];
  /** The next PUTs whose number (1-based, over all sessions) is listed fail with 500, keeping nothing. */
  failPuts: Set<number>;
  /** The first session is forgotten (404 for its URL) after this many PUTs. */
  forgetFirstSessionAfterPuts?: number;
  /** Session lifetime from creation. Default 15 minutes. */
  sessionLifetimeMs: number;
  /** Headers and body length of each `POST .../send` (message-send.md: Content-Length 0, answered 202). */
  sends: Array<{ headers: http.IncomingHttpHeaders; bodyBytes: number }>;
  /** sha256 of the file finished by each session, by session id. */
  digests: Map<string, string>;
  close(): Promise<void>;
}

const MIN = 3_000_000;
const MAX_RANGE = 4 * 1024 * 1024;

export async function startUploadServer(): Promise<UploadServer> {
  let base = '';
  let putCount = 0;
  const state: Omit<UploadServer, 'url' | 'close'> = {
    sessions: [],
    puts: [],
    deletes: [],
    createBodies: [],
    createHeaders: [],
    failPuts: new Set(),
    sessionLifetimeMs: 15 * 60_000,
    digests: new Map(),
    sends: [],
  };
  const send = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    if (body === undefined) {
      res.writeHead(status, { 'content-length': '0', ...headers });
      return res.end();
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      req.resume();
      return send(res, 200, { token_type: 'Bearer', expires_in: 3600, access_token: makeJwt({ roles: ['Mail.ReadWrite', 'Mail.Send'] }) });
    }
    const create = /^\/v1\.0\/users\/([^/]+)\/messages\/([^/]+)\/attachments\/createUploadSession$/.exec(url.pathname);
    if (create && req.method === 'POST') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        if (!req.headers.authorization?.startsWith('Bearer ')) return error(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { AttachmentItem?: { attachmentType?: string; name?: string; size?: number } };
        state.createBodies.push(body);
        state.createHeaders.push(req.headers);
        const item = body.AttachmentItem;
        if (!item || item.attachmentType !== 'file' || !item.name || typeof item.size !== 'number') return error(res, 400, 'ErrorInvalidRequest', 'AttachmentItem needs attachmentType, name and size.');
        if (item.size < MIN) return error(res, 400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize', 'Attachment size should not be less than the minimum size.');
        const id = `S${state.sessions.length + 1}`;
        const expiresAt = Date.now() + state.sessionLifetimeMs;
        state.sessions.push({ id, name: item.name, size: item.size, next: 0, hash: createHash('sha256'), done: false, deleted: false, expiresAt, puts: 0 });
        return send(res, 201, {
          '@odata.context': `${base}/v1.0/$metadata#microsoft.graph.uploadSession`,
          uploadUrl: `${base}/api/v2.0/Users('${decodeURIComponent(create[1])}')/Messages('${decodeURIComponent(create[2])}')/AttachmentSessions('${id}')?authtoken=tok-${id}-secret-part`,
          expirationDateTime: new Date(expiresAt).toISOString(),
          nextExpectedRanges: ['0-'],
        });
      });
      return;
    }
    if (/^\/v1\.0\/users\/[^/]+\/messages\/[^/]+\/send$/.test(url.pathname) && req.method === 'POST') {
      let bodyBytes = 0;
      req.on('data', (c: Buffer) => (bodyBytes += c.length));
      req.on('end', () => {
        state.sends.push({ headers: req.headers, bodyBytes });
        send(res, 202);
      });
      return;
    }
    const upload = /\/AttachmentSessions\('([^']+)'\)$/.exec(decodeURIComponent(url.pathname));
    if (upload) {
      const session = state.sessions.find((s) => s.id === upload[1]);
      const tokenOk = session && url.searchParams.get('authtoken') === `tok-${session.id}-secret-part`;
      if (req.method === 'DELETE') {
        req.resume();
        state.deletes.push(upload[1]);
        if (!session || !tokenOk || session.deleted) return error(res, 404, 'ErrorItemNotFound', 'The upload session was not found.');
        session.deleted = true;
        return send(res, 204);
      }
      if (req.method !== 'PUT') return error(res, 405, 'ErrorInvalidRequest', 'Method not allowed.');
      putCount++;
      const n = putCount;
      const record: PutRecord = {
        session: upload[1],
        range: req.headers['content-range'],
        length: 0,
        contentLength: req.headers['content-length'],
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        status: 0,
      };
      state.puts.push(record);
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const chunk = Buffer.concat(parts);
        record.length = chunk.length;
        const answer = (status: number, body?: unknown, headers?: Record<string, string>) => {
          record.status = status;
          send(res, status, body, headers);
        };
        const fail = (status: number, code: string, message: string) => {
          record.status = status;
          error(res, status, code, message);
        };
        if (!session || !tokenOk || session.deleted || session.done) return fail(404, 'ErrorItemNotFound', 'The upload session was not found.');
        if (record.authorization !== undefined) return fail(400, 'ErrorInvalidRequest', 'An Authorization header is not accepted on a pre-authenticated URL.');
        if (Date.now() >= session.expiresAt) return fail(404, 'ErrorItemNotFound', 'The upload session has expired.');
        if (session.id === 'S1' && state.forgetFirstSessionAfterPuts !== undefined && session.puts >= state.forgetFirstSessionAfterPuts) {
          session.deleted = true;
          return fail(404, 'ErrorItemNotFound', 'The upload session was not found.');
        }
        session.puts++;
        if (state.failPuts.has(n)) return fail(500, 'ErrorInternalServerError', 'Internal error: try again.');
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(record.range ?? '');
        if (!m) return fail(400, 'ErrorInvalidContentRange', 'Content-Range is required.');
        const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
        if (record.contentType !== 'application/octet-stream') return fail(400, 'ErrorInvalidRequest', 'Content-Type must be application/octet-stream.');
        if (total !== session.size || start !== session.next || end < start || end >= total) return fail(416, 'ErrorInvalidContentRange', `Expected a range starting at ${session.next}.`);
        if (chunk.length !== end - start + 1 || Number(record.contentLength) !== chunk.length) return fail(400, 'ErrorInvalidContentRange', 'Content-Length does not match the range.');
        if (chunk.length > MAX_RANGE) return fail(413, 'ErrorRequestEntityTooLarge', 'A range must be under 4 MB.');
        session.hash.update(chunk);
        session.next = end + 1;
        if (session.next === session.size) {
          session.done = true;
          state.digests.set(session.id, session.hash.digest('hex'));
          return answer(201, undefined, { Location: `${base}/api/v2.0/Users('u')/Messages('m')/Attachments('ATT-${session.id}')` });
        }
        return answer(200, { expirationDateTime: new Date(session.expiresAt).toISOString(), nextExpectedRanges: [String(session.next)] });
      });
      return;
    }
    req.resume();
    error(res, 404, 'ResourceNotFound', `no route ${req.method} ${url.pathname}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as UploadServer;
}
