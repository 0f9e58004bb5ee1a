import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, type CliDeps } from '../../src/cli/main.ts';
import { sweep, waiter } from '../soar/fake-actions.ts';
import { baseConfig, fakeClock, fakeGraph } from '../soar/fake-graph.ts';

let dir: string;
let configPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({ ...baseConfig, 'Secret ID': '$ENV:TEST_SECRET' }));
});

const pingRoutes = {
  'GET v1.0 /users/soc@contoso.test': { id: 'u1' },
  'GET v1.0 /users/soc@contoso.test/mailFolders/inbox': { id: 'inbox' },
};

async function cli(argv: string[], extra: Partial<CliDeps> = {}) {
  let out = '';
  let err = '';
  const clock = fakeClock();
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { TEST_SECRET: 'cli-secret-value' },
    clock,
    createGraph: () => fakeGraph(pingRoutes, { roles: ['Mail.ReadWrite'] }),
    extraActions: [sweep, waiter],
    columns: 80,
    ...extra,
  });
  return { code, out, err, clock };
}

describe('msgraph-mail run', () => {
  it('prints one result document on stdout and exits 0 on success', async () => {
    const r = await cli(['run', 'ping', '--config', configPath]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ action: 'Ping', is_success: true, execution_state: 'COMPLETED', state: null });
    expect(r.out + r.err).not.toContain('cli-secret-value');
  });

  it('exits 1 when the action fails and 2 for usage errors naming the closest names', async () => {
    const badValue = await cli(['run', 'Search Emails', '--config', configPath, '--param', 'Search In Mailbox=a@x', '--param', 'Folder Name=Inbox', '--param', 'only unread=maybe']);
    expect(badValue.code).toBe(1);
    expect(JSON.parse(badValue.out).output_message).toBe(
      'Failed to execute action, the error is: Invalid value for parameter "Only Unread": expected true or false, got "maybe".',
    );

    const unknownAction = await cli(['run', 'Mark Email Junk', '--config', configPath]);
    expect(unknownAction).toMatchObject({ code: 2, out: '' });
    expect(unknownAction.err).toContain('Unknown action "Mark Email Junk". Did you mean "Mark Email as Junk"');

    const unknownParam = await cli(['run', 'Search Emails', '--config', configPath, '--param', 'Folder=Inbox']);
    expect(unknownParam).toMatchObject({ code: 2, out: '' });
    expect(unknownParam.err).toContain('Unknown parameter "Folder". Did you mean "Folder Name"');

    expect((await cli(['run', 'Ping', '--config', configPath, '--param', 'novalue'])).code).toBe(2);
    expect((await cli(['run', 'Ping'])).code).toBe(2);
    expect((await cli(['run', 'Ping', '--config', join(dir, 'nope.json')])).err).toContain('Cannot read config file');
    expect((await cli(['run', 'Ping', '--config', configPath, '--format', 'xml'])).code).toBe(2);
    expect((await cli(['bogus'])).code).toBe(2);
    expect((await cli(['connector', '--once'])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
  });

  it('fails (exit 1) with a config value error that names the parameter', async () => {
    const r = await cli(['run', 'Ping', '--config', configPath], { env: {} });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).output_message).toBe(
      'Failed to connect to the Microsoft Graph mail service! Error is Config "Secret ID" refers to environment variable TEST_SECRET, which is not set.',
    );
  });

  it('warns on stderr about unknown config keys', async () => {
    const p = join(dir, 'typo.json');
    await writeFile(p, JSON.stringify({ ...baseConfig, 'Verify SLL': true }));
    const r = await cli(['run', 'Ping', '--config', p]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: Unknown config key "Verify SLL" ignored. Did you mean "Verify SSL"?');
  });

  it('runs entity actions with --entity', async () => {
    const r = await cli(['run', 'Get Mailbox Account Out Of Facility Settings', '--config', configPath, '--entity', 'user:alice@contoso.test'], {
      createGraph: () => fakeGraph({
        'GET v1.0 /users/alice@contoso.test': { id: 'a' },
        'GET beta /users/a/presence': { id: 'a', outOfOfficeSettings: { isOutOfOffice: true, message: 'x' } },
      }),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).output_message).toBe('Successfully returned OOF settings for alice@contoso.test.');
    expect((await cli(['run', 'Ping', '--config', configPath, '--entity', 'alice'])).code).toBe(2);
  });

  it('--state continues an async run one invocation at a time and resets when it is over', async () => {
    const stateFile = join(dir, 'sweep-state.json');
    const args = ['run', 'fake sweep', '--config', configPath, '--param', 'Items=a,b', '--state', stateFile];
    const first = await cli(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ execution_state: 'IN_PROGRESS', output_message: 'Processed 1 of 2 (invocation 1).' });
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual(JSON.parse(first.out).state);
    const second = await cli(args);
    expect(JSON.parse(second.out)).toMatchObject({ execution_state: 'COMPLETED', output_message: 'Processed a, b.', state: null });
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toBeNull();
    const again = await cli(args);
    expect(JSON.parse(again.out).output_message).toBe('Processed 1 of 2 (invocation 1).');

    await writeFile(stateFile, '{"format":"msgraph-mail/action-state@1","action":"Ping","started_at":1,"invocation":1,"data":{}}');
    const foreign = await cli(args);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain('belongs to action "Ping"');
  });

  it('--state refuses a run with other parameters, and a path it could not save to, before running', async () => {
    const stateFile = join(dir, 'digest-state.json');
    const first = await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=a,b', '--state', stateFile]);
    expect(JSON.parse(first.out).execution_state).toBe('IN_PROGRESS');
    const other = await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=c,d', '--state', stateFile]);
    expect(other).toMatchObject({ code: 2, out: '' });
    expect(other.err).toContain('belongs to a run of "Fake Sweep" with different parameters');
    // The same parameters, spelt differently, continue the run.
    const same = await cli(['run', 'fake sweep', '--config', configPath, '--param', 'items= a , b', '--state', stateFile]);
    expect(JSON.parse(same.out)).toMatchObject({ execution_state: 'COMPLETED', output_message: 'Processed a, b.' });

    let calls = 0;
    const nowhere = await cli(['run', 'Ping', '--config', configPath, '--state', join(dir, 'no-such-dir', 's.json')], {
      createGraph: () => {
        calls++;
        return fakeGraph(pingRoutes);
      },
    });
    expect(nowhere).toMatchObject({ code: 2, out: '' });
    expect(nowhere.err).toContain('Cannot write the --state file');
    expect(calls).toBe(0);
  });

  it('--wait loops until done, or reports TIMEDOUT and keeps the state file', async () => {
    const done = await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=a,b,c', '--wait', '--poll-interval', '0.5']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({ execution_state: 'COMPLETED', output_message: 'Processed a, b, c.' });
    expect(done.clock.sleeps).toEqual([500, 500]);

    const stateFile = join(dir, 'wait-state.json');
    const timedOut = await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=a,b,c,d', '--wait', '--poll-interval', '2', '--timeout', '3', '--state', stateFile]);
    expect(timedOut.code).toBe(1);
    expect(JSON.parse(timedOut.out)).toMatchObject({ is_success: false, execution_state: 'TIMEDOUT', state: null });
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.data.cursor).toBe(2);
    expect((await cli(['run', 'Ping', '--config', configPath, '--timeout', '3'])).code).toBe(2);
    const unsaved = await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=a,b,c,d', '--wait', '--poll-interval', '2', '--timeout', '3']);
    expect(unsaved.err).toContain('run it with --state FILE to be able to continue it');
  });

  it('an action that times out itself is asked once more at the deadline, which its state carries', async () => {
    const r = await cli(['run', 'Fake Wait', '--config', configPath, '--wait', '--poll-interval', '2', '--timeout', '5']);
    const doc = JSON.parse(r.out);
    // Invoked at 0, 2, 4 and at the deadline (5): the action's own TIMEDOUT message, not the generic one.
    expect(r.clock.sleeps).toEqual([2000, 2000, 1000]);
    expect(doc).toMatchObject({ execution_state: 'TIMEDOUT', output_message: `Nobody answered by ${1_700_000_000_000 + 5000}.`, json_result: { invocations: 4 }, state: null });

    // Without --wait (a SOAR invoking once per poll) --timeout sets the deadline, kept in the state.
    const stateFile = join(dir, 'waiter-state.json');
    const once = await cli(['run', 'Fake Wait', '--config', configPath, '--timeout', '60', '--state', stateFile]);
    expect(JSON.parse(once.out).execution_state).toBe('IN_PROGRESS');
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.deadline_at).toBe(1_700_000_000_000 + 60_000);
    const again = await cli(['run', 'Fake Wait', '--config', configPath, '--state', stateFile]);
    expect(JSON.parse(again.out).output_message).toContain(`deadline ${1_700_000_000_000 + 60_000}`);
    expect((await cli(['run', 'Fake Sweep', '--config', configPath, '--param', 'Items=a', '--timeout', '3'])).err).toContain('needs --wait');
    // An action that should time out itself but does not is cut off at its deadline, not polled on.
    const stubborn = await cli(['run', 'Fake Wait', '--config', configPath, '--param', 'Ignore Deadline=true', '--wait', '--poll-interval', '2', '--timeout', '5']);
    expect(stubborn.clock.sleeps).toEqual([2000, 2000, 1000]);
    expect(JSON.parse(stubborn.out)).toMatchObject({ execution_state: 'TIMEDOUT', is_success: false, state: null });
    expect(JSON.parse(stubborn.out).output_message).toMatch(/^Action "Fake Wait" did not finish by its deadline, 2023-11-14T22:13:25\.000Z\. Last progress: Still waiting \(invocation 4/);
  });

  it('--format table prints the message and the case-wall tables', async () => {
    const r = await cli(['run', 'Ping', '--config', configPath, '--format', 'table']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Ping: COMPLETED (success)\n\nSuccessfully connected to the Microsoft Graph mail service');
    expect(r.out).toContain('JSON result available');
  });
});

describe('msgraph-mail actions', () => {
  it('lists every action with its parameters, as JSON too', async () => {
    const r = await cli(['actions', '--json'], { extraActions: [] });
    const list = JSON.parse(r.out) as Array<{ name: string; params: Array<{ name: string; description: string }> }>;
    expect(list).toHaveLength(17);
    expect(list.find((a) => a.name === 'Search Emails')?.params.map((p) => p.name)).toContain('Max Emails To Return');
    const text = await cli(['actions'], { extraActions: [] });
    expect(text.out).toContain('Ping\n');
    expect(text.out).toContain('  - Download Destination [required, list, default: GCP Bucket, options: GCP Bucket | Local File System]');
  });
});
