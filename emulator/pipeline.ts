/**
 * The server pipeline, in order. An HTTP request goes:
 *
 *   request ids -> streamed routes (GCS subset, large-attachment upload) -> admin routes (/_emulator)
 *     -> Entra routes -> Graph stages -> serialise -> log
 *
 * and a Graph request (top level or one item of a $batch) runs these stages, each wrapping
 * the next:
 *
 *   stampIds -> renderErrors -> injectFaults -> authenticate -> denyMailboxes -> throttle
 *     -> addLatency -> checkRoute (route, roles, strict query options) -> dispatch
 *
 * Latency sits after throttling, not before it: on the real service a slow request holds its
 * mailbox-concurrency slot for its whole duration, and that is what makes clients meet 429s.
 * renderErrors sits outside everything that can fail, so every error (faults, 401, 429, 400)
 * leaves in Graph's shape with the request ids.
 */
import { requestOrigin } from './origin.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { handleAdmin, handleAdminUpload } from './admin.ts';
import { handleGcsHttp } from './gcs/index.ts';
import { handleUpload, isUploadPath } from './upload-sessions.ts';
import { runBatch } from './batch.ts';
import { handleEntra, matchEntra } from './entra.ts';
import { EmulatorError, graphErrors } from './errors.ts';
import { renderError } from './graph-errors-render.ts';
import { buildGraphRequest } from './graph-request.ts';
import { newGuid } from './ids.ts';
import { matchRoute, unknownSegment, type RouteMatch } from './routes.ts';
import type { EmulatorState, GraphRequest, GraphResponse, GraphVersion } from './state.ts';
import type { TokenClaims } from './tokens.ts';

type Next = () => Promise<GraphResponse>;
type Stage = (req: GraphRequest, state: EmulatorState, next: Next) => Promise<GraphResponse>;

const MAX_BODY_BYTES = 150 * 1024 * 1024;

const stampIds: Stage = async (req, _state, next) => {
  const res = await next();
  res.headers['request-id'] = req.requestId;
  res.headers['client-request-id'] = req.clientRequestId;
  return res;
};

const renderErrors: Stage = async (req, state, next) => {
  try {
    return await next();
  } catch (err) {
    const res = renderError(err, req, state.now());
    // Graph does not promise a Retry-After on every 429; clients must back off on their own.
    if (res.status === 429 && state.settings.retryAfterOn429 === false) delete res.headers['Retry-After'];
    if (res.status === 401) {
      res.headers['WWW-Authenticate'] =
        `Bearer realm="", authorization_uri="${state.origin}/${state.tenant.tenantId}/oauth2/v2.0/authorize", client_id="00000003-0000-0000-c000-000000000000"`;
    }
    return res;
  }
};

function faultFor(status: number): EmulatorError {
  switch (status) {
    case 503:
      return graphErrors.serviceUnavailable(0.2);
    case 429:
      return graphErrors.throttled(0.2, 'Application is over its request rate limit.');
    case 504:
      return new EmulatorError(504, 'GatewayTimeout', 'The gateway did not receive a response in time.');
    case 502:
      return new EmulatorError(502, 'BadGateway', 'The server received an invalid response from an upstream server.');
    case 500:
      return new EmulatorError(500, 'InternalServerError', 'An internal server error occurred.');
    default:
      return new EmulatorError(status, 'UnknownError', `Injected fault ${status}.`);
  }
}

const injectFaults: Stage = async (_req, state, next) => {
  const { faultRate, faultStatuses, faultStage } = state.settings;
  const strikes = faultRate > 0 && faultStatuses.length > 0 && state.random() < faultRate;
  if (!strikes) return next();
  const fault = faultFor(faultStatuses[Math.floor(state.random() * faultStatuses.length)]);
  // "Applied, but the answer was lost": the request takes effect and the client sees only the fault.
  if (faultStage === 'after') await next();
  throw fault;
};

const TOKEN_MESSAGES: Record<string, string> = {
  missing: 'Access token is empty.',
  malformed: 'CompactToken parsing failed with error code: 80049217',
  signature: 'Access token validation failure. Invalid signature.',
  expired: 'Lifetime validation failed, the token is expired.',
  notYetValid: 'Lifetime validation failed, the token is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
};

/**
 * Tokens whose signature, shape and audience already checked out, by Authorization header. A
 * tenant-wide sweep sends the same token on every `$batch` item, and an HMAC + two JSON parses
 * per item was a tenth of a millisecond each; lifetime is still checked on every request.
 */
const verifiedTokens = new WeakMap<EmulatorState, Map<string, TokenClaims>>();
const VERIFIED_TOKENS_KEPT = 64;

