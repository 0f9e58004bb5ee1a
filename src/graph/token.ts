/**
 * Client-credentials token for the app, from Microsoft Entra ID's v2.0 token endpoint.
 * One cached token per client; callers arriving while a fetch is in flight share it, so a burst of
 * requests (or of 401s) causes one token request, not one each.
 */
import { GraphError } from './errors.ts';
import type { Clock, TokenInfo, TransportRequest, TransportResponse } from './types.ts';
import { trimSlash } from './url.ts';

export interface TokenSource {
  loginEndpoint: string;
  graphEndpoint: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
}

/** Sends the token request through the pipeline's lower layers (retry, transport, Entra error mapping). */
export type TokenSend = (req: TransportRequest) => Promise<TransportResponse>;

export function tokenUrl(src: Pick<TokenSource, 'loginEndpoint' | 'tenant'>): string {
  return `${trimSlash(src.loginEndpoint)}/${encodeURIComponent(src.tenant)}/oauth2/v2.0/token`;
}

/** The application roles in the token, read from its payload without verifying the signature:
 * this is only for telling the user which permission is missing, never for trust decisions. */
export function rolesFromJwt(token: string): string[] {
  const payload = token.split('.')[1];
  if (!payload) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/** Refresh this long before expiry: 5 minutes, or 10% of the lifetime for short-lived tokens. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(5 * 60_000, Math.floor(lifetimeMs * 0.1));
}

export class TokenProvider {
  #cached?: TokenInfo & { refreshAt: number };
  #inFlight?: Promise<TokenInfo>;

  constructor(
    private readonly src: TokenSource,
    private readonly send: TokenSend,
    private readonly clock: Clock,
    /** Told about every new access token so it is scrubbed from errors and logs. */
    private readonly onToken: (accessToken: string) => void,
  ) {}

  async get(forceRefresh = false): Promise<TokenInfo> {
    if (forceRefresh) this.#cached = undefined;
    const c = this.#cached;
    if (c && this.clock.now() < c.refreshAt) return { accessToken: c.accessToken, expiresOn: c.expiresOn, roles: [...c.roles] };
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** After Graph rejected `accessToken` (401): drop it unless a newer one already replaced it. */
  invalidate(accessToken: string): void {
    if (this.#cached?.accessToken === accessToken) this.#cached = undefined;
  }

  async #fetch(): Promise<TokenInfo> {
    const form = new URLSearchParams({
      client_id: this.src.clientId,
      client_secret: this.src.clientSecret,
      scope: `${trimSlash(this.src.graphEndpoint)}/.default`,
      grant_type: 'client_credentials',
    });
    const started = this.clock.now();
    const res = await this.send({
      method: 'POST',
      url: tokenUrl(this.src),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
    });
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(res.body as Uint8Array).toString('utf8'));
    } catch {
      parsed = {};
    }
    const accessToken = parsed.access_token;
    const expiresIn = Number(parsed.expires_in);
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new GraphError({
        status: res.status,
        code: 'InvalidTokenResponse',
        message: 'The Azure AD endpoint answered without a usable access token; check the Azure AD endpoint parameter.',
        parameter: 'Azure AD endpoint',
      });
    }
    this.onToken(accessToken);
    const lifetime = expiresIn * 1000;
    const info: TokenInfo = { accessToken, expiresOn: started + lifetime, roles: rolesFromJwt(accessToken) };
    this.#cached = { ...info, roles: [...info.roles], refreshAt: started + lifetime - refreshMarginMs(lifetime) };
    return info;
  }
}
