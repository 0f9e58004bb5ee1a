import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, readJson, SOC, type EntraErrorAnswer, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.emu.close());

/** The token endpoint's answer: a token, or Entra's error. */
type TokenAnswer = { access_token?: string; token_type?: string; expires_in?: number } & Partial<EntraErrorAnswer>;

async function tokenRequest(fields: Record<string, string>, tenant = h.emu.info.tenantId) {
  const res = await fetch(`${h.base}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: await readJson<TokenAnswer>(res) };
}

const good = () => ({
  client_id: h.emu.info.clientId,
  client_secret: h.emu.info.clientSecret,
  scope: `${h.base}/.default`,
  grant_type: 'client_credentials',
});

describe('Entra token endpoint', () => {
  it('issues a JWT-shaped bearer token with Graph claims', async () => {
    const { status, body } = await tokenRequest(good());
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
    const [header, payload, sig] = body.access_token!.split('.');
    expect(sig.length).toBeGreaterThan(20);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ aud: h.base, tid: h.emu.info.tenantId, appid: h.emu.info.clientId });
    expect(claims.roles).toEqual(expect.arrayContaining(['Mail.ReadWrite', 'User.Read.All', 'Presence.Read.All']));
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('accepts the tenant domain as well as the tenant id', async () => {
    expect((await tokenRequest(good(), 'contoso.example')).status).toBe(200);
  });

  it.each([
    ['unknown tenant', {}, 'nope.example', 400, 'invalid_request', 90002],
    ['unknown client id', { client_id: '11111111-2222-3333-4444-555555555555' }, undefined, 400, 'unauthorized_client', 700016],
    ['wrong secret', { client_secret: 'wrong' }, undefined, 401, 'invalid_client', 7000215],
    ['scope without /.default', { scope: 'Mail.Read' }, undefined, 400, 'invalid_scope', 1002012],
    ['scope of another resource', { scope: 'https://other.example/.default' }, undefined, 400, 'invalid_resource', 500011],
    ['malformed tenant (no dot)', {}, 'contoso', 400, 'invalid_request', 900023],
    ['malformed tenant (underscore)', {}, 'invalid_tenant', 400, 'invalid_request', 900023],
    ['malformed tenant (GUID with a typo)', {}, '1234567-89ab-cdef-0123-456789abcdef', 400, 'invalid_request', 900023],
    ['well-formed unknown GUID', {}, '01234567-89ab-cdef-0123-456789abcdef', 400, 'invalid_request', 90002],
    ['wrong grant type', { grant_type: 'password' }, undefined, 400, 'unsupported_grant_type', 70003],
  ])('%s -> AADSTS error', async (_name, override, tenant, status, error, code) => {
    const res = await tokenRequest({ ...good(), ...override }, tenant);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(res.body.error_codes).toEqual([code]);
    expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: .*Trace ID: .*Correlation ID: .*Timestamp: `, 's'));
    expect(res.body).toHaveProperty('trace_id');
    expect(res.body).toHaveProperty('correlation_id');
    expect(res.body.error_uri).toContain(`code=${code}`);
    expect(JSON.stringify(res.body)).not.toContain(h.emu.info.clientSecret);
  });

  it('wrong-secret description does not echo the secret sent', async () => {
    const res = await tokenRequest({ ...good(), client_secret: 'SuperSecretGuess123' });
    expect(JSON.stringify(res.body)).not.toContain('SuperSecretGuess123');
  });

  it('serves OpenID discovery for the tenant and rejects unknown tenants', async () => {
    const ok = await fetch(`${h.base}/${h.emu.info.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(ok.status).toBe(200);
    expect((await readJson<{ token_endpoint: string }>(ok)).token_endpoint).toBe(`${h.base}/${h.emu.info.tenantId}/oauth2/v2.0/token`);
    const bad = await fetch(`${h.base}/other-tenant.example/v2.0/.well-known/openid-configuration`);
    expect(bad.status).toBe(400);
    expect(await readJson<EntraErrorAnswer>(bad)).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    const malformed = await fetch(`${h.base}/other-tenant/v2.0/.well-known/openid-configuration`);
    expect(malformed.status).toBe(400);
    expect(await readJson<EntraErrorAnswer>(malformed)).toMatchObject({ error: 'invalid_tenant', error_codes: [900023] });
  });

  it('words the tenant, resource and expired-secret errors as Entra does', async () => {
    const malformed = await tokenRequest(good(), 'contoso');
    expect(malformed.body.error_description).toMatch(
      /^AADSTS900023: Specified tenant identifier 'contoso' is neither a valid DNS name, nor a valid external domain\.\r\nTrace ID: /,
    );
    const resource = await tokenRequest({ ...good(), scope: 'https://graph.microsoft.us/.default' });
    expect(resource.body.error_description).toMatch(
      /^AADSTS500011: The resource principal named https:\/\/graph\.microsoft\.us was not found in the tenant named contoso\.example\. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant\. You might have sent your authentication request to the wrong tenant\.\r\n/,
    );
    // Graph's own names are still accepted.
    expect((await tokenRequest({ ...good(), scope: 'https://graph.microsoft.com/.default' })).status).toBe(200);
  });

  it('secretExpired: the right secret gets AADSTS7000222, a wrong one still AADSTS7000215', async () => {
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ secretExpired: true }) });
    try {
      const expired = await tokenRequest(good());
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: 'invalid_client', error_codes: [7000222] });
      expect(expired.body.error_description).toMatch(
        new RegExp(`^AADSTS7000222: The provided client secret keys for app '${h.emu.info.clientId}' are expired\\. Visit the Azure portal to create new keys for your app: https://aka\\.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka\\.ms/certCreds\\.\r\nTrace ID: `),
      );
      expect(JSON.stringify(expired.body)).not.toContain(h.emu.info.clientSecret);
      expect((await tokenRequest({ ...good(), client_secret: 'wrong' })).body.error_codes).toEqual([7000215]);
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ secretExpired: false }) });
    }
    expect((await tokenRequest(good())).status).toBe(200);
    const bad = await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ secretExpired: 'yes' }) });
    expect(bad.status).toBe(400);
  });
});

