/**
 * The client's Entra errors against the emulator's token endpoint: each names the parameter to fix
 * and carries no secret (client secret or any token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createGraphClient, GraphError, type GraphClient, type GraphClientOptions } from '../../src/graph/index.ts';
import { adminClient } from '../helpers/emulator-admin.ts';

let emu: RunningEmulator;
let admin: ReturnType<typeof adminClient>;
const clients: GraphClient[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true });
  admin = adminClient(emu.url);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emu.close();
});

function client(o: Partial<GraphClientOptions> = {}): GraphClient {
  const c = createGraphClient({
    loginEndpoint: emu.info.loginEndpoint,
    graphEndpoint: emu.info.graphEndpoint,
    tenant: emu.info.tenantId,
    clientId: emu.info.clientId,
    clientSecret: emu.info.clientSecret,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    ...o,
  });
  clients.push(c);
  return c;
}

async function failure(c: GraphClient): Promise<GraphError> {
  const e = await c.get(`/users/${emu.info.defaultMailbox}`).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(GraphError);
  return e as GraphError;
}

function expectNoSecret(e: GraphError): void {
  for (const text of [e.message, JSON.stringify(e), String(e.stack)]) expect(text).not.toContain(emu.info.clientSecret);
}

describe('Entra errors from the emulator name the parameter to fix', () => {
  it('a Graph endpoint Entra has no resource for -> AADSTS500011, Microsoft Graph Endpoint', async () => {
    const e = await failure(client({ graphEndpoint: 'https://graph.microsoft.us' }));
    expect(e).toMatchObject({ status: 400, code: 'invalid_resource', aadsts: 500011, parameter: 'Microsoft Graph Endpoint' });
    expect(e.message).toContain('`Microsoft Graph Endpoint`');
    expect(e.message).toContain('The resource principal named https://graph.microsoft.us was not found');
    expect(e.message).not.toContain('Trace ID');
    expectNoSecret(e);
  });

  it('a malformed tenant -> AADSTS900023, Tenant; a well-formed unknown one -> AADSTS90002, Tenant', async () => {
    const malformed = await failure(client({ tenant: 'contoso' }));
    expect(malformed).toMatchObject({ status: 400, aadsts: 900023, parameter: 'Tenant' });
    expect(malformed.message).toContain("Specified tenant identifier 'contoso' is neither a valid DNS name, nor a valid external domain.");
    expectNoSecret(malformed);
    const unknown = await failure(client({ tenant: 'fabrikam.example' }));
    expect(unknown).toMatchObject({ status: 400, aadsts: 90002, parameter: 'Tenant' });
    expectNoSecret(unknown);
  });

  it('an expired secret -> AADSTS7000222, Secret ID (create a new secret)', async () => {
    await admin('PUT', '/settings', { secretExpired: true });
    try {
      const c = client();
      const e = await failure(c);
      expect(e).toMatchObject({ status: 401, code: 'invalid_client', aadsts: 7000222, parameter: 'Secret ID' });
      expect(e.message).toMatch(/client secret has expired; create a new client secret/);
      expectNoSecret(e);
      // A configuration error: asked once, not retried.
      expect(c.stats.httpRequests).toBe(1);
    } finally {
      await admin('PUT', '/settings', { secretExpired: false });
    }
    expect(await client().get(`/users/${emu.info.defaultMailbox}`)).toMatchObject({ userPrincipalName: emu.info.defaultMailbox });
  });
});
