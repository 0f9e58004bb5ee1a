/**
 * Where the conformance suite runs: the local emulator or a real tenant. Both give the same
 * Microsoft Graph SDK client; only the emulator has the admin API (seeding, settings), so
 * cases that need it declare so and are skipped on a live tenant.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { Agent } from 'undici';

export interface TargetInfo {
  graphEndpoint: string;
  loginEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  defaultMailbox: string;
}

export interface Admin {
  /** Calls `/_emulator/...`; throws on a non-2xx answer unless `allow` lists the status. */
  call(method: string, route: string, body?: unknown, opts?: { contentType?: string; allow?: number[] }): Promise<{ status: number; json: unknown }>;
}

export interface Target {
  kind: 'emulator' | 'live';
  info: TargetInfo;
  /** SDK client that gets its token through the client credentials grant. */
  client: Client;
  /** Builds another SDK client with a given auth provider (for the bad-token case). */
  clientWith(authProvider: AuthenticationProvider): Client;
  /** Drops the cached token so the next request fetches one with the current permissions. */
  forgetToken(): void;
  /** The origin of Graph (no version), for building $batch request URLs. */
  graphOrigin: string;
  /** Only on the emulator. */
  admin?: Admin;
  close(): Promise<void>;
}

interface EmulatorHandle {
  info: TargetInfo & { caCertPath?: string; mailboxes?: string[] };
  url: string;
  close(): Promise<void>;
}

interface EmulatorModule {
  startEmulator(opts: Record<string, unknown>): Promise<EmulatorHandle>;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const EMULATOR_ENTRY = path.join(REPO_ROOT, 'emulator/index.ts');

export const LIVE_ENV = ['MSGRAPH_LIVE_TENANT', 'MSGRAPH_LIVE_CLIENT_ID', 'MSGRAPH_LIVE_CLIENT_SECRET', 'MSGRAPH_LIVE_MAILBOX'] as const;

export function liveConfigured(): boolean {
  return LIVE_ENV.every((name) => (process.env[name] ?? '') !== '');
}

function makeFetchOptions(dispatcher: Agent | undefined): Record<string, unknown> | undefined {
  return dispatcher ? { dispatcher } : undefined;
}

class TokenCache {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    private readonly info: TargetInfo,
    private readonly dispatcher: Agent | undefined,
  ) {}

  forget(): void {
    this.token = undefined;
  }

  async get(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt - 60_000) return this.token.value;
    const url = `${this.info.loginEndpoint.replace(/\/$/, '')}/${encodeURIComponent(this.info.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.info.clientId,
      client_secret: this.info.clientSecret,
      scope: `${this.info.graphEndpoint.replace(/\/$/, '')}/.default`,
    });
    const init: Record<string, unknown> = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    };
    if (this.dispatcher) init.dispatcher = this.dispatcher;
    const res = await fetch(url, init as RequestInit);
    const body = (await res.json()) as { access_token?: string; expires_in?: number; error?: string };
    // Only the error code: the response never holds the secret, but the token must not leak either.
    if (!res.ok || !body.access_token) throw new Error(`token request failed: HTTP ${res.status} ${body.error ?? ''}`);
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.token.value;
  }
}

function sdkClient(info: TargetInfo, authProvider: AuthenticationProvider, dispatcher: Agent | undefined): Client {
  const host = new URL(info.graphEndpoint).hostname;
  const fetchOptions = makeFetchOptions(dispatcher);
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: `${info.graphEndpoint.replace(/\/$/, '')}/`,
    // The SDK only attaches the token to Graph's own hosts or to these.
    customHosts: new Set([host]),
    defaultVersion: 'v1.0',
    ...(fetchOptions ? { fetchOptions } : {}),
  });
}

function buildTarget(kind: Target['kind'], info: TargetInfo, dispatcher: Agent | undefined, extra: { admin?: Admin; close: () => Promise<void> }): Target {
  const tokens = new TokenCache(info, dispatcher);
  const provider: AuthenticationProvider = { getAccessToken: () => tokens.get() };
  return {
    kind,
    info,
    client: sdkClient(info, provider, dispatcher),
    clientWith: (p) => sdkClient(info, p, dispatcher),
    forgetToken: () => tokens.forget(),
    graphOrigin: new URL(info.graphEndpoint).origin,
    ...(extra.admin ? { admin: extra.admin } : {}),
    close: async () => {
      await extra.close();
      await dispatcher?.close();
    },
  };
}

export async function startEmulatorTarget(): Promise<Target> {
  const mod = (await import(pathToFileURL(EMULATOR_ENTRY).href)) as EmulatorModule;
  const handle = await mod.startEmulator({ port: 0, host: '127.0.0.1', seed: 'empty', quiet: true });
  const info = handle.info;
  const ca = info.caCertPath ? readFileSync(info.caCertPath) : undefined;
  // Trust the emulator's CA for this client only; never process-wide.
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  const base = (handle.url || info.graphEndpoint).replace(/\/$/, '');
  const admin: Admin = {
    async call(method, route, body, opts = {}) {
      const init: Record<string, unknown> = { method };
      if (body !== undefined) {
        const isBytes = Buffer.isBuffer(body);
        init.body = isBytes ? body : JSON.stringify(body);
        init.headers = { 'content-type': opts.contentType ?? (isBytes ? 'message/rfc822' : 'application/json') };
      }
      if (dispatcher) init.dispatcher = dispatcher;
      const res = await fetch(`${base}/_emulator${route}`, init as RequestInit);
      const text = await res.text();
      if (!res.ok && !(opts.allow ?? []).includes(res.status)) {
        throw new Error(`admin ${method} ${route} -> ${res.status} ${text.slice(0, 300)}`);
      }
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
    },
  };
  return buildTarget('emulator', info, dispatcher, { admin, close: () => handle.close() });
}

export function liveTarget(): Target {
  const env = process.env;
  const info: TargetInfo = {
    graphEndpoint: env.MSGRAPH_LIVE_GRAPH_ENDPOINT || 'https://graph.microsoft.com',
    loginEndpoint: env.MSGRAPH_LIVE_LOGIN_ENDPOINT || 'https://login.microsoftonline.com',
    tenantId: env.MSGRAPH_LIVE_TENANT!,
    clientId: env.MSGRAPH_LIVE_CLIENT_ID!,
    clientSecret: env.MSGRAPH_LIVE_CLIENT_SECRET!,
    defaultMailbox: env.MSGRAPH_LIVE_MAILBOX!,
  };
  return buildTarget('live', info, undefined, { close: async () => {} });
}


