/** The shared state of one running emulator and the request/response shapes its pipeline passes around. */
import type { RequestLog } from './request-log.ts';
import type { Store } from './store.ts';
import type { Throttler } from './throttle.ts';
import type { TokenClaims, TokenSigner } from './tokens.ts';

export const DEFAULT_PERMISSIONS = [
  'Mail.Read',
  'Mail.ReadWrite',
  'Mail.Send',
  'MailboxSettings.Read',
  'MailboxSettings.ReadWrite',
  'User.Read.All',
  'Directory.Read.All',
  'Presence.Read.All',
];

export interface Settings {
  latencyMs: number;
  faultRate: number;
  faultStatuses: number[];
  /**
   * When an injected fault strikes: `before` (default) fails the request untouched, as a
   * throttled or unavailable service does; `after` applies it and then answers the fault, as a
   * gateway that lost the answer does (meant for 5xx statuses).
   */
  faultStage?: 'before' | 'after';
  throttle: boolean;
  tokenLifetimeSeconds: number;
  permissions: string[];
  /** Moves the emulator's clock (token lifetime, throttling windows) so tests need not sleep. */
  clockOffsetSeconds: number;
  /** Each request also waits a uniformly random 0..latencyJitterMs (seeded, see randomSeed). */
  latencyJitterMs: number;
  /** Extra latency of a write (POST, PATCH, PUT, DELETE) over a read; see docs/benchmarks.md for the figures. */
  writeLatencyMs: number;
  /**
   * Items of one `$batch` that run at a time, whatever their mailboxes (Graph sends Outlook up to
   * four at a time: concepts/throttling-limits.md, "Outlook service limits for JSON batching").
   */
  batchParallelism: number;
  /** Seeds every random choice (faults, jitter, the order of `$batch` answers); setting it restarts the sequence. */
  randomSeed: number;
  /**
   * UPNs (or object ids) an Exchange application access policy keeps the app out of: every mail
   * request at them is a 403 `ErrorAccessDenied`, whatever roles the token holds.
   */
  deniedMailboxes: string[];
  /** The app's client secret has expired: the right secret gets Entra's AADSTS7000222. */
  secretExpired: boolean;
  /**
   * false: 429 answers (throttling and injected faults, top level and `$batch` items) carry no
   * `Retry-After`, which Graph does not promise for every service (concepts/throttling.md).
   * Default true.
   */
  retryAfterOn429?: boolean;
  /**
   * Chance (0..1) that a list page is served empty with an `@odata.nextLink` to the real page,
   * and that a last page gets a nextLink to a trailing empty page: "a page of results may contain
   * zero or more results" (concepts/paging.md). Default 0.
   */
  emptyPageRate?: number;
}

export interface Tenant {
  tenantId: string;
  tenantDomain: string;
  clientId: string;
  clientSecret: string;
  defaultMailbox: string;
}

export interface EmulatorState {
  settings: Settings;
  tenant: Tenant;
  store: Store;
  signer: TokenSigner;
  throttler: Throttler;
  log: RequestLog;
  /** `https://127.0.0.1:PORT`, known once listening. */
  origin: string;
  now(): number;
  /** Seeded by settings.randomSeed (emulator/random.ts). */
  random(): number;
  /** Restarts the random sequence from settings.randomSeed. */
  reseed(): void;
  sleep(ms: number): Promise<void>;
}

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** Path after the version, starting with `/`, percent-decoded per segment. */
  segments: string[];
  /** For the request log: `/v1.0/users/x/messages`. */
  logPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body?: Buffer;
  requestId: string;
  clientRequestId: string;
  /** Set by the pipeline once authenticated. */
  claims?: TokenClaims;
  /** Resolved mailbox (user id) for throttling and the request log. */
  mailbox?: string;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, raw bytes, or nothing (204). */
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8', ...headers }, body };
}

export function bytes(status: number, data: Buffer, contentType: string): GraphResponse {
  return { status, headers: { 'Content-Type': contentType }, body: data };
}

export function noContent(): GraphResponse {
  return { status: 204, headers: {} };
}
