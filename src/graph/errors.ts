/**
 * The one typed error of the Graph / Entra layer. Built only by src/graph (see `toGraphError`
 * in the pipeline); callers branch on `status` and `code`, never on message text.
 * It never holds secrets: request headers and bodies are not kept on it.
 */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  /** HTTP status; 0 for a network-level failure (DNS, TLS, connection reset, proxy). */
  readonly status: number;
  /** Graph's `error.code` (e.g. `ErrorItemNotFound`), Entra's `error` (e.g. `invalid_client`), or a
   * local code: `NetworkError`, `TlsError`, `ProxyError`, `Timeout`. */
  readonly code: string;
  /** Graph's `request-id` response header / innerError, when there was one. */
  readonly requestId?: string;
  /** From `Retry-After` (seconds, may be fractional) when the service sent it. */
  readonly retryAfterMs?: number;
  /** Entra's AADSTS code (e.g. 7000215), when the error came from the token endpoint. */
  readonly aadsts?: number;
  /** The integration parameter the user must fix, when known (e.g. `Secret ID`). */
  readonly parameter?: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string;
    retryAfterMs?: number;
    aadsts?: number;
    parameter?: string;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.aadsts = init.aadsts;
    this.parameter = init.parameter;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
      aadsts: this.aadsts,
      parameter: this.parameter,
    };
  }
}

export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

/**
 * Graph or the network failing for now (no answer, a timeout, throttled, a 5xx), worth trying
 * again later, as opposed to a refusal; a URL the client would not send to is not transient.
 */
export function isTransientGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError && (e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500) && e.code !== 'UntrustedUrl';
}
