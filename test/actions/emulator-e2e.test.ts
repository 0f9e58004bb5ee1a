/** Ping and Get Mailbox Account Out Of Facility Settings through the CLI against the emulator. */
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { main } from '../../src/cli/main.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { jsonOf } from '../helpers/results.ts';
import type { PingJsonResult } from '../../src/actions/ping.ts';
import type { GetMailboxAccountOutOfFacilitySettingsJsonResult } from '../../src/actions/get-mailbox-account-out-of-facility-settings.ts';

let emu: RunningEmulator;
let dir: string;
let configPath: string;

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function writeConfig(name: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const i = emu.info;
  const p = join(dir, name);
  await writeFile(p, JSON.stringify(configForEmulator(i, { 'Secret ID': '$ENV:E2E_SECRET', ...overrides })));
  return p;
}

/** `J`: the JSON result of the action `argv` runs, as its printed result document carries it. */
async function run<J = unknown>(argv: string[]): Promise<{ code: number; doc: ResultDocument<J>; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { E2E_SECRET: emu.info.clientSecret },
  });
  return { code, doc: out ? JSON.parse(out) : null, out, err };
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'e2e-'));
  configPath = await writeConfig('config.json');
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await admin('POST', '/reset', { seed: 'demo' });
  // A reset keeps the settings, and some tests narrow the app's permissions.
  await admin('PUT', '/settings', { permissions: [...DEFAULT_PERMISSIONS] });
});

describe('Ping against the emulator', () => {
  it('connects and reports no missing permission with the default grants', async () => {
    const r = await run(['run', 'Ping', '--config', configPath]);
    expect(r.code).toBe(0);
    expect(r.doc.output_message).toBe('Successfully connected to the Microsoft Graph mail service with the provided connection parameters!');
    expect(r.doc.json_result).toMatchObject({ connected: true, missing_permissions: [], default_mailbox: emu.info.defaultMailbox });
    expect(r.out + r.err).not.toContain(emu.info.clientSecret);
  });

  it('lists the permissions the app lacks', async () => {
    await admin('PUT', '/settings', { permissions: ['Mail.ReadWrite', 'User.Read.All'] });
    const r = await run<PingJsonResult>(['run', 'Ping', '--config', configPath]);
    expect(r.code).toBe(0);
    expect(r.doc.output_message).toBe(
      'Successfully connected to the Microsoft Graph mail service with the provided connection parameters! ' +
        'Missing application permissions: Mail.Send, MailboxSettings.Read, MailboxSettings.ReadWrite, Directory.Read.All, Presence.Read.All.',
    );
    expect(jsonOf(r.doc).granted_permissions).toEqual(['Mail.ReadWrite', 'User.Read.All']);
  });

  it('fails with a wrong secret, naming Secret ID and never echoing it', async () => {
    const wrong = await writeConfig('wrong-secret.json', { 'Secret ID': 'not-the-secret-1234' });
    const r = await run(['run', 'Ping', '--config', wrong]);
    expect(r.code).toBe(1);
    expect(r.doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(r.doc.output_message).toMatch(/^Failed to connect to the Microsoft Graph mail service! Error is .*Secret ID/);
    expect(r.out + r.err).not.toContain('not-the-secret-1234');
  });

  it('fails when the Default Mailbox does not exist', async () => {
    const cfg = await writeConfig('no-mailbox.json', { 'Default Mailbox': `nobody@${emu.info.defaultMailbox.split('@')[1]}` });
    const r = await run(['run', 'Ping', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.doc.output_message).toContain('Default Mailbox');
  });
});

describe('Get Mailbox Account Out Of Facility Settings against the emulator', () => {
  const oof = 'Get Mailbox Account Out Of Facility Settings';

  it('returns the presence OOF settings of several users and names the missing ones', async () => {
    const [alice, bob] = emu.info.mailboxes;
    await admin('PUT', `/users/${alice}/presence`, { outOfOfficeSettings: { isOutOfOffice: true, message: 'On leave' } });
    const domain = alice.split('@')[1];
    const r = await run<GetMailboxAccountOutOfFacilitySettingsJsonResult>(['run', oof, '--config', configPath, '--entity', `User:${alice}`, '--entity', `User:${bob}`, '--entity', `User:ghost@${domain}`]);
    expect(r.code).toBe(0);
    expect(r.doc.output_message).toBe(
      `Successfully returned OOF settings for ${alice}, ${bob}.\nFailed to find the following usernames in Office 365 service: ghost@${domain}.`,
    );
    const results = jsonOf(r.doc);
    expect(results.map((x) => x.Entity)).toEqual([alice, bob]);
    expect(results[0].EntityResult.outOfOfficeSettings).toEqual({ isOutOfOffice: true, message: 'On leave' });
    // A user without OOF still has settings, with isOutOfOffice false (Graph always returns them).
    expect(results[1].EntityResult.outOfOfficeSettings?.isOutOfOffice).toBe(false);
  });

  it('fails when no user exists, and with the corrected action name when presence is not permitted', async () => {
    const domain = emu.info.defaultMailbox.split('@')[1];
    const none = await run(['run', oof, '--config', configPath, '--entity', `User:ghost@${domain}`]);
    expect(none.code).toBe(1);
    expect(none.doc.output_message).toBe(`Failed to find the following usernames in Office 365 service: ghost@${domain}.`);

    await admin('PUT', '/settings', { permissions: ['Mail.ReadWrite', 'User.Read.All'] });
    const denied = await run(['run', oof, '--config', configPath, '--entity', `User:${emu.info.defaultMailbox}`]);
    expect(denied.code).toBe(1);
    expect(denied.doc.output_message).toMatch(/^Error executing action "Get Mailbox Account Out Of Facility Settings"\. Reason: /);
  });

  it('is a usage-free failure without User entities', async () => {
    const r = await run(['run', oof, '--config', configPath]);
    expect(r.code).toBe(1);
    expect(r.doc.output_message).toContain('no User entities');
  });
});
