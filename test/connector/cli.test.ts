/** `msgraph-mail connector` and `msgraph-mail alerts` in-process, against the demo tenant: the employee's report becomes an alert. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { Alert } from '../../src/connector/alert.ts';
import { openSqliteStore } from '../../src/connector/sqlite-store.ts';
import { main } from '../../src/cli/main.ts';
import { FAST_CLOCK, FAST_RETRY, REPORTS } from '../mail/helpers.ts';

let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'cli-connector-'));
});
afterAll(async () => emu?.close());

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { CONNECTOR_SECRET: emu.info.clientSecret },
    graphOptions: { retry: FAST_RETRY, clock: FAST_CLOCK },
  });
  expect(out + err).not.toContain(emu.info.clientSecret);
  return { code, out, err };
}

async function config(extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, `connector-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    path,
    JSON.stringify({
      'Azure AD endpoint': emu.info.loginEndpoint,
      'Microsoft Graph Endpoint': emu.info.graphEndpoint,
      'Client ID': emu.info.clientId,
      'Client Secret': '$ENV:CONNECTOR_SECRET',
      'Tenant (Directory) ID': emu.info.tenantId,
      'Mail Address': REPORTS,
      'Offset Time In Hours': 720,
      ...extra,
    }),
  );
  return path;
}

describe('msgraph-mail connector', () => {
  it('--once ingests the report as a JSON line; alerts --json lists it; a second cycle adds nothing', async () => {
    const cfg = await config();
    const state = join(dir, 'state-1');
    const first = await cli(['connector', '--config', cfg, '--state-dir', state, '--once']);
    expect(first.code, first.err).toBe(0);
    const lines = first.out.trim().split('\n').map((l) => JSON.parse(l) as Alert);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ device_vendor: 'Microsoft', device_product: 'Graph Mail', priority: 40 });
    expect(first.err).toMatch(/cycle 1: \d+ email\(s\) read/);
    const again = await cli(['connector', '--config', cfg, '--state-dir', state, '--once']);
    expect(again.out).toBe('');
    const listed = await cli(['alerts', '--state-dir', state, '--json']);
    expect((JSON.parse(listed.out) as Alert[]).map((a) => a.ticket_id)).toEqual(lines.map((a) => a.ticket_id));
    const table = await cli(['alerts', '--state-dir', state]);
    expect(table.out).toContain(lines[0].ticket_id);
  });

  it('--test-run prints the alerts and writes no state', async () => {
    const state = join(dir, 'state-test-run');
    const run = await cli(['connector', '--config', await config(), '--state-dir', state, '--test-run']);
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim().split('\n').length).toBeGreaterThan(0);
    expect((await cli(['alerts', '--state-dir', state, '--json'])).out.trim()).toBe('[]');
  });

  it('a second connector on a state dir in use exits 2 saying so', async () => {
    const state = join(dir, 'state-busy');
    const holder = openSqliteStore(state);
    try {
      const run = await cli(['connector', '--config', await config(), '--state-dir', state, '--once']);
      expect(run.code).toBe(2);
      expect(run.err).toContain('Another connector is using the state dir');
    } finally {
      holder.close();
    }
  });

  it('a config error names the parameter and exits 2', async () => {
    const run = await cli(['connector', '--config', await config({ 'Max Emails Per Cycle': 'ten' }), '--state-dir', join(dir, 'state-bad'), '--once']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('Max Emails Per Cycle');
  });
});