function checkToken(state: EmulatorState, authorization: string | undefined): ReturnType<EmulatorState['signer']['verify']> {
  const nowSeconds = Math.floor(state.now() / 1000);
  let cache = verifiedTokens.get(state);
  const known = authorization === undefined ? undefined : cache?.get(authorization);
  if (known) {
    if (nowSeconds >= known.exp) return { ok: false, reason: 'expired' };
    if (typeof known.nbf === 'number' && nowSeconds + 300 < known.nbf) return { ok: false, reason: 'notYetValid' };
    return { ok: true, claims: known };
  }
  const check = state.signer.verify(authorization, state.origin, nowSeconds);
  if (check.ok && authorization !== undefined) {
    if (!cache) verifiedTokens.set(state, (cache = new Map()));
    if (cache.size >= VERIFIED_TOKENS_KEPT) cache.clear();
    cache.set(authorization, check.claims);
  }
  return check;
}

const authenticate: Stage = async (req, state, next) => {
  const check = checkToken(state, req.headers.authorization);
  if (!check.ok) throw graphErrors.invalidToken(TOKEN_MESSAGES[check.reason]);
  if (check.claims.tid !== state.tenant.tenantId) throw graphErrors.invalidToken('Access token validation failure. Invalid issuer.');
  req.claims = check.claims;
  return next();
};

/**
 * Exchange data under `/users/{id}/`: what an application access policy scopes. The user object
 * itself (directory) and presence (Teams) are not Exchange's, so a policy leaves them answering.
 */
const EXCHANGE_SEGMENTS = new Set(['mailfolders', 'messages', 'sendmail', 'mailboxsettings']);

/**
 * `deniedMailboxes`: an Exchange application access policy that leaves these mailboxes out. Every
 * Exchange request at them is refused, whatever roles the token holds ($batch items alike, as each
 * runs these stages).
 */
const denyMailboxes: Stage = async (req, state, next) => {
  const denied = state.settings.deniedMailboxes;
  if (denied.length === 0 || req.segments.length < 3 || req.segments[0].toLowerCase() !== 'users') return next();
  if (!EXCHANGE_SEGMENTS.has(req.segments[2].toLowerCase())) return next();
  const user = state.store.findUser(req.segments[1]);
  const names = new Set((user ? [user.userPrincipalName, user.id] : [req.segments[1]]).map((n) => n.toLowerCase()));
  if (!denied.some((d) => names.has(d.toLowerCase()))) return next();
  // The request log names the mailbox even though the throttle stage (which usually does) is skipped.
  req.mailbox = user?.userPrincipalName ?? req.segments[1];
  throw graphErrors.accessPolicyDenied();
};

/** `/users/{id}/...` routes are per mailbox; the key is the user's object id when known. */
function mailboxKey(req: GraphRequest, state: EmulatorState): { key?: string; label?: string } {
  if (req.segments[0]?.toLowerCase() !== 'users' || req.segments.length < 2) return {};
  const user = state.store.findUser(req.segments[1]);
  return user ? { key: user.id, label: user.userPrincipalName } : { key: req.segments[1].toLowerCase(), label: req.segments[1] };
}

const throttle: Stage = async (req, state, next) => {
  const { key, label } = mailboxKey(req, state);
  req.mailbox = label;
  if (!state.settings.throttle || isBatch(req)) return next();
  const release = state.throttler.acquire(req.claims?.appid ?? '', key, expectedLatencyMs(req, state));
  try {
    return await next();
  } finally {
    release();
  }
};

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Base latency of this request: reads cost `latencyMs`, writes `writeLatencyMs` more. */
function baseLatencyMs(req: GraphRequest, state: EmulatorState): number {
  return state.settings.latencyMs + (WRITES.has(req.method) ? state.settings.writeLatencyMs : 0);
}

/** What a request is expected to take (sizes the concurrency 429's Retry-After). */
function expectedLatencyMs(req: GraphRequest, state: EmulatorState): number {
  return baseLatencyMs(req, state) + state.settings.latencyJitterMs / 2;
}

/**
 * The service time of one Graph request: base latency plus a seeded uniform jitter. The outer
 * `$batch` call adds none of its own: its items each pay theirs, at most `batchParallelism` at a
 * time, so a batch of 4 costs what one request does and a batch of 20 five times that.
 */
const addLatency: Stage = async (req, state, next) => {
  if (isBatch(req)) return next();
  const jitter = state.settings.latencyJitterMs > 0 ? state.random() * state.settings.latencyJitterMs : 0;
  const ms = baseLatencyMs(req, state) + jitter;
  if (ms > 0) await state.sleep(ms);
  return next();
};

interface Routed {
  match?: RouteMatch;
}
const routed = new WeakMap<GraphRequest, Routed>();

const checkRoute: Stage = async (req, state, next) => {
  if (isBatch(req)) {
    if (req.method !== 'POST') throw graphErrors.methodNotAllowed();
    rejectUnknownOptions(req, []);
    return next();
  }
  const match = matchRoute(req.method, req.version, req.segments);
  if (match === 'method') throw graphErrors.methodNotAllowed();
  if (!match) throw graphErrors.routeNotFound(unknownSegment(req.segments));
  const roles = req.claims?.roles ?? [];
  if (!match.route.roles.some((r) => roles.includes(r))) {
    // Directory objects are served by Azure AD Graph, which words its 403 differently from Exchange.
    throw match.route.directory ? graphErrors.directoryAccessDenied() : graphErrors.accessDenied();
  }
  rejectUnknownOptions(req, match.route.query);
  routed.set(req, { match });
  return next();
};

