/** The emulator answers under every loopback name it has a certificate for; links follow the name used. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createGraphClient } from '../../src/graph/client.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo', http: true, throttle: false, quiet: true });
});
afterAll(() => emu.close());

describe('addressed as localhost', () => {
  it('issues tokens for the localhost scope and pages with localhost nextLinks', async () => {
    const base = emu.info.graphEndpoint.replace('127.0.0.1', 'localhost');
    const graph = createGraphClient({
      loginEndpoint: base, graphEndpoint: base, tenant: emu.info.tenantId,
      clientId: emu.info.clientId, clientSecret: emu.info.clientSecret,
    });
    try {
      const first = await graph.get<{ '@odata.nextLink'?: string }>(`/users/${emu.info.defaultMailbox}/mailFolders`, { query: { $top: 2 } });
      expect(first['@odata.nextLink']).toMatch(/^http:\/\/localhost:\d+\/v1\.0\//);
      const all: unknown[] = [];
      for await (const f of graph.paginate(`/users/${emu.info.defaultMailbox}/mailFolders`, { query: { $top: 2 } })) all.push(f);
      expect(all.length).toBeGreaterThan(2);
    } finally {
      await graph.close();
    }
  });
});
