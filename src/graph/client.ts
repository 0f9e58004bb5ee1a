/**
 * The Graph client: one pipeline of layers (layers.ts, `LAYER_ORDER`) that every Graph request,
 * every `$batch` call and every request to a pre-authenticated URL Graph handed out runs through:
 *
 *   Graph request / $batch call:   auth -> mailboxLimit -> retry -> pacing -> attempt
 *   pre-authenticated URL:                 mailboxLimit -> retry -> pacing -> attempt (no token)
 *   token request (Entra):                                 retry ->           attempt
 */
import { randomUUID } from 'node:crypto';
import { errorFromEntra, errorFromNetwork, errorFromResponse, type Endpoint } from './error-builders.ts';
import { realClock } from './clock.ts';
import { BatchRunner, DEFAULT_BATCH_ITEMS_PER_CALL, MAX_BATCH_ITEMS } from './batch.ts';
import { MailboxLimiter, RequestRateLimiter } from './limiter.ts';
import { paginate } from './paging.ts';
import { Redactor } from './redact.ts';
import { isIdempotent, resolveRetryPolicy, withRetry } from './retry.ts';
import { TokenProvider } from './token.ts';
import { createHttpTransport, normalizeProxy } from './transport.ts';
import { authLayer, compose, mailboxLimitLayer, pacingLayer, retryLayer, toTransportRequest, type Exchange, type Layer, type Next } from './layers.ts';
import { buildUrl, checkPreAuthenticatedUrl, mailboxFromPath } from './url.ts';
import type {
  ApiVersion,
  GraphClient,
  GraphClientOptions,
  GraphRequest,
  GraphResponse,
  HttpMethod,
  PreAuthenticatedRequest,
  PreAuthenticatedTarget,
  TransportRequest,
  TransportResponse,
} from './types.ts';

export { realClock };

/** CONTRACT.md §5: Graph allows an app 2,000 requests per second. */
export const DEFAULT_REQUESTS_PER_SECOND = 2000;

const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

function requireString(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new TypeError(`${name} is required`);
  return v;
}

