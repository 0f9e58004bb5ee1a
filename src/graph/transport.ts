/**
 * The real HTTP transport, on Node's own `http` / `https` client with agents owned by one client,
 * so TLS and proxy settings never leak into the process (no NODE_TLS_REJECT_UNAUTHORIZED, no
 * global agent). Node's client, not undici: a `msgraph-mail run` process is one action call, and
 * undici costs ~20 MB of resident memory to load and a copy per body chunk while it streams,
 * which kept a 100 MB download above 100 MB of RSS (docs/benchmarks.md, bench:download).
 *
 * Failures are thrown raw; the pipeline turns them into GraphError (error-builders.ts) so a
 * scripted test transport is classified the same way.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, createSecureContext, rootCertificates, TLSSocket, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
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

/** A kept-alive connection nobody uses for this long is closed. */
const KEEP_ALIVE_MS = 30_000;
/** Chunks a streamed body buffers before the socket is paused (Node reads up to 64 KB a chunk). */
const STREAM_QUEUE_CHUNKS = 4;

/** No TCP (and TLS) connection within the connect deadline; the request was never sent. */
export class ConnectTimeout extends Error {
  override readonly name = 'ConnectTimeout';
  readonly code = 'CONNECT_TIMEOUT';
  constructor(readonly target: string) {
    super(`timed out connecting to ${target}`);
  }
}

/** A streamed body sent nothing for the idle deadline. */
export class BodyTimeout extends Error {
  override readonly name = 'BodyTimeout';
  readonly code = 'BODY_TIMEOUT';
  constructor() {
    super('response body stalled');
  }
}

/** The proxy answered CONNECT with something else than 200 (the classifier reads `Proxy response (N)`). */
export class ProxyTunnelRefused extends Error {
  override readonly name = 'ProxyTunnelRefused';
  readonly code = 'PROXY_TUNNEL_REFUSED';
  constructor(readonly status: number) {
    super(`Proxy response (${status})`);
  }
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

interface TlsOptions {
  rejectUnauthorized: boolean;
  secureContext: SecureContext;
}

interface Tunnel {
  uri: URL;
  /** `Basic ...` for Proxy-Authorization, when the proxy has credentials. */
  authorization?: string;
  tls: TlsOptions;
  connectTimeoutMs: number;
}

/** RFC 6066 forbids an IP address as TLS server name. */
const serverName = (host: string): string | undefined => (isIP(host) ? undefined : host);

/**
 * Opens a connection to `host:port` through the proxy with CONNECT (RFC 9110 §9.3.6), then TLS
 * over it when the target is https. Every connection of a tunnelling agent is its own tunnel.
 */
function openTunnel(t: Tunnel, host: string, port: number, secure: boolean, done: (err: Error | null, socket?: Socket) => void): void {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: target };
  if (t.authorization) headers['proxy-authorization'] = t.authorization;
  const viaTls = t.uri.protocol === 'https:';
  const request = viaTls ? https.request : http.request;
  const connectReq = request({
    host: t.uri.hostname,
    port: Number(t.uri.port) || (viaTls ? 443 : 80),
    method: 'CONNECT',
    path: target,
    headers,
    agent: false,
    ...(viaTls ? { ...t.tls, servername: serverName(t.uri.hostname) } : {}),
  });
  let settled = false;
  const finish = (err: Error | null, socket?: Socket) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(err, socket);
  };
  const timer = setTimeout(() => connectReq.destroy(new ConnectTimeout(`proxy ${t.uri.host}`)), t.connectTimeoutMs);
  connectReq.once('connect', (res, socket, head) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      finish(new ProxyTunnelRefused(res.statusCode ?? 0));
      return;
    }
    if (head.length > 0) socket.unshift(head);
    if (!secure) return finish(null, socket);
    const tlsSocket = tlsConnect({ socket, servername: serverName(host), ...t.tls });
    tlsSocket.on('error', (err) => finish(err));
    tlsSocket.once('secureConnect', () => finish(null, tlsSocket));
  });
  connectReq.on('error', (err) => finish(err));
  connectReq.end();
}

/** Agents whose connections go through the proxy: Node's pooling and keep-alive, our tunnel. */
function tunnellingAgents(t: Tunnel): { http: http.Agent; https: https.Agent } {
  type Create = (options: { host?: string | null; hostname?: string | null; port?: number | string | null }, cb: (err: Error | null, socket?: Socket) => void) => undefined;
  const create = (secure: boolean): Create => (options, cb) => {
    const host = (options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
    openTunnel(t, host, Number(options.port) || (secure ? 443 : 80), secure, cb);
    return undefined;
  };
  const httpAgent = new http.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS });
  const httpsAgent = new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS, ...t.tls });
  // Node's Agent accepts an asynchronous createConnection (callback form); its typings do not say so.
  Object.assign(httpAgent, { createConnection: create(false) });
  Object.assign(httpsAgent, { createConnection: create(true) });
  return { http: httpAgent, https: httpsAgent };
}

