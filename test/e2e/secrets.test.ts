/**
 * Secrets never reach logs, errors or results: failing runs of the real CLI against the
 * emulator, with debug logging on, and everything they print is grepped for the client
 * secret, the proxy password and any bearer token.
 */
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { main } from '../../src/cli/main.ts';
import { createGraphClient } from '../../src/graph/client.ts';

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;
const PROXY_PASSWORD = 'pr0xy-Pa55-word-never-shown';

let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'demo', http: true, quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
});
afterAll(() => emu.close());

async function settings(body: object) {
  const r = await fetch(`${emu.url}/_emulator/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.ok).toBe(true);
}

async function runPing(overrides: Record<string, unknown>) {
  const i = emu.info;
  const cfg = join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(cfg, JSON.stringify(configForEmulator(i, { 'Secret ID': '$ENV:SECRET', ...overrides })));
  let printed = '';
  const sink = { write: (s: string) => (printed += s) };
  const code = await main(['run', 'Ping', '--config', cfg], {
    stdout: sink, stderr: sink,
    env: { SECRET: (overrides.__secret as string) ?? i.clientSecret, MSGRAPH_MAIL_LOG_LEVEL: 'debug' },
    graphOptions: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } },
  });
  return { code, printed };
}

function expectNoSecrets(printed: string, ...secrets: string[]) {
  for (const s of secrets) expect(printed).not.toContain(s);
  expect(printed).not.toMatch(JWT);
}

describe('no secret in anything a failing run prints', () => {
  it('wrong secret: names the parameter, never echoes the value', async () => {
    const wrong = `${emu.info.clientSecret.slice(0, -4)}XXXX`;
    const { code, printed } = await runPing({ __secret: wrong });
    expect(code).toBe(1);
    expect(printed).toContain('Secret ID');
    expectNoSecrets(printed, wrong, emu.info.clientSecret);
  });

  it('Graph failing with 500s after a valid token', async () => {
    await settings({ faultRate: 1, faultStatuses: [500] });
    try {
      // The token endpoint is not faulted, so a real bearer token is in play.
      const { code, printed } = await runPing({});
      expect(code).toBe(1);
      expect(printed).toContain('Failed to connect to the Microsoft Graph mail service!');
      expect(printed).toContain('"level":20'); // debug lines were printed, and still hold no secret
      expectNoSecrets(printed, emu.info.clientSecret);
    } finally {
      await settings({ faultRate: 0 });
    }
  });

  it('an expired token is refreshed once, and neither token reaches the logs', async () => {
    const lines: string[] = [];
    const log = (level: string) => (obj: object, msg?: string) => void lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
    const i = emu.info;
    const graph = createGraphClient({
      loginEndpoint: i.loginEndpoint, graphEndpoint: i.graphEndpoint, tenant: i.tenantId, clientId: i.clientId, clientSecret: i.clientSecret,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    });
    try {
      const first = await graph.getToken();
      await settings({ clockOffsetSeconds: 7200 }); // the emulator now sees that token as expired
      await graph.get(`/users/${i.defaultMailbox}/mailFolders/inbox`);
      const second = await graph.getToken();
      expect(second.accessToken).not.toBe(first.accessToken);
      const printed = lines.join('\n');
      expect(printed).toContain('401');
      expectNoSecrets(printed, i.clientSecret, first.accessToken, second.accessToken);
    } finally {
      await settings({ clockOffsetSeconds: 0 });
      await graph.close();
    }
  });

  it('missing permissions', async () => {
    await settings({ permissions: [] });
    try {
      const { code, printed } = await runPing({});
      expect(code).toBe(1);
      expect(printed).toContain('Missing application permissions: Mail.Read');
      expect(printed).toContain('may lack an application permission for this request');
      expectNoSecrets(printed, emu.info.clientSecret);
    } finally {
      await settings({ permissions: ['Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'MailboxSettings.Read', 'MailboxSettings.ReadWrite', 'User.Read.All', 'Directory.Read.All', 'Presence.Read.All'] });
    }
  });

  it('a wrong Azure AD endpoint is named as such', async () => {
    const { code, printed } = await runPing({ 'Azure AD endpoint': `${emu.info.loginEndpoint}/v1.0` });
    expect(code).toBe(1);
    expect(printed).toContain('Azure AD endpoint');
    expectNoSecrets(printed, emu.info.clientSecret);
  });

  it('unreachable proxy with a password', async () => {
    const { code, printed } = await runPing({
      'Proxy Server Address': 'http://127.0.0.1:9', 'Proxy Username': 'svc-proxy', 'Proxy Password': PROXY_PASSWORD,
    });
    expect(code).toBe(1);
    expectNoSecrets(printed, PROXY_PASSWORD, emu.info.clientSecret);
  });
});