function requireHttpUrl(param: string, v: unknown): string {
  const s = requireString(param, v);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new TypeError(`${param} is not a valid URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError(`${param} must be an http(s) URL`);
  return s.replace(/\/+$/, '');
}

async function readAll(body: TransportResponse['body']): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(await new Response(body as ReadableStream<Uint8Array>).arrayBuffer());
}

function parseJsonBytes(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Headers and body of a request as sent; the caller's headers win, except Authorization and client-request-id. */
function encodeRequest(req: { body?: unknown; headers?: Record<string, string> }, clientRequestId: string): { headers: Record<string, string>; body?: string | Uint8Array } {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | Uint8Array | undefined;
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || req.body instanceof Uint8Array) {
      body = req.body;
      headers['Content-Type'] = typeof req.body === 'string' ? 'text/plain' : 'application/octet-stream';
    } else {
      body = JSON.stringify(req.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    const lower = k.toLowerCase();
    if (lower === 'authorization' || lower === 'client-request-id') continue;
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
    headers[k] = v;
  }
  headers['client-request-id'] = clientRequestId;
  return { headers, body };
}

function pathForLog(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '?';
  }
}

export function createGraphClient(opts: GraphClientOptions): GraphClient {
  const graphEndpoint = requireHttpUrl('Microsoft Graph Endpoint', opts.graphEndpoint);
  const loginEndpoint = requireHttpUrl('Azure AD endpoint', opts.loginEndpoint);
  const tenant = requireString('Tenant', opts.tenant);
  const clientId = requireString('Client ID', opts.clientId);
  const clientSecret = requireString('Secret ID', opts.clientSecret);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('timeoutMs must be a positive number');
  const streamIdleMs = opts.streamIdleMs ?? timeoutMs;
  const perMailbox = opts.mailboxConcurrency ?? 4;
  const limiter = new MailboxLimiter(perMailbox);
  const itemsPerCall = opts.batchItemsPerCall ?? DEFAULT_BATCH_ITEMS_PER_CALL;
  if (!Number.isInteger(itemsPerCall) || itemsPerCall < 1 || itemsPerCall > MAX_BATCH_ITEMS) {
    throw new TypeError(`batchItemsPerCall must be a whole number from 1 to ${MAX_BATCH_ITEMS}, got ${String(itemsPerCall)}`);
  }
  const requestsPerSecond = opts.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  if (!Number.isInteger(requestsPerSecond) || requestsPerSecond < 0) {
    throw new TypeError(`requestsPerSecond must be a non-negative integer, got ${String(requestsPerSecond)}`);
  }
  const policy = resolveRetryPolicy(opts.retry);
  const clock = opts.clock ?? realClock;
  const pacer = opts.rateLimiter ?? (requestsPerSecond > 0 ? new RequestRateLimiter(requestsPerSecond, clock) : undefined);
  const random = opts.random ?? Math.random;
  const logger = opts.logger;
  const defaultVersion: ApiVersion = opts.defaultVersion ?? 'v1.0';
  const redactor = new Redactor([clientSecret, opts.proxy?.password]);
  const proxyUrl = opts.proxy ? normalizeProxy(opts.proxy).uri : undefined;
  if (opts.proxy) redactor.add(normalizeProxy(opts.proxy).password);
  const http = opts.transport
    ? { transport: opts.transport, close: async () => {} }
    : createHttpTransport({ verifySsl: opts.verifySsl ?? true, ca: opts.ca, proxy: opts.proxy, timeoutMs });
  const stats = { httpRequests: 0, retries: 0, throttled: 0 };

  /** Layer `attempt`: one exchange. Returns only 2xx responses. */
  async function attempt(treq: TransportRequest, endpoint: Endpoint, stream: boolean): Promise<TransportResponse> {
    stats.httpRequests++;
    const started = clock.now();
    const logLine = (status: number, requestId?: string) =>
      logger?.debug(
        { method: treq.method, path: pathForLog(treq.url), status, ms: clock.now() - started, requestId: requestId ?? treq.headers['client-request-id'] },
        'graph http',
      );
    let res: TransportResponse;
    try {
      res = await http.transport(treq, { stream, timeoutMs });
    } catch (err) {
      const ge = errorFromNetwork(err, { url: treq.url, endpoint, proxyUrl }, redactor);
      logLine(0);
      throw ge;
    }
    const requestId = res.headers['request-id'] ?? res.headers['x-ms-request-id'];
    logLine(res.status, requestId);
    if (res.status >= 200 && res.status < 300) return res;
    const body = parseJsonBytes(await readAll(res.body));
    const init = { status: res.status, headers: res.headers, body, method: treq.method, url: treq.url, now: clock.now() };
    throw endpoint === 'login' ? errorFromEntra(init, redactor) : errorFromResponse(init, redactor);
  }

  const tokens = new TokenProvider(
    { loginEndpoint, graphEndpoint, tenant, clientId, clientSecret },
    // Client-credentials token requests have no side effect, so they may be repeated like a GET.
    (treq) => withRetry(() => attempt(treq, 'login', false), { idempotent: true, policy, clock, random, stats }),
    clock,
    (token) => redactor.add(token),
  );

  /** Layer `attempt` over an exchange: pre-authenticated URLs are answered like Graph (same error shape). */
  const attemptLayer: Layer = (ex) => attempt(toTransportRequest(ex), 'graph', ex.stream);
  const retry = retryLayer({ policy, clock, random, stats });
  const pacing = pacingLayer(pacer);
  const limit = mailboxLimitLayer(limiter, streamIdleMs);
  const graphPipeline = compose([authLayer(tokens), limit, retry, pacing, attemptLayer]);
  const preAuthenticatedPipeline = compose([limit, retry, pacing, attemptLayer]);

  async function send<T>(
    pipeline: Next,
    req: { method: HttpMethod; body?: unknown; headers?: Record<string, string>; responseType?: GraphRequest['responseType']; idempotent?: boolean },
    ex: Pick<Exchange, 'url' | 'endpoint' | 'slots' | 'operations' | 'onToken'>,
  ): Promise<GraphResponse<T>> {
    if (!METHODS.has(req.method)) throw new TypeError(`Unsupported HTTP method ${String(req.method)}`);
    // One id for all attempts of this logical request, so Microsoft support can correlate retries.
    const { headers, body } = encodeRequest(req, randomUUID());
    const res = await pipeline({
      ...ex,
      method: req.method,
      headers,
      body,
      idempotent: isIdempotent(req.method, req.idempotent),
      stream: req.responseType === 'stream',
    });
    let out: unknown;
    if (req.responseType === 'stream') out = res.body;
    else if (req.responseType === 'buffer') out = await readAll(res.body);
    else out = parseJsonBytes(await readAll(res.body));
    return { status: res.status, headers: res.headers, body: out as T };
  }

  /** One Graph request with explicit limiter slots (a `$batch` call holds several). */
  function execute<T>(req: GraphRequest, slots: Map<string, number>, operations = 1, sent?: { accessToken?: string }): Promise<GraphResponse<T>> {
    const url = buildUrl(graphEndpoint, req.version ?? defaultVersion, req.path, req.query);
    const onToken = sent ? (t: string) => (sent.accessToken = t) : undefined;
    return send<T>(graphPipeline, req, { url, endpoint: 'graph', slots, operations, onToken });
  }

  function preAuthenticated(url: string): PreAuthenticatedTarget {
    const target = checkPreAuthenticatedUrl(url, graphEndpoint, opts.preAuthenticatedOrigins ?? []);
    // The URL carries its own credential (e.g. an upload session's `authtoken`): keep it out of logs and errors.
    for (const value of new URL(target).searchParams.values()) if (value.length >= 8) redactor.add(value);
    return {
      url: target,
      request<T>(r: PreAuthenticatedRequest) {
        const mailbox = r.mailbox?.toLowerCase();
        return send<T>(preAuthenticatedPipeline, r, { url: target, endpoint: 'preauthenticated', slots: mailbox ? new Map([[mailbox, 1]]) : new Map(), operations: 1 });
      },
    };
  }

  function slotsFor(req: GraphRequest): Map<string, number> {
    const mailbox = req.mailbox?.toLowerCase() ?? mailboxFromPath(req.path);
    return mailbox ? new Map([[mailbox, 1]]) : new Map();
  }

  const request = <T>(req: GraphRequest): Promise<GraphResponse<T>> => execute<T>(req, slotsFor(req));

  const batches = new BatchRunner({
    perMailbox,
    itemsPerCall,
    ensureToken: () => tokens.get(),
    invalidateToken: (accessToken) => tokens.invalidate(accessToken),
    execute,
    request,
    clock,
    random,
    policy,
    stats,
    redactor,
  });

  const client: GraphClient = {
    request,
    async get<T>(path: string, o: Omit<GraphRequest, 'method' | 'path'> = {}) {
      return (await request<T>({ ...o, method: 'GET', path })).body;
    },
    async post<T>(path: string, body?: unknown, o: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}) {
      return (await request<T>({ ...o, method: 'POST', path, body })).body;
    },
    async patch<T>(path: string, body: unknown, o: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}) {
      return (await request<T>({ ...o, method: 'PATCH', path, body })).body;
    },
    async delete(path: string, o: Omit<GraphRequest, 'method' | 'path'> = {}) {
      await request({ ...o, method: 'DELETE', path });
    },
    paginate<T>(path: string, o: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}) {
      return paginate<T>(request, path, o);
    },
    batch<T>(items: Parameters<GraphClient['batch']>[0], o: { version?: ApiVersion } = {}) {
      return batches.run<T>(items, o.version ?? defaultVersion);
    },
    preAuthenticated,
    getToken: (forceRefresh?: boolean) => tokens.get(forceRefresh),
    redact: (text: string) => redactor.scrubKnown(text),
    stats,
    close: () => http.close(),
  };
  return client;
}