function rejectUnknownOptions(req: GraphRequest, allowed: string[]): void {
  for (const name of req.query.keys()) {
    if (!allowed.includes(name)) throw graphErrors.unsupportedQuery(name);
  }
}

function isBatch(req: GraphRequest): boolean {
  return req.segments.length === 1 && req.segments[0] === '$batch';
}

const dispatch: Stage = async (req, state) => {
  if (isBatch(req)) return runBatch(req, state, (sub) => executeGraph(sub, state));
  const match = routed.get(req)?.match;
  if (!match) throw graphErrors.routeNotFound(req.segments.join('/'));
  return match.route.handler({ req, params: match.params, state, versionBase: `${requestOrigin(state, req.headers.host)}/${req.version}` });
};

export const GRAPH_STAGES: Stage[] = [stampIds, renderErrors, injectFaults, authenticate, denyMailboxes, throttle, addLatency, checkRoute, dispatch];

function runStages(req: GraphRequest, state: EmulatorState, index: number): Promise<GraphResponse> {
  const stage = GRAPH_STAGES[index];
  if (!stage) throw new Error('pipeline ended without a response');
  return stage(req, state, () => runStages(req, state, index + 1));
}

/** Runs one Graph request through every stage and records it in the request log. */
export async function executeGraph(req: GraphRequest, state: EmulatorState): Promise<GraphResponse> {
  const started = performance.now();
  const res = await runStages(req, state, 0);
  state.log.add({
    method: req.method,
    path: req.logPath,
    status: res.status,
    mailbox: req.mailbox ?? null,
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
  return res;
}

// ---- HTTP ---------------------------------------------------------------------------------

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new EmulatorError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function send(res: ServerResponse, out: GraphResponse): void {
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(out.body)) payload = out.body;
  else if (out.body !== undefined) payload = Buffer.from(JSON.stringify(out.body));
  const headers: Record<string, string | number> = { ...out.headers };
  if (payload) headers['Content-Length'] = payload.length;
  res.writeHead(out.status, headers);
  res.end(payload);
}

const GRAPH_PATH = /^\/(v1\.0|beta)(\/.*)?$/i;

export async function handleHttp(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const headers = lowerHeaders(req);
  const ids = { requestId: newGuid(), clientRequestId: headers['client-request-id'] || newGuid() };
  // Routes that stream their bodies (GCS objects, large attachments) go before the body is buffered.
  if (await handleGcsHttp(state, req, res, url)) return;
  const streamed = await handleAdminUpload(state, req, url);
  if (streamed) return send(res, streamed);
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    send(res, renderError(err, ids, state.now()));
    return;
  }
  const path = url.pathname;
  try {
    if (path === '/_emulator' || path.startsWith('/_emulator/')) {
      send(res, await handleAdmin(state, { method: req.method ?? 'GET', path, query: url.searchParams, headers, body, remoteAddress: req.socket.remoteAddress }));
      return;
    }
    state.log.countHttp();
    if (isUploadPath(path)) {
      const started = performance.now();
      const out = await handleUpload(state, { method: req.method ?? 'GET', url, headers, body });
      // The path only: the query holds the URL's credential (authtoken).
      state.log.add({ method: req.method ?? 'GET', path, status: out.status, mailbox: null, ms: Math.round((performance.now() - started) * 10) / 10 });
      send(res, out);
      return;
    }
    const entra = matchEntra(path);
    if (entra) {
      const started = performance.now();
      const out = await handleEntra(state, entra, req.method ?? 'GET', headers, body);
      state.log.add({ method: req.method ?? 'GET', path, status: out.status, mailbox: null, ms: Math.round((performance.now() - started) * 10) / 10 });
      send(res, out);
      return;
    }
    const graph = GRAPH_PATH.exec(path);
    if (!graph) {
      const out = renderError(new EmulatorError(404, 'NotFound', `No resource at '${path}'.`), ids, state.now());
      out.headers['request-id'] = ids.requestId;
      send(res, out);
      return;
    }
    const version: GraphVersion = graph[1].toLowerCase() === 'beta' ? 'beta' : 'v1.0';
    const graphReq = buildGraphRequest({
      method: req.method ?? 'GET',
      version,
      pathAfterVersion: graph[2] ?? '/',
      query: url.searchParams,
      headers,
      body,
    });
    graphReq.requestId = ids.requestId;
    send(res, await executeGraph(graphReq, state));
  } catch (err) {
    const out = renderError(err, ids, state.now());
    out.headers['request-id'] = ids.requestId;
    out.headers['client-request-id'] = ids.clientRequestId;
    send(res, out);
  }
}
