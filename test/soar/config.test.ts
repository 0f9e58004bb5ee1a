import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseIntegrationConfig, toGraphClientOptions } from '../../src/soar/config.ts';
import { InputError, UsageError } from '../../src/soar/errors.ts';
import { baseConfig } from './fake-graph.ts';

function reason(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('integration config', () => {
  it('parses documented names case-insensitively, with defaults', () => {
    const c = parseIntegrationConfig({
      'client id': 'c', 'SECRET ID': 's3cret', tenant: 't', 'default mailbox': 'soc@x.test',
    });
    expect(c).toMatchObject({
      azureAdEndpoint: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
      clientId: 'c', secretId: 's3cret', tenant: 't', defaultMailbox: 'soc@x.test', verifySsl: true,
    });
    expect(JSON.stringify(c)).not.toContain('s3cret');
  });

  it('reads $ENV values and booleans as JSON or strings', () => {
    const env = { MY_SECRET: 'from-env', SSL: 'False' };
    const c = parseIntegrationConfig({ ...baseConfig, 'Secret ID': '$ENV:MY_SECRET', 'Verify SSL': '$ENV:SSL' }, { env });
    expect(c.secretId).toBe('from-env');
    expect(c.verifySsl).toBe(false);
    expect(parseIntegrationConfig({ ...baseConfig, 'Verify SSL': false }).verifySsl).toBe(false);
    const e = reason(() => parseIntegrationConfig({ ...baseConfig, 'Secret ID': '$ENV:NOPE_NOT_SET' }, { env }));
    expect(e.message).toBe('Config "Secret ID" refers to environment variable NOPE_NOT_SET, which is not set.');
  });

  it('names the parameter for missing, mistyped and malformed values without echoing secrets', () => {
    const empty = reason(() => parseIntegrationConfig({ ...baseConfig, 'Secret ID': '' }));
    expect(empty.message).toBe('Secret ID is empty: set "Secret ID" in the config file.');
    expect(empty.parameter).toBe('Secret ID');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, Tenant: undefined })).parameter).toBe('Tenant');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Client ID': true })).message)
      .toBe('Invalid value for "Client ID" in the config file: expected a string, got a boolean.');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Verify SSL': 'yes' })).parameter).toBe('Verify SSL');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Microsoft Graph Endpoint': 'graph.microsoft.com' })).message)
      .toBe('Invalid value for "Microsoft Graph Endpoint": expected an http(s) URL such as https://graph.microsoft.com, got "graph.microsoft.com".');
    const withCreds = reason(() => parseIntegrationConfig({ ...baseConfig, 'Azure AD endpoint': 'https://u:pw1234@login.test?x=1' }));
    expect(withCreds.message).not.toContain('pw1234');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Secret ID': { v: 'obj-secret' } })).message).not.toContain('obj-secret');
  });

  it('checks JSON types against the documented types, naming the key and never the value', () => {
    const message = (over: Record<string, unknown>) => reason(() => parseIntegrationConfig({ ...baseConfig, ...over })).message;
    expect(message({ 'Client ID': 12345 })).toBe('Invalid value for "Client ID" in the config file: expected a string, got a number.');
    expect(message({ 'Default Mailbox': ['a@x.test'] })).toBe('Invalid value for "Default Mailbox" in the config file: expected a string, got an array.');
    expect(message({ 'Verify SSL': 1 })).toBe('Invalid value for "Verify SSL" in the config file: expected true or false, got a number.');
    expect(message({ 'Secret ID': 987654321 })).not.toContain('987654321');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, Tenant: 42 })).parameter).toBe('Tenant');
    // Booleans are documented as "true" / "false" strings: both spellings are fine.
    expect(parseIntegrationConfig({ ...baseConfig, 'Verify SSL': 'FALSE' }).verifySsl).toBe(false);
    expect(parseIntegrationConfig({ ...baseConfig, 'Verify SSL': true }).verifySsl).toBe(true);
  });

  it('names the variable of an unset or empty $ENV value, never echoing a secret pasted after "$ENV:"', () => {
    const env = { EMPTY_SECRET: '', BLANK_ID: '  ', SET: 'x' };
    const e = reason(() => parseIntegrationConfig({ ...baseConfig, 'Secret ID': '$ENV:EMPTY_SECRET' }, { env }));
    expect(e.message).toBe('Config "Secret ID" refers to environment variable EMPTY_SECRET, which is empty.');
    expect(e.parameter).toBe('Secret ID');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Client ID': '$ENV:BLANK_ID' }, { env })).message)
      .toBe('Config "Client ID" refers to environment variable BLANK_ID, which is empty.');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Verify SSL': ' $ENV: UNSET_SSL ' }, { env })).message)
      .toBe('Config "Verify SSL" refers to environment variable UNSET_SSL, which is not set.');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, Tenant: '$ENV:' }, { env })).message)
      .toBe('Config "Tenant" holds "$ENV:" without a variable name: write "$ENV:NAME".');
    const pasted = reason(() => parseIntegrationConfig({ ...baseConfig, 'Secret ID': '$ENV:Xy8Q~abc.def-ghi' }, { env }));
    expect(pasted.message).toBe('Config "Secret ID" refers to an environment variable that is not set (its name is not shown: it is no valid variable name and may be the secret itself).');
    expect(parseIntegrationConfig({ ...baseConfig, 'Proxy Server Address': 'p:1', 'Proxy Username': '$ENV:SET' }, { env }).proxy?.username).toBe('x');
  });

  it('warns about unknown keys with the closest valid name', () => {
    const warnings: string[] = [];
    parseIntegrationConfig({ ...baseConfig, 'Defualt Mailbox': 'x' }, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual(['Unknown config key "Defualt Mailbox" ignored. Did you mean "Default Mailbox"?']);
  });

  it('maps to Graph client options, proxy included', () => {
    const c = parseIntegrationConfig({
      ...baseConfig, 'Microsoft Graph Endpoint': 'https://graph.example.test/',
      'Proxy Server Address': 'proxy.local:3128', 'Proxy Username': 'u', 'Proxy Password': 'pp-secret',
    });
    expect(toGraphClientOptions(c)).toEqual({
      loginEndpoint: 'https://login.example.test', graphEndpoint: 'https://graph.example.test', tenant: 'tenant-1',
      clientId: 'client-1', clientSecret: 'super-secret-value', verifySsl: true,
      proxy: { url: 'proxy.local:3128', username: 'u', password: 'pp-secret' },
    });
    expect(JSON.stringify(c)).not.toContain('pp-secret');
    expect(reason(() => parseIntegrationConfig({ ...baseConfig, 'Proxy Username': 'u' })).parameter).toBe('Proxy Server Address');
  });
});

describe('config file', () => {
  it('reports unreadable files and bad JSON as usage errors without quoting the content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(UsageError);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{\n "Secret ID": "leaky-secret"\n oops }');
    const err = await loadConfigFile(bad).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('leaky-secret');
    const arr = join(dir, 'arr.json');
    await writeFile(arr, '[1]');
    await expect(loadConfigFile(arr)).rejects.toThrow('must hold a JSON object');
  });
});
