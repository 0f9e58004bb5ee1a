/** The connector's parameters against spec/contract.json (`connector`), and how the config is read. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_PARAMS, parseConnectorConfig } from '../../src/connector/params.ts';
import { InputError } from '../../src/soar/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '../../../shared/spec/contract.json');
const contract = JSON.parse(readFileSync(existsSync(shared) ? shared : join(here, '../fixtures/contract.json'), 'utf8')) as {
  connector: { name: string; params: Array<{ name: string; required: boolean; default: string | null; type: string; options: string[] | null }> };
};

const base = {
  'Client ID': 'app',
  'Client Secret': 'S3cr3t-value',
  'Tenant (Directory) ID': 'tenant',
  'Mail Address': 'soc@contoso.example',
};

function error(obj: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): InputError {
  try {
    parseConnectorConfig(obj, { env });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('connector parameters', () => {
  it('are the 28 documented ones, spelled, ordered and defaulted as in the contract', () => {
    expect(contract.connector.params).toHaveLength(28);
    expect(CONNECTOR_PARAMS.map((p) => ({ name: p.name, required: p.required, default: p.default, type: p.type, options: p.options }))).toEqual(contract.connector.params);
  });

  it('take the documented defaults', () => {
    const c = parseConnectorConfig(base);
    expect(c).toMatchObject({
      productField: 'device_product',
      eventField: 'event_name',
      environmentField: null,
      scriptTimeoutSeconds: 300,
      azureAdEndpoint: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
      folders: ['Inbox'],
      offsetHours: 24,
      maxEmailsPerCycle: 10,
      unreadOnly: false,
      markAsRead: false,
      disableOverflow: false,
      origPrefix: 'orig',
      attachPrefix: 'attach',
      attachOriginalEml: false,
      alertPerAttachedMail: false,
      verifySsl: true,
    });
    expect(c.dynamicList.map((r) => r.name)).toEqual(['url']);
    expect(c.environmentRegex?.source).toBe('.*');
  });

  it('read folder lists, numbers as strings or JSON numbers, booleans, headers and the dynamic list', () => {
    const c = parseConnectorConfig({
      ...base,
      'Folder to check for emails': ' Inbox , Inbox/Phishing,Inbox ',
      'Max Emails Per Cycle': 25,
      'Offset Time In Hours': '1.5',
      'Mark Emails as Read': 'true',
      'Headers to add to events': 'Received, X-MS-Exchange-.*',
      'Dynamic List': ['ip: \\b\\d{1,3}(\\.\\d{1,3}){3}\\b'],
    });
    expect(c.folders).toEqual(['Inbox', 'Inbox/Phishing']);
    expect(c.maxEmailsPerCycle).toBe(25);
    expect(c.offsetHours).toBe(1.5);
    expect(c.markAsRead).toBe(true);
    expect(c.headers.map((h) => [h.text, h.matches('received'), h.matches('X-MS-Exchange-Organization-SCL')])).toEqual([
      ['Received', true, false],
      ['X-MS-Exchange-.*', false, true],
    ]);
    expect(c.dynamicList.map((r) => r.name)).toEqual(['ip']);
  });

  it('name the parameter in every error and never echo the secret', () => {
    expect(error({ ...base, 'Max Emails Per Cycle': '0' })).toMatchObject({ parameter: 'Max Emails Per Cycle' });
    expect(error({ ...base, 'Max Emails Per Cycle': '1e400' }).message).toContain('from 1 to 10000');
    expect(error({ ...base, 'Offset Time In Hours': '-1' })).toMatchObject({ parameter: 'Offset Time In Hours' });
    expect(error({ ...base, 'Email exclude pattern': '(?=x)' })).toMatchObject({ parameter: 'Email exclude pattern' });
    expect(error({ ...base, 'Original Received Mail Prefix': 'my prefix' })).toMatchObject({ parameter: 'Original Received Mail Prefix' });
    expect(error({ ...base, 'Mail Address': '' })).toMatchObject({ parameter: 'Mail Address' });
    expect(error({ ...base, 'Alerts Webhook URL': 'http://hooks.example/x' }).message).toContain('loopback');
    expect(error({ ...base, 'Dynamic List': 'url: x' })).toMatchObject({ parameter: 'Dynamic List' });
    const secretMissing = error({ ...base, 'Client Secret': '$ENV:MY_SECRET' });
    expect(secretMissing.message).toContain('MY_SECRET');
    expect(JSON.stringify(parseConnectorConfig(base))).not.toContain('S3cr3t-value');
  });

  it('an empty prefix means no prefix; an absent one the default', () => {
    expect(parseConnectorConfig({ ...base, 'Original Received Mail Prefix': '' }).origPrefix).toBe('');
  });
});
