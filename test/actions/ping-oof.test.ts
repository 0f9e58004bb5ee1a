import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.ts';
import { getMailboxAccountOutOfFacilitySettings as oof } from '../../src/actions/get-mailbox-account-out-of-facility-settings.ts';
import { missingPermissions, ping } from '../../src/actions/ping.ts';
import { runAction } from '../../src/soar/runtime.ts';
import { baseConfig, fakeGraph, notFound } from '../soar/fake-graph.ts';

const ALL = ['Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.ReadWrite', 'User.Read.All', 'Directory.Read.All', 'Presence.Read.All'];

describe('missingPermissions', () => {
  it('accepts the roles that include a documented permission', () => {
    expect(missingPermissions(ALL)).toEqual([]);
    expect(missingPermissions(['Mail.Read', 'Directory.Read.All'])).toEqual([
      'Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'Presence.Read.All',
    ]);
    expect(missingPermissions([])).toContain('User.Read');
    expect(missingPermissions(['user.read.all'])).not.toContain('User.Read');
  });
});

describe('Ping', () => {
  const routes = {
    'GET v1.0 /users/soc@contoso.test': { id: 'u1', userPrincipalName: 'soc@contoso.test' },
    'GET v1.0 /users/soc@contoso.test/mailFolders/inbox': { id: 'inbox' },
  };

  it('proves mail access and lists missing permissions', async () => {
    const g = fakeGraph(routes, { roles: ['Mail.ReadWrite', 'User.Read.All', 'MailboxSettings.ReadWrite', 'Directory.Read.All'] });
    const doc = await runAction(ping, { config: baseConfig }, { createGraph: () => g });
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe(
      'Successfully connected to the Microsoft Graph mail service with the provided connection parameters! Missing application permissions: Mail.Send, Presence.Read.All.',
    );
    expect(doc.json_result).toEqual({
      connected: true,
      granted_permissions: ['Directory.Read.All', 'Mail.ReadWrite', 'MailboxSettings.ReadWrite', 'User.Read.All'],
      missing_permissions: ['Mail.Send', 'Presence.Read.All'],
      default_mailbox: 'soc@contoso.test',
    });
    expect(g.calls.map((c) => [c.path, c.query])).toEqual([
      ['/users/soc@contoso.test', { $select: 'id,userPrincipalName' }],
      ['/users/soc@contoso.test/mailFolders/inbox', { $select: 'id' }],
    ]);
  });

  it('prints only the documented message when nothing is missing', async () => {
    const doc = await runAction(ping, { config: baseConfig }, { createGraph: () => fakeGraph(routes, { roles: ALL }) });
    expect(doc.output_message).toBe('Successfully connected to the Microsoft Graph mail service with the provided connection parameters!');
  });

  it('fails with the documented message naming the parameter to fix', async () => {
    const g = fakeGraph(routes);
    g.getToken = async () => {
      throw new GraphError({ status: 401, code: 'invalid_client', message: 'Authentication failed: the client secret is invalid (Secret ID).', parameter: 'Secret ID' });
    };
    const doc = await runAction(ping, { config: baseConfig }, { createGraph: () => g });
    expect(doc).toMatchObject({ is_success: false, execution_state: 'FAILED' });
    expect(doc.output_message).toBe('Failed to connect to the Microsoft Graph mail service! Error is Authentication failed: the client secret is invalid (Secret ID).');
    const allRoles = ['Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.ReadWrite', 'User.Read.All', 'Directory.Read.All', 'Presence.Read.All'];
    const missingBox = await runAction(ping, { config: { ...baseConfig, 'Default Mailbox': 'nobody@contoso.test' } }, { createGraph: () => fakeGraph(routes, { roles: allRoles }) });
    expect(missingBox.output_message).toBe(
      'Failed to connect to the Microsoft Graph mail service! Error is The Default Mailbox "nobody@contoso.test" was not found in the tenant.',
    );
  });
});

describe('Get Mailbox Account Out Of Facility Settings', () => {
  const presence = (id: string, oofSettings: unknown) => ({ id, availability: 'Offline', activity: 'Offline', statusMessage: null, outOfOfficeSettings: oofSettings });
  const routes = {
    'GET v1.0 /users/alice@contoso.test': { id: 'id-a' },
    'GET beta /users/id-a/presence': presence('id-a', { message: 'Away', isOutOfOffice: true }),
    'GET v1.0 /users/bob@contoso.test': { id: 'id-b' },
    'GET beta /users/id-b/presence': presence('id-b', { message: null, isOutOfOffice: false }),
    'GET v1.0 /users/carol@contoso.test': { id: 'id-c' },
    'GET beta /users/id-c/presence': presence('id-c', null),
    'GET v1.0 /users/ghost@contoso.test': notFound('ghost@contoso.test'),
  };
  const run = (ids: string[], r: Record<string, unknown> = routes) =>
    runAction(oof, { config: baseConfig, entities: ids.map((identifier) => ({ type: 'User', identifier })) }, { createGraph: () => fakeGraph(r) });

  it('returns the presence document per entity and combines the messages', async () => {
    const doc = await run(['alice@contoso.test', 'bob@contoso.test', 'carol@contoso.test', 'ghost@contoso.test', 'ALICE@contoso.test']);
    expect(doc.is_success).toBe(true);
    expect(doc.output_message).toBe([
      'Successfully returned OOF settings for alice@contoso.test, bob@contoso.test.',
      "Action wasn't able to find OOF settings for carol@contoso.test.",
      'Failed to find the following usernames in Office 365 service: ghost@contoso.test.',
    ].join('\n'));
    expect(doc.json_result).toEqual([
      { Entity: 'alice@contoso.test', EntityResult: presence('id-a', { message: 'Away', isOutOfOffice: true }) },
      { Entity: 'bob@contoso.test', EntityResult: presence('id-b', { message: null, isOutOfOffice: false }) },
      { Entity: 'carol@contoso.test', EntityResult: presence('id-c', null) },
    ]);
  });

  it('is not a success when no entity had OOF settings', async () => {
    const doc = await run(['ghost@contoso.test']);
    expect(doc).toMatchObject({ is_success: false, output_message: 'Failed to find the following usernames in Office 365 service: ghost@contoso.test.' });
  });

  it('fails with the corrected action name on an unexpected error, and without User entities', async () => {
    const doc = await run(['alice@contoso.test'], {
      'GET v1.0 /users/alice@contoso.test': new GraphError({ status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' }),
    });
    expect(doc).toMatchObject({
      is_success: false, execution_state: 'FAILED',
      output_message: 'Error executing action "Get Mailbox Account Out Of Facility Settings". Reason: Insufficient privileges to complete the operation.',
    });
    const none = await runAction(oof, { config: baseConfig, entities: [{ type: 'Hostname', identifier: 'pc1' }] }, { createGraph: () => fakeGraph({}) });
    expect(none.output_message).toBe(
      'Error executing action "Get Mailbox Account Out Of Facility Settings". Reason: no User entities to run on (give them as --entity User:<user principal name>).',
    );
  });
});
