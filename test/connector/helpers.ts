/** A connector against a demo-seeded emulator: config, state dir, one cycle at a time. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createGraphClient } from '../../src/graph/client.ts';
import type { Alert } from '../../src/connector/alert.ts';
import type { CycleStep } from '../../src/connector/cycle.ts';
import { parseConnectorConfig, type ConnectorConfig } from '../../src/connector/params.ts';
import { runConnector } from '../../src/connector/run.ts';
import { openSqliteStore } from '../../src/connector/sqlite-store.ts';
import { FAST_CLOCK, FAST_RETRY, type MailHarness } from '../mail/helpers.ts';

/** The monitored mailbox of these tests: created empty on the demo tenant (the demo's own reports mailbox already holds mail). */
export const MONITOR = 'monitor@contoso.example';

export async function addMonitor(h: MailHarness): Promise<void> {
  await h.admin('POST', '/users', { userPrincipalName: MONITOR, displayName: 'Phishing monitor' });
}

export function connectorConfig(h: MailHarness, extra: Record<string, unknown> = {}): ConnectorConfig {
  return parseConnectorConfig({
    'Azure AD endpoint': h.emu.info.loginEndpoint,
    'Microsoft Graph Endpoint': h.emu.info.graphEndpoint,
    'Client ID': h.emu.info.clientId,
    'Client Secret': h.emu.info.clientSecret,
    'Tenant (Directory) ID': h.emu.info.tenantId,
    'Mail Address': MONITOR,
    ...extra,
  });
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

export async function stateDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'connector-test-'));
  dirs.push(d);
  return d;
}

export interface CycleRun {
  code: number;
  printed: Alert[];
  warnings: string[];
}

/** One `--once` cycle (or a test run); `crashAt` throws at that step boundary, as a kill would stop it. */
export async function cycle(h: MailHarness, config: ConnectorConfig, dir: string, o: { testRun?: boolean; crashAt?: CycleStep; now?: () => number } = {}): Promise<CycleRun> {
  const printed: Alert[] = [];
  const warnings: string[] = [];
  const code = await runConnector({
    config,
    stateDir: dir,
    once: true,
    testRun: o.testRun,
    now: o.now,
    createGraph: (opts) => createGraphClient({ ...opts, retry: FAST_RETRY, clock: FAST_CLOCK }),
    print: (line) => printed.push(JSON.parse(line) as Alert),
    warn: (m) => warnings.push(m),
    step: o.crashAt
      ? (s) => {
          if (s === o.crashAt) throw new Error(`killed at ${s}`);
        }
      : undefined,
  }).catch((err: unknown) => {
    warnings.push(String(err));
    return 99;
  });
  return { code, printed, warnings };
}

export function committed(dir: string): Alert[] {
  const store = openSqliteStore(dir, { readOnly: true });
  try {
    return store.alerts().map((s) => s.alert);
  } finally {
    store.close();
  }
}

let n = 0;
export function email(o: { subject: string; from?: string; to?: string; body?: string; html?: string; attach?: { name: string; type: string; content: string }[] }): string {
  n++;
  const head = [`From: ${o.from ?? 'Reporter <alice.martin@contoso.example>'}`, `To: ${o.to ?? MONITOR}`, `Subject: ${o.subject}`, `Message-ID: <c${n}.${Date.now()}@contoso.example>`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0'];
  if (!o.attach?.length) {
    return [...head, `Content-Type: ${o.html ? 'text/html' : 'text/plain'}; charset=utf-8`, '', o.html ?? o.body ?? 'hello', ''].join('\r\n');
  }
  const b = `b${n}`;
  const parts = [`--${b}`, `Content-Type: ${o.html ? 'text/html' : 'text/plain'}; charset=utf-8`, '', o.html ?? o.body ?? 'see attached', ''];
  for (const a of o.attach) {
    parts.push(`--${b}`, `Content-Type: ${a.type}; name="${a.name}"`, `Content-Disposition: attachment; filename="${a.name}"`, '', a.content, '');
  }
  parts.push(`--${b}--`, '');
  return [...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', ...parts].join('\r\n');
}
