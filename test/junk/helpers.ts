/** Runs the junk actions through `runAction` with the real Graph client against an emulator. */
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { adminClient, type AdminCall, type Delivered } from '../helpers/emulator-admin.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import { DEFAULT_PERMISSIONS } from '../../emulator/state.ts';
import { createGraphClient, type Clock, type GraphClient } from '../../src/graph/index.ts';
import type { ActionDefinition, ActionMessages } from '../../src/soar/action.ts';
import { runAction } from '../../src/soar/runtime.ts';
import type { ResultDocument } from '../../src/soar/result.ts';

export interface JunkHarness {
  emu: RunningEmulator;
  /** `wrap` may replace parts of the real client (to script a failure Graph cannot be made to give). */
  run<M extends ActionMessages, J>(def: ActionDefinition<M, J>, params: Record<string, string>, wrap?: (g: GraphClient) => GraphClient): Promise<ResultDocument<J>>;
  admin: AdminCall;
  /** A Graph GET with an app token, for checking where messages ended up. */
  graph<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  deliver(mailbox: string, raw: string, folder?: string): Promise<Delivered>;
  blocked(mailbox: string): Promise<string[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const u = encodeURIComponent;

/** Wall time plus every wait the client asked for, without waiting. */
function instantClock(): Clock {
  let waited = 0;
  return {
    now: () => Date.now() + waited,
    sleep: async (ms: number) => {
      waited += ms;
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

let n = 0;
export function rawMail(opts: { from: string; to: string; subject: string; messageId?: string }): string {
  n += 1;
  return [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    'Date: Mon, 01 Jul 2024 10:00:00 +0000',
    `Message-ID: ${opts.messageId ?? `<junk-action-${n}@test.example>`}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Body.',
    '',
  ].join('\r\n');
}

export async function junkHarness(opts: EmulatorOptions = {}): Promise<JunkHarness> {
  const emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true, ...opts });
  const i = emu.info;
  const config = configForEmulator(i);
  const admin = adminClient(emu.url);
  let token: string | undefined;
  const graph = async (path: string) => {
    if (!token) {
      const res = await fetch(`${i.loginEndpoint}/${i.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: i.clientId, client_secret: i.clientSecret, scope: `${i.graphEndpoint}/.default`, grant_type: 'client_credentials' }),
      });
      token = ((await res.json()) as { access_token: string }).access_token;
    }
    const res = await fetch(`${i.graphEndpoint}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    emu,
    admin,
    graph,
    run: (def, params, wrap = (g) => g) =>
      runAction(def, { config, params }, {
        createGraph: (o) => wrap(createGraphClient(o)),
        // Retry-After is honoured on a clock that only pretends to wait: throttling tests must not sleep.
        graphOptions: { retry: { baseDelayMs: 1, maxRetries: 40 }, clock: instantClock() },
      }),
    deliver: (mailbox, raw, folder = 'Inbox') => admin<Delivered>('POST', `/users/${u(mailbox)}/messages?folder=${u(folder)}`, raw, 'message/rfc822'),
    blocked: async (mailbox) => (await admin<{ senders: string[] }>('GET', `/users/${u(mailbox)}/blockedSenders`)).senders,
    reset: async () => {
      await admin('POST', '/reset', { seed: 'demo' });
      await admin('PUT', '/settings', { permissions: [...DEFAULT_PERMISSIONS], faultRate: 0, throttle: true });
      await admin('DELETE', '/requests');
    },
    close: () => emu.close(),
  };
}
