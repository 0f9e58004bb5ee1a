/**
 * Sweeps under a throttling storm (injected 503/429 faults with the emulator's throttling on),
 * partial failure of one mailbox, and continuation through the CLI with --state.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEmail } from '../../src/actions/delete-email.ts';
import { moveEmailToFolder } from '../../src/actions/move-email-to-folder.ts';
import { main } from '../../src/cli/main.ts';
import { createGraphClient } from '../../src/graph/client.ts';
import { GraphError } from '../../src/graph/errors.ts';
import type { ApiVersion, BatchItem, BatchItemResult, GraphClient } from '../../src/graph/types.ts';
import { runAction } from '../../src/soar/runtime.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import { DOMAIN, FAST_CLOCK, FAST_RETRY, configOf, invokeAll, mailHarness, rawMail, replayableSeed, type MailHarness } from '../mail/helpers.ts';
import type { RequestLogEntry, RequestLogSnapshot } from '../helpers/emulator-admin.ts';
import { jsonOf } from '../helpers/results.ts';

const BATCH = 'How many mailboxes to process in a single batch';
const PHISH_ID = '<storm-phish@evil.example>';
const N = 40;
const users = Array.from({ length: N }, (_, i) => `user${String(i).padStart(2, '0')}@${DOMAIN}`);

const SEED = replayableSeed();
let h: MailHarness;
beforeAll(async () => {
  h = await mailHarness({ seed: 'empty', latencyMs: 2, randomSeed: SEED });
});
afterAll(async () => h?.close());

async function seed(count = N): Promise<void> {
  await h.reset('empty');
  await h.admin('PUT', '/settings', { faultRate: 0, throttle: true });
  await Promise.all(
    users.slice(0, count).map(async (u) => {
      await h.admin('POST', '/users', { userPrincipalName: u, displayName: u });
      await h.deliver(u, 'Inbox', rawMail({ to: u, subject: 'Weekly report' }));
      await h.deliver(u, 'Inbox', rawMail({ to: u, subject: 'Reset your password now', messageId: PHISH_ID, from: 'x@evil.example' }));
      await h.deliver(u, 'Inbox', rawMail({ to: u, subject: 'Lunch?' }));
    }),
  );
  await h.admin('DELETE', '/requests');
}

const log = async (): Promise<RequestLogEntry[]> => (await h.admin<RequestLogSnapshot>('GET', '/requests')).entries;

async function subjects(g: GraphClient, user: string, folder: string): Promise<string[]> {
  const page = await g.get<{ value: Array<{ subject: string }> }>(`/users/${user}/mailFolders/${folder}/messages`, { query: { $top: 100 } });
  return page.value.map((m) => m.subject);
}

describe('throttling storm', () => {
  it('Delete Email deletes every match exactly once despite 503s and 429s', async () => {
    await seed();
    await h.admin('PUT', '/settings', { faultRate: 0.25, faultStatuses: [503, 429], throttle: true });
    const docs = await invokeAll(h, deleteEmail, { 'Delete In Mailbox': users.join(','), 'Folder Name': 'Inbox', 'Mail IDs': 'storm-phish@evil.example', [BATCH]: '15' });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    expect(docs.map((d) => d.execution_state)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    const last = docs[2];
    expect(last.is_success).toBe(true);
    expect(jsonOf(last).deleted_total).toBe(N);
    expect(jsonOf(last).failed_mailboxes).toEqual([]);
    const entries = await log();
    const faults = entries.filter((e) => e.status === 503 || e.status === 429);
    expect(faults.length).toBeGreaterThan(10);
    const deletes = entries.filter((e) => e.method === 'DELETE');
    expect(deletes.filter((e) => e.status === 204)).toHaveLength(N);
    expect(new Set(deletes.filter((e) => e.status === 204).map((e) => e.mailbox?.toLowerCase())).size).toBe(N);
    const g = h.client();
    for (const u of users) {
      expect((await subjects(g, u, 'inbox')).sort()).toEqual(['Lunch?', 'Weekly report']);
      expect(await subjects(g, u, 'deleteditems')).toEqual(['Reset your password now']);
    }
  });

  it('Move Email To Folder moves every match exactly once despite 503s and 429s', async () => {
    await seed();
    await h.admin('PUT', '/settings', { faultRate: 0.25, faultStatuses: [503, 429], throttle: true });
    const docs = await invokeAll(h, moveEmailToFolder, {
      'Move In Mailbox': users.join(','), 'Source Folder Name': 'Inbox', 'Destination Folder Name': 'Junk Email', 'Subject Filter': 'password', [BATCH]: '25',
    });
    await h.admin('PUT', '/settings', { faultRate: 0 });
    const last = docs[docs.length - 1];
    expect(last.output_message.startsWith('Successfully moved emails in the following mailboxes: ')).toBe(true);
    expect(jsonOf(last).moved_total).toBe(N);
    const moves = (await log()).filter((e) => e.method === 'POST' && e.path.endsWith('/move'));
    expect(moves.filter((e) => e.status === 201)).toHaveLength(N);
    const g = h.client();
    for (const u of users) expect(await subjects(g, u, 'junkemail')).toEqual(['Reset your password now']);
  });
});

describe('partial failure', () => {
  it('names a mailbox that failed after retries while the others complete', async () => {
    await seed(6);
    const broken = users[3];
    // Every call touching one mailbox fails as a 503 would after the client's retries.
    const wrap = (c: GraphClient): GraphClient => ({
      ...c,
      stats: c.stats,
      batch: async <T,>(items: BatchItem[], opts?: { version?: ApiVersion }) => {
        const res = await c.batch<T>(items.filter((i) => i.mailbox !== broken), opts);
        let k = 0;
        return items.map((i, n): BatchItemResult<T> =>
          i.mailbox === broken
            ? { id: String(n), status: 503, error: new GraphError({ status: 503, code: 'ServiceUnavailable', message: 'Service is temporarily unavailable.', requestId: 'req-1' }) }
            : res[k++],
        );
      },
    });
    const doc = await runAction(
      deleteEmail,
      { config: configOf(h), params: { 'Delete In Mailbox': users.slice(0, 6).join(','), 'Folder Name': 'Inbox', 'Subject Filter': 'password' } },
      { createGraph: (o) => wrap(createGraphClient(o)), graphOptions: { retry: FAST_RETRY, clock: FAST_CLOCK } },
    );
    expect(doc.is_success).toBe(true);
    const ok = users.slice(0, 6).filter((u) => u !== broken);
    expect(doc.output_message).toBe(
      `Successfully deleted emails in the following mailboxes: ${ok.map((u) => `${u}: 1`).join(', ')}\n` +
        `Failed to delete emails in the following mailboxes: ${broken} (Service is temporarily unavailable. (request-id req-1))`,
    );
    expect(jsonOf(doc).failed_mailboxes).toEqual([{ mailbox: broken, reason: 'Service is temporarily unavailable. (request-id req-1)', code: 'ServiceUnavailable' }]);
  });
});

describe('CLI --state', () => {
  it('continues a sweep one batch per `msgraph-mail run` and finishes with the totals', async () => {
    await seed(5);
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const config = join(dir, 'config.json');
    const stateFile = join(dir, 'state.json');
    await writeFile(config, JSON.stringify({ ...configOf(h), 'Secret ID': '$ENV:SWEEP_SECRET' }));
    const run = async (): Promise<{ code: number; doc: ResultDocument }> => {
      let out = '';
      const code = await main(
        ['run', 'Delete Email', '--config', config, '--state', stateFile,
          '--param', `Delete In Mailbox=${users.slice(0, 5).join(',')}`, '--param', 'Folder Name=Inbox',
          '--param', `Mail IDs=${PHISH_ID}`, '--param', `${BATCH}=2`],
        { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined }, env: { SWEEP_SECRET: h.emu.info.clientSecret } },
      );
      return { code, doc: JSON.parse(out) };
    };
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { code, doc } = await run();
      expect(code).toBe(0);
      states.push(doc.execution_state);
      if (i < 2) expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ action: 'Delete Email', invocation: i + 1 });
      if (i === 2) {
        expect(doc.output_message).toBe(`Successfully deleted emails in the following mailboxes: ${users.slice(0, 5).map((u) => `${u}: 1`).join(', ')}`);
        expect(JSON.parse(await readFile(stateFile, 'utf8'))).toBeNull();
      }
    }
    expect(states).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    expect((await log()).filter((e) => e.method === 'DELETE' && e.status === 204)).toHaveLength(5);
  });
});
