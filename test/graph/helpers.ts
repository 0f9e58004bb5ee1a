/** Test doubles for the Graph client: a scripted transport, a fake clock and a capturing logger. */
import type { Clock, GraphClientOptions, Logger, TransportRequest, TransportResponse } from '../../src/graph/types.ts';

export const SECRET = 'S3cr3t~Value.With-Chars_0123456789';
export const GRAPH = 'https://graph.test';
export const LOGIN = 'https://login.test';

export function makeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}

export class FakeClock implements Clock {
  t = 1_700_000_000_000;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    await Promise.resolve();
  }
}

export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (obj: object, msg?: string) => {
    lines.push(JSON.stringify(obj) + (msg ?? ''));
  };
  return { lines, debug: rec, info: rec, warn: rec, error: rec };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(body)),
  };
}

export function graphError(status: number, code: string, headers: Record<string, string> = {}, requestId = 'req-123'): TransportResponse {
  return json(status, { error: { code, message: `${code} happened`, innerError: { 'request-id': requestId } } }, headers);
}

export interface Call extends TransportRequest {
  parsedBody?: unknown;
}

export type Handler = (req: Call, n: number) => TransportResponse | Promise<TransportResponse>;

let tokenCounter = 0;
export function tokenResponse(expiresIn = 3600, roles = ['Mail.ReadWrite']): TransportResponse {
  tokenCounter++;
  return json(200, { token_type: 'Bearer', expires_in: expiresIn, access_token: makeJwt({ roles, n: tokenCounter }) });
}

/** A transport answering token requests with fresh tokens (unless `token` overrides) and Graph requests with `graph`. */
export function scripted(graph: Handler, token: Handler = () => tokenResponse()) {
  const calls: Call[] = [];
  const tokenCalls: Call[] = [];
  const transport = async (req: TransportRequest): Promise<TransportResponse> => {
    const call: Call = { ...req };
    if (typeof req.body === 'string' && req.headers['Content-Type'] === 'application/json') call.parsedBody = JSON.parse(req.body);
    if (req.url.includes('/oauth2/v2.0/token')) {
      tokenCalls.push(call);
      return token(call, tokenCalls.length);
    }
    calls.push(call);
    return graph(call, calls.length);
  };
  return { transport, calls, tokenCalls };
}

export function baseOptions(extra: Partial<GraphClientOptions> = {}): GraphClientOptions {
  return {
    loginEndpoint: LOGIN,
    graphEndpoint: GRAPH,
    tenant: 'contoso.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555',
    clientSecret: SECRET,
    clock: new FakeClock(),
    random: () => 0.5,
    ...extra,
  };
}

/** A raw error shaped like undici's `fetch failed` with a system error as cause. */
export function fetchFailed(code: string, message = `connect ${code}`): Error {
  const cause = Object.assign(new Error(message), { code });
  return new TypeError('fetch failed', { cause });
}
