/**
 * Microsoft's own Graph SDK (`@microsoft/microsoft-graph-client`) pointed at a running emulator
 * over HTTPS, trusting its CA for this client only; the token comes from the emulator's Entra.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@microsoft/microsoft-graph-client';
import { Agent, fetch } from 'undici';
import type { EmulatorInfo } from '../../emulator/index.ts';

export function graphSdkFor(info: EmulatorInfo): { sdk: Client; dispatcher: Agent } {
  const dispatcher = new Agent({ connect: { ca: readFileSync(info.caCertPath, 'utf8') } });
  const token = async (): Promise<string> => {
    const res = await fetch(`${info.loginEndpoint}/${info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: info.clientId, client_secret: info.clientSecret, scope: `${info.graphEndpoint}/.default`, grant_type: 'client_credentials' }),
      dispatcher,
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const sdk = Client.initWithMiddleware({
    authProvider: { getAccessToken: token },
    baseUrl: `${info.graphEndpoint}/`,
    // The SDK sends its token only to Graph's hosts and these.
    customHosts: new Set([new URL(info.graphEndpoint).hostname]),
    defaultVersion: 'v1.0',
    // undici's Agent and the DOM RequestInit type disagree; the SDK passes it through to fetch.
    fetchOptions: { dispatcher } as Record<string, unknown>,
  });
  return { sdk, dispatcher };
}
