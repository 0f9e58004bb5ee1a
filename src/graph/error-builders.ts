/**
 * Every GraphError of the client is built here, from an HTTP response, an Entra token error or a
 * network failure. All text passes through the client's Redactor, and `cause` is a scrubbed copy,
 * so no secret can leak through an error, its JSON or its cause.
 */
import { GraphError } from './errors.ts';
import { Redactor, safeCause } from './redact.ts';
import { hostOf } from './url.ts';

/** What the retry layer needs to know about a network failure; kept off the public error. */
export interface NetworkFailure {
  /** The request may have reached the server (connection dropped after sending, response timeout). */
  mayHaveReachedServer: boolean;
  /** A configuration problem retrying cannot fix (untrusted certificate, unknown host, proxy auth). */
  permanent: boolean;
}

export const networkFailures = new WeakMap<GraphError, NetworkFailure>();

export type Endpoint = 'graph' | 'login';

const PARAMETER: Record<Endpoint, string> = { graph: 'Microsoft Graph Endpoint', login: 'Azure AD endpoint' };

function lowerHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** `Retry-After` as milliseconds: delta-seconds (fractional allowed, as the emulator and some Graph
 * workloads send) or an HTTP-date relative to `now`. Garbage gives undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^(\d+\.?\d*|\.\d+)$/.test(v)) return Math.round(Number(v) * 1000);
  // Only an IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT") is a date; V8's lenient Date.parse
  // would read "-1" or "soon" as some date in the past, i.e. "retry now".
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown>; innererror?: Record<string, unknown> };
}

function pathOnly(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0];
  }
}

/** A non-2xx Graph response (top level or a `$batch` item). `body` is parsed JSON when it was JSON. */
export function errorFromResponse(
  init: { status: number; headers: Record<string, string>; body: unknown; method?: string; url?: string; now: number },
  redactor: Redactor,
): GraphError {
  const headers = lowerHeaders(init.headers);
  const err = (init.body as GraphErrorBody | undefined)?.error;
  const inner = err?.innerError ?? err?.innererror;
  const code = typeof err?.code === 'string' && err.code !== '' ? err.code : `Http${init.status}`;
  const serviceMessage = typeof err?.message === 'string' && err.message !== '' ? err.message : `HTTP ${init.status}`;
  const requestId = headers['request-id'] ?? (typeof inner?.['request-id'] === 'string' ? (inner['request-id'] as string) : undefined);
  const where = init.method && init.url ? ` (${init.method} ${pathOnly(init.url)})` : '';
  // Graph's 403 texts ("Access is denied. Check credentials...") do not say what to grant;
  // ErrorCannotDeleteObject (an email already in Recoverable Items) is not about rights at all.
  const hint = init.status === 403 && code !== 'ErrorCannotDeleteObject'
    ? ' The app may lack an application permission for this request, or an application access policy may exclude this mailbox; the Ping action lists the missing permissions.'
    : '';
  return new GraphError({
    status: init.status,
    code,
    message: redactor.scrub(`Microsoft Graph returned ${init.status} ${code}${where}: ${serviceMessage}${hint}`),
    requestId,
    retryAfterMs: parseRetryAfter(headers['retry-after'], init.now),
  });
}

interface EntraErrorBody {
  error?: unknown;
  error_description?: unknown;
  error_codes?: unknown;
  trace_id?: unknown;
}

