/** The real binary (bin/msgraph-mail.js through tsx): exit codes and a clean stdout. Few spawns: each costs ~0.5 s. */
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let emu: RunningEmulator;
let configPath: string;

function runBin(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/msgraph-mail.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', quiet: true });
  const dir = await mkdtemp(join(tmpdir(), 'bin-'));
  configPath = join(dir, 'config.json');
  const i = emu.info;
  await writeFile(configPath, JSON.stringify(configForEmulator(i, { 'Secret ID': '$ENV:BIN_SECRET' })));
});
afterAll(async () => {
  await emu?.close();
});

describe('bin/msgraph-mail.js', () => {
  it('runs Ping over verified HTTPS (NODE_EXTRA_CA_CERTS), lists actions, rejects unknown actions', async () => {
    const [ping, list, unknown] = await Promise.all([
      runBin(['run', 'Ping', '--config', configPath], { BIN_SECRET: emu.info.clientSecret, NODE_EXTRA_CA_CERTS: emu.info.caCertPath }),
      runBin(['actions', '--json']),
      runBin(['run', 'Serch Emails', '--config', configPath]),
    ]);
    expect(ping.err).not.toContain(emu.info.clientSecret);
    expect(ping.code).toBe(0);
    expect(JSON.parse(ping.out)).toMatchObject({ action: 'Ping', is_success: true, execution_state: 'COMPLETED' });

    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toHaveLength(17);

    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain('Unknown action "Serch Emails". Did you mean "Search Emails"?');
  });
});
