/**
 * Starts the Microsoft Graph + Entra emulator on one port (CONTRACT.md §5).
 * Graph: /v1.0/..., /beta/..., /v1.0/$batch; Entra: /{tenant}/oauth2/v2.0/token and
 * /{tenant}/v2.0/.well-known/openid-configuration; admin API: /_emulator/...
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { resetTenant } from './admin.ts';
import { handleHttp } from './pipeline.ts';
import { RequestLog } from './request-log.ts';
import { DEMO_DOMAIN, demoMailboxes } from './seed-demo.ts';
import { DEFAULT_PERMISSIONS, type EmulatorState, type Settings } from './state.ts';
import { Store } from './store.ts';
import { DEFAULT_BATCH_PARALLELISM } from './batch.ts';
import { freshSeed, isSeed, seededRandom } from './random.ts';
import { Throttler } from './throttle.ts';
import { makeCertificates, type Certificates } from './tls.ts';
import { TokenSigner } from './tokens.ts';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  seed?: 'demo' | 'empty';
  /** true: plain HTTP; default HTTPS with a certificate made at start. */
  http?: boolean;
  latencyMs?: number;
  faultRate?: number;
  faultStatuses?: number[];
  throttle?: boolean;
  tokenLifetimeSeconds?: number;
  latencyJitterMs?: number;
  writeLatencyMs?: number;
  batchParallelism?: number;
  /** Seeds every random choice; without it a fresh seed is drawn (and shown by GET /_emulator/settings). */
  randomSeed?: number;
  quiet?: boolean;
}

export interface EmulatorInfo {
  graphEndpoint: string;
  loginEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  defaultMailbox: string;
  /** PEM of the CA that signed the server certificate; empty string with `http: true`. */
  caCertPath: string;
  mailboxes: string[];
}

export interface RunningEmulator {
  info: EmulatorInfo;
  url: string;
  close(): Promise<void>;
}

function checkOptions(opts: EmulatorOptions): void {
  const nonNegative = (name: keyof EmulatorOptions) => {
    const v = opts[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new TypeError(`emulator option ${name} must be a non-negative number, got ${String(v)}`);
    }
  };
  nonNegative('port');
  nonNegative('latencyMs');
  nonNegative('tokenLifetimeSeconds');
  nonNegative('latencyJitterMs');
  nonNegative('writeLatencyMs');
  if (opts.batchParallelism !== undefined && !(Number.isInteger(opts.batchParallelism) && opts.batchParallelism >= 1)) {
    throw new TypeError(`emulator option batchParallelism must be a whole number of at least 1, got ${String(opts.batchParallelism)}`);
  }
  if (opts.randomSeed !== undefined && !isSeed(opts.randomSeed)) {
    throw new TypeError(`emulator option randomSeed must be a whole number from 0 to 4294967295, got ${String(opts.randomSeed)}`);
  }
  if (opts.faultRate !== undefined && (typeof opts.faultRate !== 'number' || opts.faultRate < 0 || opts.faultRate > 1)) {
    throw new TypeError(`emulator option faultRate must be between 0 and 1, got ${String(opts.faultRate)}`);
  }
  if (opts.seed !== undefined && opts.seed !== 'demo' && opts.seed !== 'empty') {
    throw new TypeError(`emulator option seed must be "demo" or "empty", got ${String(opts.seed)}`);
  }
  if (opts.faultStatuses !== undefined && (!Array.isArray(opts.faultStatuses) || !opts.faultStatuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599))) {
    throw new TypeError('emulator option faultStatuses must be HTTP error statuses (400-599)');
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  checkOptions(opts);
  const settings: Settings = {
    latencyMs: opts.latencyMs ?? 0,
    faultRate: opts.faultRate ?? 0,
    faultStatuses: opts.faultStatuses ?? [503],
    throttle: opts.throttle ?? true,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600,
    permissions: [...DEFAULT_PERMISSIONS],
    clockOffsetSeconds: 0,
    latencyJitterMs: opts.latencyJitterMs ?? 0,
    writeLatencyMs: opts.writeLatencyMs ?? 0,
    batchParallelism: opts.batchParallelism ?? DEFAULT_BATCH_PARALLELISM,
    randomSeed: opts.randomSeed ?? freshSeed(),
    deniedMailboxes: [],
    secretExpired: false,
    retryAfterOn429: true,
    emptyPageRate: 0,
  };
  const now = () => Date.now() + settings.clockOffsetSeconds * 1000;
  let rng = seededRandom(settings.randomSeed);
  const state: EmulatorState = {
    settings,
    tenant: {
      tenantId: randomUUID(),
      tenantDomain: DEMO_DOMAIN,
      clientId: randomUUID(),
      clientSecret: `emu8Q~${randomBytes(27).toString('base64url')}`,
      defaultMailbox: demoMailboxes().soc,
    },
    store: new Store(now),
    signer: new TokenSigner(),
    throttler: new Throttler(now),
    log: new RequestLog(),
    origin: '',
    now,
    random: () => rng.next(),
    reseed: () => {
      rng = seededRandom(settings.randomSeed);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };

  let certs: Certificates | undefined;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handleHttp(state, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  let server: http.Server | https.Server;
  if (opts.http) {
    server = http.createServer(onRequest);
  } else {
    certs = await makeCertificates();
    server = https.createServer({ key: certs.key, cert: certs.cert }, onRequest);
  }
  server.keepAliveTimeout = 65_000;
  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await certs?.dispose();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  state.origin = `${opts.http ? 'http' : 'https'}://${urlHost(host)}:${port}`;
  await resetTenant(state, opts.seed ?? 'demo');

  const info: EmulatorInfo = {
    graphEndpoint: state.origin,
    loginEndpoint: state.origin,
    tenantId: state.tenant.tenantId,
    clientId: state.tenant.clientId,
    clientSecret: state.tenant.clientSecret,
    defaultMailbox: state.tenant.defaultMailbox,
    caCertPath: certs?.caCertPath ?? '',
    mailboxes: state.store.mailboxAddresses(),
  };
  let closed: Promise<void> | undefined;
  return {
    info,
    url: state.origin,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => certs?.dispose());
      return closed;
    },
  };
}