/** What the user must fix for each Entra error code we can attribute to one integration parameter. */
const AADSTS_HINTS: Record<number, { parameter: string; hint: string }> = {
  7000215: {
    parameter: 'Secret ID',
    hint: "the client secret is invalid. The `Secret ID` parameter must hold the client secret's VALUE (shown once when the secret is created), not its ID",
  },
  7000222: {
    parameter: 'Secret ID',
    hint: "the client secret has expired; create a new client secret for the app (Entra ID > App registrations > Certificates & secrets) and put its VALUE in the `Secret ID` parameter",
  },
  90002: { parameter: 'Tenant', hint: 'the tenant was not found; check the `Tenant` parameter (directory ID or a verified domain)' },
  900023: {
    parameter: 'Tenant',
    hint: 'the `Tenant` parameter is not a valid tenant identifier; use the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com',
  },
  90013: { parameter: 'Tenant', hint: 'the tenant identifier is not valid; check the `Tenant` parameter' },
  700016: {
    parameter: 'Client ID',
    hint: 'no application with this ID exists in the tenant; check the `Client ID` parameter (the application (client) ID) and the `Tenant` parameter',
  },
  500011: {
    parameter: 'Microsoft Graph Endpoint',
    hint: 'Entra ID does not know the resource the token was asked for (the `Microsoft Graph Endpoint` parameter followed by /.default); check the `Microsoft Graph Endpoint` parameter (e.g. https://graph.microsoft.com, or the Graph endpoint of the same cloud as the `Azure AD endpoint`)',
  },
  1002012: {
    parameter: 'Microsoft Graph Endpoint',
    hint: 'the requested scope is not valid; check the `Microsoft Graph Endpoint` parameter (e.g. https://graph.microsoft.com)',
  },
  70011: {
    parameter: 'Microsoft Graph Endpoint',
    hint: 'the requested scope is not valid; check the `Microsoft Graph Endpoint` parameter (e.g. https://graph.microsoft.com)',
  },
};

function aadstsOf(body: EntraErrorBody): number | undefined {
  if (Array.isArray(body.error_codes) && typeof body.error_codes[0] === 'number') return body.error_codes[0];
  const m = typeof body.error_description === 'string' ? /AADSTS(\d+)/.exec(body.error_description) : null;
  return m ? Number(m[1]) : undefined;
}

/** A failed token request. Entra's description is kept up to its trace block (which is noise to a user). */
export function errorFromEntra(
  init: { status: number; headers: Record<string, string>; body: unknown; now: number },
  redactor: Redactor,
): GraphError {
  const headers = lowerHeaders(init.headers);
  const body = (init.body && typeof init.body === 'object' ? init.body : {}) as EntraErrorBody;
  const aadsts = aadstsOf(body);
  const code = typeof body.error === 'string' && body.error !== '' ? body.error : `Http${init.status}`;
  const description =
    typeof body.error_description === 'string' ? body.error_description.split(/\r?\n|\s+Trace ID:/)[0].trim() : `HTTP ${init.status}`;
  const known = aadsts === undefined ? undefined : AADSTS_HINTS[aadsts];
  const label = aadsts === undefined ? code : `AADSTS${aadsts}`;
  // No AADSTS code and no OAuth `error`: whatever answered is not an Entra token endpoint.
  const notEntra = aadsts === undefined && typeof body.error !== 'string';
  const message = notEntra
    ? `Authentication failed: the Azure AD endpoint did not answer like a Microsoft Entra token endpoint (HTTP ${init.status}); check the \`Azure AD endpoint\` parameter (e.g. https://login.microsoftonline.com)`
    : known
    ? `Authentication with Microsoft Entra ID failed (${label}): ${known.hint}. Entra said: ${description}`
    : `Authentication with Microsoft Entra ID failed (${label}): ${description}`;
  return new GraphError({
    status: init.status,
    code,
    message: redactor.scrub(message),
    requestId: headers['x-ms-request-id'] ?? (typeof body.trace_id === 'string' ? body.trace_id : undefined),
    retryAfterMs: parseRetryAfter(headers['retry-after'], init.now),
    aadsts,
    parameter: notEntra ? 'Azure AD endpoint' : known?.parameter,
  });
}

/** Marks an abort the transport caused itself because the request ran out of time. */
export class TransportTimeout extends Error {
  override readonly name = 'TransportTimeout';
  constructor(readonly phase: 'headers' | 'body') {
    super(`request timed out waiting for the ${phase}`);
  }
}

function codeChain(err: unknown): { codes: string[]; messages: string[]; timeout?: TransportTimeout } {
  const codes: string[] = [];
  const messages: string[] = [];
  let timeout: TransportTimeout | undefined;
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof TransportTimeout) timeout = cur;
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof c.code === 'string') codes.push(c.code);
    if (typeof c.message === 'string') messages.push(c.message);
    // AggregateError from happy-eyeballs connects holds the real reasons.
    if (Array.isArray(c.errors) && c.errors[0]) {
      const first = c.errors[0] as { code?: unknown };
      if (typeof first.code === 'string') codes.push(first.code);
    }
    cur = c.cause;
  }
  return { codes, messages, timeout };
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|EPROTO$)/;
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['CONNECT_TIMEOUT', 'BODY_TIMEOUT', 'ETIMEDOUT']);

