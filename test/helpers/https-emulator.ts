/** An HTTPS emulator (demo tenant) with our client and Microsoft's SDK both trusting its CA, for route tests through both. */
import { readFileSync } from 'node:fs';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Agent } from 'undici';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createGraphClient } from '../../src/graph/client.ts';
import type { GraphClient } from '../../src/graph/types.ts';
import { graphSdkFor } from './graph-sdk.ts';

export interface HttpsEmulator {
  emu: RunningEmulator;
  graph: GraphClient;
  sdk: Client;
  /** The SDK's dispatcher: also reaches the admin API over the emulator's HTTPS. */
  dispatcher: Agent;
}

export async function startHttpsEmulator(): Promise<HttpsEmulator> {
  const emu = await startEmulator({ port: 0, seed: 'demo', quiet: true });
  const ca = readFileSync(emu.info.caCertPath, 'utf8');
  const graph = createGraphClient({ loginEndpoint: emu.info.loginEndpoint, graphEndpoint: emu.info.graphEndpoint, tenant: emu.info.tenantId, clientId: emu.info.clientId, clientSecret: emu.info.clientSecret, ca });
  const { sdk, dispatcher } = graphSdkFor(emu.info);
  return { emu, graph, sdk, dispatcher };
}

export async function closeHttpsEmulator(h: Partial<HttpsEmulator>): Promise<void> {
  await h.graph?.close();
  await h.dispatcher?.close();
  await h.emu?.close();
}
