/**
 * The real HTTP transport: undici `fetch` with a dispatcher owned by one client, so TLS and proxy
 * settings never leak into the process (no NODE_TLS_REJECT_UNAUTHORIZED, no global dispatcher).
 * Failures are thrown raw; the pipeline turns them into GraphError (error-builders.ts) so a
 * scripted test transport is classified the same way.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, fetch, type Dispatcher } from 'undici';
import type { ProxySettings, Transport, TransportResponse } from './types.ts';
import { TransportTimeout } from './error-builders.ts';

export interface TransportSettings {
  verifySsl: boolean;
  /** Extra trusted CA (PEM) for this client only. */
  ca?: string;
  proxy?: ProxySettings;
  /** Idle timeout between body chunks of streamed responses. */
  timeoutMs: number;
}

export interface HttpTransport {
  transport: Transport;
  close(): Promise<void>;
}

/** `proxy.local:3128` or `http://user:pw@proxy.local:3128` -> URL without credentials, plus the credentials. */
export function normalizeProxy(p: ProxySettings): { uri: string; username?: string; password?: string } {
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(p.url) ? p.url : `http://${p.url}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Node's URL error carries the input, which may hold the proxy password: do not rethrow it.
    throw new TypeError('Proxy Server Address is not a valid URL (expected host:port or http://host:port)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('Proxy Server Address must be an http:// or https:// proxy');
  const username = p.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = p.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  u.username = '';
  u.password = '';
  return { uri: u.toString().replace(/\/$/, ''), username, password };
}

/** Giving Node's TLS a `ca` replaces its default trust store; keep the public roots (and the
 * operator's NODE_EXTRA_CA_CERTS) so real Graph still verifies when an extra CA is added. */
function trustStore(extraCa: string): string[] {
  const extras: string[] = [];
  const envFile = process.env.NODE_EXTRA_CA_CERTS;
  if (envFile) {
    try {
      extras.push(readFileSync(envFile, 'utf8'));
    } catch {
      /* Node itself warns about an unreadable NODE_EXTRA_CA_CERTS */
    }
  }
  return [...rootCertificates, ...extras, extraCa];
}

export function createHttpTransport(settings: TransportSettings): HttpTransport {
  const tls = {
    rejectUnauthorized: settings.verifySsl,
    // One context for every connection of this client: left to itself, Node builds one per
    // connection, and a tenant-wide sweep opens dozens of connections at once.
    secureContext: createSecureContext(settings.ca ? { ca: trustStore(settings.ca) } : {}),
  };
  const common = {
    keepAliveTimeout: 30_000,
    // Per-request deadlines are enforced in `transport` below; these catch stalled sockets.
    headersTimeout: 0,
    bodyTimeout: settings.timeoutMs,
    connectTimeout: Math.min(settings.timeoutMs, 30_000),
  };
  let dispatcher: Dispatcher;
  if (settings.proxy) {
    const p = normalizeProxy(settings.proxy);
    const token =
      p.username !== undefined || p.password !== undefined
        ? `Basic ${Buffer.from(`${p.username ?? ''}:${p.password ?? ''}`).toString('base64')}`
        : undefined;
    dispatcher = new ProxyAgent({ ...common, uri: p.uri, token, requestTls: tls, proxyTls: tls });
  } else {
    dispatcher = new Agent({ ...common, connect: tls });
  }

  const transport: Transport = async (req, opts) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TransportTimeout('headers')), opts.timeoutMs);
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal: controller.signal,
        redirect: 'manual',
      });
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      let body: TransportResponse['body'];
      if (opts.stream && res.status >= 200 && res.status < 300) {
        // Streams may legitimately run longer than the deadline; the agent's bodyTimeout guards stalls.
        clearTimeout(timer);
        body = (res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })) as ReadableStream<Uint8Array>;
      } else {
        body = new Uint8Array(await res.arrayBuffer());
      }
      return { status: res.status, headers, body };
    } finally {
      clearTimeout(timer);
    }
  };

  return { transport, close: () => dispatcher.close() };
}