const EXPLAIN: Record<string, string> = {
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

/**
 * Any failure below HTTP (DNS, TCP, TLS, proxy, timeout) as a GraphError with status 0, a message
 * naming the host and what to check, and the retry facts recorded in `networkFailures`.
 */
export function errorFromNetwork(
  err: unknown,
  ctx: { url: string; endpoint: Endpoint; proxyUrl?: string },
  redactor: Redactor,
): GraphError {
  if (err instanceof GraphError) return err;
  const { codes, messages, timeout } = codeChain(err);
  const host = hostOf(ctx.url);
  const proxyHost = ctx.proxyUrl ? hostOf(ctx.proxyUrl) : undefined;
  const sysCode = codes.find((c) => c !== 'ABORT_ERR') ?? codes[0];
  const parameter = PARAMETER[ctx.endpoint];
  const proxyStatus = messages.map((m) => /Proxy response \((\d+)\)/.exec(m)).find(Boolean);

  let code: string;
  let message: string;
  let failure: NetworkFailure;
  let param: string | undefined = parameter;

  if (timeout || (sysCode && TIMEOUT_CODES.has(sysCode))) {
    code = 'Timeout';
    const connectPhase = sysCode === 'CONNECT_TIMEOUT';
    message = connectPhase
      ? `Timed out connecting to ${proxyHost ? `proxy ${proxyHost}` : host}; check the ${proxyHost ? 'Proxy Server Address' : `${parameter} parameter`} and the network path.`
      : `Request to ${host} timed out waiting for a response.`;
    failure = { mayHaveReachedServer: !connectPhase, permanent: false };
    if (connectPhase && proxyHost) param = 'Proxy Server Address';
  } else if (proxyStatus && proxyHost) {
    const status = Number(proxyStatus[1]);
    code = 'ProxyError';
    if (status === 407) {
      message = `Proxy ${proxyHost} rejected the credentials (407 Proxy Authentication Required); check the Proxy Username and Proxy Password parameters.`;
      param = 'Proxy Password';
      failure = { mayHaveReachedServer: false, permanent: true };
    } else {
      message = `Proxy ${proxyHost} refused to open a tunnel to ${host} (HTTP ${status}); check the Proxy Server Address parameter and that the proxy allows ${host}.`;
      param = 'Proxy Server Address';
      failure = { mayHaveReachedServer: false, permanent: status === 403 };
    }
  } else if (sysCode && TLS_CODES.test(sysCode)) {
    code = 'TlsError';
    const wrongProtocol = sysCode === 'EPROTO' || sysCode.startsWith('ERR_SSL_');
    message = wrongProtocol
      ? `TLS handshake with ${host} failed (${sysCode}); check that the ${parameter} uses the right scheme (https) and port.`
      : `TLS certificate of ${host} is not trusted (${sysCode}); set Verify SSL to false or trust its CA.`;
    param = wrongProtocol ? parameter : 'Verify SSL';
    failure = { mayHaveReachedServer: false, permanent: true };
  } else if (proxyHost && sysCode && NOT_SENT.has(sysCode)) {
    // Behind a proxy, our only direct connection is to the proxy: the target is dialled by the proxy,
    // whose failures come back as a CONNECT status handled above.
    code = 'ProxyError';
    message = `Cannot connect to proxy ${proxyHost} (${EXPLAIN[sysCode] ?? sysCode}); check the Proxy Server Address parameter.`;
    param = 'Proxy Server Address';
    failure = { mayHaveReachedServer: false, permanent: sysCode === 'ENOTFOUND' };
  } else {
    code = 'NetworkError';
    const why = sysCode ? `${EXPLAIN[sysCode] ?? sysCode}` : 'network failure';
    const notSent = sysCode !== undefined && NOT_SENT.has(sysCode);
    message = notSent
      ? `Cannot reach ${host} (${why}); check the ${parameter} parameter and the network or DNS.`
      : `Connection to ${host} failed (${why}).`;
    failure = { mayHaveReachedServer: !notSent, permanent: sysCode === 'ENOTFOUND' };
  }

  const out = new GraphError({ status: 0, code, message: redactor.scrub(message), parameter: param, cause: safeCause(err, redactor) });
  networkFailures.set(out, failure);
  return out;
}
