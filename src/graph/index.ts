/** Public API of the Graph layer. */
export { createGraphClient, realClock } from './client.ts';
export { GraphError, isGraphError } from './errors.ts';
export type * from './types.ts';
export { odataString, odataDate, eq, ne, contains, startsWith, ge, lt, and, or, escapeSearch, type ODataLiteral } from './odata.ts';
export { buildUrl, encodeQuery, segment, mailboxFromPath } from './url.ts';
export { Redactor, REDACTED } from './redact.ts';
export { DEFAULT_RETRY_POLICY, isIdempotent } from './retry.ts';
export { parseRetryAfter } from './error-builders.ts';
export { MAX_BATCH_ITEMS, MAX_CALLS_IN_FLIGHT } from './batch.ts';
export { rolesFromJwt, tokenUrl } from './token.ts';
export { createHttpTransport, normalizeProxy, type HttpTransport, type TransportSettings } from './transport.ts';
export { RequestRateLimiter } from './limiter.ts';
