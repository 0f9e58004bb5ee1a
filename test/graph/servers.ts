/** Real local servers for transport tests: an HTTPS "Graph + Entra" with a self-signed certificate
 * and an HTTP CONNECT proxy with Basic auth. All on port 0. */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { makeJwt } from './helpers.ts';

export interface HttpsGraph {
  url: string;
  cert: string;
  hits: string[];
  /** TLS connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startHttpsGraph(opts: { tokenSuffix?: string } = {}): Promise<HttpsGraph> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const hits: string[] = [];
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.url?.endsWith('/oauth2/v2.0/token')) {
      req.resume();
      return send(200, { access_token: makeJwt({ roles: ['Mail.Read'] }) + (opts.tokenSuffix ?? ''), expires_in: 3600, token_type: 'Bearer' });
    }
    if (req.url?.startsWith('/v1.0/users/a@x.test/messages')) return send(200, { value: [{ id: 'm1' }] }, { 'request-id': 'srv-1' });
    if (req.url === '/v1.0/stream') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(64 * 1024, 1));
      res.end(Buffer.alloc(64 * 1024, 2));
      return;
    }
    if (req.url === '/v1.0/gzip') {
      // Graph compresses JSON when the client asks for it.
      const body = zlib.gzipSync(JSON.stringify({ value: [{ id: 'z1', accept: req.headers['accept-encoding'] ?? null }] }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
      return res.end(body);
    }
    if (req.url === '/v1.0/stall') {
      // Sends the start of a body, then nothing: the client's idle deadline must cut it.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1024 * 1024 });
      res.write(Buffer.alloc(16 * 1024, 3));
      return;
    }
    if (req.url === '/v1.0/cut') {
      // A body shorter than announced: the connection closes midway.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1024 * 1024 });
      res.write(Buffer.alloc(16 * 1024, 4), () => res.socket?.destroy());
      return;
    }
    if (req.url === '/v1.0/echo-auth') {
      // A misbehaving server that echoes credentials into its error: the client must scrub them.
      return send(500, { error: { code: 'InternalServerError', message: `bad token ${req.headers.authorization} (token ${String(req.headers.authorization).slice(7)})` } });
    }
    send(404, { error: { code: 'ResourceNotFound', message: 'nope' } });
  });
  let connections = 0;
  server.on('secureConnection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    cert: pems.cert,
    hits,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface ConnectProxy {
  url: string;
  connects: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(username: string, password: string): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}