/** Response headers as fetch gives them: lower-case names, repeated ones joined with ", ". */
function headersOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    out[name] = name in out ? `${out[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return out;
}

const DECODERS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/** Undoes `Content-Encoding` (Graph compresses JSON when asked); unknown codings are left as sent. */
async function decoded(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (!encoding) return body;
  let out = body;
  // Codings are listed in the order they were applied.
  for (const coding of encoding.split(',').map((c) => c.trim().toLowerCase()).reverse()) {
    if (coding === '' || coding === 'identity') continue;
    const decode = DECODERS[coding];
    if (!decode) return body;
    out = await decode(out);
  }
  return out;
}

/**
 * A response body as a web stream that pulls from the socket: the socket is paused while the
 * reader is behind, a chunk is handed over without a copy, an idle body is cut after `idleMs`,
 * and a cancel destroys the connection (its bytes are not wanted).
 */
function webStreamOf(res: http.IncomingMessage, idleMs: number): ReadableStream<Uint8Array> {
  let idle: NodeJS.Timeout | undefined;
  let ended = false;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => res.destroy(new BodyTimeout()), idleMs);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        res.pause();
        arm();
        res.on('data', (chunk: Buffer) => {
          arm();
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.once('end', () => {
          ended = true;
          clearTimeout(idle);
          controller.close();
        });
        res.once('error', (err) => {
          clearTimeout(idle);
          controller.error(err);
        });
        res.once('close', () => {
          clearTimeout(idle);
          if (!ended && !res.errored) controller.error(Object.assign(new Error('connection closed before the body ended'), { code: 'ECONNRESET' }));
        });
      },
      pull() {
        res.resume();
      },
      cancel() {
        clearTimeout(idle);
        ended = true;
        res.destroy();
      },
    },
    { highWaterMark: STREAM_QUEUE_CHUNKS },
  );
}

export function createHttpTransport(settings: TransportSettings): HttpTransport {
  const tls: TlsOptions = {
    rejectUnauthorized: settings.verifySsl,
    // One context for every connection of this client: left to itself, Node builds one per
    // connection, and a tenant-wide sweep opens dozens of connections at once.
    secureContext: createSecureContext(settings.ca ? { ca: trustStore(settings.ca) } : {}),
  };
  const connectTimeoutMs = Math.min(settings.timeoutMs, 30_000);
  let agents: { http: http.Agent; https: https.Agent };
  if (settings.proxy) {
    const p = normalizeProxy(settings.proxy);
    const authorization =
      p.username !== undefined || p.password !== undefined
        ? `Basic ${Buffer.from(`${p.username ?? ''}:${p.password ?? ''}`).toString('base64')}`
        : undefined;
    agents = tunnellingAgents({ uri: new URL(p.uri), authorization, tls, connectTimeoutMs });
  } else {
    agents = {
      http: new http.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS }),
      https: new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS, ...tls }),
    };
  }

  const transport: Transport = (req, opts) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const secure = url.protocol === 'https:';
      const headers: Record<string, string> = { ...req.headers };
      const names = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
      // Compressed JSON for buffered answers; streamed bodies ($value) must arrive byte for byte.
      if (!opts.stream && !names.has('accept-encoding')) headers['Accept-Encoding'] = 'gzip, deflate, br';
      if (req.body !== undefined && !names.has('content-length')) headers['Content-Length'] = String(Buffer.byteLength(req.body));
      const cr = (secure ? https : http).request(url, {
        method: req.method,
        headers,
        agent: secure ? agents.https : agents.http,
        servername: secure ? serverName(url.hostname.replace(/^\[|\]$/g, '')) : undefined,
      });
      let done = false;
      const fail = (err: Error) => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearTimeout(connecting);
        reject(err);
      };
      // The whole exchange (headers, and the body of a buffered answer) has `timeoutMs`.
      const deadline = setTimeout(() => cr.destroy(new TransportTimeout('headers')), opts.timeoutMs);
      const connecting = setTimeout(() => cr.destroy(new ConnectTimeout(url.host)), connectTimeoutMs);
      cr.once('socket', (socket: Socket) => {
        const connected = () => clearTimeout(connecting);
        // A kept-alive socket is connected; a tunnel hands its socket over connected (and past
        // TLS), under its own connect deadline.
        if (cr.reusedSocket || settings.proxy) connected();
        else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', connected);
      });
      cr.on('error', fail);
      cr.once('response', (res) => {
        clearTimeout(connecting);
        const status = res.statusCode ?? 0;
        const resHeaders = headersOf(res.rawHeaders);
        if (opts.stream && status >= 200 && status < 300) {
          // Streams may legitimately run longer than the deadline; the idle timer guards stalls.
          clearTimeout(deadline);
          done = true;
          resolve({ status, headers: resHeaders, body: webStreamOf(res, settings.timeoutMs) });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.once('end', () => {
          if (done) return;
          decoded(Buffer.concat(chunks), resHeaders['content-encoding']).then(
            (bytes) => {
              if (done) return;
              done = true;
              clearTimeout(deadline);
              resolve({ status, headers: resHeaders, body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
            },
            (err: Error) => fail(err),
          );
        });
      });
      cr.end(req.body);
    });

  return {
    transport,
    close: async () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
