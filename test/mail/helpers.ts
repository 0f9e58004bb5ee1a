/** A demo-seeded emulator and a Graph client pointed at it, for src/mail and sweep tests. */
import { afterEach } from 'vitest';
import { configForEmulator } from '../../src/cli/emulator-config.ts';
import { adminClient, type AdminCall, type Delivered } from '../helpers/emulator-admin.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import { createGraphClient } from '../../src/graph/client.ts';
import type { GraphClient, GraphClientOptions } from '../../src/graph/types.ts';

export const DOMAIN = 'contoso.example';
export const SOC = `soc@${DOMAIN}`;
export const REPORTS = `phishing-reports@${DOMAIN}`;
export const ALICE = `alice.martin@${DOMAIN}`;
export const BOB = `bob.keller@${DOMAIN}`;
export const CAROL = `carol.diaz@${DOMAIN}`;
export const DAVE = `dave.nomail@${DOMAIN}`;
export const GHOST = `ghost@${DOMAIN}`;

export interface MailHarness {
  emu: RunningEmulator;
  client(opts?: Partial<GraphClientOptions>): GraphClient;
  admin: AdminCall;
  reset(seed?: 'demo' | 'empty'): Promise<void>;
  /** Raw RFC 822 delivery through the admin API. */
  deliver(mailbox: string, folder: string, raw: string, opts?: { isRead?: boolean; receivedDateTime?: string }): Promise<Delivered>;
  close(): Promise<void>;
}

/** Retries as in production (Retry-After honoured), but see FAST_CLOCK. */
export const FAST_RETRY = { maxRetries: 8, baseDelayMs: 1, maxDelayMs: 60_000 };

/** Real time, with every client wait shortened 50-fold so a storm's Retry-Afters cost milliseconds. */
export const FAST_CLOCK = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms / 50))),
};

/**
 * A seed for the emulator's random choices (faults, jitter, batch answer order): EMULATOR_SEED
 * when set, a fresh one otherwise, printed when a test of the file fails so the storm replays.
 * Call it at the top of a test file (it registers an afterEach hook).
 */
export function replayableSeed(): number {
  const given = process.env.EMULATOR_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(`[emulator] replay with EMULATOR_SEED=${seed} (${ctx.task.name})`);
  });
  return seed;
}

export async function mailHarness(opts: EmulatorOptions = {}): Promise<MailHarness> {
  const emu = await startEmulator({ port: 0, seed: 'demo', http: true, quiet: true, ...opts });
  const clients: GraphClient[] = [];
  const admin = adminClient(emu.url);
  return {
    emu,
    client(o = {}) {
      const c = createGraphClient({
        loginEndpoint: emu.info.loginEndpoint,
        graphEndpoint: emu.info.graphEndpoint,
        tenant: emu.info.tenantId,
        clientId: emu.info.clientId,
        clientSecret: emu.info.clientSecret,
        retry: FAST_RETRY,
        clock: FAST_CLOCK,
        ...o,
      });
      clients.push(c);
      return c;
    },
    admin,
    async reset(seed = 'demo') {
      await admin('POST', '/reset', { seed });
      await admin('DELETE', '/requests');
    },
    async deliver(mailbox, folder, raw, o = {}) {
      const q = new URLSearchParams({ folder });
      if (o.isRead) q.set('isRead', 'true');
      if (o.receivedDateTime) q.set('receivedDateTime', o.receivedDateTime);
      return admin<Delivered>('POST', `/users/${encodeURIComponent(mailbox)}/messages?${q}`, raw, 'message/rfc822');
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await emu.close();
    },
  };
}

let n = 0;
/** A minimal RFC 822 message. */
export function rawMail(o: { from?: string; to?: string; subject: string; messageId?: string; date?: Date; text?: string }): string {
  const id = o.messageId ?? `<t${++n}.${Date.now().toString(36)}@test.${DOMAIN}>`;
  return [
    `From: ${o.from ?? `Sender <sender@${DOMAIN}>`}`,
    `To: ${o.to ?? SOC}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${id}`,
    `Date: ${(o.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text ?? 'body',
    '',
  ].join('\r\n');
}

import { runAction } from '../../src/soar/runtime.ts';
import type { ActionDefinition, ActionMessages } from '../../src/soar/action.ts';
import type { ResultDocument } from '../../src/soar/result.ts';

/** The integration config of the harness's emulator (as a `--config` file would hold it). */
export function configOf(h: MailHarness): Record<string, unknown> {
  return configForEmulator(h.emu.info, { 'Verify SSL': false });
}

/** One invocation through the runtime; the document's JSON result has the action's type. */
export function invoke<M extends ActionMessages, J>(h: MailHarness, def: ActionDefinition<M, J>, params: Record<string, string>, state: unknown = null, graphOptions: Partial<GraphClientOptions> = {}, config: Record<string, unknown> = {}): Promise<ResultDocument<J>> {
  return runAction(def, { config: { ...configOf(h), ...config }, params, state }, { createGraph: (o) => createGraphClient(o), graphOptions: { retry: FAST_RETRY, clock: FAST_CLOCK, ...graphOptions } });
}

/** Invoke until the action is no longer IN_PROGRESS; every document along the way. */
export async function invokeAll<M extends ActionMessages, J>(h: MailHarness, def: ActionDefinition<M, J>, params: Record<string, string>, graphOptions: Partial<GraphClientOptions> = {}): Promise<ResultDocument<J>[]> {
  const docs: ResultDocument<J>[] = [];
  let state: unknown = null;
  for (;;) {
    const doc = await invoke(h, def, params, state, graphOptions);
    docs.push(doc);
    if (doc.execution_state !== 'IN_PROGRESS') return docs;
    if (docs.length > 10_000) throw new Error('no end');
    state = doc.state;
  }
}
