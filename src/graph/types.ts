/** Public shapes of the Graph client (src/graph/client.ts implements them). */

export type ApiVersion = 'v1.0' | 'beta';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Time and randomness are injected so retry tests run in milliseconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProxySettings {
  /** e.g. `http://proxy.local:3128` (scheme optional: `proxy.local:3128`). */
  url: string;
  username?: string;
  password?: string;
}

export interface RetryPolicy {
  /** Retries after the first attempt. Default 5. */
  maxRetries: number;
  /** Backoff base for network errors / 5xx without Retry-After. Default 500 ms. */
  baseDelayMs: number;
  /** Cap of one backoff wait (and of an honoured Retry-After). Default 60 s. */
  maxDelayMs: number;
  /** Statuses never retried. Default [400, 401, 403, 404, 405, 409, 410, 412, 413, 422]. */
  doNotRetry: number[];
}

export interface GraphClientOptions {
  /** `Azure AD endpoint`, e.g. https://login.microsoftonline.com */
  loginEndpoint: string;
  /** `Microsoft Graph Endpoint`, e.g. https://graph.microsoft.com */
  graphEndpoint: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** Default true. False accepts self-signed certificates for this client only. */
  verifySsl?: boolean;
  /** Extra trusted CA certificate (PEM) for this client only; the public roots stay trusted. */
  ca?: string;
  /** Version used when a request does not name one. Default 'v1.0'. */
  defaultVersion?: ApiVersion;
  proxy?: ProxySettings;
  /** Concurrent requests per mailbox (Graph's MailboxConcurrency). Default 4. */
  mailboxConcurrency?: number;
  /**
   * The fewest items a `$batch` call carries while the client's queue is short (1-20, default 4):
   * Graph sends Outlook at most four items of a batch at a time, so a call of 20 takes five
   * service times where five calls of 4, sent side by side, take one (concepts/throttling-limits.md,
   * "Outlook service limits for JSON batching"). A long queue goes out in fuller calls, up to 20
   * (src/graph/batch.ts, BatchRunner).
   */
  batchItemsPerCall?: number;
  /** App-wide pacing: Graph requests per second this client sends at most, each `$batch` item
   * counted (CONTRACT.md §5: 2,000 per app). Default 2000; 0 turns pacing off. */
  requestsPerSecond?: number;
  /** Pace with this limiter instead of one of the client's own (ignores `requestsPerSecond`): clients
   * of one app that run one after another or side by side share it to stay under the app's rate. */
  rateLimiter?: import('./limiter.ts').RequestRateLimiter;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Per-request timeout. Default 120 s. */
  timeoutMs?: number;
  /** A streamed body nobody reads for this long is cancelled and its mailbox slot freed. Default timeoutMs. */
  streamIdleMs?: number;
  /** Replaces the HTTP transport (tests). */
  transport?: Transport;
  /**
   * Origins beyond the Graph endpoint's own and Outlook's (`https://outlook.office.com`,
   * `https://outlook.office365.com`) whose pre-authenticated URLs (upload sessions) may be used.
   */
  preAuthenticatedOrigins?: string[];
}

/** A request to a pre-authenticated URL (no bearer token is ever sent with it). */
export interface PreAuthenticatedRequest {
  method: HttpMethod;
  headers?: Record<string, string>;
  body?: unknown;
  responseType?: 'json' | 'buffer' | 'stream';
  idempotent?: boolean;
  /** The mailbox it acts on, for the per-mailbox concurrency limit. */
  mailbox?: string;
}

/** A URL Graph handed out that carries its own credential (an upload session's `uploadUrl`). */
export interface PreAuthenticatedTarget {
  readonly url: string;
  request<T = unknown>(req: PreAuthenticatedRequest): Promise<GraphResponse<T>>;
}

/** One request as the pipeline sees it. `path` is relative to the version root
 * (`/users/x/messages`) or an absolute URL (an `@odata.nextLink`). */
export interface GraphRequest {
  method: HttpMethod;
  path: string;
  version?: ApiVersion;
  /** Query options; values are sent as-is after URL encoding (build $filter with odata.ts). */
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Mailbox the request acts on, for the per-mailbox concurrency limit. */
  mailbox?: string;
  /** 'json' (default), 'buffer', or 'stream' (body returned as a web ReadableStream). */
  responseType?: 'json' | 'buffer' | 'stream';
  /** Override idempotency (default: GET/PUT/DELETE idempotent, POST/PATCH not). */
  idempotent?: boolean;
}

export interface GraphResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** What the transport layer gets: a fully resolved request. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  /** Body bytes, or a stream when the caller asked for one. */
  body: Uint8Array | ReadableStream<Uint8Array>;
}

export type Transport = (req: TransportRequest, opts: { stream: boolean; timeoutMs: number }) => Promise<TransportResponse>;

export interface BatchItem {
  /** Unique within the call; defaults to the item's index. */
  id?: string;
  method: HttpMethod;
  /** Relative to the version root, e.g. `/users/a@b/messages/ID`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  mailbox?: string;
}

export interface BatchItemResult<T = unknown> {
  id: string;
  status: number;
  body?: T;
  headers?: Record<string, string>;
  /** Set when the item finally failed (after its own retries). */
  error?: import('./errors.ts').GraphError;
}

export interface TokenInfo {
  accessToken: string;
  expiresOn: number;
  /** Application roles granted to the app (from the token's `roles` claim). */
  roles: string[];
}

/** The Graph client every action and the connector use (created by `createGraphClient`). */
export interface GraphClient {
  /** One request through the pipeline (layers.ts: auth -> mailboxLimit -> retry -> pacing -> attempt).
   * Non-2xx responses throw GraphError. */
  request<T = unknown>(req: GraphRequest): Promise<GraphResponse<T>>;
  get<T = unknown>(path: string, opts?: Omit<GraphRequest, 'method' | 'path'>): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, opts?: Omit<GraphRequest, 'method' | 'path' | 'body'>): Promise<T>;
  patch<T = unknown>(path: string, body: unknown, opts?: Omit<GraphRequest, 'method' | 'path' | 'body'>): Promise<T>;
  delete(path: string, opts?: Omit<GraphRequest, 'method' | 'path'>): Promise<void>;
  /** Every item of a collection, following `@odata.nextLink` as given (never re-sending the query). */
  paginate<T = unknown>(path: string, opts?: Omit<GraphRequest, 'method' | 'path' | 'body'>): AsyncIterable<T>;
  /** JSON `$batch`: items join the client's one queue and go out in calls of 4-20 (BatchRunner), results matched by id, each 429'd item
   * retried alone after its own Retry-After. Returns one result per item, in input order;
   * never throws for an item's failure (see `error`). */
  batch<T = unknown>(items: BatchItem[], opts?: { version?: ApiVersion }): Promise<BatchItemResult<T>[]>;
  /**
   * Requests to a URL Graph handed out with its own credential (an upload session's `uploadUrl`):
   * the same layers but `auth`, so the bearer token never goes with them. Refused (GraphError
   * `UntrustedUrl`) unless the URL is https (or the Graph endpoint's own http origin) on the Graph
   * endpoint's origin, Outlook's, or one of `preAuthenticatedOrigins`.
   */
  preAuthenticated(url: string): PreAuthenticatedTarget;
  /** A valid token (cached until shortly before expiry). */
  getToken(forceRefresh?: boolean): Promise<TokenInfo>;
  /** Removes this client's secrets (client secret, proxy password, every token it fetched) from text. */
  redact?(text: string): string;
  /** Counters for benchmarks and tests. */
  readonly stats: { httpRequests: number; retries: number; throttled: number };
  close(): Promise<void>;
}
