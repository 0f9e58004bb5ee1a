/** URL building for Graph requests: the version root, query encoding, nextLink origin check, mailbox key. */
import { GraphError } from './errors.ts';
import type { ApiVersion } from './types.ts';

export type QueryValues = Record<string, string | number | boolean | undefined>;

/** Percent-encodes one query component the way Graph documents it: spaces as %20, `'` `(` `)` kept
 * (encodeURIComponent keeps them), and `,` kept so `$select=a,b` stays readable. */
function encodeComponent(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',');
}

/** `$` in OData system option names is left as is (Graph requires the literal `$filter`). */
function encodeKey(k: string): string {
  return encodeComponent(k).replace(/%24/g, '$');
}

export function encodeQuery(query: QueryValues | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    parts.push(`${encodeKey(k)}=${encodeComponent(String(v))}`);
  }
  return parts.join('&');
}

/** One path segment (a mailbox address, a message id) made safe to splice into a path. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

export function isAbsoluteUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/**
 * `{graphEndpoint}/{version}{path}?{query}`. An absolute `path` (an `@odata.nextLink`) is used as
 * given, but only when it points at the configured Graph origin: the bearer token must never be
 * sent to another host.
 */
export function buildUrl(graphEndpoint: string, version: ApiVersion, path: string, query?: QueryValues): string {
  let base: string;
  if (isAbsoluteUrl(path)) {
    let target: URL;
    try {
      target = new URL(path);
    } catch {
      throw new GraphError({ status: 0, code: 'InvalidUrl', message: 'Refusing a malformed absolute URL returned as a next link.' });
    }
    const allowed = new URL(graphEndpoint).origin;
    if (target.origin !== allowed) {
      throw new GraphError({
        status: 0,
        code: 'UntrustedUrl',
        message: `Refusing to send credentials to ${target.host}: it is not the configured Microsoft Graph Endpoint (${new URL(graphEndpoint).host}).`,
        parameter: 'Microsoft Graph Endpoint',
      });
    }
    base = path;
  } else {
    const p = path.startsWith('/') ? path : `/${path}`;
    base = `${trimSlash(graphEndpoint)}/${version}${p}`;
  }
  const qs = encodeQuery(query);
  if (!qs) return base;
  return base + (base.includes('?') ? '&' : '?') + qs;
}

/** Outlook's origins, where Graph points upload sessions of mail attachments (attachment-createuploadsession.md). */
export const OUTLOOK_ORIGINS: readonly string[] = ['https://outlook.office.com', 'https://outlook.office365.com'];

/**
 * A pre-authenticated URL Graph handed out (an upload session's `uploadUrl`), checked before it is
 * used: absolute, https (or the Graph endpoint's own http origin, e.g. a local emulator), and on the
 * Graph endpoint's origin, Outlook's, or one the caller added. Anything else is refused, so a
 * tampered or unexpected URL cannot make the client send mail content elsewhere.
 */
export function checkPreAuthenticatedUrl(url: string, graphEndpoint: string, extraOrigins: readonly string[]): string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new GraphError({ status: 0, code: 'InvalidUrl', message: 'Refusing a malformed pre-authenticated URL.' });
  }
  const own = new URL(graphEndpoint).origin;
  const allowed = new Set([own, ...OUTLOOK_ORIGINS, ...extraOrigins.map((o) => new URL(o).origin)]);
  const secure = target.protocol === 'https:' || target.origin === own;
  if (!secure || !allowed.has(target.origin)) {
    throw new GraphError({
      status: 0,
      code: 'UntrustedUrl',
      message: `Refusing a pre-authenticated URL on ${target.host}: only the Microsoft Graph Endpoint's origin and Outlook's are trusted.`,
    });
  }
  return target.toString();
}

/**
 * The mailbox a request acts on, for the per-mailbox concurrency limit: the `{x}` of `/users/{x}/...`
 * (relative, or inside an absolute URL after the version segment). Lower-cased because Graph treats
 * UPNs case-insensitively, so `A@x` and `a@x` share one Exchange budget.
 */
export function mailboxFromPath(path: string): string | undefined {
  let p = path;
  if (isAbsoluteUrl(p)) {
    try {
      p = new URL(p).pathname.replace(/^\/(v1\.0|beta)(?=\/)/i, '');
    } catch {
      return undefined;
    }
  }
  const m = /^\/?users\/([^/?#]+)/i.exec(p);
  if (!m) return undefined;
  let id = m[1];
  try {
    id = decodeURIComponent(id);
  } catch {
    /* keep the raw segment */
  }
  // `/users('a@b')` style keys
  id = id.replace(/^\('?|'?\)$/g, '');
  return id.toLowerCase() || undefined;
}

/** Host (and port) only: what error messages may show of a URL, never its path or query. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured host';
  }
}
