/**
 * Access tokens the way Entra issues them for client credentials: a JWT whose claims Graph
 * checks (audience, lifetime, application roles). Signed with HMAC-SHA256 under a key made at
 * start, so a token from another emulator run, or one edited by hand, fails like a forged one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { newGuid } from './ids.ts';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  roles: string[];
  iat: number;
  nbf: number;
  exp: number;
  oid: string;
  uti: string;
  ver: string;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'missing' | 'malformed' | 'signature' | 'expired' | 'notYetValid' | 'audience' };

export class TokenSigner {
  private readonly key = randomBytes(32);
  private readonly kid = randomBytes(8).toString('hex');

  issue(claims: Omit<TokenClaims, 'oid' | 'uti' | 'ver'>): string {
    const header = { typ: 'JWT', alg: 'HS256', kid: this.kid };
    const full: TokenClaims = { ...claims, oid: newGuid(), uti: randomBytes(16).toString('base64url'), ver: '1.0' };
    const head = `${b64(header)}.${b64(full)}`;
    return `${head}.${this.sign(head)}`;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }

  verify(authorization: string | undefined, audience: string, nowSeconds: number): TokenCheck {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { ok: false, reason: 'malformed' };
    const parts = match[1].split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [head, payload, signature] = parts;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
      JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const expected = Buffer.from(this.sign(`${head}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
    if (typeof claims.exp !== 'number' || nowSeconds >= claims.exp) return { ok: false, reason: 'expired' };
    if (typeof claims.nbf === 'number' && nowSeconds + 300 < claims.nbf) return { ok: false, reason: 'notYetValid' };
    const aud = String(claims.aud ?? '').replace(/\/$/, '');
    if (aud !== audience.replace(/\/$/, '') && aud !== 'https://graph.microsoft.com' && aud !== '00000003-0000-0000-c000-000000000000') {
      return { ok: false, reason: 'audience' };
    }
    return { ok: true, claims };
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
