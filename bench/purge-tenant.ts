/**
 * The tenant of the purge benchmark: an in-process emulator (throttling on, the service model given), N
 * mailboxes seeded in one bulk admin call, and the admin-side checks that say what a run did.
 */
import { configForEmulator } from '../src/cli/emulator-config.ts';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { buildMail } from '../emulator/rfc822.ts';
import { Worker } from 'node:worker_threads';
import type { EmulatorInfo, EmulatorOptions } from '../emulator/index.ts';
import type { Traffic } from '../emulator/request-log.ts';
import type { ServiceModel } from './lower-bound.ts';

export const PHISH_ID = '<invoice-7731.4f2a@billing-secure.example>';
export const DOMAIN = 'contoso.test';

interface WorkerEmulator {
  info: EmulatorInfo;
  url: string;
  close(): Promise<void>;
}

/** Starts the emulator in a worker thread of this process (see emulator-worker.ts). */
async function startEmulatorThread(opts: EmulatorOptions): Promise<WorkerEmulator> {
  const worker = new Worker(new URL('./emulator-worker.mjs', import.meta.url), { workerData: opts });
  const ready = await new Promise<{ info: EmulatorInfo; url: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    ...ready,
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

export interface PurgeTenant {
  emu: WorkerEmulator;
  mailboxes: string[];
  /** Config object for runAction (the documented integration parameters). */
  config: Record<string, string | boolean>;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export function mailboxName(i: number): string {
  return `user${String(i).padStart(5, '0')}@${DOMAIN}`;
}

/** The phish plus a few ordinary emails, one of them sharing the phish's subject words. */
function mailsFor(): Array<{ raw: string; folder: string; isRead?: boolean }> {
  const base = new Date('2025-03-03T09:00:00Z');
  const mail = (i: number, subject: string, messageId: string, from = 'colleague@contoso.test') =>
    buildMail({ from, to: [`all@${DOMAIN}`], subject, date: new Date(base.getTime() + i * 60_000), messageId, text: `${subject}\r\n` }).toString('utf8');
  return [
    { raw: mail(0, 'Weekly team sync notes', '<sync-0303@contoso.test>'), folder: 'Inbox', isRead: true },
    { raw: mail(1, 'Invoice 7731 is overdue', PHISH_ID, 'billing@billing-secure.example'), folder: 'Inbox' },
    { raw: mail(2, 'Invoice 7730 (paid)', '<inv-7730@contoso.test>', 'ap@contoso.test'), folder: 'Inbox' },
    { raw: mail(3, 'Lunch on Friday?', '<lunch-0303@contoso.test>'), folder: 'Inbox' },
    { raw: mail(4, 'Re: project plan', '<plan-0303@contoso.test>'), folder: 'Archive' },
  ];
}

export async function startPurgeTenant(opts: { model: ServiceModel; randomSeed: number }): Promise<PurgeTenant> {
  const { model } = opts;
  const emu = await startEmulatorThread({
    seed: 'empty',
    throttle: true,
    latencyMs: model.latencyMs,
    latencyJitterMs: model.jitterMs,
    writeLatencyMs: model.writeLatencyMs,
    batchParallelism: model.batchParallelism,
    randomSeed: opts.randomSeed,
    quiet: true,
  });
  const ca = await readFile(emu.info.caCertPath, 'utf8');
  const agent = new Agent({ connect: { ca }, keepAliveTimeout: 30_000 });
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await request(`${emu.url}/_emulator${path}`, {
      method: method as 'GET',
      dispatcher: agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`admin ${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    emu,
    mailboxes: [],
    // The emulator's certificate is made at start; trusting it would need NODE_EXTRA_CA_CERTS at launch.
    config: configForEmulator(emu.info, { 'Verify SSL': false }),
    admin,
    async close() {
      await agent.close();
      await emu.close();
    },
  };
}

/** A fresh tenant of `n` mailboxes, each holding the phish among a few other emails. */
export async function seed(t: PurgeTenant, n: number): Promise<number> {
  const started = performance.now();
  await t.admin('POST', '/reset', { seed: 'empty' });
  t.mailboxes = Array.from({ length: n }, (_, i) => mailboxName(i + 1));
  // Chunks keep each admin body small; a 10,000-mailbox tenant is ten calls.
  for (let i = 0; i < n; i += 1000) {
    await t.admin('POST', '/bulk', {
      users: t.mailboxes.slice(i, i + 1000).map((userPrincipalName) => ({ userPrincipalName })),
      messages: mailsFor(),
    });
  }
  await t.admin('DELETE', '/requests');
  return (performance.now() - started) / 1000;
}

export interface PhishCount {
  inInbox: number;
  inDeletedItems: number;
  elsewhere: number;
}

export async function countPhish(t: PurgeTenant): Promise<PhishCount> {
  const r = await t.admin<{ byFolder: Record<string, number> }>('GET', `/messages?internetMessageId=${encodeURIComponent(PHISH_ID)}`);
  const inInbox = r.byFolder.inbox ?? 0;
  const inDeletedItems = r.byFolder.deleteditems ?? 0;
  const total = Object.values(r.byFolder).reduce((a, b) => a + b, 0);
  return { inInbox, inDeletedItems, elsewhere: total - inInbox - inDeletedItems };
}

export function traffic(t: PurgeTenant): Promise<Traffic> {
  return t.admin<Traffic>('GET', '/traffic');
}
