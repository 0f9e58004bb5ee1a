import { describe, expect, it } from 'vitest';
import { createGraphClient, GraphError } from '../../src/graph/index.ts';
import { baseOptions, FakeClock, fetchFailed, graphError, json, makeJwt, scripted, SECRET, tokenResponse } from './helpers.ts';

function entra(status: number, error: string, aadsts: number, description: string) {
  return () =>
    json(status, {
      error,
      error_description: `AADSTS${aadsts}: ${description}\r\nTrace ID: 0000 Correlation ID: 1111 Timestamp: 2025-01-01 00:00:00Z`,
      error_codes: [aadsts],
      trace_id: 'trace-1',
    });
}

describe('token', () => {
  it('posts client credentials to {login}/{tenant}/oauth2/v2.0/token and decodes roles', async () => {
    const t = scripted(() => json(200, {}), () => json(200, { access_token: makeJwt({ roles: ['Mail.Send', 'User.Read.All'] }), expires_in: 3599 }));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const tok = await c.getToken();
    expect(tok.roles).toEqual(['Mail.Send', 'User.Read.All']);
    const req = t.tokenCalls[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://login.test/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(req.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body as string);
    expect(Object.fromEntries(form)).toEqual({
      client_id: '11111111-2222-3333-4444-555555555555',
      client_secret: SECRET,
      scope: 'https://graph.test/.default',
      grant_type: 'client_credentials',
    });
  });

  it('is cached, shared by concurrent callers, and refreshed shortly before expiry', async () => {
    const clock = new FakeClock();
    const t = scripted(() => json(200, {}), () => tokenResponse(3600));
    const c = createGraphClient(baseOptions({ clock, transport: t.transport }));
    await Promise.all([c.get('/users/a@x.test'), c.get('/users/b@x.test'), c.getToken()]);
    expect(t.tokenCalls).toHaveLength(1);
    clock.t += 54 * 60_000; // 6 minutes left: still outside the 5-minute margin
    await c.get('/users/a@x.test');
    expect(t.tokenCalls).toHaveLength(1);
    clock.t += 2 * 60_000; // 4 minutes left
    await c.get('/users/a@x.test');
    expect(t.tokenCalls).toHaveLength(2);
    expect(t.calls[3].headers.Authorization).not.toBe(t.calls[0].headers.Authorization);
  });

  it('a Graph 401 refreshes the token once and retries once', async () => {
    const t = scripted((_req, n) => (n === 1 ? graphError(401, 'InvalidAuthenticationToken') : json(200, { ok: true })));
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    expect(await c.post('/users/a@x.test/sendMail', {})).toEqual({ ok: true });
    expect(t.tokenCalls).toHaveLength(2);
    expect(t.calls[1].headers.Authorization).not.toBe(t.calls[0].headers.Authorization);

    const t2 = scripted(() => graphError(401, 'InvalidAuthenticationToken'));
    const c2 = createGraphClient(baseOptions({ transport: t2.transport }));
    await expect(c2.get('/users/a@x.test')).rejects.toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(t2.calls).toHaveLength(2);
    expect(t2.tokenCalls).toHaveLength(2);
  });

  const cases: Array<[string, ReturnType<typeof entra>, string, RegExp]> = [
    ['wrong secret', entra(401, 'invalid_client', 7000215, 'Invalid client secret provided.'), 'Secret ID', /Secret ID.*VALUE.*not its ID/],
    ['unknown tenant', entra(400, 'invalid_request', 90002, "Tenant 'nope' not found."), 'Tenant', /Tenant/],
    ['invalid tenant id', entra(400, 'invalid_request', 900023, 'Specified tenant identifier is neither a valid DNS name, nor a valid external domain.'), 'Tenant', /Tenant/],
    ['unknown client', entra(400, 'unauthorized_client', 700016, "Application with identifier 'x' was not found."), 'Client ID', /Client ID/],
    ['bad scope', entra(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.'), 'Microsoft Graph Endpoint', /Microsoft Graph Endpoint/],
    ['bad scope 70011', entra(400, 'invalid_scope', 70011, 'The provided value for the input parameter scope is not valid.'), 'Microsoft Graph Endpoint', /Microsoft Graph Endpoint/],
    ['unknown resource 500011', entra(400, 'invalid_resource', 500011, 'The resource principal named https://graph.test was not found in the tenant named Contoso.'), 'Microsoft Graph Endpoint', /does not know the resource.*`Microsoft Graph Endpoint`/],
    ['expired secret 7000222', entra(401, 'invalid_client', 7000222, "The provided client secret keys for app 'x' are expired."), 'Secret ID', /expired; create a new client secret.*`Secret ID`/],
  ];
  for (const [name, handler, parameter, text] of cases) {
    it(`Entra error: ${name} -> names ${parameter}`, async () => {
      const t = scripted(() => json(200, {}), handler);
      const c = createGraphClient(baseOptions({ transport: t.transport }));
      const err = (await c.get('/users/a@x.test').catch((e: unknown) => e)) as GraphError;
      expect(err).toBeInstanceOf(GraphError);
      expect(err.parameter).toBe(parameter);
      expect(err.message).toMatch(text);
      expect(err.message).not.toContain('Trace ID');
      expect(err.aadsts).toBeGreaterThan(0);
      expect(err.requestId).toBe('trace-1');
      expect(t.tokenCalls).toHaveLength(1); // config errors are not retried
      expect(t.calls).toHaveLength(0);
    });
  }

  it('DNS failure of the login host names Azure AD endpoint; of the graph host names Microsoft Graph Endpoint', async () => {
    const t = scripted(
      () => json(200, {}),
      () => {
        throw fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND login.test');
      },
    );
    const c = createGraphClient(baseOptions({ transport: t.transport }));
    const err = (await c.get('/users/a@x.test').catch((e: unknown) => e)) as GraphError;
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', parameter: 'Azure AD endpoint' });
    expect(err.message).toContain('login.test');
    expect(err.message).toContain('Azure AD endpoint');

    const t2 = scripted(() => {
      throw fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND graph.test');
    });
    const c2 = createGraphClient(baseOptions({ transport: t2.transport }));
    const err2 = (await c2.get('/users/a@x.test').catch((e: unknown) => e)) as GraphError;
    expect(err2).toMatchObject({ status: 0, code: 'NetworkError', parameter: 'Microsoft Graph Endpoint' });
    expect(err2.message).toContain('graph.test');
    expect(t2.calls).toHaveLength(1); // unknown host is a config error: no retries
  });

  it('rejects missing configuration with a TypeError naming the parameter', () => {
    expect(() => createGraphClient(baseOptions({ clientSecret: '' }))).toThrow(/Secret ID/);
    expect(() => createGraphClient(baseOptions({ graphEndpoint: 'not a url' }))).toThrow(/Microsoft Graph Endpoint/);
  });
});
