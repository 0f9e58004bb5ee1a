import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';

const run = promisify(execFile);
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ quiet: true });
});
afterAll(() => emu.close());

const CHILD = `
const https = require('node:https');
https.get(process.argv[1] + '/v1.0/users', (res) => { console.log(res.statusCode); res.resume(); })
  .on('error', (e) => { console.log('ERROR ' + (e.code || e.message)); });
`;

describe('HTTPS', () => {
  it('serves https on 127.0.0.1 with a CA written to caCertPath', () => {
    expect(emu.info.graphEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(emu.info.caCertPath)).toBe(true);
  });

  it('a child node process trusts it with NODE_EXTRA_CA_CERTS (verified request succeeds)', async () => {
    const { stdout } = await run(process.execPath, ['-e', CHILD, emu.info.graphEndpoint], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: emu.info.caCertPath },
    });
    expect(stdout.trim()).toBe('401');
  });

  it('also for localhost', async () => {
    const { stdout } = await run(process.execPath, ['-e', CHILD, emu.info.graphEndpoint.replace('127.0.0.1', 'localhost')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: emu.info.caCertPath },
    });
    expect(stdout.trim()).toBe('401');
  });

  it('a client without the CA is rejected', async () => {
    const { stdout } = await run(process.execPath, ['-e', CHILD, emu.info.graphEndpoint], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NODE_TLS_REJECT_UNAUTHORIZED: '1' },
    });
    expect(stdout.trim()).toMatch(/^ERROR (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)/);
    const err = await new Promise<Error>((resolve) => {
      get(`${emu.info.graphEndpoint}/v1.0/users`, () => resolve(new Error('connected'))).on('error', resolve);
    });
    expect((err as NodeJS.ErrnoException).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('close() removes the temporary CA directory', async () => {
    const other = await startEmulator({ quiet: true, seed: 'empty' });
    expect(existsSync(other.info.caCertPath)).toBe(true);
    await other.close();
    expect(existsSync(other.info.caCertPath)).toBe(false);
  });
});

describe('emulator command', () => {
  it('prints one JSON line with the contract keys and stops on SIGTERM', async () => {
    const script = `import { runEmulatorCommand } from ${JSON.stringify(new URL('../../emulator/cli.ts', import.meta.url).pathname)}; await runEmulatorCommand({ port: 0, quiet: true, http: true });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += String(d);
        if (buf.includes('\n')) resolve(buf.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    expect(Object.keys(info)).toEqual(['graphEndpoint', 'loginEndpoint', 'tenantId', 'clientId', 'clientSecret', 'defaultMailbox', 'caCertPath', 'mailboxes']);
    expect((await fetch(`${info.graphEndpoint}/v1.0/users`)).status).toBe(401);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
