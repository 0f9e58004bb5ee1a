/**
 * `msgraph-mail run` against the emulator with inputs as people write them: config values of the
 * wrong JSON type, `$ENV:` variables left empty, a Sender Filter pasted from a From header, a
 * number out of range, and a poll interval Node's timers cannot hold.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { main } from '../../src/cli/main.ts';
import { FAST_CLOCK, FAST_RETRY } from '../mail/helpers.ts';

let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'cli-inputs-'));
});
afterAll(async () => emu?.close());

let n = 0;
async function configFile(overrides: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, `config-${++n}.json`);
  await writeFile(path, JSON.stringify({ ...configForEmulator(emu.info, { 'Verify SSL': false, 'Secret ID': '$ENV:CLI_SECRET' }), ...overrides }));
  return path;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { CLI_SECRET: emu.info.clientSecret, ...env },
    graphOptions: { retry: FAST_RETRY, clock: FAST_CLOCK },
  });
  expect(out + err).not.toContain(emu.info.clientSecret);
  return { code, out, err, doc: out.startsWith('{') ? JSON.parse(out) : undefined };
}

const SEARCH = ['run', 'Search Emails', '--param', 'Search In Mailbox=alice.martin@contoso.example', '--param', 'Folder Name=Inbox'];

describe('msgraph-mail run: config values', () => {
  it('fails (exit 1) on a number where the docs have a string, naming the key', async () => {
    const r = await cli([...SEARCH, '--config', await configFile({ 'Client ID': 12345 })]);
    expect(r.code).toBe(1);
    expect(r.doc.output_message).toBe('Failed to execute action, the error is: Invalid value for "Client ID" in the config file: expected a string, got a number.');
    const ssl = await cli([...SEARCH, '--config', await configFile({ 'Verify SSL': 0 })]);
    expect(ssl.doc.output_message).toBe('Failed to execute action, the error is: Invalid value for "Verify SSL" in the config file: expected true or false, got a number.');
    // "true" / "false" strings are how the docs write booleans.
    const text = await cli(['run', 'Ping', '--config', await configFile({ 'Verify SSL': 'false' })]);
    expect(text).toMatchObject({ code: 0, doc: { is_success: true } });
  });

  it('names the $ENV variable that is unset or empty, not a missing key', async () => {
    const config = await configFile();
    const empty = await cli([...SEARCH, '--config', config], { CLI_SECRET: '' });
    expect(empty.code).toBe(1);
    expect(empty.doc.output_message).toBe('Failed to execute action, the error is: Config "Secret ID" refers to environment variable CLI_SECRET, which is empty.');
    const unset = await cli([...SEARCH, '--config', await configFile({ Tenant: '$ENV:CLI_TENANT' })]);
    expect(unset.doc.output_message).toBe('Failed to execute action, the error is: Config "Tenant" refers to environment variable CLI_TENANT, which is not set.');
  });
});

describe('msgraph-mail run: parameters', () => {
  it('finds the phish by a Sender Filter pasted from its From header', async () => {
    const config = await configFile();
    const r = await cli([...SEARCH, '--config', config, '--param', 'Sender Filter="IT Support, Contoso" <it-support@login-microsoft-verify.example>']);
    expect(r.code).toBe(0);
    expect(r.doc.output_message).toBe('Successfully found emails in the following mailboxes: alice.martin@contoso.example: 1');
  });

  it('refuses a number out of range naming the parameter and its range', async () => {
    const r = await cli([...SEARCH, '--config', await configFile(), '--param', 'Time Frame (minutes)=99999999999']);
    expect(r.code).toBe(1);
    expect(r.doc.output_message).toBe(
      'Failed to execute action, the error is: Invalid value for parameter "Time Frame (minutes)": expected a whole number between 1 and 52596000, got "99999999999".',
    );
  });

  it('refuses a --poll-interval longer than a Node timer holds (it would fire after 1 ms)', async () => {
    const r = await cli([...SEARCH, '--config', await configFile(), '--wait', '--poll-interval', '1e10']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain('Invalid --poll-interval "1e10": expected a number of seconds greater than 0 and at most 2147483.');
  });
});

describe('msgraph-mail --version', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string };
    let out = '';
    expect(await main(['--version'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } })).toBe(0);
    expect(out).toBe(`${pkg.version}\n`);
  });
});