describe('Graph authentication', () => {
  const path = `/v1.0/users/${SOC}/messages`;

  async function expect401(token: string | null, message: RegExp) {
    const r = await h.json(path, { token });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('InvalidAuthenticationToken');
    expect(r.body.error.message).toMatch(message);
    expect(r.res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(r.res.headers.get('request-id')).toBe(r.body.error.innerError['request-id']);
  }

  it('401 without a token', () => expect401(null, /empty/));
  it('401 for a malformed token', () => expect401('not-a-jwt', /CompactToken/));

  it('401 for a forged token (claims edited, signature kept)', async () => {
    const [head, payload, sig] = (await h.token()).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.roles = [...claims.roles, 'Mail.Send.Everything'];
    await expect401(`${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`, /signature/);
  });

  it('401 for an expired token, using the clock knob instead of sleeping', async () => {
    const token = await h.token();
    expect((await h.graph(path, { token })).status).toBe(200);
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ clockOffsetSeconds: 3601 }) });
    try {
      await expect401(token, /Lifetime validation failed, the token is expired\./);
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ clockOffsetSeconds: 0 }) });
    }
  });

  it('permissions granted by settings are in tokens issued afterwards; missing role -> 403', async () => {
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['User.Read.All'] }) });
    try {
      const limited = await h.token();
      const r = await h.json(path, { token: limited });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('ErrorAccessDenied');
      expect((await h.graph('/v1.0/users', { token: limited })).status).toBe(200);
    } finally {
      await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'User.Read.All', 'Directory.Read.All', 'Presence.Read.All'] }) });
    }
  });

  it('Mail.Read alone may read but not change mail', async () => {
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['Mail.Read'] }) });
    const readOnly = await h.token();
    await h.admin('/settings', { method: 'PUT', body: JSON.stringify({ permissions: ['Mail.ReadWrite', 'User.Read.All'] }) });
    const list = await h.json(`${path}?$top=1`, { token: readOnly });
    expect(list.status).toBe(200);
    const id = list.body.value[0].id;
    const patch = await h.json(`${path}/${encodeURIComponent(id)}`, {
      token: readOnly,
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ isRead: true }),
    });
    expect(patch.status).toBe(403);
  });
});
